"""A check in a worker: its result or error comes back to the caller, and cancelling stops DuckDB at once."""

import threading
import time

import pytest

from csm.ingest.jobs import Cancelled, CheckJob
from csm.ingest.load import import_file
from csm.ingest.readers import ReadError
from tests.csm.ingest.test_import import FILES


def test_a_check_returns_its_result():
    job = CheckJob("clean", lambda con, progress: import_file(con, FILES / "helpdesk_clean.csv", dry_run=True,
                                                              progress=progress)).start()
    assert job.wait(60)
    assert job.outcome().rows_read == 4 and job.progress()[0] == 0.5  # the dry run stops after validating


def test_a_failed_check_raises_its_error_in_the_callers_thread():
    job = CheckJob("ragged", lambda con, progress: import_file(con, FILES / "ragged.csv", dry_run=True)).start()
    assert job.wait(60)
    with pytest.raises(ReadError, match="do not have the 3 columns"):
        job.outcome()


def test_cancelling_interrupts_a_long_query_within_a_second():
    started = threading.Event()

    def work(con, progress):
        progress(0.3, "validating")
        started.set()
        return con.execute("SELECT count(*) FROM range(100000000000) t(i) WHERE i % 7 = 3").fetchall()

    job = CheckJob("slow", work).start()
    assert started.wait(30)
    assert not job.wait(0.3)  # still running
    begun = time.perf_counter()
    job.cancel()
    assert job.wait(5) and time.perf_counter() - begun < 1
    assert job.cancelled
    with pytest.raises(Cancelled):
        job.outcome()


def test_a_cancelled_check_runs_no_further_step():
    gate = threading.Event()
    steps = []

    def work(con, progress):
        gate.wait(30)
        progress(0.5, "validating")  # raises Cancelled: the next step never starts
        steps.append("validated")

    job = CheckJob("stepped", work).start()
    job.cancel()
    gate.set()
    assert job.wait(5) and steps == []


def test_the_outcome_of_a_running_check_is_not_a_result():
    gate = threading.Event()
    job = CheckJob("waiting", lambda con, progress: gate.wait(30)).start()
    with pytest.raises(RuntimeError, match="still running"):
        job.outcome()
    gate.set()
    assert job.wait(5)
