"""A check of a file (read, map, validate: a dry run) in a worker thread that reports progress and can be cancelled.

The Data page starts one per upload so the page stays responsive on a large or hostile file: it
shows the share done and what runs, and a Cancel button. Cancelling interrupts the worker's own
DuckDB connection (an in-memory database: nothing of the user's is touched), so a long read or
validation query stops at once; a step outside DuckDB (unzipping a workbook) ends at its next
check, bounded by the reading limits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import duckdb

from csm.db import connect


class Cancelled(Exception):
    """The user cancelled the check."""


class CheckJob:
    """Run ``work(con, progress)`` on a private in-memory connection in a daemon thread.

    ``work`` receives the connection and a ``progress(share, step)`` callback, and returns the
    result. Exceptions are kept and raised again by ``outcome()`` in the caller's thread.

    Examples:
        >>> job = CheckJob("k", lambda con, progress: con.execute("SELECT 42").fetchone()[0]).start()
        >>> job.wait(5), job.outcome()
        (True, 42)
    """

    def __init__(self, key: str, work: Callable[[duckdb.DuckDBPyConnection, Callable[[float, str], None]], object]):
        self.key = key
        self._work = work
        self._share, self._step = 0.0, "starting"
        self._result: object = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._cancelled = False
        self._con: duckdb.DuckDBPyConnection | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"check {key[:40]}", daemon=True)

    def start(self) -> CheckJob:
        """Start the worker; return the job."""
        self._thread.start()
        return self

    def _report(self, share: float, step: str) -> None:
        if self._cancelled:
            raise Cancelled
        self._share, self._step = share, step

    def _run(self) -> None:
        try:
            with self._lock:
                self._con = connect(":memory:")
                # Progress is read by the page (query_progress), never printed.
                self._con.execute("SET enable_progress_bar = true")
                self._con.execute("SET enable_progress_bar_print = false")
            if self._cancelled:
                raise Cancelled
            self._result = self._work(self._con, self._report)
        except BaseException as exc:  # noqa: BLE001 - kept and raised again in the page's thread
            self._error = Cancelled() if self._cancelled else exc
        finally:
            with self._lock:
                if self._con is not None:
                    self._con.close()
                    self._con = None
            self._done.set()

    @property
    def done(self) -> bool:
        """True once the worker has finished, failed or been cancelled."""
        return self._done.is_set()

    @property
    def cancelled(self) -> bool:
        """True once ``cancel`` was called."""
        return self._cancelled

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the worker; return whether it is done."""
        return self._done.wait(timeout)

    def progress(self) -> tuple[float, str]:
        """Return the share done (0-1) and the step running, refined by DuckDB's progress of its query."""
        share, step = self._share, self._step
        with self._lock:
            con = self._con
            try:
                running = con.query_progress() if con is not None else -1
            except duckdb.Error:
                running = -1
        if running and running > 0:  # the share of the step's query: move within the step
            share = min(share + (running / 100) * 0.2, 0.99)
        return share, step

    def cancel(self) -> None:
        """Stop the worker: no further step runs and its running DuckDB query is interrupted."""
        self._cancelled = True
        with self._lock:
            if self._con is not None:
                try:
                    self._con.interrupt()
                except duckdb.Error:
                    pass

    def outcome(self) -> object:
        """Return the worker's result, or raise its exception (``Cancelled`` after ``cancel``).

        Raises:
            RuntimeError: the worker is still running.
        """
        if not self.done:
            raise RuntimeError("the check is still running")
        if self._error is not None:
            raise self._error
        return self._result
