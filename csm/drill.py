"""Drill-through: which contacts a chart point stands for, and the query that lists them.

A chart point is turned into a :class:`Drill` (by the ``drill_*`` functions, one per chart
kind) and :func:`load_drill` lists its contacts under the shared filters. The definitions
match the charts exactly:

- *created* in a bucket: ``created_at`` on one of its days;
- *resolved* in a bucket: left the backlog on one of its days, i.e. the day of
  ``greatest(created_at, resolved_at)``, abandoned calls excluded (``csm.volume.compute_flow``);
- *open* at the end of a day: created by then, not abandoned, and not resolved by then
  (the backlog line and the aging chart), with the age in days at that moment.

On top of that a point can keep or drop dimension values (a series, a table row), count only
the rows a KPI counts, fall in a weekday and time of day, a handle-time bin, or a week of the
agents' tenure (the new-hire ramp).

Values reach SQL as bound parameters; the dimension column comes from the allow-list in
``csm.compile.DIMENSIONS`` and measure expressions from the validated KPI catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import duckdb
import polars as pl

from csm.compile import _NOT_ABANDONED, DIMENSIONS, Filters, _bind_settings, _filter_sql
from csm.db import run_sql
from csm.kpis import load_catalogue
from csm.periods import calendar_bucket
from csm.schema import quote_identifier

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NONE_LABEL = "(none)"
CONTACT_COLUMNS = (
    "ticket_id",
    "created_at",
    "channel",
    "team",
    "agent_id",
    "category",
    "priority",
    "status",
    "first_response_at",
    "resolved_at",
    "handle_time_s",
    "wait_time_s",
    "is_answered",
    "csat_score",
)
ON = ("created", "resolved", "open")


@dataclass(frozen=True)
class Drill:
    """The contacts behind one chart point.

    Attributes:
        first: first day (inclusive) of the bucket; for ``on="open"`` unused but kept equal to ``last``.
        last: last day (inclusive) of the bucket; ``open`` means open at the end of this day.
        title: what the point is, in words, for the table's caption.
        on: ``created``, ``resolved`` or ``open``.
        keep: (dimension, values) pairs of ``csm.compile.DIMENSIONS``: each must hold (``"(none)"`` stands
            for empty).
        drop: (dimension, values) pairs to leave out (the "other" series of a top-N split).
        unfiltered: dimensions whose shared filter the chart ignores (the team line next to one agent
            ignores the agent filter), so the drill ignores it too.
        weekday: ISO weekday (1 Monday) of creation, or None.
        minutes: [from, to) minutes after midnight of creation, or None.
        age_days: [from, to) age in days at the end of ``last`` (``on="open"``); ``to`` None is open-ended.
        handle_s: [from, to) handle time in seconds of an answered contact; ``to`` None is open-ended.
        tenure_weeks: [from, to) whole weeks since the agent's ``hire_date`` on the day of creation;
            ``to`` None is open-ended.
        hired: first and last ``hire_date`` of the agents kept (a hiring cohort), or None.
        population: a catalogue measure key; only rows where it is positive (e.g. the rows a KPI counts).
        future: the point is a forecast: no contacts exist yet.
    """

    first: date
    last: date
    title: str
    on: str = "created"
    keep: tuple[tuple[str, tuple[str, ...]], ...] = ()
    drop: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unfiltered: tuple[str, ...] = ()
    weekday: int | None = None
    minutes: tuple[int, int] | None = None
    age_days: tuple[float, float | None] | None = None
    handle_s: tuple[float, float | None] | None = None
    tenure_weeks: tuple[int, int | None] | None = None
    hired: tuple[date, date] | None = None
    population: str | None = None
    future: bool = False


def _where(drill: Drill, filters: Filters, params: dict, settings: dict) -> str:
    if drill.on not in ON:
        raise ValueError(f"on must be one of {', '.join(ON)}, not {drill.on!r}")
    after = drill.last + timedelta(days=1)
    params["after"] = after
    shared = replace(filters, **{d: () for d in drill.unfiltered if _allowed(d)})
    clauses = list(_filter_sql(shared, params))
    if drill.on == "created":
        params["first"] = drill.first
        clauses.append("created_at >= $first AND created_at < $after")
    elif drill.on == "resolved":
        params["first"] = drill.first
        clauses += [
            f"resolved_at IS NOT NULL AND {_NOT_ABANDONED}",
            "greatest(created_at, resolved_at) >= $first AND greatest(created_at, resolved_at) < $after",
        ]
    else:
        clauses += [
            f"created_at < $after AND {_NOT_ABANDONED}",
            "(resolved_at IS NULL OR greatest(created_at, resolved_at) >= $after)",
        ]
        if drill.age_days is not None:
            low, high = drill.age_days
            age = "(epoch($after::TIMESTAMP) - epoch(created_at)) / 86400"
            params["age_low"] = float(low)
            clauses.append(f"{age} >= $age_low")
            if high is not None:
                params["age_high"] = float(high)
                clauses.append(f"{age} < $age_high")
    for kind, pairs in (("keep", drill.keep), ("drop", drill.drop)):
        for i, (dimension, values) in enumerate(pairs):
            column = f"coalesce({quote_identifier(_allowed(dimension), table='tickets')}, '{NONE_LABEL}')"
            params[f"{kind}{i}"] = list(values)
            test = f"list_contains(${kind}{i}::VARCHAR[], {column})"
            clauses.append(test if kind == "keep" else f"NOT {test}")
    if drill.weekday is not None:
        params["weekday"] = drill.weekday
        clauses.append("isodow(created_at) = $weekday")
    if drill.minutes is not None:
        params["min_from"], params["min_to"] = drill.minutes
        clauses.append("hour(created_at) * 60 + minute(created_at) >= $min_from")
        clauses.append("hour(created_at) * 60 + minute(created_at) < $min_to")
    if drill.handle_s is not None:
        low, high = drill.handle_s
        params["handle_low"] = float(low)
        clauses.append(f"handle_time_s >= $handle_low AND {_NOT_ABANDONED}")
        if high is not None:
            params["handle_high"] = float(high)
            clauses.append("handle_time_s < $handle_high")
    if drill.tenure_weeks is not None or drill.hired is not None:
        tests = ["a.agent_id = tickets.agent_id"]
        if drill.hired is not None:
            params["hired_first"], params["hired_last"] = drill.hired
            tests.append("a.hire_date BETWEEN $hired_first AND $hired_last")
        if drill.tenure_weeks is not None:
            low, high = drill.tenure_weeks
            params["tenure_low"] = low * 7
            tests.append("CAST(tickets.created_at AS DATE) - a.hire_date >= $tenure_low")
            if high is not None:
                params["tenure_high"] = high * 7
                tests.append("CAST(tickets.created_at AS DATE) - a.hire_date < $tenure_high")
        clauses.append(f"EXISTS (SELECT 1 FROM agents a WHERE {' AND '.join(tests)})")  # noqa: S608 - fixed tests
    if drill.population is not None:
        measure = load_catalogue().measures[drill.population]
        clauses.append(f"coalesce(({_bind_settings(measure.sql, params, settings)}), 0) > 0")
    return " AND ".join(["true", *clauses])


def _allowed(dimension: str) -> str:
    if dimension not in DIMENSIONS:
        raise ValueError(f"cannot drill on {dimension!r}; dimensions are {', '.join(DIMENSIONS)}")
    return dimension


def load_drill(
    con: duckdb.DuckDBPyConnection,
    drill: Drill,
    *,
    filters: Filters = Filters(),
    limit: int = 5000,
    settings: dict | None = None,
) -> tuple[pl.DataFrame, int]:
    """Return the contacts behind ``drill`` under the shared filters, newest first (at most ``limit``), and their count.

    Args:
        con: the database.
        drill: the chart point.
        filters: the shared filters, applied on top of the point's own restrictions.
        limit: how many rows to return at most; the count covers all of them.
        settings: values for ``$name`` parameters of a population measure.
    """
    columns = ", ".join(quote_identifier(c, table="tickets") for c in CONTACT_COLUMNS)
    if drill.future:
        return run_sql(con, f"SELECT {columns} FROM tickets LIMIT 0", {}), 0  # noqa: S608 - allow-listed columns
    params: dict = {}
    where = _where(drill, filters, params, settings or {})
    total = run_sql(con, f"SELECT count(*) AS n FROM tickets WHERE {where}", params)["n"][0]  # noqa: S608
    rows = run_sql(
        con,
        f"SELECT {columns} FROM tickets WHERE {where} ORDER BY created_at DESC LIMIT $limit",  # noqa: S608
        {**params, "limit": limit},
    )
    return rows, int(total)


def bucket_days(bucket: date, *, grain: str, start: date, end: date) -> tuple[date, date]:
    """Return the first and last day of a time bucket, clipped to the period.

    Examples:
        >>> bucket_days(date(2026, 9, 28), grain="week", start=date(2026, 10, 1), end=date(2026, 10, 31))
        (datetime.date(2026, 10, 1), datetime.date(2026, 10, 4))
    """
    if grain == "day":
        last = bucket
    elif grain == "week":
        last = bucket + timedelta(days=6)
    elif grain == "month":
        last = calendar_bucket(bucket, "month")[1]
    else:
        raise ValueError(f"grain must be day, week or month, not {grain!r}")
    return max(bucket, start), min(last, end)


def _in_text(label: str) -> str:
    """Return a KPI label as it reads inside a sentence: "Service level" -> "service level", "CSAT" stays.

    Examples:
        >>> _in_text("Average handle time"), _in_text("CSAT")
        ('average handle time', 'CSAT')
    """
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _point_day(point: dict) -> date:
    """Return a time point's bucket: its ``customdata`` (charts put the bucket there), else its x."""
    data = point.get("customdata")
    return date.fromisoformat(str(data if isinstance(data, str) else point["x"])[:10])


def _span(first: date, last: date) -> str:
    return f"{first:%a %d %b %Y}" if first == last else f"{first:%d %b} – {last:%d %b %Y}"


def _series(point: dict) -> str | None:
    group = point.get("legendgroup")
    return str(group) if group not in (None, "") else None


def drill_bucket(bucket: date, *, grain: str, start: date, end: date, on: str = "created") -> Drill:
    """Return the contacts created (or resolved) in one time bucket of the period."""
    first, last = bucket_days(bucket, grain=grain, start=start, end=end)
    return Drill(first, last, f"{on.capitalize()} {_span(first, last)}", on=on)


def drill_split(point: dict, *, grain: str, by: str, start: date, end: date, named: tuple[str, ...]) -> Drill | None:
    """Return the drill of a bar of the split-volume chart; ``named`` are the values shown by name (not "other")."""
    value = _series(point)
    if value is None:
        return None
    base = drill_bucket(_point_day(point), grain=grain, start=start, end=end)
    if value == "other":
        return replace(base, title=f"{base.title}, {by} other than the {len(named)} largest", drop=((by, named),))
    return replace(base, title=f"{base.title}, {by} {value.replace('_', ' ')}", keep=((by, (value,)),))


def drill_flow(point: dict, *, grain: str, start: date, end: date) -> Drill | None:
    """Return the drill of a point of the created / resolved / backlog chart."""
    series = _series(point)
    if series not in ("created", "resolved", "backlog"):
        return None
    first, last = bucket_days(_point_day(point), grain=grain, start=start, end=end)
    if series == "backlog":
        return Drill(last, last, f"Open at the end of {last:%a %d %b %Y}", on="open")
    return Drill(first, last, f"{series.capitalize()} {_span(first, last)}", on=series)


def drill_service(
    point: dict, *, kpi_key: str, kpi_label: str, by: str, grain: str, start: date, end: date
) -> Drill | None:
    """Return the drill of a point of a KPI-by-group line: the contacts the KPI counts in that bucket and group."""
    value = _series(point)
    if value is None:
        return None
    base = drill_bucket(_point_day(point), grain=grain, start=start, end=end)
    return replace(
        base,
        title=f"{base.title}, {by} {value.replace('_', ' ')}, counted in {_in_text(kpi_label)}",
        keep=((by, (value,)),),
        population=load_catalogue()[kpi_key].denominator,
    )


def drill_arrivals(point: dict, *, start: date, end: date, population: str | None = None) -> Drill | None:
    """Return the drill of a cell of the weekday x hour heatmap: contacts created then in the period."""
    data = point.get("customdata")
    if not data or len(data) < 2:
        return None
    weekday, hour = int(data[0]), int(data[1])
    return Drill(
        start,
        end,
        f"Created on {WEEKDAY_NAMES[weekday - 1]}s {hour}:00–{hour + 1}:00, {_span(start, end)}",
        weekday=weekday,
        minutes=(hour * 60, hour * 60 + 60),
        population=population,
    )


def drill_aging(point: dict, *, as_of: date) -> Drill | None:
    """Return the drill of a bar of the aging chart: open contacts of that age and channel at ``as_of``'s end."""
    from csm.volume import AGE_BUCKETS

    channel = _series(point)
    ages = {label: (low, high) for low, high, label in AGE_BUCKETS}
    if channel is None or point.get("x") not in ages:
        return None
    return Drill(
        as_of,
        as_of,
        f"Open at the end of {as_of:%a %d %b %Y}, {point['x']} old, {channel.replace('_', ' ')}",
        on="open",
        age_days=ages[point["x"]],
        keep=(("channel", (channel,)),),
    )


def drill_forecast(point: dict, *, grain: str, last_day: date) -> Drill | None:
    """Return the drill of a point of the forecast chart: the actual contacts of that day or week, or none ahead."""
    series = _series(point)
    if series not in ("actual", "forecast"):
        return None
    first = _point_day(point)
    last = first + timedelta(days=6 if grain == "week" else 0)
    if series == "forecast":
        return Drill(first, last, f"Forecast for {_span(first, last)}", future=True)
    return Drill(first, min(last, last_day), f"Created {_span(first, min(last, last_day))}")


def drill_interval(
    point: dict, *, first: date, last: date, slot_minutes: int, channels: tuple[str, ...]
) -> Drill | None:
    """Return the drill of a staffing heatmap cell: queue contacts created at that weekday and interval in the profile weeks."""
    data = point.get("customdata")
    if not data or len(data) < 2:
        return None
    weekday, slot = int(data[0]), int(data[1])
    end = slot + slot_minutes
    return Drill(
        first,
        last,
        f"{', '.join(channels)} contacts created on {WEEKDAY_NAMES[weekday - 1]}s "
        f"{slot // 60}:{slot % 60:02d}–{end // 60}:{end % 60:02d}, {_span(first, last)}",
        weekday=weekday,
        minutes=(slot, end),
        keep=(("channel", channels),),
    )


def _kpi_population(kpi_key: str) -> str | None:
    """Return the measure whose positive rows a KPI counts (its denominator), or None for a count."""
    return load_catalogue()[kpi_key].denominator


def drill_agent_trend(
    point: dict, *, kpi_key: str, kpi_label: str, agent_id: str, name: str, team: str | None, start: date, end: date
) -> Drill | None:
    """Return the drill of a point of one agent's weekly trend: the agent's contacts, or the team's.

    The agent's line is every contact of ``agent_id``; the team line is every contact of ``team``
    whatever the agent filter (as ``csm.one_on_one`` draws it), both limited to the rows the KPI counts.
    """
    series = _series(point)
    if series is None:
        return None
    base = drill_bucket(_point_day(point), grain="week", start=start, end=end)
    counted = "" if _kpi_population(kpi_key) is None else f", counted in {_in_text(kpi_label)}"
    if series == name:
        return replace(base, title=f"{base.title}, {name}{counted}", keep=(("agent_id", (agent_id,)),),
                       population=_kpi_population(kpi_key))
    if team is None:
        return replace(base, title=f"{base.title}, the selection{counted}", population=_kpi_population(kpi_key))
    return replace(base, title=f"{base.title}, team {team}{counted}", keep=(("team", (team,)),),
                   unfiltered=("agent_id",), population=_kpi_population(kpi_key))


def drill_handle_time(point: dict, *, agent_id: str, name: str, start: date, end: date, cap: int = 30) -> Drill | None:
    """Return the drill of a bar of an agent's handle-time histogram: their answered contacts of that minute."""
    label = str(point.get("x", ""))
    minute = label.removesuffix("+")
    if not minute.isdigit():
        return None
    low = int(minute)
    high = None if low >= cap else (low + 1) * 60
    what = f"{low} minutes or more" if high is None else f"{low}–{low + 1} minutes"
    return Drill(start, end, f"{name}'s contacts handled in {what}, created {_span(start, end)}",
                 keep=(("agent_id", (agent_id,)),), handle_s=(low * 60, high))


def drill_ramp(point: dict, *, kpi_key: str, kpi_label: str, weeks: int, experienced: int) -> Drill | None:
    """Return the drill of a point of the new-hire ramp (``csm.agents.compute_ramp``).

    A cohort's point lists the contacts its hires took in that week of their tenure; the
    experienced median lists the contacts of agents with ``experienced`` weeks or more over the
    cohort's first ``weeks`` weeks, which the median is taken over. Both keep only the rows the
    KPI counts. The chart puts ``[cohort month, first hire day, "cohort" or "experienced"]`` in
    ``customdata``.
    """
    data = point.get("customdata")
    if not data or len(data) < 3 or data[2] not in ("cohort", "experienced"):
        return None
    series = data[2]
    cohort, first_day = (date.fromisoformat(str(d)[:10]) for d in data[:2])
    last = first_day + timedelta(days=7 * weeks - 1)
    if series == "experienced":
        return Drill(first_day, last, f"Contacts of agents with {experienced}+ weeks' tenure, {_span(first_day, last)}, "
                     f"counted in {_in_text(kpi_label)}", tenure_weeks=(experienced, None),
                     population=_kpi_population(kpi_key))
    week = int(point["x"])
    month_end = calendar_bucket(cohort, "month")[1]
    return Drill(first_day, last, f"Hires of {cohort:%b %Y} in week {week} of their tenure, counted in "
                 f"{_in_text(kpi_label)}", tenure_weeks=(week, week + 1), hired=(cohort, month_end),
                 population=_kpi_population(kpi_key))


def drill_topic_cell(
    by_channel: pl.DataFrame, grid: pl.DataFrame, row: int, column: str | None, *, kpi_key: str, start: date, end: date
) -> Drill | None:
    """Return the drill of a cell of the topic x channel grid: the contacts of that topic and channel the KPI counts.

    Args:
        by_channel: ``csm.topics.TopicsView.by_channel`` (its raw channel names).
        grid: the grid as shown (``csm.formatting.format_topic_grid``): a "Topic" column, one column per channel.
        row: the selected row.
        column: the selected column (a channel's shown name).
        kpi_key: the KPI shown (csat or fcr_rate).
        start: the period's first day.
        end: the period's last day.
    """
    channels = {c.replace("_", " "): c for c in by_channel["channel"].drop_nulls().unique().to_list()}
    if not 0 <= row < grid.height or column not in channels:
        return None
    topic = grid["Topic"][row]
    return Drill(start, end, f"Created {_span(start, end)}, topic {topic}, channel {column}, counted in "
                 f"{_in_text(load_catalogue()[kpi_key].label)}",
                 keep=(("category", (topic,)), ("channel", (channels[column],))), population=_kpi_population(kpi_key))


def drill_topic_month(topic: str, month: date, *, end: date) -> Drill:
    """Return the contacts of one topic created in one month up to ``end`` (an emerging topic's month)."""
    last = min(calendar_bucket(month, "month")[1], end)
    return Drill(month, last, f"Created {_span(month, last)}, topic {topic}", keep=(("category", (topic,)),))


def drill_mix_row(mix: pl.DataFrame, row: int, *, agent_id: str, name: str, start: date, end: date) -> Drill | None:
    """Return the drill of a row of an agent's work mix (``dimension`` and ``value`` columns): the agent's contacts there."""
    if not 0 <= row < mix.height:
        return None
    dimension, value = mix["dimension"][row], mix["value"][row]
    return Drill(start, end, f"Created {_span(start, end)}, {name}, {_DIMENSION_WORDS[_allowed(dimension)]} "
                 f"{value.replace('_', ' ')}", keep=(("agent_id", (agent_id,)), (dimension, (value,))))


_DIMENSION_WORDS = {"team": "team", "channel": "channel", "agent_id": "agent", "category": "topic",
                    "priority": "priority"}


def drill_row(
    frame: pl.DataFrame,
    row: int,
    *,
    dims: dict[str, str],
    start: date,
    end: date,
    shown: dict[str, str] | None = None,
    also: tuple[tuple[str, tuple[str, ...]], ...] = (),
    drop: tuple[tuple[str, tuple[str, ...]], ...] = (),
    kpi_key: str | None = None,
) -> Drill | None:
    """Return the contacts created in the period that a table row stands for.

    Args:
        frame: the table as shown (the row index is a position in it).
        row: the selected row.
        dims: frame column -> the dimension its value keeps (empty values stand for ``"(none)"``).
        start: the period's first day.
        end: the period's last day.
        shown: dimension -> the frame column to name it by in the title (an agent's name for its id).
        also: further (dimension, values) restrictions, already named in the caption around the table.
        drop: (dimension, values) to leave out (contacts without an agent, for a table of agents' work).
        kpi_key: only the rows this KPI counts.
    """
    if not 0 <= row < frame.height:
        return None
    values = frame.row(row, named=True)

    def value(column: str) -> str:
        return NONE_LABEL if values[column] in (None, "") else str(values[column])

    keep = tuple((dim, (value(col),)) for col, dim in dims.items())
    words = [f"{_DIMENSION_WORDS[dim]} {value((shown or {}).get(dim, col)).replace('_', ' ')}"
             for col, dim in dims.items()]
    if kpi_key is not None:
        words.append(f"counted in {_in_text(load_catalogue()[kpi_key].label)}")
    return Drill(start, end, f"Created {_span(start, end)}, {', '.join(words)}", keep=also + keep, drop=drop,
                 population=None if kpi_key is None else _kpi_population(kpi_key))


__all__ = [
    "CONTACT_COLUMNS",
    "Drill",
    "bucket_days",
    "drill_agent_trend",
    "drill_aging",
    "drill_arrivals",
    "drill_bucket",
    "drill_flow",
    "drill_forecast",
    "drill_handle_time",
    "drill_interval",
    "drill_mix_row",
    "drill_ramp",
    "drill_row",
    "drill_service",
    "drill_split",
    "drill_topic_cell",
    "drill_topic_month",
    "load_drill",
]
