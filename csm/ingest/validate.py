"""The validation report: every rule, how many rows break it and which, before anything is written.

Rules are data (``RULES``): a condition over the typed table ``_typed`` and a message. Errors
block the import unless the user drops those rows; warnings are shown and the rows kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from csm.ingest.casting import CSAT_WORDS, TYPED, VOCABULARY
from csm.ingest.mapping import Mapping
from csm.schema import TICKETS

REQUIRED = tuple(c.name for c in TICKETS.columns if c.required)
ERA_START = "1990-01-01"  # no helpdesk or call log holds contacts from before this
# Invisible control characters (NUL, escape, form feed...): never part of an id, a name or a category.
CONTROL_CHARACTERS = "[\\x{00}-\\x{08}\\x{0B}\\x{0C}\\x{0E}-\\x{1F}\\x{7F}]"
SAMPLE_ROWS = 10


@dataclass(frozen=True)
class Finding:
    """One line of the validation report."""

    rule: str
    column: str
    severity: str  # "error" or "warning"
    count: int
    rows: tuple[int, ...]
    message: str
    condition: str = field(default="false", repr=False, compare=False)  # SQL over _typed: the rows it covers
    source: str | None = None  # the file's header mapped to ``column``

    def describe(self, file_name: str) -> str:
        """Return the finding as one line naming the file, rows and column."""
        if self.rule == "missing_column":
            return f"{self.severity.upper()} {file_name}: {self.message}"
        rows = ", ".join(map(str, self.rows)) + (" ..." if self.count > len(self.rows) else "")
        where = f" (rows {rows})" if self.rows else ""
        column = f"{self.column} ({self.source!r})" if self.source else self.column
        return f"{self.severity.upper()} {file_name}, column {column}: {self.count} row(s){where}: {self.message}"


def _range_rules() -> list[tuple[str, str, str, str, str]]:
    rules = []
    for col in TICKETS.columns:
        if col.min_value is None:
            continue
        cond = f'"{col.name}" < {col.min_value!r}'
        text = f"below {col.min_value:g}"
        if col.max_value is not None:
            cond = f'({cond} OR "{col.name}" > {col.max_value!r})'
            text = f"outside {col.min_value:g} to {col.max_value:g}"
        rules.append(("out_of_range", col.name, "error", cond, f"values {text}; fix them or drop these rows"))
    return rules


# (rule, column, severity, condition on _typed, message)
RULES: list[tuple[str, str, str, str, str]] = [
    *_range_rules(),
    ("absurd_duration", "handle_time_s", "warning", '"handle_time_s" > 86400 AND "handle_time_s" <= 31536000',
     "handle time over a day; check the unit (seconds expected)"),
    ("absurd_duration", "wait_time_s", "warning", '"wait_time_s" > 86400 AND "wait_time_s" <= 31536000',
     "wait over a day; check the unit (seconds expected)"),
    ("resolved_before_created", "resolved_at", "error", '"resolved_at" < "created_at"',
     "resolved before it was created; fix the timestamps or drop these rows"),
    ("replied_before_created", "first_response_at", "error", '"first_response_at" < "created_at"',
     "first reply before the contact was created; fix the timestamps or drop these rows"),
    ("resolved_before_first_reply", "resolved_at", "warning", '"resolved_at" < "first_response_at"',
     "resolved before the first reply (kept as it is)"),
    ("future_date", "created_at", "warning",
     '"created_at" > now()::TIMESTAMP + INTERVAL 1 DAY AND "created_at" <= now()::TIMESTAMP + INTERVAL 1 YEAR',
     "created in the future; check the time zone or the date format"),
    ("absurd_duration", "handle_time_s", "error", '"handle_time_s" > 31536000',
     "handle time over a year: not a duration in the unit given; check the unit or fix these rows"),
    ("absurd_duration", "wait_time_s", "error", '"wait_time_s" > 31536000',
     "wait over a year: not a duration in the unit given; check the unit or fix these rows"),
    *[("out_of_era", column, "error", f'("{column}" < TIMESTAMP \'{ERA_START}\' '
       f'OR "{column}" > now()::TIMESTAMP + INTERVAL 1 YEAR)',
       f"dates before {ERA_START[:4]} or more than a year in the future: not a real {what}; check the date "
       "format (day and month, or an epoch number read as a date) or fix these rows")
      for column, what in (("created_at", "creation date"), ("first_response_at", "first reply"),
                           ("resolved_at", "resolution"))],
]


def _count(con: duckdb.DuckDBPyConnection, condition: str) -> tuple[int, tuple[int, ...]]:
    row = con.execute(
        f"SELECT count(*), list(_row ORDER BY _row)[1:{SAMPLE_ROWS}] FROM {TYPED} WHERE {condition}"  # noqa: S608
    ).fetchone()
    return row[0], tuple(row[1] or ())


def validate_typed(con: duckdb.DuckDBPyConnection, mapping: Mapping,
                   placeholders: tuple[str, ...] = ()) -> list[Finding]:
    """Return every finding over ``_typed`` for this mapping (empty when the file is clean).

    ``placeholders`` names the timestamp columns whose "never" dates were read as empty
    (``CastPlan.placeholders``): they are warned about, not reported as unreadable.
    """
    findings: list[Finding] = []
    total = con.execute(f"SELECT count(*) FROM {TYPED}").fetchone()[0]  # noqa: S608 - constant name

    def add(rule: str, column: str, severity: str, condition: str, message: str) -> None:
        count, rows = _count(con, condition)
        if count:
            findings.append(Finding(rule, column, severity, count, rows, message, condition, mapping.columns.get(column)))

    for column in REQUIRED:
        if column not in mapping.columns and column not in mapping.constants:
            findings.append(Finding("missing_column", column, "error", total, (),
                                    f"no column of the file is mapped to {column}; "
                                    f"map one with --map {column}=HEADER", "true"))
        else:
            add("missing_value", column, "error", f'"{column}" IS NULL AND "_src_{column}" IS NULL'
                if column in mapping.columns else f'"{column}" IS NULL', "empty; every row needs a value")
    for column in mapping.columns:
        if column in VOCABULARY:
            allowed = ", ".join(VOCABULARY[column])
            condition = f'"{column}" IS NOT NULL AND NOT list_contains({list(VOCABULARY[column])!r}, "{column}")'
            unknown = [r[0] for r in con.execute(
                f'SELECT DISTINCT "_src_{column}" FROM {TYPED} WHERE {condition} ORDER BY 1 LIMIT 5'  # noqa: S608
            ).fetchall()] if column in mapping.columns else []
            shown = ", ".join(map(repr, unknown))
            add("unknown_value", column, "error", condition,
                f"{shown or 'values'} not a known {column} ({allowed}); fix the file or map them with --set")
        elif column in {c.name for c in TICKETS.columns} or column == "updated_at":
            placeholder = f' AND NOT "_ph_{column}"' if column in placeholders else ""
            add("unparseable", column, "error", f'"_src_{column}" IS NOT NULL AND "{column}" IS NULL{placeholder}',
                f"values that cannot be read as {_kind(column, mapping.units.get(column))}"
                if column not in mapping.starts else
                f"values or starts ({mapping.starts[column]!r}) that cannot be read as a date and time")
        if column in placeholders:
            add("placeholder_date", column, "warning", f'"_ph_{column}"',
                "placeholder dates such as 1900-01-01 or 1970-01-01, which the exporting tool writes for "
                "'never': read as empty")
        if _dtype(column) == "VARCHAR":
            add("control_characters", column, "error", f'regexp_matches("{column}", \'{CONTROL_CHARACTERS}\')',
                "holds invisible control characters (such as NUL bytes): the same name would look alike but "
                "count apart; fix the export or drop these rows")
    for rule in RULES:
        if rule[1] in mapping.columns or rule[1] in mapping.constants:
            add(*rule)
    if "ticket_id" in mapping.columns:
        count, rows = _count(con, 'ticket_id IN (SELECT ticket_id FROM _typed GROUP BY ticket_id HAVING count(*) > 1)')
        if count:
            findings.append(Finding("duplicate_id", "ticket_id", "warning", count, rows,
                                    "several rows for one ticket; the latest is kept (by updated_at when mapped, "
                                    "else the last in the file)"))
    return findings


def _dtype(column: str) -> str:
    return {c.name: c.dtype for c in TICKETS.columns}.get(column, "TIMESTAMP")


def _kind(column: str, unit: str | None) -> str:
    dtype = _dtype(column)
    if column == "csat_score" and unit:
        return {"1-10": "a score from 1 to 10", "percent": "a percentage from 0 to 100",
                "good_bad": f"a rating word ({', '.join(CSAT_WORDS)})"}[unit]
    if unit and unit.endswith("_after_created"):
        return f"a number of {unit.removesuffix('_after_created')} after creation (or H:MM:SS)"
    if column.endswith("_s"):
        return f"a duration ({unit or 'seconds'} or H:MM:SS)"
    return {"TIMESTAMP": "a date and time", "BOOLEAN": "yes/no", "INTEGER": "a whole number",
            "SMALLINT": "a whole number", "DOUBLE": "a number"}.get(dtype, "text")
