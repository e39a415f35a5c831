"""Drill-through: which contacts a chart point stands for, and the query that lists them.

A chart point is turned into a :class:`Drill` (by the ``drill_*`` functions, one per chart
kind) and :func:`load_drill` lists its contacts under the shared filters. The definitions
match the charts exactly:

- *created* in a bucket: ``created_at`` on one of its days;
- *resolved* in a bucket: left the backlog on one of its days, i.e. the day of
  ``greatest(created_at, resolved_at)``, abandoned calls excluded (``csm.volume.compute_flow``);
- *open* at the end of a day: created by then, not abandoned, and not resolved by then
  (the backlog line and the aging chart), with the age in days at that moment.

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
        dimension: a dimension of ``csm.compile.DIMENSIONS`` the point restricts, or None.
        keep: values of ``dimension`` to keep (``"(none)"`` stands for empty); empty keeps all.
        drop: values of ``dimension`` to leave out (the "other" series of a top-N split).
        weekday: ISO weekday (1 Monday) of creation, or None.
        minutes: [from, to) minutes after midnight of creation, or None.
        age_days: [from, to) age in days at the end of ``last`` (``on="open"``); ``to`` None is open-ended.
        population: a catalogue measure key; only rows where it is positive (e.g. the rows a KPI counts).
        future: the point is a forecast: no contacts exist yet.
    """

    first: date
    last: date
    title: str
    on: str = "created"
    dimension: str | None = None
    keep: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    weekday: int | None = None
    minutes: tuple[int, int] | None = None
    age_days: tuple[float, float | None] | None = None
    population: str | None = None
    future: bool = False


def _where(drill: Drill, filters: Filters, params: dict, settings: dict) -> str:
    if drill.on not in ON:
        raise ValueError(f"on must be one of {', '.join(ON)}, not {drill.on!r}")
    after = drill.last + timedelta(days=1)
    params["after"] = after
    clauses = list(_filter_sql(filters, params))
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
    if drill.dimension is not None:
        if drill.dimension not in DIMENSIONS:
            raise ValueError(f"cannot drill on {drill.dimension!r}; dimensions are {', '.join(DIMENSIONS)}")
        column = f"coalesce({quote_identifier(drill.dimension, table='tickets')}, '{NONE_LABEL}')"
        if drill.keep:
            params["keep"] = list(drill.keep)
            clauses.append(f"list_contains($keep::VARCHAR[], {column})")
        if drill.drop:
            params["drop"] = list(drill.drop)
            clauses.append(f"NOT list_contains($drop::VARCHAR[], {column})")
    if drill.weekday is not None:
        params["weekday"] = drill.weekday
        clauses.append("isodow(created_at) = $weekday")
    if drill.minutes is not None:
        params["min_from"], params["min_to"] = drill.minutes
        clauses.append("hour(created_at) * 60 + minute(created_at) >= $min_from")
        clauses.append("hour(created_at) * 60 + minute(created_at) < $min_to")
    if drill.population is not None:
        measure = load_catalogue().measures[drill.population]
        clauses.append(f"coalesce(({_bind_settings(measure.sql, params, settings)}), 0) > 0")
    return " AND ".join(["true", *clauses])


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
        last = date(bucket.year + (bucket.month == 12), bucket.month % 12 + 1, 1) - timedelta(days=1)
    else:
        raise ValueError(f"grain must be day, week or month, not {grain!r}")
    return max(bucket, start), min(last, end)


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
        return replace(
            base, title=f"{base.title}, {by} other than the {len(named)} largest", dimension=by, drop=tuple(named)
        )
    return replace(base, title=f"{base.title}, {by} {value.replace('_', ' ')}", dimension=by, keep=(value,))


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
        title=f"{base.title}, {by} {value.replace('_', ' ')}, counted in {kpi_label.lower()}",
        dimension=by,
        keep=(value,),
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
        dimension="channel",
        keep=(channel,),
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
        dimension="channel",
        keep=channels,
    )


__all__ = [
    "CONTACT_COLUMNS",
    "Drill",
    "bucket_days",
    "drill_aging",
    "drill_arrivals",
    "drill_bucket",
    "drill_flow",
    "drill_forecast",
    "drill_interval",
    "drill_service",
    "drill_split",
    "load_drill",
]
