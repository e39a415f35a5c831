"""The import log, and undoing an import: its rows go, the rows it replaced come back.

Imports are undone last-first, like a stack: only the latest import still in effect can be
undone, because a later import may have replaced rows of an earlier one. Undoing is one
transaction, like the import itself.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from csm.db import build_rollup, create_schema, run_sql
from csm.schema import REPLACED_TABLES, TABLES_BY_NAME, quote_identifier


def load_imports(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Return the import log, newest first, with ``can_undo`` marking the one import that can be undone."""
    frame = run_sql(con, "SELECT import_id, imported_at, source, coalesce(target_table, 'tickets') AS target_table, "
                         "rows_read, rows_written, rows_folded, rows_dropped, duration_s, undone_at, note "
                         "FROM imports ORDER BY imported_at DESC, import_id DESC")
    undoable = find_undoable_import(con)
    return frame.with_columns(can_undo=pl.col("import_id") == pl.lit(undoable, dtype=pl.String))


def find_undoable_import(con: duckdb.DuckDBPyConnection) -> str | None:
    """Return the id of the latest import still in effect when it is a file import (not the demo), else None."""
    row = con.execute("SELECT import_id, source FROM imports WHERE undone_at IS NULL "
                      "ORDER BY imported_at DESC, import_id DESC LIMIT 1").fetchone()
    if row is None or row[1] == "demo":
        return None
    return row[0]


def undo_import(con: duckdb.DuckDBPyConnection, import_id: str) -> tuple[int, int]:
    """Undo the import ``import_id``; return (rows removed, rows restored).

    Raises:
        ValueError: it is not the latest import in effect (undo the later ones first), or unknown.
    """
    create_schema(con)
    if find_undoable_import(con) != import_id:
        known = con.execute("SELECT undone_at FROM imports WHERE import_id = $id", {"id": import_id}).fetchone()
        if known is None:
            raise ValueError(f"no import {import_id!r} in the log")
        if known[0] is not None:
            raise ValueError(f"import {import_id} was already undone on {known[0]:%Y-%m-%d %H:%M}")
        raise ValueError(f"import {import_id} is not the latest one: undo the imports after it first")
    table = con.execute("SELECT coalesce(target_table, 'tickets') FROM imports WHERE import_id = $id",
                        {"id": import_id}).fetchone()[0]
    target = quote_identifier(table)
    backup = quote_identifier(REPLACED_TABLES[table].name)
    columns = ", ".join(quote_identifier(c, table=table) for c in TABLES_BY_NAME[table].column_names)
    params = {"id": import_id}
    con.execute("BEGIN TRANSACTION")
    try:
        if table == "tickets":
            removed = con.execute("SELECT count(*) FROM tickets WHERE import_id = $id", params).fetchone()[0]
            con.execute("DELETE FROM tickets WHERE import_id = $id", params)
        else:  # a reference import keeps the whole table as it was
            removed = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]  # noqa: S608 - allow-listed
            con.execute(f"DELETE FROM {target}")  # noqa: S608 - allow-listed
        restored = con.execute(f"SELECT count(*) FROM {backup} WHERE replaced_by = $id", params).fetchone()[0]  # noqa: S608
        con.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {backup} WHERE replaced_by = $id",  # noqa: S608
                    params)
        con.execute(f"DELETE FROM {backup} WHERE replaced_by = $id", params)  # noqa: S608 - allow-listed
        con.execute("UPDATE imports SET undone_at = $at WHERE import_id = $id",
                    {"id": import_id, "at": datetime.now().replace(microsecond=0)})
        if table == "tickets":
            build_rollup(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return removed, restored
