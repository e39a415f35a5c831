"""Turn staged text into typed canonical columns, in SQL.

Null markers (empty, ``?``, ``N/A``, ``-``, ``null`` ...) become NULL; Y/N, yes/no, true/false
and 1/0 become booleans; channel, priority and status synonyms become canonical values;
durations may be seconds or ``H:MM:SS``; timestamps may be ISO, day-first, month-first or Excel
serial numbers. The style of a date column is decided from its values; when the values cannot
decide (every day and month at most 12), the caller must say (``dates="day_first"``): it is
never guessed. Every vocabulary list reaches SQL as a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from csm.ingest.mapping import EXTRA_COLUMNS, Mapping, check_mapping, propose_mapping
from csm.ingest.readers import STAGED, quote_header
from csm.schema import TICKETS

TYPED = "_typed"
NULL_MARKERS = ["", "?", "n/a", "na", "-", "--", "null", "none", "nan", "#n/a"]
TRUE_WORDS = ["y", "yes", "true", "t", "1", "answered", "met", "within sla", "achieved"]
FALSE_WORDS = ["n", "no", "false", "f", "0", "abandoned", "missed", "breached", "sla violated", "violated"]
# CSAT given in words (Zendesk Good/Bad, Freshdesk Happy/Unhappy) on the 1-5 scale; "offered"
# means a survey was sent and not answered: no score.
CSAT_WORDS = {"good": 5, "satisfied": 5, "positive": 5, "happy": 5, "very happy": 5, "extremely happy": 5,
              "neutral": 3, "bad": 1, "unsatisfied": 1, "dissatisfied": 1, "negative": 1, "unhappy": 1,
              "very unhappy": 1, "extremely unhappy": 1}
CSAT_NO_ANSWER = ["offered", "unoffered", "not offered", "no response"]
VOCABULARY: dict[str, dict[str, tuple[str, ...]]] = {
    "channel": {
        "phone": ("phone", "call", "calls", "voice", "telephone", "inbound call", "phone call"),
        "chat": ("chat", "live chat", "messaging", "messenger", "whatsapp", "sms"),
        "email": ("email", "e-mail", "mail", "outbound email", "inbound email"),
        "social": ("social", "social media", "twitter", "facebook", "instagram"),
        "web_form": ("web_form", "web form", "web", "webform", "form", "portal", "web portal", "self-service",
                     "feedback widget", "api"),
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
        "open": ("open", "in progress", "active", "assigned", "work in progress", "working", "escalated",
                 "waiting on us", "reopened"),
        "pending": ("pending", "pending customer response", "waiting", "awaiting customer", "waiting on customer",
                    "waiting on contact"),
        "on_hold": ("on_hold", "on hold", "hold", "waiting on third party"),
        "solved": ("solved", "resolved"),
        "closed": ("closed", "cancelled", "canceled"),
    },
}
DAY_FIRST = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M",
             "%d.%m.%Y", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%y %H:%M", "%d/%m/%y",
             "%d/%m/%Y %I:%M %p", "%d/%m/%Y %I:%M:%S %p", "%d/%m/%y %I:%M %p"]
MONTH_FIRST = [f.replace("%d", "%D").replace("%m", "%d").replace("%D", "%m") for f in DAY_FIRST]
DATE_STYLES = ("iso", "day_first", "month_first", "excel", "epoch_s", "epoch_ms")
EPOCH_S_FROM = 1e8  # 1973-03-03 in epoch seconds, far beyond any Excel serial (2,958,465 is 9999-12-31)
EPOCH_MS_FROM = 1e11  # 1973-03-03 in epoch milliseconds
EXCEL_LAST = 2958465
# A timestamp that carries its offset (Z, +02:00, +0200) after a time of day.
OFFSET_PATTERN = r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|[+-](0\d|1[0-4])(:?[0-5]\d)?)$"
# Anything else in an offset's place (+99:99) is no offset DuckDB should guess at: unreadable.
BAD_OFFSET_PATTERN = r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*[+-]\d{2}:?\d{2}$"
# Dates some tools write for "never" (Zendesk's 1900-01-01, Excel's day zero, the Unix epoch).
PLACEHOLDER_DATES = ["1900-01-01 00:00:00", "1899-12-30 00:00:00", "1899-12-31 00:00:00", "1970-01-01 00:00:00",
                     "0001-01-01 00:00:00", "9999-12-31 00:00:00", "9999-12-31 23:59:59"]
PLACEHOLDER_COLUMNS = ("first_response_at", "resolved_at", "updated_at")


class AmbiguousDatesError(ValueError):
    """A date column's values fit both day-first and month-first; the user must choose."""


@dataclass(frozen=True)
class CastPlan:
    """How each mapped column is typed: its SQL expression and, for dates, the style found."""

    columns: dict[str, str]  # canonical column -> typed expression
    texts: dict[str, str]  # mapped column -> its cleaned source text, for the validation report
    date_styles: dict[str, str]
    placeholders: dict[str, str] = field(default_factory=dict)  # column -> SQL true for a "never" date
    timezone: str = "UTC"  # the operation's zone: offsets and epoch times are converted to it
    offsets: dict[str, int] = field(default_factory=dict)  # timestamp column -> values that carried an offset


def _text(source: str) -> str:
    quoted = quote_header(source)
    return f"CASE WHEN list_contains($null_markers, lower(trim({quoted}))) THEN NULL ELSE trim({quoted}) END"


def _clean(source: str) -> str:
    """Return the name of the cleaned text of the staged column ``source`` inside ``build_typed_table``."""
    return quote_header(f"_clean:{source}")


def find_iso_columns(con: duckdb.DuckDBPyConnection, sources: list[str]) -> tuple[set[str], dict[str, int]]:
    """Return the staged columns whose every value reads as an ISO timestamp, and per column how many carry an offset.

    One pass over the file: most exports write ISO timestamps, which need no closer look at the
    values; the offsets counted are converted on import, and the report says how many.
    """
    if not sources:
        return set(), {}
    counts = ", ".join(f"count({_text(s)}) = count(try_cast({_text(s)} AS TIMESTAMP)), "
                       f"count(*) FILTER (regexp_matches({_text(s)}, $offset_pattern))" for s in sources)
    row = con.execute(f"SELECT {counts} FROM {STAGED}",  # noqa: S608 - quoted headers
                      {"null_markers": NULL_MARKERS, "offset_pattern": OFFSET_PATTERN}).fetchone()
    iso = {s for s, all_iso in zip(sources, row[0::2], strict=True) if all_iso}
    return iso, {s: n for s, n in zip(sources, row[1::2], strict=True) if n}


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
        " count(*) FILTER (regexp_matches(v, '^\\d{1,2}\\.\\d{1,2}\\.')),"
        " min(try_cast(v AS DOUBLE)) FILTER (isfinite(try_cast(v AS DOUBLE)))"
        f" FROM (SELECT {text} AS v FROM {STAGED})",
        {"null_markers": NULL_MARKERS},
    ).fetchone()
    values, iso, numeric, slashed, day_gt_12, month_gt_12, dotted, smallest = row
    if values == 0 or iso >= slashed and iso >= numeric:
        return "iso"
    if numeric > slashed:
        # Excel day numbers stay below 2,958,466 (year 9999); Unix epoch seconds of this century are
        # above 1e9 and milliseconds above 1e12. Numbers between are read as Excel serials, and those
        # beyond its range are reported as unreadable, never turned into a year 400,000.
        if smallest is not None and smallest >= EPOCH_MS_FROM:
            return "epoch_ms"
        if smallest is not None and smallest >= EPOCH_S_FROM:
            return "epoch_s"
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


def choose_date_style(con: duckdb.DuckDBPyConnection, source: str, *, name: str, dates: str | None) -> str:
    """Return the date style of the staged column ``source``; ``dates`` settles ambiguous values.

    Raises:
        AmbiguousDatesError: the values fit day-first and month-first and ``dates`` is not given.
    """
    try:
        return detect_date_style(con, source, name=name)
    except AmbiguousDatesError:
        if dates not in ("day_first", "month_first"):
            raise
        return dates


def _timestamp(text: str, style: str) -> str:
    """Return the SQL reading ``text`` as a timestamp in the operation's zone (``$tz``) for a date style.

    Values with an offset (``Z``, ``+02:00``) and epoch numbers are instants: converted to the
    zone. Values without one are wall-clock times already in it. A number outside its style's
    range gives NULL (reported as unreadable), never an overflow.
    """
    if style == "iso":
        return (f"CASE WHEN regexp_matches({text}, $offset_pattern) THEN timezone($tz, try_cast({text} AS TIMESTAMPTZ)) "
                f"WHEN regexp_matches({text}, $bad_offset_pattern) THEN NULL ELSE try_cast({text} AS TIMESTAMP) END")
    number = f"try_cast({text} AS DOUBLE)"
    if style == "excel":
        # Excel day numbers count from 1899-12-30; the fraction is the time of day.
        return (f"CASE WHEN {number} BETWEEN 0 AND {EXCEL_LAST} THEN CAST(TIMESTAMP '1899-12-30' + "
                f"to_microseconds(CAST(round({number} * 86400e6) AS BIGINT)) AS TIMESTAMP) END")
    if style in ("epoch_s", "epoch_ms"):
        seconds = number if style == "epoch_s" else f"({number} / 1000)"
        return (f"CASE WHEN {seconds} BETWEEN {EPOCH_S_FROM} AND 253402300799 THEN "
                f"timezone($tz, to_timestamp({seconds})) END")
    formats = "$day_first" if style == "day_first" else "$month_first"
    return f"try_strptime({text}, {formats})"


def _placeholder(expr: str) -> str:
    """Return the SQL that is true when the timestamp ``expr`` is a placeholder for "never"."""
    return f"coalesce(list_contains($placeholder_dates, strftime({expr}, '%Y-%m-%d %H:%M:%S')), false)"


def _time_of_day(text: str) -> str:
    """Return ``HH:MM:SS`` from a time cell: ``9:12:58``, Excel's ``1899-12-31 09:12:58``, or a day fraction."""
    return (f"CASE WHEN regexp_matches({text}, '\\d{{1,2}}:\\d{{2}}') "
            f"THEN regexp_extract({text}, '(\\d{{1,2}}:\\d{{2}}(:\\d{{2}})?)', 1) "
            f"WHEN try_cast({text} AS DOUBLE) BETWEEN 0 AND 1 THEN strftime(TIMESTAMP '1899-12-30' + "
            f"to_microseconds(CAST(round(try_cast({text} AS DOUBLE) * 86400) * 1000000 AS BIGINT)), '%H:%M:%S') END")


def _duration(text: str, unit: str = "seconds") -> str:
    """Return seconds from a duration cell: a number in ``unit``, ``H:MM:SS``, or ``M:SS`` (``H:MM`` with h_mm)."""
    # Excel writes a duration cell as a time of day on its day zero (1899-12-30 or -31).
    text = f"regexp_replace({text}, '^1899-12-3[01][ T]', '')"
    first = "3600" if unit == "h_mm" else "60"
    clock = (f"CASE WHEN regexp_matches({text}, '^\\d+:\\d{{2}}(:\\d{{2}}(\\.\\d+)?)?$') THEN "
             f"CASE WHEN len(string_split({text}, ':')) = 2 THEN try_cast(split_part({text}, ':', 1) AS DOUBLE) * {first}"
             f" + try_cast(split_part({text}, ':', 2) AS DOUBLE) * {first} / 60 ELSE "
             f"list_reduce(list_transform(string_split({text}, ':'), x -> try_cast(x AS DOUBLE)), "
             "(a, b) -> a * 60 + b) END END")
    factor = {"seconds": 1, "minutes": 60, "hours": 3600, "h_mm": 3600}[unit]
    seconds = f"coalesce({clock}, try_cast({text} AS DOUBLE) * {factor})"
    return f"CASE WHEN isfinite({seconds}) THEN {seconds} END"  # inf and nan are no duration


def _csat(text: str, unit: str) -> str:
    """Return a 1-5 CSAT from a cell on the scale ``unit``.

    1-10 and percentages are rescaled linearly and rounded down, so "satisfied" (4 or 5) means
    8-10 of 10 and 75% or more; words map through ``CSAT_WORDS``. A value off the scale gives
    NULL, which the validation report lists as unreadable on that scale.
    """
    number = f"try_cast(replace({text}, '%', '') AS DOUBLE)"
    whole = _whole(number)
    if unit == "1-10":
        return f"CASE WHEN {whole} BETWEEN 1 AND 10 THEN floor(1 + ({whole} - 1) * 4 / 9) END"
    if unit == "percent":
        return f"CASE WHEN {number} BETWEEN 0 AND 100 THEN floor(1 + {number} * 4 / 100) END"
    if unit == "good_bad":
        return f"($csat_scores)[list_position($csat_words, lower({text}))]"
    return whole


def _whole(number: str) -> str:
    """Return ``number`` when it is a whole finite number, else NULL: 4.5 on a 1-5 scale is no answer we know."""
    return f"CASE WHEN isfinite({number}) AND {number} = floor({number}) THEN {number} END"


def _offset(created: str, text: str, unit: str) -> str:
    """Return a timestamp given as a duration after ``created`` in ``unit`` (``minutes_after_created``)."""
    seconds = _duration(text, unit.removesuffix("_after_created"))
    return f"({created}) + to_microseconds(try_cast(round(({seconds}) * 1e6) AS BIGINT))"


def _vocabulary(text: str, column: str) -> str:
    return (f"coalesce(($canon_{column})[list_position($raw_{column}, lower({text}))], "
            f"lower(replace({text}, ' ', '_')))")


def build_cast_plan(
    con: duckdb.DuckDBPyConnection, mapping: Mapping, *, name: str, dates: str | None = None,
    timezone: str = "UTC",
) -> CastPlan:
    """Return the typing expressions for every mapped column and constant of ``mapping``.

    Args:
        con: the connection holding ``_staged``.
        mapping: the column mapping.
        name: the file's name, for messages.
        dates: ``day_first`` or ``month_first`` when the user settled ambiguous dates.
        timezone: the operation's time zone (an IANA name); offsets and epoch times are converted to it.

    Raises:
        ValueError: a mapping whose units or derived columns need a column it lacks, or an unknown time zone.
        AmbiguousDatesError: dates need ``dates``.
    """
    problems = check_mapping(mapping)
    if problems:
        raise ValueError(f"{name}: " + "; ".join(problems))
    check_timezone(con, timezone)
    columns, texts, styles, placeholders = {}, {}, {}, {}
    dtypes = {c.name: c.dtype for c in TICKETS.columns} | dict.fromkeys(EXTRA_COLUMNS, "TIMESTAMP")
    stamps = [s for c, s in mapping.columns.items() if (dtypes[c] == "TIMESTAMP" or c in mapping.starts)
              and c not in mapping.times and c not in mapping.units]
    iso, offsets_by_source = find_iso_columns(con, [*stamps, *mapping.starts.values()])

    def timestamp(text: str, source: str, column: str) -> str:
        styles[column] = "iso" if source in iso else choose_date_style(con, source, name=name, dates=dates)
        return _timestamp(text, styles[column])

    sources = {c: ("column", s) for c, s in mapping.columns.items()}
    sources |= {c: ("constant", v) for c, v in mapping.constants.items()}
    # created_at first: durations after creation are computed from it.
    for canonical in sorted(sources, key=lambda c: c != "created_at"):
        kind, value = sources[canonical]
        if kind == "column":
            text = _clean(value)
        else:
            text = "CASE WHEN list_contains($null_markers, lower(trim($const_" + canonical + "))) THEN NULL " \
                   "ELSE trim($const_" + canonical + ") END"
        unit = mapping.units.get(canonical, "")
        if unit == "good_bad":
            text = f"CASE WHEN list_contains($csat_no_answer, lower({text})) THEN NULL ELSE {text} END"
        texts[canonical] = text
        dtype = dtypes[canonical]
        if canonical in mapping.times:
            text = f"({text}) || ' ' || ({_time_of_day(_clean(mapping.times[canonical]))})"
        if unit.endswith("_after_created"):
            expr = _offset(columns["created_at"], text, unit)
        elif canonical in mapping.starts:  # the time between two timestamps
            start = mapping.starts[canonical]
            end_at = timestamp(text, value, f"{canonical} (end)")
            start_at = timestamp(_clean(start), start, f"{canonical} (start)")
            expr = f"(epoch_us({end_at}) - epoch_us({start_at})) / 1e6"
        elif dtype == "TIMESTAMP":
            expr = timestamp(text, value, canonical) if kind == "column" else _timestamp(text, "iso")
            styles.setdefault(canonical, "iso")
            if canonical in PLACEHOLDER_COLUMNS:
                placeholders[canonical] = _placeholder(expr)
                expr = f"CASE WHEN {placeholders[canonical]} THEN NULL ELSE {expr} END"
        elif dtype == "BOOLEAN":
            expr = (f"CASE WHEN list_contains($true_words, lower({text})) THEN true "
                    f"WHEN list_contains($false_words, lower({text})) THEN false END")
        elif canonical.endswith("_s"):
            expr = _duration(text, unit or "seconds")
        elif canonical == "csat_score":
            expr = f"try_cast({_csat(text, unit or '1-5')} AS SMALLINT)"
        elif dtype in ("INTEGER", "SMALLINT"):
            expr = f"try_cast({_whole(f'try_cast({text} AS DOUBLE)')} AS {dtype})"
        elif dtype == "DOUBLE":
            number = f"try_cast(replace({text}, '%', '') AS DOUBLE)"
            expr = f"CASE WHEN isfinite({number}) THEN {number} END"
        elif canonical in VOCABULARY:
            expr = _vocabulary(text, canonical)
        else:
            expr = text
        columns[canonical] = expr
    # A call is answered after its wait and over when it ends. Without the end, every answered
    # call of a call log would stay in the backlog forever.
    wait = f"coalesce({columns.get('wait_time_s', 'NULL')}, 0)"
    talk = f"coalesce({columns.get('handle_time_s', 'NULL')}, 0)"
    for column, recipe, seconds in (("first_response_at", "call_answer", wait),
                                    ("resolved_at", "call_end", f"{wait} + {talk}")):
        if mapping.derived.get(column) == recipe and column not in columns:
            columns[column] = (f"CASE WHEN {columns['is_answered']} THEN ({columns['created_at']}) + "
                               f"to_microseconds(try_cast(round(({seconds}) * 1e6) AS BIGINT)) END")
    offsets = {c: offsets_by_source[mapping.columns[c]] for c, st in styles.items()
               if st == "iso" and mapping.columns.get(c) in offsets_by_source and c not in mapping.times}
    return CastPlan(columns, texts, styles, placeholders, timezone, offsets)


def check_timezone(con: duckdb.DuckDBPyConnection, timezone: str) -> None:
    """Raise ``ValueError`` unless ``timezone`` is a time zone DuckDB knows (an IANA name such as Europe/Paris)."""
    known = con.execute("SELECT count(*) FROM pg_timezone_names() WHERE name = $tz", {"tz": timezone}).fetchone()[0]
    if not known:
        raise ValueError(f"time zone {timezone!r} (setting CSM_TIMEZONE) is not known; use an IANA name such as "
                         "UTC, Europe/Paris or America/New_York")


def cast_parameters(mapping: Mapping, *, timezone: str = "UTC") -> dict:
    """Return the bound parameters the cast expressions use."""
    params: dict = {
        "null_markers": NULL_MARKERS, "true_words": TRUE_WORDS, "false_words": FALSE_WORDS,
        "day_first": DAY_FIRST, "month_first": MONTH_FIRST, "csat_no_answer": CSAT_NO_ANSWER,
        "csat_words": list(CSAT_WORDS), "csat_scores": list(CSAT_WORDS.values()),
        "offset_pattern": OFFSET_PATTERN, "bad_offset_pattern": BAD_OFFSET_PATTERN, "tz": timezone,
        "placeholder_dates": PLACEHOLDER_DATES,
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
    # Each source column is cleaned (trimmed, null markers to NULL) once, in an inner query;
    # the typing expressions of the plan read the cleaned text.
    sources = dict.fromkeys([*mapping.columns.values(), *mapping.times.values(), *mapping.starts.values()])
    inner = ", ".join(["rowid AS _rid", *(f"{_text(s)} AS {_clean(s)}" for s in sources)])
    selects = [f"_rid + {int(first_row)} AS _row"]
    for column in [*dtypes, *EXTRA_COLUMNS]:
        if column == "import_id":
            continue
        expr = plan.columns.get(column)
        dtype = dtypes.get(column, "TIMESTAMP")
        selects.append(f"CAST({expr or 'NULL'} AS {dtype}) AS \"{column}\"")
        if column in mapping.columns:
            selects.append(f"{plan.texts[column]} AS \"_src_{column}\"")
        if column in plan.placeholders:
            selects.append(f"{plan.placeholders[column]} AS \"_ph_{column}\"")
    params = cast_parameters(mapping, timezone=plan.timezone)
    sql = (f"CREATE OR REPLACE TEMP TABLE {TYPED} AS SELECT {', '.join(selects)} "  # noqa: S608
           f"FROM (SELECT {inner} FROM {STAGED})")
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    con.execute(sql, used)


PROPOSAL_SAMPLE_ROWS = 50_000


def propose_by_values(
    con: duckdb.DuckDBPyConnection, headers: tuple[str, ...], *, preset: str | None = None,
    keep: frozenset[str] = frozenset(), claimed: frozenset[str] = frozenset(),
) -> tuple[Mapping, list[str]]:
    """Return the mapping proposed for the staged file, checked against its values, and notes on what changed.

    A header proposed by its name whose values (in the first ``PROPOSAL_SAMPLE_ROWS`` rows)
    mostly do not read as the column's type is
    rejected for that column, and the proposal is made again without it, so a name alone never
    turns a Y/N "Resolved" column into timestamps (it becomes ``is_fcr``, and a "Closed at"
    column ``resolved_at``). A rejected header that nothing else takes stays mapped, so its
    values become errors to settle rather than a column quietly left out. Columns in ``keep``
    (the user maps or sets them) are not checked: they get validation findings instead; headers
    in ``claimed`` (the user maps them elsewhere) are not proposed again.
    """
    rejected: dict[tuple[str, str], list] = {}
    notes: list[str] = []
    while True:
        mapping = propose_mapping(headers, preset=preset, rejected=frozenset(rejected))
        bad = _unreadable_proposals(con, mapping, keep=keep)
        if not bad:
            break
        for canonical, samples in bad.items():
            rejected[(canonical, mapping.columns[canonical])] = samples
    used = {*mapping.columns.values(), *mapping.times.values(), *mapping.starts.values()}
    for (canonical, source), samples in rejected.items():
        if source in claimed:
            continue  # the user maps this header to another column
        shown = ", ".join(map(repr, samples))
        if source in used or canonical in mapping.columns:
            notes.append(f"{source!r} looked like {canonical} by its name, but its values ({shown}) do not read as "
                         f"that; not mapped to {canonical}")
        else:
            # Nothing else takes the column: leaving it out quietly would lose a field the user
            # expects. It stays mapped, so its unreadable values are errors the user must settle
            # (fix the file, give a unit, or unmap it on purpose).
            mapping.columns[canonical] = source
            used.add(source)
            notes.append(f"{source!r} looks like {canonical} by its name, but most of its values ({shown}) do not read "
                         f"as that: see the errors below. Fix the file, give the column's unit, or leave "
                         f"{canonical} unmapped on purpose")
    return mapping, notes


def _unreadable_proposals(con: duckdb.DuckDBPyConnection, mapping: Mapping, *, keep: frozenset[str]) -> dict:
    """Return {column: sample values} for proposed columns whose values mostly do not read as their type."""
    dtypes = {c.name: c.dtype for c in TICKETS.columns} | dict.fromkeys(EXTRA_COLUMNS, "TIMESTAMP")
    checks = {}
    for canonical, source in mapping.columns.items():
        text, dtype = _text(source), dtypes[canonical]
        if canonical in keep or canonical in mapping.units or canonical in mapping.times or canonical in mapping.starts:
            continue
        if dtype == "TIMESTAMP":
            readable = (f"try_cast({text} AS TIMESTAMP) IS NOT NULL OR try_cast({text} AS DOUBLE) > 1000 "
                        f"OR regexp_matches({text}, '^\\d{{1,4}}[./-]\\d{{1,2}}[./-]\\d{{1,4}}')")
        elif dtype == "BOOLEAN":
            readable = f"list_contains($true_words || $false_words, lower({text}))"
        elif dtype in ("DOUBLE", "INTEGER", "SMALLINT"):
            readable = (f"try_cast(replace({text}, '%', '') AS DOUBLE) IS NOT NULL "
                        f"OR regexp_matches({text}, '^(1899-12-3[01][ T])?\\d+:\\d{{2}}')")
        else:
            continue
        checks[canonical] = (f"count({text})", f"count(*) FILTER ({readable})", f"list(DISTINCT {text})[1:3]")
    if not checks:
        return {}
    # A proposal needs a look at the values, not at every value: the first rows decide it, and
    # the validation report then covers every row.
    sample = f"(SELECT * FROM {STAGED} LIMIT {PROPOSAL_SAMPLE_ROWS})"  # noqa: S608 - constants
    sql = "SELECT " + ", ".join(e for exprs in checks.values() for e in exprs) + f" FROM {sample}"  # noqa: S608
    params = {"null_markers": NULL_MARKERS, "true_words": TRUE_WORDS, "false_words": FALSE_WORDS}
    row = con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).fetchone()
    bad = {}
    for i, canonical in enumerate(checks):
        values, readable, samples = row[3 * i: 3 * i + 3]
        if values and readable * 2 < values:
            bad[canonical] = sorted(s for s in samples or [] if s is not None)
    return bad
