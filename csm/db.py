"""DuckDB access: open the database, create the schema, run named queries into polars.

Results become polars frames once, here, at the boundary of ``csm``. Every value is a bound
parameter; identifiers come from ``csm.schema`` through ``quote_identifier``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from csm.compile import BACKLOG_COLUMNS, QUANTILE_TABLE, ROLLUPS, build_statements, rollup_parameters
from csm.kpis import Catalogue, load_catalogue
from csm.schema import TABLES, TABLES_BY_NAME, create_table_sql, quote_identifier

QUERIES_DIR = Path(__file__).with_name("queries")


def connect(path: str | Path, *, read_only: bool = False, threads: int = 0) -> duckdb.DuckDBPyConnection:
    """Return a connection to the DuckDB file at ``path`` (``:memory:`` for a throwaway one).

    Extensions are never downloaded at run time: a missing one fails at once instead of
    hanging on a network call that cannot succeed offline.
    """
    config = {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
    }
    if threads:
        config["threads"] = str(threads)
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    con.execute("SET enable_progress_bar = false")  # long loads must not draw on the CLI's output
    return con


class DatabaseError(RuntimeError):
    """The database file cannot be used; the message says which file, why and what to do."""


def describe_database_error(path: str | Path, exc: BaseException, *, opening: bool = True) -> str:
    """Return one plain sentence on why the database at ``path`` failed, from a DuckDB or OS error.

    ``opening`` False: the error came from a query, not from opening the file; the fallback
    then quotes the error as it is.
    """
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = text.lower()
    if "not a valid duckdb database" in lowered or "corrupt" in lowered or "checksum" in lowered \
            or "invalid database" in lowered or "serialization" in lowered or "read enough bytes" in lowered:
        return (f"{path} is damaged or is not a DuckDB database ({text}). Restore it from a backup, or build a "
                f"new one with `python -m csm demo --db {path}` (demo data) or `python -m csm import FILE --db {path}`.")
    if "no space left" in lowered or "disk full" in lowered or "not enough space" in lowered:
        return (f"the disk holding {path} is full ({text}). Nothing was changed: the database is as it was. "
                "Free some space and try again.")
    if "permission denied" in lowered or isinstance(exc, PermissionError):
        return f"no permission to use {path} ({text}). Check the file's owner and permissions."
    if "is a directory" in lowered or isinstance(exc, IsADirectoryError):
        return f"{path} is a folder, not a database file. Set CSM_DB_PATH (or --db) to a .duckdb file."
    if "lock" in lowered:
        return (f"{path} is in use by another program ({text}). Is the dashboard running on it? Stop it, or "
                "import from its Data page.")
    return f"cannot open the database {path} ({text})." if opening else f"{text}."


def open_database(path: str | Path, *, read_only: bool = True, create: bool = False,
                  threads: int = 0) -> duckdb.DuckDBPyConnection:
    """Return a connection to an existing database file, or raise ``DatabaseError`` with a clear message.

    A missing file or folder is an error unless ``create`` (the user asked for a new database): a
    mistyped ``CSM_DB_PATH`` must not quietly become an empty or demo database.

    Raises:
        DatabaseError: missing, a folder, damaged, locked, unreadable or on a full disk.
    """
    path = Path(path)
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file. Set CSM_DB_PATH (or --db) to a .duckdb file.")
    if not path.exists():
        if not create:
            raise DatabaseError(
                f"there is no database at {path}. Build the demo data with `python -m csm demo --db {path}` "
                f"(or `make run`), import your own with `python -m csm import FILE --db {path}`, or set CSM_DB_PATH "
                "to the database you meant.")
        if not path.parent.is_dir():
            raise DatabaseError(f"the folder {path.parent} does not exist, so {path.name} cannot be created there. "
                                "Check the path (CSM_DB_PATH or --db), or create the folder first.")
    try:
        return connect(path, read_only=read_only, threads=threads)
    except (duckdb.Error, OSError) as exc:
        raise DatabaseError(describe_database_error(path, exc)) from None


def has_tickets(path: str | Path) -> bool:
    """Return True when the DuckDB file at ``path`` exists and holds at least one contact."""
    if not Path(path).is_file():
        return False
    con = connect(path, read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        return "tickets" in tables and con.execute("SELECT count(*) > 0 FROM tickets").fetchone()[0]
    finally:
        con.close()


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table of the canonical model that does not exist yet, and add missing columns.

    A database made by an earlier version gains the columns added since (empty for old rows).
    """
    for table in TABLES:
        con.execute(create_table_sql(table))
    if has_old_ticket_key(con):
        # Databases made before the importer kept one row per ticket carry a PRIMARY KEY index,
        # which makes every load and delete several times slower; DuckDB cannot drop it in place.
        con.execute("BEGIN TRANSACTION")
        con.execute("ALTER TABLE tickets RENAME TO tickets_with_key")
        con.execute(create_table_sql(TABLES_BY_NAME["tickets"]))
        con.execute("INSERT INTO tickets BY NAME SELECT * FROM tickets_with_key ORDER BY created_at")
        con.execute("DROP TABLE tickets_with_key")
        con.execute("COMMIT")
    for table, column in missing_columns(con):
        col = TABLES_BY_NAME[table].column(column)
        con.execute(f"ALTER TABLE {quote_identifier(table)} ADD COLUMN "
                    f"{quote_identifier(column, table=table)} {col.dtype}")
    con.execute("CREATE TABLE IF NOT EXISTS rollup_settings (name VARCHAR PRIMARY KEY, value VARCHAR)")


def has_old_ticket_key(con: duckdb.DuckDBPyConnection) -> bool:
    """Return True when ``tickets`` still has the PRIMARY KEY of databases made by earlier versions."""
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_constraints() WHERE database_name = current_database() "
        "AND table_name = 'tickets' AND constraint_type = 'PRIMARY KEY'").fetchone()[0])


def missing_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Return the (table, column) pairs of the data model that existing tables of the database lack."""
    existing: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main'"
    ).fetchall():
        existing.setdefault(table, set()).add(column)
    return [(t.name, c) for t in TABLES if t.name in existing for c in t.column_names if c not in existing[t.name]]


@cache
def load_query(name: str) -> str:
    """Return the text of ``csm/queries/<name>.sql``.

    Raises:
        ValueError: no such query file.
    """
    path = QUERIES_DIR / f"{name}.sql"
    if not name.replace("_", "").isalnum() or not path.is_file():
        raise ValueError(f"no query named {name!r} in {QUERIES_DIR}")
    return path.read_text(encoding="utf-8")


def run_sql(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> pl.DataFrame:
    """Return the result of ``sql`` with bound ``params`` as a polars frame.

    Runs on a fresh cursor, so one shared connection serves every Streamlit session thread.
    """
    cur = con.cursor()
    try:
        cur.execute(sql, params or {})
        return cur.pl()
    finally:
        cur.close()


def run_query(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> pl.DataFrame:
    """Return the result of the named query file with bound ``params``."""
    return run_sql(con, load_query(name), params)


def build_rollup(
    con: duckdb.DuckDBPyConnection, *, catalogue: Catalogue | None = None, settings: dict | None = None,
    touched_days: tuple[str, dict] | None = None,
) -> None:
    """Rebuild every stored aggregate (``csm.compile``) from ``tickets`` and record the settings used.

    Call it inside the transaction that changed ``tickets``, so readers never see aggregates
    that disagree with the rows. ``touched_days``, a query returning a ``day`` column, limits
    the daily rollups to those days when the stored aggregates are otherwise current (an
    import names the creation and resolution days of the rows it wrote or replaced); it is a
    query and its bound parameters.
    """
    catalogue = catalogue or load_catalogue()
    incremental = touched_days is not None and is_rollup_current(con, catalogue=catalogue, settings=settings)
    days: dict = {}
    if incremental:
        sql, params = touched_days
        found = [r[0] for r in con.execute(f"SELECT DISTINCT day FROM ({sql}) ORDER BY 1", params).fetchall()]  # noqa: S608
        days = {"touched_days": found, "touched_first": found[0] if found else None,
                "touched_after": found[-1] + timedelta(days=1) if found else None}
    for sql, params in build_statements(catalogue, settings=settings, incremental=incremental):
        con.execute(sql, params | {k: v for k, v in days.items() if k in params})
    con.execute("DELETE FROM rollup_settings")
    for name, value in rollup_parameters(catalogue, settings).items():
        con.execute("INSERT INTO rollup_settings VALUES ($name, $value)", {"name": name, "value": json.dumps(value)})


def is_rollup_current(
    con: duckdb.DuckDBPyConnection, *, catalogue: Catalogue | None = None, settings: dict | None = None
) -> bool:
    """Return True when the stored aggregates exist, are complete and match the settings.

    Complete: every table has a column per measure (or quantile KPI) of the catalogue.
    """
    catalogue = catalogue or load_catalogue()
    expected = {
        **{table: {f"m_{m}" for m in catalogue.measures} | set(BACKLOG_COLUMNS) for table, _ in ROLLUPS},
        QUANTILE_TABLE: {k for k, v in catalogue.kpis.items() if v.kind == "quantile"},
        "rollup_settings": {"name", "value"},
    }
    cur = con.cursor()
    try:
        columns: dict[str, set[str]] = {}
        for table, column in cur.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE list_contains($t, table_name)",
            {"t": list(expected)},
        ).fetchall():
            columns.setdefault(table, set()).add(column)
        if any(not cols <= columns.get(table, set()) for table, cols in expected.items()):
            return False
        stored = {n: json.loads(v) for n, v in cur.execute("SELECT name, value FROM rollup_settings").fetchall()}
    finally:
        cur.close()
    return stored == rollup_parameters(catalogue, settings)


def refresh_aggregates(path: str | Path, *, settings: dict | None = None) -> bool:
    """Rebuild the stored aggregates of the file at ``path`` when they are missing or stale.

    Stale means built by another version of the catalogue or with other settings (the service
    level threshold). Returns True when it rebuilt them.
    """
    con = connect(path, read_only=True)
    try:
        if is_rollup_current(con, settings=settings) and not missing_columns(con) and not has_old_ticket_key(con):
            return False
    finally:
        con.close()
    con = connect(path)
    try:
        create_schema(con)
        if is_rollup_current(con, settings=settings):
            return False
        con.execute("BEGIN TRANSACTION")
        build_rollup(con, settings=settings)
        con.execute("COMMIT")
    finally:
        con.close()
    return True


def record_import(
    con: duckdb.DuckDBPyConnection, *, import_id: str, source: str, rows: int, note: str,
    target_table: str = "tickets", file_sha256: str | None = None, rows_read: int | None = None,
    rows_folded: int | None = None, rows_dropped: int | None = None, duration_s: float | None = None,
) -> None:
    """Append a row to the ``imports`` log."""
    con.execute(
        "INSERT OR REPLACE INTO imports (import_id, imported_at, source, rows_written, note, target_table, "
        "file_sha256, rows_read, rows_folded, rows_dropped, duration_s) VALUES ($id, $at, $source, $rows, $note, "
        "$target, $sha, $read, $folded, $dropped, $duration)",
        {"id": import_id, "at": datetime.now(), "source": source, "rows": rows, "note": note,
         "target": target_table, "sha": file_sha256, "read": rows_read, "folded": rows_folded,
         "dropped": rows_dropped, "duration": None if duration_s is None else round(duration_s, 3)},
    )
