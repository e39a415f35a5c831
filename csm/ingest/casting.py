"""Turn staged text into typed canonical columns, in SQL.

Null markers (empty, ``?``, ``N/A``, ``-``, ``null`` ...) become NULL; Y/N, yes/no, true/false
and 1/0 become booleans; channel, priority and status synonyms become canonical values;
durations may be seconds or ``H:MM:SS``; timestamps may be ISO, day-first, month-first or Excel
serial numbers. The style of a date column is decided from its values; when the values cannot
decide (every day and month at most 12), the caller must say (``dates="day_first"``): it is
never guessed. Every vocabulary list reaches SQL as a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from csm.ingest.mapping import EXTRA_COLUMNS, Mapping
from csm.ingest.readers import STAGED, quote_header
from csm.schema import TICKETS

TYPED = "_typed"
NULL_MARKERS = ["", "?", "n/a", "na", "-", "--", "null", "none", "nan", "#n/a"]
TRUE_WORDS = ["y", "yes", "true", "t", "1", "answered", "met"]
FALSE_WORDS = ["n", "no", "false", "f", "0", "abandoned", "missed", "breached"]
VOCABULARY: dict[str, dict[str, tuple[str, ...]]] = {
    "channel": {
        "phone": ("phone", "call", "calls", "voice", "telephone", "inbound call"),
        "chat": ("chat", "live chat", "messaging", "messenger"),
        "email": ("email", "e-mail", "mail"),
        "social": ("social", "social media", "twitter", "facebook", "instagram"),
        "web_form": ("web_form", "web form", "web", "webform", "form", "portal", "web portal"),
        "bot": ("bot", "chatbot", "virtual agent"),
    },
    "priority": {
        "urgent": ("urgent", "critical", "1", "p1", "1 - critical", "highest", "emergency"),
        "high": ("high", "2", "p2", "2 - high"),
        "normal": ("normal", "medium", "moderate", "3", "p3", "3 - moderate", "3 - medium"),
        "low": ("low", "4", "p4", "lowest", "4 - low", "5 - planning"),
    },
    "status": {
        "new": ("new",),
        "open": ("open", "in progress", "active", "assigned", "work in progress"),
        "pending": ("pending", "pending customer response", "waiting", "awaiting customer"),
        "on_hold": ("on_hold", "on hold", "hold"),
        "solved": ("solved", "resolved"),
        "closed": ("closed", "cancelled", "canceled"),
    },
}
DAY_FIRST = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
             "%d.%m.%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%y %H:%M", "%d/%m/%y"]
MONTH_FIRST = [f.replace("%d", "%D").replace("%m", "%d").replace("%D", "%m") for f in DAY_FIRST]
DATE_STYLES = ("iso", "day_first", "month_first", "excel")


class AmbiguousDatesError(ValueError):
    """A date column's values fit both day-first and month-first; the user must choose."""


@dataclass(frozen=True)
class CastPlan:
    """How each mapped column is typed: its SQL expression and, for dates, the style found."""

    columns: dict[str, str]
    date_styles: dict[str, str]


def _text(source: str) -> str:
    quoted = quote_header(source)
    return f"CASE WHEN list_contains($null_markers, lower(trim({quoted}))) THEN NULL ELSE trim({quoted}) END"


def find_iso_columns(con: duckdb.DuckDBPyConnection, sources: list[str]) -> set[str]:
    """Return the staged columns whose every value reads as an ISO timestamp, in one pass.

    Most exports write ISO timestamps; they need no closer look at the values.
    """
    if not sources:
        return set()
    counts = ", ".join(f"count({_text(s)}) = count(try_cast({_text(s)} AS TIMESTAMP))" for s in sources)
    row = con.execute(f"SELECT {counts} FROM {STAGED}", {"null_markers": NULL_MARKERS}).fetchone()  # noqa: S608
    return {s for s, all_iso in zip(sources, row, strict=True) if all_iso}


def detect_date_style(con: duckdb.DuckDBPyConnection, source: str, *, name: str) -> str:
    """Return how the staged column ``source`` writes its timestamps (``DATE_STYLES``).

    Raises:
        AmbiguousDatesError: day-first and month-first both fit every value.
    """
    text = _text(source)
    row = con.execute(
        f"SELECT count(v), count(try_cast(v AS TIMESTAMP)), count(try_cast(v AS DOUBLE)),"  # noqa: S608
        " count(*) FILTER (regexp_matches(v, '^\\d{1,2}[./-]\\d{1,2}[./-]\\d{2,4}')),"
        " count(*) FILTER (try_cast(regexp_extract(v, '^(\\d{1,2})[./-]', 1) AS INT) > 12),"
        " count(*) FILTER (try_cast(regexp_extract(v, '^\\d{1,2}[./-](\\d{1,2})[./-]', 1) AS INT) > 12),"
        " count(*) FILTER (regexp_matches(v, '^\\d{1,2}\\.\\d{1,2}\\.'))"
        f" FROM (SELECT {text} AS v FROM {STAGED})",
        {"null_markers": NULL_MARKERS},
    ).fetchone()
    values, iso, numeric, slashed, day_gt_12, month_gt_12, dotted = row
    if values == 0 or iso >= slashed and iso >= numeric:
        return "iso"
    if numeric > slashed:
        return "excel"
    if day_gt_12 and not month_gt_12:
        return "day_first"
    if month_gt_12 and not day_gt_12:
        return "month_first"
    if dotted == slashed:
        return "day_first"  # 31.12.2024 is only ever written day first
    raise AmbiguousDatesError(
        f"column {source!r} ({name}): dates such as 03/04/2025 fit both day-first and month-first. "
        "Say which with --dates day-first or --dates month-first."
    )


def _timestamp(text: str, style: str) -> str:
    if style == "iso":
        return f"try_cast({text} AS TIMESTAMP)"
    if style == "excel":
        # Excel day numbers count from 1899-12-30; the fraction is the time of day.
        return (f"CAST(TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(try_cast({text} AS DOUBLE) * 86400e6)"
                " AS BIGINT)) AS TIMESTAMP)")
    formats = "$day_first" if style == "day_first" else "$month_first"
    return f"try_strptime({text}, {formats})"


def _time_of_day(text: str) -> str:
    """Return ``HH:MM:SS`` from a time cell: ``9:12:58``, Excel's ``1899-12-31 09:12:58``, or a day fraction."""
    return (f"CASE WHEN regexp_matches({text}, '\\d{{1,2}}:\\d{{2}}') "
            f"THEN regexp_extract({text}, '(\\d{{1,2}}:\\d{{2}}(:\\d{{2}})?)', 1) "
            f"WHEN try_cast({text} AS DOUBLE) BETWEEN 0 AND 1 THEN strftime(TIMESTAMP '1899-12-30' + "
            f"to_microseconds(CAST(round(try_cast({text} AS DOUBLE) * 86400) * 1000000 AS BIGINT)), '%H:%M:%S') END")


def _duration(text: str) -> str:
    # Excel writes a duration cell as a time of day on its day zero (1899-12-30 or -31).
    text = f"regexp_replace({text}, '^1899-12-3[01][ T]', '')"
    clock = (f"CASE WHEN regexp_matches({text}, '^\\d+:\\d{{2}}(:\\d{{2}}(\\.\\d+)?)?$') THEN "
             f"list_reduce(list_transform(string_split({text}, ':'), x -> try_cast(x AS DOUBLE)), "
             "(a, b) -> a * 60 + b) END")
    return f"coalesce({clock}, try_cast({text} AS DOUBLE))"


def _vocabulary(text: str, column: str) -> str:
    return (f"coalesce(($canon_{column})[list_position($raw_{column}, lower({text}))], "
            f"lower(replace({text}, ' ', '_')))")


def build_cast_plan(
    con: duckdb.DuckDBPyConnection, mapping: Mapping, *, name: str, dates: str | None = None
) -> CastPlan:
    """Return the typing expressions for every mapped column and constant of ``mapping``.

    Args:
        con: the connection holding ``_staged``.
        mapping: the column mapping.
        name: the file's name, for messages.
        dates: ``day_first`` or ``month_first`` when the user settled ambiguous dates.
    """
    columns, styles = {}, {}
    dtypes = {c.name: c.dtype for c in TICKETS.columns} | dict.fromkeys(EXTRA_COLUMNS, "TIMESTAMP")
    iso = find_iso_columns(con, [s for c, s in mapping.columns.items() if dtypes[c] == "TIMESTAMP"
                                 and c not in mapping.times])
    sources = {c: ("column", s) for c, s in mapping.columns.items()}
    sources |= {c: ("constant", v) for c, v in mapping.constants.items()}
    for canonical, (kind, value) in sources.items():
        if kind == "column":
            text = _text(value)
        else:
            text = "CASE WHEN list_contains($null_markers, lower(trim($const_" + canonical + "))) THEN NULL " \
                   "ELSE trim($const_" + canonical + ") END"
        dtype = dtypes[canonical]
        if canonical in mapping.times:
            text = f"({text}) || ' ' || ({_time_of_day(_text(mapping.times[canonical]))})"
        if dtype == "TIMESTAMP":
            style = "iso"
            if kind == "column" and value not in iso:
                try:
                    style = detect_date_style(con, value, name=name)
                except AmbiguousDatesError:
                    if dates not in ("day_first", "month_first"):
                        raise
                    style = dates
            styles[canonical] = style
            expr = _timestamp(text, style)
        elif dtype == "BOOLEAN":
            expr = (f"CASE WHEN list_contains($true_words, lower({text})) THEN true "
                    f"WHEN list_contains($false_words, lower({text})) THEN false END")
        elif canonical.endswith("_s"):
            expr = _duration(text)
        elif dtype in ("INTEGER", "SMALLINT"):
            expr = f"try_cast(try_cast({text} AS DOUBLE) AS {dtype})"
        elif dtype == "DOUBLE":
            expr = f"try_cast(replace({text}, '%', '') AS DOUBLE)"
        elif canonical in VOCABULARY:
            expr = _vocabulary(text, canonical)
        else:
            expr = text
        columns[canonical] = expr
    return CastPlan(columns, styles)


def cast_parameters(mapping: Mapping) -> dict:
    """Return the bound parameters the cast expressions use."""
    params: dict = {
        "null_markers": NULL_MARKERS, "true_words": TRUE_WORDS, "false_words": FALSE_WORDS,
        "day_first": DAY_FIRST, "month_first": MONTH_FIRST,
    }
    for column, vocab in VOCABULARY.items():
        pairs = [(raw, canon) for canon, raws in vocab.items() for raw in raws]
        params[f"raw_{column}"] = [r for r, _ in pairs]
        params[f"canon_{column}"] = [c for _, c in pairs]
    for canonical, value in mapping.constants.items():
        params[f"const_{canonical}"] = value
    return params


def build_typed_table(con: duckdb.DuckDBPyConnection, mapping: Mapping, plan: CastPlan, *, first_row: int) -> None:
    """Create ``_typed`` from ``_staged`` following ``plan``.

    It holds ``_row`` (the file's row number: the staged table's ``rowid`` + ``first_row``),
    every canonical column typed (NULL when unmapped), and the cleaned source text of each
    mapped column as ``_src_<column>`` for the validation report.
    """
    dtypes = {c.name: c.dtype for c in TICKETS.columns}
    selects = [f"rowid + {int(first_row)} AS _row"]
    for column in [*dtypes, *EXTRA_COLUMNS]:
        if column == "import_id":
            continue
        expr = plan.columns.get(column)
        dtype = dtypes.get(column, "TIMESTAMP")
        selects.append(f"CAST({expr or 'NULL'} AS {dtype}) AS \"{column}\"")
        if column in mapping.columns:
            selects.append(f"{_text(mapping.columns[column])} AS \"_src_{column}\"")
    params = cast_parameters(mapping)
    sql = f"CREATE OR REPLACE TEMP TABLE {TYPED} AS SELECT {', '.join(selects)} FROM {STAGED}"  # noqa: S608
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    con.execute(sql, used)
