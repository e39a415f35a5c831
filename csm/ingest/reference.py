"""Import the reference tables (agents, budget, headcount, targets) from a file, and their templates.

The same steps as a contact import: stage the file, map its headers (the column names of the
data model, or a few synonyms), type the values in SQL, validate, and write in one
transaction. A file's rows replace the stored rows with the same key (an agent id; a month,
team and category ...); other stored rows stay. The whole table as it was is kept in
``<table>_replaced`` so the import can be undone.
"""

from __future__ import annotations

import csv
import io
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from csm.db import create_schema, record_import
from csm.ingest.casting import (
    BAD_OFFSET_PATTERN,
    DAY_FIRST,
    FALSE_WORDS,
    MONTH_FIRST,
    NULL_MARKERS,
    OFFSET_PATTERN,
    TRUE_WORDS,
    _text,
    _timestamp,
    choose_date_style,
)
from csm.ingest.load import file_hash
from csm.ingest.mapping import normalize_header
from csm.ingest.readers import STAGED, stage_file
from csm.ingest.validate import SAMPLE_ROWS, Finding
from csm.kpis import load_catalogue
from csm.schema import REFERENCE_TABLES, REPLACED_TABLES, Table, quote_identifier

TABLES = {t.name: t for t in REFERENCE_TABLES}
REFERENCE_TYPED = "_reference_typed"
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "agents": {"agent_id": ("agent", "id", "employee id"), "name": ("agent name", "full name"),
               "hire_date": ("hired", "start date", "hired on"), "hourly_cost": ("cost per hour", "hourly rate"),
               "is_active": ("active",), "lead": ("team lead", "manager")},
    "budget": {"planned": ("plan", "budget"), "actual": ("actuals", "spend", "actual spend")},
    "headcount": {"planned_fte": ("plan fte", "planned"), "actual_fte": ("fte", "actual")},
    "targets": {"kpi_key": ("kpi", "metric"), "valid_from": ("from", "start", "effective from")},
}
# Two example rows per table for the downloadable templates.
EXAMPLES: dict[str, list[dict[str, str]]] = {
    "agents": [
        {"agent_id": "A001", "name": "Ada Lovelace", "team": "Billing", "lead": "Grace Hopper",
         "hire_date": "2024-03-04", "fte": "1.0", "hourly_cost": "38.50", "is_active": "yes"},
        {"agent_id": "A002", "name": "Alan Turing", "team": "Technical", "lead": "Grace Hopper",
         "hire_date": "2025-09-01", "fte": "0.5", "hourly_cost": "36.00", "is_active": "no"},
    ],
    "budget": [
        {"month": "2026-10-01", "team": "Billing", "category": "headcount", "planned": "52000", "actual": "50875"},
        {"month": "2026-10-01", "team": "", "category": "tools", "planned": "4200", "actual": ""},
    ],
    "headcount": [
        {"month": "2026-10-01", "team": "Billing", "planned_fte": "12", "actual_fte": "11.5", "hires": "1",
         "leavers": "0"},
        {"month": "2026-10-01", "team": "Technical", "planned_fte": "15", "actual_fte": "15", "hires": "0",
         "leavers": "1"},
    ],
    "targets": [
        {"kpi_key": "csat", "target": "0.85", "team": "", "valid_from": "2026-01-01"},
        {"kpi_key": "aht_s", "target": "420", "team": "Billing", "valid_from": "2026-07-01"},
    ],
}


@dataclass
class ReferenceResult:
    """What a reference import did, or would do with ``dry_run``."""

    file: str
    table: str
    mapping: dict[str, str]
    findings: list[Finding]
    rows_read: int = 0
    rows_written: int = 0
    import_id: str | None = None
    unused: list[str] = field(default_factory=list)  # headers of the file that no column took

    @property
    def errors(self) -> list[Finding]:
        """Return the findings that block the import."""
        return [f for f in self.findings if f.severity == "error"]


def render_template(table: str) -> str:
    """Return a CSV template for ``table``: its columns as the header and two example rows.

    Examples:
        >>> print(render_template("targets").splitlines()[0])
        kpi_key,target,team,valid_from
    """
    spec = TABLES[table]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=spec.column_names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(EXAMPLES[table])
    return out.getvalue()


def propose_reference_mapping(table: str, headers: tuple[str, ...]) -> dict[str, str]:
    """Return {column: header} for ``table`` from the headers' names.

    Examples:
        >>> propose_reference_mapping("headcount", ("Month", "Team", "FTE", "Hires"))
        {'month': 'Month', 'team': 'Team', 'actual_fte': 'FTE', 'hires': 'Hires'}
    """
    by_name = {normalize_header(h): h for h in headers}
    mapping: dict[str, str] = {}
    for column in TABLES[table].column_names:
        for name in (column.replace("_", " "), *SYNONYMS[table].get(column, ())):
            if by_name.get(name) and by_name[name] not in mapping.values():
                mapping[column] = by_name[name]
                break
    return mapping


def _expression(con: duckdb.DuckDBPyConnection, spec: Table, column: str, source: str, *, name: str,
                dates: str | None) -> str:
    text = _text(source)
    dtype = spec.column(column).dtype
    if dtype == "DATE":
        style = choose_date_style(con, source, name=name, dates=dates)
        month = f"CASE WHEN regexp_matches({text}, '^\\d{{4}}-\\d{{1,2}}$') THEN {text} || '-01' ELSE {text} END"
        return f"CAST({_timestamp(month, style)} AS DATE)"
    if dtype == "BOOLEAN":
        return (f"CASE WHEN list_contains($true_words, lower({text})) THEN true "
                f"WHEN list_contains($false_words, lower({text})) THEN false END")
    if dtype in ("DOUBLE", "INTEGER"):
        # Money and shares as people type them: "€ 1,200.50", "85%".
        clean = f"regexp_replace(regexp_replace({text}, '[€$£\\s]', '', 'g'), ',(\\d{{3}})', '\\1', 'g')"
        number = (f"CASE WHEN ends_with({clean}, '%') THEN try_cast(rtrim({clean}, '%') AS DOUBLE) / 100 "
                  f"ELSE try_cast({clean} AS DOUBLE) END")
        return number if dtype == "DOUBLE" else f"try_cast({number} AS INTEGER)"
    if spec.column(column).allowed or column == "kpi_key":
        return f"lower({text})"
    return text


def import_reference(
    con: duckdb.DuckDBPyConnection, table: str, path: str | Path, *, maps: list[str] = (),
    sheet: str | None = None, dates: str | None = None, dry_run: bool = False,
) -> ReferenceResult:
    """Import ``path`` into the reference table ``table``.

    Args:
        con: a writable connection.
        table: agents, budget, headcount or targets.
        path: the file (any format the contact importer reads).
        maps: ``column=Header`` corrections of the proposed mapping.
        sheet: the worksheet of an Excel file.
        dates: ``day_first`` or ``month_first`` for dates the values cannot settle.
        dry_run: read and validate only.

    Raises:
        csm.ingest.readers.ReadError: the file cannot be read.
        AmbiguousDatesError: dates need ``dates``.
        ValueError: an unknown table or a bad ``maps`` pair.
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; reference tables are {', '.join(TABLES)}")
    started = time.perf_counter()
    spec = TABLES[table]
    path = Path(path)
    create_schema(con)
    staged = stage_file(con, path, sheet=sheet)
    mapping = propose_reference_mapping(table, staged.columns)
    for pair in maps:
        column, sep, header = (p.strip() for p in pair.partition("="))
        if not sep or column not in spec.column_names:
            raise ValueError(f"{pair!r}: expected COLUMN=HEADER with COLUMN one of {', '.join(spec.column_names)}")
        if header and header not in staged.columns:
            raise ValueError(f"{pair!r}: the file has no column {header!r}; its columns are {', '.join(staged.columns)}")
        mapping.pop(column, None)
        if header:
            mapping[column] = header
    result = ReferenceResult(path.name, table, mapping, [], rows_read=staged.rows,
                             unused=[h for h in staged.columns if h not in mapping.values()])
    missing = [c.name for c in spec.columns if c.required and c.name not in mapping]
    if missing:
        result.findings = [Finding("missing_column", c, "error", staged.rows, (),
                                   f"no column of the file is named {c}; rename a header or map one with "
                                   f"--map {c}=HEADER (download the template to see the expected columns)", "true")
                           for c in missing]
        return result
    selects = [f"rowid + {int(staged.first_row)} AS _row"]
    for column in spec.column_names:
        dtype = spec.column(column).dtype
        if column in mapping:
            expr = _expression(con, spec, column, mapping[column], name=path.name, dates=dates)
            selects += [f"CAST({expr} AS {dtype}) AS {quote_identifier(column, table=table)}",
                        f"{_text(mapping[column])} AS \"_src_{column}\""]
        else:
            selects.append(f"CAST(NULL AS {dtype}) AS {quote_identifier(column, table=table)}")
    sql = f"CREATE OR REPLACE TEMP TABLE {REFERENCE_TYPED} AS SELECT {', '.join(selects)} FROM {STAGED}"  # noqa: S608
    params = {"null_markers": NULL_MARKERS, "true_words": TRUE_WORDS, "false_words": FALSE_WORDS,
              "day_first": DAY_FIRST, "month_first": MONTH_FIRST, "offset_pattern": OFFSET_PATTERN,
              "bad_offset_pattern": BAD_OFFSET_PATTERN, "tz": "UTC"}
    con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})
    result.findings = validate_reference(con, spec, mapping)
    if dry_run or result.errors:
        return result
    import_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    target = quote_identifier(table)
    backup = quote_identifier(REPLACED_TABLES[table].name)
    columns = ", ".join(quote_identifier(c, table=table) for c in spec.column_names)
    same_key = " AND ".join(f"t.{quote_identifier(k, table=table)} IS NOT DISTINCT FROM n.{quote_identifier(k, table=table)}"
                            for k in spec.key)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"INSERT INTO {backup} SELECT $id, {columns} FROM {target}", {"id": import_id})  # noqa: S608
        con.execute(f"DELETE FROM {target} t WHERE EXISTS (SELECT 1 FROM {REFERENCE_TYPED} n WHERE {same_key})")  # noqa: S608
        con.execute(f"INSERT INTO {target} ({columns}) SELECT {columns} FROM {REFERENCE_TYPED}")  # noqa: S608
        record_import(con, import_id=import_id, source=path.name, rows=staged.rows, target_table=table,
                      note="mapping: " + "; ".join(f"{c} <- {h!r}" for c, h in mapping.items()),
                      file_sha256=file_hash(path), rows_read=staged.rows, rows_folded=0, rows_dropped=0,
                      duration_s=time.perf_counter() - started)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    result.rows_written = staged.rows
    result.import_id = import_id
    return result


def validate_reference(con: duckdb.DuckDBPyConnection, spec: Table, mapping: dict[str, str]) -> list[Finding]:
    """Return the findings over the typed reference rows: empty, unreadable, out of range, unknown, duplicate keys."""
    rules: list[tuple[str, str, str, str]] = []  # (rule, column, condition, message)
    for col in spec.columns:
        name = quote_identifier(col.name, table=spec.name)
        if col.name not in mapping:
            continue
        if col.required:
            rules.append(("missing_value", col.name, f"{name} IS NULL AND \"_src_{col.name}\" IS NULL",
                          "empty; every row needs a value"))
        rules.append(("unparseable", col.name, f"\"_src_{col.name}\" IS NOT NULL AND {name} IS NULL",
                      f"values that cannot be read as {_kind(col.dtype)}"))
        allowed = col.allowed or (tuple(load_catalogue().keys()) if col.name == "kpi_key" else None)
        if allowed:
            rules.append(("unknown_value", col.name, f"{name} IS NOT NULL AND NOT list_contains({list(allowed)!r}, {name})",
                          f"not one of {', '.join(allowed)}"))
        if col.min_value is not None:
            cond = f"{name} < {col.min_value!r}" + (f" OR {name} > {col.max_value!r}" if col.max_value is not None else "")
            text = f"below {col.min_value:g}" if col.max_value is None else f"outside {col.min_value:g} to {col.max_value:g}"
            rules.append(("out_of_range", col.name, f"({cond})", f"values {text}"))
        if col.name == "month":
            rules.append(("not_first_of_month", col.name, f"day({name}) <> 1",
                          "not the first day of a month; use the month's first day (2026-10-01)"))
    keys = ", ".join(quote_identifier(k, table=spec.name) for k in spec.key)
    rules.append(("duplicate_key", ", ".join(spec.key),
                  f"({keys}) IN (SELECT ({keys}) FROM {REFERENCE_TYPED} GROUP BY ALL HAVING count(*) > 1)",  # noqa: S608
                  "several rows for one key; keep one row each"))
    findings = []
    for rule, column, condition, message in rules:
        count, rows = con.execute(
            f"SELECT count(*), list(_row ORDER BY _row)[1:{SAMPLE_ROWS}] FROM {REFERENCE_TYPED} WHERE {condition}"  # noqa: S608
        ).fetchone()
        if count:
            findings.append(Finding(rule, column, "error", count, tuple(rows), message, condition, mapping.get(column)))
    return findings


def _kind(dtype: str) -> str:
    return {"DATE": "a date", "BOOLEAN": "yes/no", "INTEGER": "a whole number", "DOUBLE": "a number"}.get(dtype, "text")
