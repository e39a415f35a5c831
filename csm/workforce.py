"""The staffing plan of a coming week: forecast volume by interval, Erlang C agents, workload FTE, gap.

Queue channels (phone, chat) are staffed interval by interval with Erlang C. Other channels
(email, web form, social) wait in a backlog and are planned by workload: volume x handle time
/ productive hours.

The gap compares the agents required with the agents on hand. There are no schedules in the
data model, so the agents on hand per interval follow one written rule (:func:`spread_headcount`):
the FTE on the books (table ``headcount``, latest month with actuals, the selected teams),
less the FTE the non-queue channels need, gives the queue agent-hours of the week
(FTE x productive hours x (1 - shrinkage)); they are spread over the intervals in proportion
to the agents *seen working* in each weekday and interval over the last four weeks (distinct
agents handling queue contacts created then), i.e. the team's own working pattern. Without
headcount rows the gap falls back to the agents seen working, and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import duckdb
import polars as pl

from csm.compile import Filters, Window, _filter_sql
from csm.db import run_sql
from csm.forecast import MIN_HISTORY_DAYS, forecast_days
from csm.metrics import compute_kpis
from csm.staffing import QUEUE_CHANNELS, compute_interval_requirements, required_fte, workload_fte

PROFILE_WEEKS = 4


@dataclass(frozen=True)
class StaffingView:
    """What the staffing section shows for the chosen week."""

    week_start: date
    intervals: pl.DataFrame  # weekday, slot, contacts, agents (queue channels summed), seen, on_hand, gap
    channels: pl.DataFrame  # channel, method, contacts, aht_s, fte
    problem: str | None = None
    profile: tuple[date, date] | None = None  # the days whose arrival pattern and agents seen the plan uses
    books_fte: float | None = None  # FTE on the books of the selected teams, or None without headcount rows
    books_month: date | None = None  # the month they come from
    queue_fte: float | None = None  # of which left for the queue channels after the non-queue workload


def load_books_fte(
    con: duckdb.DuckDBPyConnection, *, last_day: date, teams: tuple[str, ...] = ()
) -> tuple[float, date] | None:
    """Return the FTE on the books of ``teams`` (all when empty) in the latest month up to ``last_day`` with actuals.

    Returns None when the ``headcount`` table has no actual FTE for them.
    """
    params: dict = {"last": last_day, "teams": list(teams), "all": not teams}
    frame = run_sql(
        con,
        """
SELECT month, sum(actual_fte) AS fte FROM headcount
WHERE month <= $last AND actual_fte IS NOT NULL AND ($all OR list_contains($teams::VARCHAR[], team))
GROUP BY month ORDER BY month DESC LIMIT 1
""",
        params,
    )
    return None if frame.is_empty() else (float(frame["fte"][0]), frame["month"][0])


def spread_headcount(
    seen: pl.DataFrame, *, queue_fte: float, productive_hours: float, shrinkage: float, slot_minutes: int
) -> pl.DataFrame:
    """Return ``seen`` (weekday, slot, seen) with ``on_hand``: queue agents available per interval from the books.

    The week's queue agent-hours, ``queue_fte x productive_hours x (1 - shrinkage)``, are spread over
    the intervals in proportion to ``seen``; intervals where nobody was seen get none.

    Examples:
        >>> seen = pl.DataFrame({"weekday": [1, 1], "slot": [540, 600], "seen": [3.0, 1.0]})
        >>> spread_headcount(seen, queue_fte=2, productive_hours=40, shrinkage=.5, slot_minutes=60)["on_hand"].to_list()
        [30.0, 10.0]
    """
    hours = max(queue_fte, 0) * productive_hours * (1 - shrinkage)
    total = seen["seen"].sum()
    share = pl.col("seen") / total if total else pl.lit(0.0)
    return seen.with_columns(on_hand=share * hours / (slot_minutes / 60))


def _profile(con: duckdb.DuckDBPyConnection, *, start: date, end: date, filters: Filters, slot_minutes: int) -> pl.DataFrame:
    """Return each channel's share of a weekday's contacts per slot, and the agents seen per slot (mean per day)."""
    params: dict = {"start": start, "end": end, "slot": slot_minutes}
    where = " AND ".join(["created_at >= $start", "created_at < $end::DATE + 1", *_filter_sql(filters, params)])
    sql = f"""
SELECT isodow(created_at) AS weekday, (hour(created_at) * 60 + minute(created_at)) // $slot * $slot AS slot, channel,
       count(*) AS contacts, count(DISTINCT agent_id) FILTER (is_answered) AS agents,
       count(DISTINCT CAST(created_at AS DATE)) AS days
FROM tickets WHERE {where} GROUP BY ALL
"""  # noqa: S608 - bound parameters on allow-listed columns
    frame = run_sql(con, sql, params)
    daily = frame.group_by("weekday", "channel").agg(total=pl.col("contacts").sum())
    return frame.join(daily, on=["weekday", "channel"]).with_columns(
        share=pl.col("contacts") / pl.col("total"), weekday=pl.col("weekday").cast(pl.Int8))


def compute_staffing_view(
    con: duckdb.DuckDBPyConnection, *, last_day: date, filters: Filters, weeks_ahead: int, slot_minutes: int,
    target_sl: float | None, threshold_s: float, max_occupancy: float, shrinkage: float, productive_hours: float,
    aht_s: float | None = None, target_asa_s: float | None = None,
) -> StaffingView:
    """Return the plan for week ``weeks_ahead`` (1 = the 7 days after the data's last day).

    Args:
        con: the database.
        last_day: the data's last day.
        filters: the shared filters.
        weeks_ahead: which coming week, 1 to 12.
        slot_minutes: 30 or 60.
        target_sl: share of queue contacts to answer within ``threshold_s``, or None for an ASA target.
        threshold_s: the answer-time threshold in seconds.
        max_occupancy: cap on the share of time agents handle contacts.
        shrinkage: share of paid time not available for contacts.
        productive_hours: hours one FTE works on contacts in a week (non-queue channels).
        aht_s: one handle time for every channel instead of each channel's last four weeks.
        target_asa_s: largest acceptable average speed of answer of queue contacts, or None.
    """
    week_start = last_day + timedelta(days=7 * (weeks_ahead - 1) + 1)
    first = last_day - timedelta(days=7 * PROFILE_WEEKS - 1)
    empty = StaffingView(week_start, pl.DataFrame(), pl.DataFrame(), profile=(first, last_day))
    history_start = last_day - timedelta(days=7 * 26 - 1)
    counts = compute_kpis(con, windows=(Window("all", history_start, last_day),), filters=filters,
                          keys=("contacts", "aht_s"), group_by=("channel",), grain="day")
    recent = compute_kpis(con, windows=(Window("recent", first, last_day),), filters=filters, keys=("aht_s",),
                          group_by=("channel",))
    handle = {r["channel"]: r["aht_s"] for r in recent.iter_rows(named=True) if r["aht_s"]}
    days = pl.DataFrame({"day": pl.date_range(history_start, last_day, "1d", eager=True)})
    plans = []
    for channel in sorted(c for c in counts["channel"].unique().to_list() if c in handle and c != "bot"):
        history = days.join(counts.filter(channel=channel).select(day="bucket", contacts="contacts"), on="day",
                            how="left").with_columns(pl.col("contacts").fill_null(0))
        if history["contacts"].sum() == 0 or history.height < MIN_HISTORY_DAYS:
            continue
        future = forecast_days(history, horizon_days=7 * weeks_ahead).filter(pl.col("day") >= week_start)
        plans.append(future.with_columns(channel=pl.lit(channel)))
    if not plans:
        return replace(empty, problem="no channel with handle times and enough history matches these filters")
    forecast = pl.concat(plans).with_columns(weekday=pl.col("day").dt.weekday())
    profile = _profile(con, start=first, end=last_day, filters=filters, slot_minutes=slot_minutes)
    aht = {c: aht_s or v for c, v in handle.items()}
    queue = (
        forecast.filter(pl.col("channel").is_in(QUEUE_CHANNELS))
        .join(profile.select("weekday", "slot", "channel", "share"), on=["weekday", "channel"])
        .select("day", "slot", "channel", contacts=pl.col("forecast") * pl.col("share"))
    )
    needed = compute_interval_requirements(
        queue,
        aht_s=aht,
        interval_s=slot_minutes * 60,
        target_sl=target_sl,
        threshold_s=threshold_s,
        max_occupancy=max_occupancy,
        target_asa_s=target_asa_s,
    )
    seen = (
        profile.filter(pl.col("channel").is_in(QUEUE_CHANNELS))
        .group_by("weekday", "slot")
        .agg(seen=(pl.col("agents") / pl.col("days")).sum())
    )
    hours = slot_minutes / 60
    rows = []
    for channel, part in forecast.group_by("channel"):
        name = channel[0]
        contacts = float(part["forecast"].sum())
        if name in QUEUE_CHANNELS:
            agent_hours = float(needed.filter(channel=name)["agents"].sum()) * hours
            fte = required_fte(agent_hours / productive_hours, shrinkage=shrinkage) if productive_hours else None
            rows.append({"channel": name, "method": "Erlang C per interval", "contacts": contacts,
                         "aht_s": aht[name], "fte": fte})
        else:
            fte = required_fte(
                workload_fte(contacts, aht_s=aht[name], productive_hours=productive_hours), shrinkage=shrinkage
            )
            rows.append(
                {
                    "channel": name,
                    "method": "workload (volume x handle time)",
                    "contacts": contacts,
                    "aht_s": aht[name],
                    "fte": fte,
                }
            )
    channels = pl.DataFrame(rows).sort("channel")
    books = load_books_fte(con, last_day=last_day, teams=filters.team)
    queue_fte = None
    if books is not None:
        queue_fte = books[0] - float(channels.filter(~pl.col("channel").is_in(QUEUE_CHANNELS))["fte"].sum())
        seen = spread_headcount(
            seen, queue_fte=queue_fte, productive_hours=productive_hours, shrinkage=shrinkage, slot_minutes=slot_minutes
        )
    else:
        seen = seen.with_columns(on_hand=pl.col("seen"))
    intervals = (
        needed.with_columns(weekday=pl.col("day").dt.weekday())
        .group_by("weekday", "slot")
        .agg(pl.col("contacts").sum(), pl.col("agents").sum())
        .join(seen, on=["weekday", "slot"], how="left")
        .with_columns(pl.col("seen", "on_hand").fill_null(0))
        .with_columns(gap=pl.col("agents") - pl.col("on_hand"))
        .sort("weekday", "slot")
    )
    return StaffingView(
        week_start,
        intervals,
        channels,
        profile=(first, last_day),
        books_fte=books[0] if books else None,
        books_month=books[1] if books else None,
        queue_fte=queue_fte,
    )
