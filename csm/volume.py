"""Volume and queues: created versus resolved, backlog history, backlog aging, arrivals by weekday and hour.

Every function takes the shared filters, sends one aggregate query to DuckDB and returns a
small frame. The backlog follows the catalogue's definition (``backlog`` in
``csm/kpis.yaml``): a contact is open from its creation until it is resolved; abandoned calls
and chats are never open; a contact resolved "before" it was created leaves on its creation day.
History is rebuilt from the created and resolved times, not from today's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import polars as pl

from csm.compile import _NOT_ABANDONED, Filters, _bind_settings, _filter_sql
from csm.db import run_sql
from csm.kpis import load_catalogue

AGE_BUCKETS = ((0, 1, "under 1 day"), (1, 3, "1-3 days"), (3, 7, "3-7 days"), (7, 14, "1-2 weeks"),
               (14, 30, "2-4 weeks"), (30, None, "over 4 weeks"))


def _where(filters: Filters, params: dict) -> str:
    return " AND ".join(["true", *_filter_sql(filters, params)])


def compute_flow(con: duckdb.DuckDBPyConnection, *, start: date, end: date, filters: Filters = Filters()) -> pl.DataFrame:
    """Return one row per day from ``start`` to ``end``: contacts created, resolved, and open at the day's end.

    ``created`` counts every contact created that day; ``resolved`` the contacts that left the
    backlog that day; ``backlog`` the contacts open at the end of the day, counting everything
    created before ``start`` too.
    """
    params: dict = {"start": start, "end": end}
    where = _where(filters, params)
    sql = f"""
WITH events AS (
  SELECT CAST(created_at AS DATE) AS day, count(*) AS created,
         count(*) FILTER ({_NOT_ABANDONED}) AS entered, 0 AS resolved
  FROM tickets WHERE created_at < $end::DATE + 1 AND {where} GROUP BY 1
  UNION ALL
  SELECT CAST(greatest(created_at, resolved_at) AS DATE), 0, 0, count(*)
  FROM tickets WHERE resolved_at IS NOT NULL AND {_NOT_ABANDONED} AND created_at < $end::DATE + 1 AND {where}
  GROUP BY 1
),
daily AS (SELECT day, sum(created) AS created, sum(entered) AS entered, sum(resolved) AS resolved
          FROM events GROUP BY day),
running AS (SELECT day, created, resolved, sum(entered - resolved) OVER (ORDER BY day) AS backlog FROM daily)
SELECT d.day, coalesce(r.created, 0) AS created, coalesce(r.resolved, 0) AS resolved,
       coalesce(last_value(r.backlog IGNORE NULLS) OVER (ORDER BY d.day),
                (SELECT sum(entered - resolved) FROM daily WHERE day < $start), 0) AS backlog
FROM (SELECT CAST(range AS DATE) AS day FROM range($start::DATE, $end::DATE + 1, INTERVAL 1 DAY)) d
LEFT JOIN running r USING (day)
ORDER BY d.day
"""  # noqa: S608 - filters are bound parameters on allow-listed columns
    return run_sql(con, sql, params).with_columns(pl.col("created", "resolved", "backlog").cast(pl.Int64))


def compute_aging(con: duckdb.DuckDBPyConnection, *, as_of: date, filters: Filters = Filters()) -> pl.DataFrame:
    """Return the contacts open at the end of ``as_of`` by age (days since creation) and channel.

    Returns:
        age (label), age_order, channel, open; ages without open contacts are left out.
    """
    params: dict = {"after": as_of + timedelta(days=1)}
    cases = " ".join(f"WHEN age_days >= {low}" + (f" AND age_days < {high}" if high else "") + f" THEN {i}"
                     for i, (low, high, _) in enumerate(AGE_BUCKETS))
    sql = f"""
SELECT CASE {cases} END AS age_order, channel, count(*) AS open
FROM (SELECT channel, (epoch($after::TIMESTAMP) - epoch(created_at)) / 86400 AS age_days FROM tickets
      WHERE created_at < $after AND (resolved_at IS NULL OR greatest(created_at, resolved_at) >= $after)
        AND {_NOT_ABANDONED} AND {_where(filters, params)})
GROUP BY ALL ORDER BY 1, 2
"""  # noqa: S608 - constants and bound parameters
    frame = run_sql(con, sql, params)
    labels = pl.DataFrame({"age_order": list(range(len(AGE_BUCKETS))), "age": [b[2] for b in AGE_BUCKETS]},
                          schema={"age_order": frame.schema.get("age_order", pl.Int32), "age": pl.String})
    return frame.join(labels, on="age_order").select("age", "age_order", "channel", pl.col("open").cast(pl.Int64))


def compute_arrivals(
    con: duckdb.DuckDBPyConnection, *, start: date, end: date, filters: Filters = Filters(), threshold_s: float = 20,
) -> pl.DataFrame:
    """Return contacts per weekday (1 Monday to 7 Sunday) and hour of creation, with the service level.

    ``service_level`` is answered within ``threshold_s`` over abandoned plus answered with a known
    wait, as the catalogue defines it; None where no queue contact arrived in that hour.
    ``per_day`` is the mean number of contacts per occurrence of that weekday in the period.
    """
    # The service level's numerator and denominator as the catalogue defines them (csm/kpis.yaml).
    catalogue = load_catalogue()
    kpi = catalogue["service_level"]
    params: dict = {"start": start, "end": end}
    measures = {k: _bind_settings(catalogue.measures[k].sql, params,
                                  {"service_level_threshold_s": threshold_s})
                for k in (kpi.numerator, kpi.denominator)}
    sql = f"""
SELECT isodow(created_at) AS weekday, hour(created_at) AS hour, count(*) AS contacts,
       sum({measures[kpi.numerator]}) / nullif(sum({measures[kpi.denominator]}), 0) AS service_level
FROM tickets WHERE created_at >= $start AND created_at < $end::DATE + 1 AND {_where(filters, params)}
GROUP BY ALL ORDER BY 1, 2
"""  # noqa: S608 - constants and bound parameters
    frame = run_sql(con, sql, params)
    days = pl.DataFrame({"day": pl.date_range(start, end, "1d", eager=True)}).with_columns(
        weekday=pl.col("day").dt.weekday()).group_by("weekday").agg(occurrences=pl.len())
    return (frame.with_columns(pl.col("weekday").cast(pl.Int8)).join(days.with_columns(pl.col("weekday").cast(pl.Int8)),
                                                                      on="weekday")
            .with_columns(per_day=pl.col("contacts") / pl.col("occurrences")).drop("occurrences"))


SPLIT_TOP = 8


def compute_split(
    con: duckdb.DuckDBPyConnection, *, start: date, end: date, by: str, grain: str, filters: Filters = Filters(),
) -> pl.DataFrame:
    """Return contacts per time bucket and value of ``by`` (channel, category, team, priority).

    The ``SPLIT_TOP`` largest values over the period keep their name; the rest are summed as "other".
    """
    from csm.compile import Window
    from csm.metrics import compute_kpis

    frame = compute_kpis(con, windows=(Window("current", start, end),), filters=filters, keys=("contacts",),
                         group_by=(by,), grain=grain).select("bucket", pl.col(by).fill_null("(none)").alias("value"),
                                                             "contacts")
    top = frame.group_by("value").agg(pl.col("contacts").sum()).sort("contacts", descending=True).head(SPLIT_TOP)
    return (frame.with_columns(value=pl.when(pl.col("value").is_in(top["value"].implode())).then("value")
                               .otherwise(pl.lit("other")))
            .group_by("bucket", "value").agg(pl.col("contacts").sum()).sort("bucket", "value"))


def rollup_flow(flow: pl.DataFrame, *, grain: str) -> pl.DataFrame:
    """Return the daily flow summed per ``grain`` bucket: created and resolved added up, the backlog at the bucket's end.

    Examples:
        >>> daily = pl.DataFrame({"day": [date(2026, 9, 30), date(2026, 10, 1)], "created": [2, 3],
        ...                       "resolved": [1, 1], "backlog": [5, 7]})
        >>> rollup_flow(daily, grain="month").rows()
        [(datetime.date(2026, 9, 1), 2, 1, 5), (datetime.date(2026, 10, 1), 3, 1, 7)]
    """
    if grain == "day":
        return flow.rename({"day": "bucket"})
    return (flow.sort("day").group_by(pl.col("day").dt.truncate({"week": "1w", "month": "1mo", "quarter": "1q"}[grain])
                                      .alias("bucket"), maintain_order=True)
            .agg(pl.col("created").sum(), pl.col("resolved").sum(), pl.col("backlog").last()))


@dataclass(frozen=True)
class VolumeView:
    """Everything the Volume page shows for one selection."""

    split: pl.DataFrame
    flow: pl.DataFrame
    arrivals: pl.DataFrame
    aging: pl.DataFrame
    as_of: date


def compute_volume_view(
    con: duckdb.DuckDBPyConnection, *, start: date, end: date, filters: Filters, grain: str, by: str,
    threshold_s: float,
) -> VolumeView:
    """Return the Volume page's frames: split volume, flow, arrivals heatmap and the aging at the period's end."""
    flow = rollup_flow(compute_flow(con, start=start, end=end, filters=filters), grain=grain)
    return VolumeView(
        split=compute_split(con, start=start, end=end, by=by, grain=grain, filters=filters),
        flow=flow,
        arrivals=compute_arrivals(con, start=start, end=end, filters=filters, threshold_s=threshold_s),
        aging=compute_aging(con, as_of=end, filters=filters),
        as_of=end,
    )


def compute_service(
    con: duckdb.DuckDBPyConnection, *, start: date, end: date, filters: Filters, grain: str, by: str,
) -> pl.DataFrame:
    """Return service level and SLA met per time bucket and value of ``by`` (channel or priority)."""
    from csm.compile import Window
    from csm.metrics import compute_kpis

    return compute_kpis(con, windows=(Window("current", start, end),), filters=filters,
                        keys=("service_level", "sla_rate"), group_by=(by,), grain=grain).select(
        "bucket", by, "service_level", "sla_rate")


def load_daily_contacts(
    con: duckdb.DuckDBPyConnection, *, first_day: date, last_day: date, filters: Filters = Filters(),
) -> pl.DataFrame:
    """Return (day, contacts) for every day from ``first_day`` to ``last_day``, days without contacts as 0.

    Counts go through the KPI layer, which reads the daily rollups whenever the filters allow.
    """
    from csm.compile import Window
    from csm.metrics import compute_kpis

    counts = compute_kpis(con, windows=(Window("all", first_day, last_day),), filters=filters, keys=("contacts",),
                          grain="day").select(day="bucket", contacts="contacts")
    days = pl.DataFrame({"day": pl.date_range(first_day, last_day, "1d", eager=True)})
    return days.join(counts, on="day", how="left").with_columns(pl.col("contacts").fill_null(0))


@dataclass(frozen=True)
class ForecastView:
    """The forecast for the selection, the recent actuals beside it, and its backtest verdict."""

    history: pl.DataFrame  # period_start, contacts
    forecast: pl.DataFrame  # period_start, forecast, low, high
    verdict: str
    beats_baseline: bool
    problem: str | None = None  # why there is no forecast


def compute_forecast_view(
    con: duckdb.DuckDBPyConnection, *, first_day: date, last_day: date, filters: Filters, weeks: int, grain: str,
) -> ForecastView:
    """Return the forecast of the selection's contacts for ``weeks`` weeks after the data's last day."""
    from csm.forecast import compute_forecast

    daily = load_daily_contacts(con, first_day=first_day, last_day=last_day, filters=filters)
    empty = pl.DataFrame(schema={"period_start": pl.Date, "contacts": pl.Int64})
    if not daily["contacts"].sum():
        return ForecastView(empty, pl.DataFrame(), "", False, problem="no contacts match these filters")
    try:
        forecast, backtest = compute_forecast(daily, horizon_weeks=weeks, grain=grain)
    except ValueError as exc:
        return ForecastView(empty, pl.DataFrame(), "", False, problem=str(exc))
    recent = daily.filter(pl.col("day") > last_day - timedelta(weeks=max(8, 2 * weeks)))
    if grain == "week":  # whole weeks ending on the data's last day, like the forecast's weeks
        recent = (recent.with_columns(period_start=pl.col("day") - pl.duration(
            days=(pl.col("day") - last_day - timedelta(days=1)).dt.total_days() % 7))
            .group_by("period_start").agg(pl.col("contacts").sum()).sort("period_start"))
    else:
        recent = recent.rename({"day": "period_start"})
    return ForecastView(recent, forecast, backtest.verdict(), backtest.beats_baseline)
