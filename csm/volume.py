"""Volume and queues: created versus resolved, backlog history, backlog aging, arrivals by weekday and hour.

Every function takes the shared filters, sends one aggregate query to DuckDB and returns a
small frame. The backlog follows the catalogue's definition (``backlog`` in
``csm/kpis.yaml``): a contact is open from its creation until it is resolved; abandoned calls
and chats are never open; a contact resolved "before" it was created leaves on its creation day.
History is rebuilt from the created and resolved times, not from today's status.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl

from csm.compile import _NOT_ABANDONED, Filters, _filter_sql
from csm.db import run_sql

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
    params: dict = {"start": start, "end": end, "threshold": threshold_s}
    sql = f"""
SELECT isodow(created_at) AS weekday, hour(created_at) AS hour, count(*) AS contacts,
       sum(CASE WHEN is_answered AND wait_time_s <= $threshold THEN 1 ELSE 0 END)
         / nullif(sum(CASE WHEN NOT is_answered OR (is_answered AND wait_time_s IS NOT NULL) THEN 1 ELSE 0 END), 0)
         AS service_level
FROM tickets WHERE created_at >= $start AND created_at < $end::DATE + 1 AND {_where(filters, params)}
GROUP BY ALL ORDER BY 1, 2
"""  # noqa: S608 - constants and bound parameters
    frame = run_sql(con, sql, params)
    days = pl.DataFrame({"day": pl.date_range(start, end, "1d", eager=True)}).with_columns(
        weekday=pl.col("day").dt.weekday()).group_by("weekday").agg(occurrences=pl.len())
    return (frame.with_columns(pl.col("weekday").cast(pl.Int8)).join(days.with_columns(pl.col("weekday").cast(pl.Int8)),
                                                                      on="weekday")
            .with_columns(per_day=pl.col("contacts") / pl.col("occurrences")).drop("occurrences"))
