"""Import a file into ``tickets`` in one transaction: stage, map, type, validate, fold, upsert.

Nothing is written when an error finding remains (unless the user drops those rows), and any
failure rolls everything back: the database is exactly as it was. Rows that an import replaces
are kept in ``tickets_replaced`` with the id of the import that replaced them.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from csm.db import build_rollup, create_schema, record_import
from csm.ingest.casting import TYPED, build_cast_plan, build_typed_table, propose_by_values
from csm.ingest.mapping import Mapping, apply_overrides, load_mapping
from csm.ingest.readers import Limits, ReadError, stage_file
from csm.ingest.validate import Finding, validate_typed
from csm.schema import TICKETS
from csm.settings import load_settings

_CHANGED_ROWS = ("SELECT created_at, resolved_at FROM _changed UNION ALL "
                 "SELECT created_at, resolved_at FROM tickets_replaced WHERE replaced_by = $id")
TOUCHED_DAYS_SQL = (f"SELECT CAST(created_at AS DATE) AS day FROM ({_CHANGED_ROWS}) UNION ALL "  # noqa: S608
                    f"SELECT CAST(greatest(created_at, resolved_at) AS DATE) FROM ({_CHANGED_ROWS}) "
                    "WHERE resolved_at IS NOT NULL")


@dataclass
class ImportResult:
    """What an import did, or would do with ``dry_run``."""

    file: str
    mapping: Mapping
    findings: list[Finding]
    rows_read: int = 0
    rows_folded: int = 0
    rows_dropped: int = 0
    rows_written: int = 0
    import_id: str | None = None
    date_styles: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # how the proposed mapping was refined by the values
    headers: tuple[str, ...] = ()  # the file's column headers

    @property
    def errors(self) -> list[Finding]:
        """Return the findings that block the import."""
        return [f for f in self.findings if f.severity == "error"]


def file_hash(path: Path) -> str:
    """Return the SHA-256 of the file at ``path``, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    maps: list[str] = (),
    sets: list[str] = (),
    times: list[str] = (),
    units: list[str] = (),
    starts: list[str] = (),
    sheet: str | None = None,
    saved: Path | None = None,
    preset: str | None = None,
    mapping: Mapping | None = None,
    dates: str | None = None,
    dry_run: bool = False,
    drop_invalid: bool = False,
    progress: Callable[[float, str], None] | None = None,
) -> ImportResult:
    """Import ``path`` into the database behind ``con``.

    Args:
        con: a writable connection.
        path: the file to import.
        maps: ``canonical=Source Header`` corrections of the proposed mapping.
        sets: ``canonical=value`` constants for every row.
        times: ``timestamp_column=Time Header`` pairs adding a time of day to a date column.
        units: ``canonical=unit`` pairs saying how a column's values read (``csat_score=1-10``).
        starts: ``duration=Start Header`` pairs: the duration runs from that header to its mapped one.
        sheet: the worksheet of an Excel file.
        saved: a saved mapping (``mapping_path``) to start from instead of the proposed one.
        preset: a built-in preset to propose from, instead of the one the headers identify.
        mapping: a complete mapping to use as it is (the Data page's editor), instead of a proposal.
        dates: ``day_first`` or ``month_first`` for date columns the values cannot settle.
        dry_run: read, map and validate only.
        drop_invalid: leave out the rows with an error finding instead of refusing the file.
        progress: called with the share done (0-1) and what runs next, for a progress bar.

    Returns:
        The result; ``rows_written`` is 0 when errors blocked the import or on a dry run.

    Raises:
        csm.ingest.readers.ReadError: the file cannot be read.
        csm.ingest.casting.AmbiguousDatesError: dates need ``dates``.
        ValueError: a bad ``maps`` or ``sets`` pair.
    """
    path = Path(path)
    started = time.perf_counter()
    report = progress or (lambda share, step: None)
    settings = load_settings()
    report(0.0, "reading the file")
    create_schema(con)
    staged = stage_file(con, path, sheet=sheet, limits=Limits.from_settings(settings))
    try:  # now: the file may be gone by the time the import commits
        sha256 = file_hash(path)
    except OSError as exc:
        raise ReadError(f"{path.name}: the file could not be read again after staging ({exc.strerror or exc}): it "
                        "was moved or deleted while it was read. Nothing was written.") from None
    report(0.3, "mapping and typing the columns")
    notes: list[str] = list(staged.notes)
    if mapping is not None:
        start = mapping
    elif saved:
        start = load_mapping(saved, staged.columns)
    else:
        named = frozenset(pair.partition("=")[0].strip() for pair in [*maps, *sets, *times, *units, *starts])
        claimed = frozenset(pair.partition("=")[2].strip() for pair in [*maps, *times, *starts])
        start, proposal_notes = propose_by_values(con, staged.columns, preset=preset, keep=named, claimed=claimed)
        notes += proposal_notes
    mapping = apply_overrides(start, staged.columns, maps=list(maps), sets=list(sets), times=list(times),
                              units=list(units), starts=list(starts))
    plan = build_cast_plan(con, mapping, name=path.name, dates=dates, timezone=str(settings["timezone"]))
    build_typed_table(con, mapping, plan, first_row=staged.first_row)
    for column, count in plan.offsets.items():
        notes.append(f"{column}: {count:,} value(s) carry a time-zone offset (such as Z or +02:00); converted to "
                     f"{plan.timezone}, the operation's time zone (setting CSM_TIMEZONE)")
    for column, style in plan.date_styles.items():
        if style.startswith("epoch"):
            unit = "seconds" if style == "epoch_s" else "milliseconds"
            notes.append(f"{column}: numbers read as Unix epoch {unit} (UTC), converted to {plan.timezone}")
    report(0.5, "validating")
    findings = validate_typed(con, mapping, placeholders=tuple(plan.placeholders))
    result = ImportResult(path.name, mapping, findings, rows_read=staged.rows, date_styles=plan.date_styles,
                          notes=notes, headers=staged.columns)
    blocking = [f for f in findings if f.severity == "error"]
    if dry_run or (blocking and not drop_invalid) or any(f.rule == "missing_column" for f in blocking):
        return result
    # A condition over a NULL is NULL, not false: coalesce, or rows with empty columns would be dropped.
    bad = "coalesce(" + (" OR ".join(f"({f.condition})" for f in blocking) or "false") + ", false)"
    order = "updated_at DESC NULLS LAST, _row DESC" if "updated_at" in mapping.columns else "_row DESC"
    columns = [c for c in TICKETS.column_names if c != "import_id"]
    col_list = ", ".join(f'"{c}"' for c in columns)
    import_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    report(0.6, "writing the contacts")
    con.execute("BEGIN TRANSACTION")
    try:
        # Drop rows with errors and fold several rows per ticket to one, each only when needed:
        # both cost a pass over the whole file.
        where = f" WHERE NOT ({bad})" if blocking else ""
        fold = (f" QUALIFY row_number() OVER (PARTITION BY ticket_id ORDER BY {order}) = 1"
                if any(f.rule == "duplicate_id" for f in findings) else "")
        con.execute(f"CREATE OR REPLACE TEMP TABLE _final AS SELECT {col_list} FROM {TYPED}{where}{fold}")  # noqa: S608
        kept = con.execute(f"SELECT count(*) FROM {TYPED}{where}").fetchone()[0] if where else staged.rows  # noqa: S608
        final = con.execute("SELECT count(*) FROM _final").fetchone()[0]
        stored = ", ".join(f'"{c}"' for c in TICKETS.column_names)
        # One pass over the stored contacts finds the ones this file names; the comparison,
        # the backup and the delete then work on that small table.
        con.execute(f"CREATE OR REPLACE TEMP TABLE _old AS SELECT rowid AS _rid, {stored} FROM tickets "  # noqa: S608
                    "WHERE ticket_id IN (SELECT ticket_id FROM _final)")
        differs = " OR ".join(f'f."{c}" IS DISTINCT FROM t."{c}"' for c in columns)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _changed AS SELECT f.* FROM _final f "  # noqa: S608 - schema columns
            f"LEFT JOIN _old t USING (ticket_id) WHERE t.ticket_id IS NULL OR {differs}"
        )
        con.execute("DELETE FROM _old WHERE ticket_id NOT IN (SELECT ticket_id FROM _changed)")
        con.execute(f"INSERT INTO tickets_replaced (replaced_by, {stored}) SELECT $id, {stored} FROM _old",  # noqa: S608
                    {"id": import_id})
        # The range on created_at lets DuckDB skip every row group outside it (a month's update
        # deletes from the last month's row groups, not from ten million rows).
        first, last = con.execute("SELECT min(created_at), max(created_at) FROM _old").fetchone()
        con.execute("DELETE FROM tickets WHERE created_at BETWEEN $first AND $last AND rowid IN (SELECT _rid FROM _old)",
                    {"first": first, "last": last})
        con.execute(f"INSERT INTO tickets ({col_list}, import_id) SELECT {col_list}, $id FROM _changed",  # noqa: S608
                    {"id": import_id})
        written = con.execute("SELECT count(*) FROM _changed").fetchone()[0]
        report(0.8, "rebuilding the stored aggregates")
        # Only the days whose contacts changed: creation and leaving-the-backlog days, old and new.
        build_rollup(con, touched_days=(TOUCHED_DAYS_SQL, {"id": import_id}))
        record_import(con, import_id=import_id, source=path.name, rows=written,
                      note=f"mapping: {'; '.join(mapping.describe())}", file_sha256=sha256,
                      rows_read=staged.rows, rows_folded=kept - final, rows_dropped=staged.rows - kept,
                      duration_s=time.perf_counter() - started)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    report(1.0, "done")
    result.rows_dropped = staged.rows - kept
    result.rows_folded = kept - final
    result.rows_written = written
    result.import_id = import_id
    return result
