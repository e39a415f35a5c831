"""The monthly and quarterly business review: where each KPI stands, what moved, why, in words.

- **Periods**: a month (``2026-10``) or a quarter (``2026-Q3``), compared with the period before
  and the same period a year earlier.
- **Status**: against the target in force on the period's last day (``csm.metrics``).
- **Moved materially**: a rate KPI by at least ``MATERIAL_POINTS`` (as a share, 0.02 = 2 points),
  any other KPI by at least ``MATERIAL_RELATIVE`` of its previous value.
- **Why it moved** (:func:`decompose`): a ratio or mean KPI is sum(numerator) / sum(denominator)
  = sum over segments of share x rate, with share = the segment's part of the denominator.
  Its change splits per segment into a *mix* effect, (share after - share before) x (the
  segment's average rate - the overall average rate), and a *rate* effect, (rate after - rate
  before) x the segment's average share. They add up exactly to the change (the shares' changes
  sum to 0, so taking the overall rate off the mix changes no total; it makes a segment that
  grows with a rate below average pull the KPI down, as a reader expects). A segment present in only one period takes
  its one rate for both, so all of it is mix. A count KPI's change is the sum of the segments'
  changes (all of it "volume"). Medians, the backlog and costs do not split this way, and the
  review says so.
- **Narrative** (:func:`write_narrative`): sentences built by fixed rules from the KPI table and
  the decompositions, each naming the figure it comes from. No language model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import polars as pl

from csm.compile import DIMENSIONS, Filters, Window, _bind_settings, _filter_sql, _window_sql
from csm.db import create_schema, run_sql
from csm.formatting import format_value
from csm.kpis import load_catalogue
from csm.metrics import compute_kpis, compute_scorecard, load_targets
from csm.periods import calendar_bucket, period_buckets
from csm.settings import DEFAULTS

REVIEW_KPIS = ("contacts", "csat", "fcr_rate", "aht_s", "service_level", "sla_rate", "frt_median_s", "backlog",
               "cost_per_contact")
WHY_DIMENSIONS = ("channel", "category", "team", "priority")
MATERIAL_POINTS = 0.02
MATERIAL_RELATIVE = 0.05
EXPLAINS = 0.4  # named segments carrying less of the change than this do not "explain" it
NONE_LABEL = "(none)"
_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")


@dataclass(frozen=True)
class ReviewPeriod:
    """A month or a quarter."""

    label: str  # 2026-10 or 2026-Q3
    start: date
    end: date

    @property
    def is_quarter(self) -> bool:
        """Whether the period is a quarter."""
        return "Q" in self.label

    @property
    def name(self) -> str:
        """The period in words: "October 2026" or "Q3 2026"."""
        return f"Q{self.label[-1]} {self.start.year}" if self.is_quarter else f"{self.start:%B %Y}"


def parse_period(text: str) -> ReviewPeriod:
    """Return the month (``2026-10``) or quarter (``2026-Q3``) named by ``text``.

    Examples:
        >>> parse_period("2026-Q3")
        ReviewPeriod(label='2026-Q3', start=datetime.date(2026, 7, 1), end=datetime.date(2026, 9, 30))

    Raises:
        ValueError: not a month or a quarter in those forms.
    """
    match = _PERIOD.match(text.strip().upper())
    if not match:
        raise ValueError(f"{text!r} is not a month like 2026-10 or a quarter like 2026-Q3")
    year = int(match.group(1))
    if match.group(3):
        q = int(match.group(3))
        start = date(year, 3 * q - 2, 1)
        return ReviewPeriod(f"{year}-Q{q}", *calendar_bucket(start, "quarter"))
    start = date(year, int(match.group(2)), 1)
    return ReviewPeriod(f"{year}-{start.month:02d}", *calendar_bucket(start, "month"))


def shift_period(period: ReviewPeriod, *, months: int) -> ReviewPeriod:
    """Return the period ``months`` months later (negative: earlier), of the same kind."""
    y, m = divmod(period.start.year * 12 + period.start.month - 1 + months, 12)
    if period.is_quarter:
        return parse_period(f"{y}-Q{m // 3 + 1}")
    return parse_period(f"{y}-{m + 1:02d}")


def previous_period(period: ReviewPeriod) -> ReviewPeriod:
    """Return the period just before: the month before, or the quarter before."""
    return shift_period(period, months=-3 if period.is_quarter else -1)


def review_periods(first: date | None, last: date | None) -> list[str]:
    """Return the months and quarters with data, newest first (quarters after the months).

    Examples:
        >>> review_periods(date(2026, 8, 15), date(2026, 10, 31))
        ['2026-10', '2026-09', '2026-08', '2026-Q4', '2026-Q3']
    """
    if first is None or last is None:
        return []
    months = [f"{m:%Y-%m}" for m, _, _ in period_buckets(first, last, "month")]
    quarters = sorted({f"{m[:4]}-Q{(int(m[5:]) - 1) // 3 + 1}" for m in months}, reverse=True)
    return [*reversed(months), *quarters]


def decompose(before: pl.DataFrame, after: pl.DataFrame, *, scale: float = 1.0) -> pl.DataFrame:
    """Split the change of sum(num) / sum(den) between two periods into mix and rate effects per segment.

    Args:
        before: segment, num, den of the earlier period.
        after: segment, num, den of the later period.
        scale: the KPI's scale (the effects are in the KPI's unit).

    Returns:
        segment, share_before, share_after, rate_before, rate_after, mix, rate, total; ``total``
        = mix + rate, and the totals add up to the KPI's change. Largest absolute total first.
        When one period has no denominator the KPI is n/a there, and the effects are null.
    """
    joined = (before.rename({"num": "num0", "den": "den0"})
              .join(after.rename({"num": "num1", "den": "den1"}), on="segment", how="full", coalesce=True)
              .with_columns(pl.col("num0", "den0", "num1", "den1").fill_null(0.0)))
    den0, den1 = float(joined["den0"].sum()), float(joined["den1"].sum())
    frame = joined.with_columns(
        share_before=pl.col("den0") / den0 if den0 else pl.lit(0.0),
        share_after=pl.col("den1") / den1 if den1 else pl.lit(0.0),
        r0=pl.when(pl.col("den0") > 0).then(pl.col("num0") / pl.col("den0") * scale),
        r1=pl.when(pl.col("den1") > 0).then(pl.col("num1") / pl.col("den1") * scale),
    ).with_columns(  # a segment in one period only keeps its one rate for both: all of its effect is mix
        rate_before=pl.coalesce("r0", "r1").fill_null(0.0), rate_after=pl.coalesce("r1", "r0").fill_null(0.0),
    )
    overall = ((float(joined["num0"].sum()) / den0 * scale if den0 else 0.0)
               + (float(joined["num1"].sum()) / den1 * scale if den1 else 0.0)) / 2
    if not den0 or not den1:  # the KPI is n/a in one period: there is no change to split
        return frame.select("segment", "share_before", "share_after", pl.col("r0").alias("rate_before"),
                            pl.col("r1").alias("rate_after"), *(pl.lit(None, pl.Float64).alias(c)
                                                                 for c in ("mix", "rate", "total")))
    out = frame.with_columns(
        mix=(pl.col("share_after") - pl.col("share_before"))
        * ((pl.col("rate_before") + pl.col("rate_after")) / 2 - overall),
        rate=(pl.col("rate_after") - pl.col("rate_before")) * (pl.col("share_before") + pl.col("share_after")) / 2,
    ).with_columns(total=pl.col("mix") + pl.col("rate"))
    return (out.select("segment", "share_before", "share_after", pl.col("r0").alias("rate_before"),
                       pl.col("r1").alias("rate_after"), "mix", "rate", "total")
            .sort(pl.col("total").abs(), descending=True))


def load_segment_sums(
    con: duckdb.DuckDBPyConnection, *, kpi_key: str, dimension: str, windows: tuple[Window, Window],
    filters: Filters = Filters(), settings: dict | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return (before, after): segment, num, den of a ratio or mean KPI (count KPIs: den = 1 per row) by ``dimension``."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"cannot split by {dimension!r}; dimensions are {', '.join(DIMENSIONS)}")
    catalogue = load_catalogue()
    kpi = catalogue[kpi_key]
    params: dict = {}
    settings = settings or DEFAULTS
    if kpi.kind in ("ratio", "mean"):
        num = _bind_settings(catalogue.measures[kpi.numerator].sql, params, settings)
        den = _bind_settings(catalogue.measures[kpi.denominator].sql, params, settings)
    elif kpi.kind == "count":
        num = den = _bind_settings(catalogue.measures[kpi.measure].sql, params, settings)
    else:
        raise ValueError(f"{kpi.label} ({kpi.kind}) does not split into segments")
    case, test = _window_sql(windows, "created_at", params)
    where = " AND ".join([f"({test})", *_filter_sql(filters, params)])
    frame = run_sql(con, f"""
SELECT {case} AS w, coalesce(CAST({dimension} AS VARCHAR), '{NONE_LABEL}') AS segment,
       sum({num})::DOUBLE AS num, sum({den})::DOUBLE AS den
FROM tickets WHERE {where} GROUP BY ALL
""", params)  # noqa: S608 - allow-listed dimension, catalogue measures, bound parameters
    return (frame.filter(pl.col("w") == 0).drop("w"), frame.filter(pl.col("w") == 1).drop("w"))


SLOT_S = 1800  # the queue model's interval: half an hour
QUEUE_FACTORS = ("volume", "handle time", "staffing")


def _queue_profile(con: duckdb.DuckDBPyConnection, window: Window, filters: Filters) -> pl.DataFrame:
    """Return per queue channel, weekday and half hour: calls, handle time and agents seen, each per day of the window."""
    params: dict = {"first": window.start, "after": window.end + timedelta(days=1)}
    where = " AND ".join(["created_at >= $first", "created_at < $after", "is_answered IS NOT NULL",
                          *_filter_sql(filters, params)])
    frame = run_sql(con, f"""
WITH per_slot AS (
  SELECT channel, CAST(created_at AS DATE) AS day, (hour(created_at) * 60 + minute(created_at)) // 30 AS slot,
         count(*) AS calls, sum(handle_time_s) FILTER (is_answered) AS handle,
         count(handle_time_s) FILTER (is_answered) AS handled, count(DISTINCT agent_id) FILTER (is_answered) AS agents
  FROM tickets WHERE {where} GROUP BY ALL)
SELECT channel, isodow(day) AS weekday, slot, sum(calls)::DOUBLE AS calls, sum(handle)::DOUBLE AS handle,
       sum(handled)::DOUBLE AS handled, sum(agents)::DOUBLE AS agents
FROM per_slot GROUP BY ALL
""", params)  # noqa: S608 - bound parameters on allow-listed columns
    days = (pl.DataFrame({"day": pl.date_range(window.start, window.end, eager=True)})
            .group_by(weekday=pl.col("day").dt.weekday().cast(pl.Int64)).agg(n=pl.len()))
    return (frame.with_columns(pl.col("weekday").cast(pl.Int64)).join(days, on="weekday")
            .select("channel", "weekday", "slot", (pl.col("calls") / pl.col("n")).alias("calls"),
                    pl.when(pl.col("handled") > 0).then(pl.col("handle") / pl.col("handled")).alias("aht"),
                    (pl.col("agents") / pl.col("n")).alias("agents")))


def _modelled_service_level(volume: pl.DataFrame, handle: pl.DataFrame, staff: pl.DataFrame, *,
                            threshold_s: float, default_aht: float) -> float | None:
    """Return the calls-weighted Erlang C service level of one profile's calls with others' handle time and agents."""
    from csm.staffing import service_level

    keys = ["channel", "weekday", "slot"]
    rows = (volume.select(*keys, "calls").join(handle.select(*keys, "aht"), on=keys, how="left")
            .join(staff.select(*keys, "agents"), on=keys, how="left"))
    answered = total = 0.0
    for calls, aht, agents in rows.select("calls", "aht", "agents").iter_rows():
        if not calls:
            continue
        aht = aht or default_aht
        answered += calls * service_level(calls * aht / SLOT_S, round(agents or 0), aht_s=aht, threshold_s=threshold_s)
        total += calls
    return answered / total if total else None


def service_level_drivers(
    con: duckdb.DuckDBPyConnection, *, before: Window, after: Window, filters: Filters = Filters(),
    threshold_s: float = 20,
) -> pl.DataFrame | None:
    """Return how much of a service level change volume, handle time and staffing explain, by an Erlang C model.

    Each queue channel's calls, handle time and agents seen working (distinct agents answering)
    are averaged per weekday and half hour in each window. Erlang C turns them into a modelled
    service level; swapping each factor from the earlier window to the later one, in every order
    (Shapley values), splits the modelled change exactly between the three. The actual change
    the model does not reproduce is reported as such: the agents seen working overstate the
    agents free for the queue, so the model is better at the direction than at the size.

    Returns:
        factor (volume, handle time, staffing, "modelled change"), effect (as a share, 0.01 = 1 point),
        or None when a window has no queue calls.
    """
    from itertools import product
    from math import factorial

    profiles = (_queue_profile(con, before, filters), _queue_profile(con, after, filters))
    if any(p.is_empty() for p in profiles):
        return None
    handled = pl.concat(profiles).drop_nulls("aht")
    default_aht = float(handled["aht"].mean()) if handled.height else 300.0
    value = {}
    for combo in product((0, 1), repeat=3):
        value[combo] = _modelled_service_level(*(profiles[c] for c in combo), threshold_s=threshold_s,
                                               default_aht=default_aht)
    if any(v is None for v in value.values()):
        return None
    effects = []
    for f in range(3):  # Shapley: the average over every order of swapping the factors
        effect = 0.0
        for combo in product((0, 1), repeat=3):
            if combo[f]:
                continue
            k = sum(combo)
            with_f = tuple(1 if i == f else c for i, c in enumerate(combo))
            effect += factorial(k) * factorial(2 - k) / 6 * (value[with_f] - value[combo])
        effects.append(effect)
    return pl.DataFrame({"factor": [*QUEUE_FACTORS, "modelled change"],
                         "effect": [*effects, value[(1, 1, 1)] - value[(0, 0, 0)]]})


@dataclass(frozen=True)
class Review:
    """Everything the business review shows."""

    period: ReviewPeriod
    previous: ReviewPeriod
    last_year: ReviewPeriod
    table: pl.DataFrame  # key, label, value, target, gap, status, previous, change, change_pct, last_year,
    #                       change_ly, moved (bool)
    why: dict[str, dict[str, pl.DataFrame]]  # moved KPI -> dimension -> decompose() output
    headcount: pl.DataFrame  # team, leavers, hires of the period (from the headcount table)
    notes: str  # the manager's commentary saved with the period
    queue_drivers: pl.DataFrame | None = None  # service_level_drivers when service level moved


def _moved(kpi_unit: str, change: float | None, before: float | None) -> bool:
    if change is None:
        return False
    if kpi_unit == "ratio":
        return abs(change) >= MATERIAL_POINTS
    return bool(before) and abs(change) / abs(before) >= MATERIAL_RELATIVE


def compute_review(
    con: duckdb.DuckDBPyConnection, *, period: ReviewPeriod, filters: Filters = Filters(),
    keys: tuple[str, ...] = REVIEW_KPIS, settings: dict | None = None,
) -> Review:
    """Return the review of ``period`` under ``filters``: the KPI table, the decompositions of what moved, the notes."""
    catalogue = load_catalogue()
    before, year_ago = previous_period(period), shift_period(period, months=-12)
    windows = (Window("current", period.start, period.end), Window("comparison", before.start, before.end),
               Window("last_year", year_ago.start, year_ago.end))
    totals = compute_kpis(con, windows=windows, filters=filters, keys=keys, settings=settings)
    targets = load_targets(con, on=period.end, teams=filters.team)
    card = compute_scorecard(totals.filter(pl.col("window") != "last_year"), targets=targets)
    ly = totals.filter(window="last_year")
    last_year = {k: (float(ly[k][0]) if ly.height and ly[k][0] is not None else None) for k in keys}
    table = card.with_columns(
        last_year=pl.col("key").replace_strict(last_year, default=None, return_dtype=pl.Float64),
    ).with_columns(
        change_ly=pl.col("value") - pl.col("last_year"),
        moved=pl.struct("key", "change", "previous").map_elements(
            lambda r: _moved(catalogue[r["key"]].unit, r["change"], r["previous"]), return_dtype=pl.Boolean),
    )
    why: dict[str, dict[str, pl.DataFrame]] = {}
    for key in table.filter("moved")["key"].to_list():
        kpi = catalogue[key]
        if kpi.kind not in ("ratio", "mean", "count"):
            continue
        why[key] = {}
        for dim in WHY_DIMENSIONS:
            b, a = load_segment_sums(con, kpi_key=key, dimension=dim, windows=(windows[1], windows[0]),
                                     filters=filters, settings=settings)
            why[key][dim] = _volume_split(b, a) if kpi.kind == "count" else decompose(b, a, scale=kpi.scale)
    heads = run_sql(con, """
SELECT team, sum(hires) AS hires, sum(leavers) AS leavers FROM headcount
WHERE month >= $first AND month <= $last AND ($all OR list_contains($teams::VARCHAR[], team)) GROUP BY team ORDER BY team
""", {"first": period.start, "last": period.end, "teams": list(filters.team), "all": not filters.team})
    drivers = None
    if "service_level" in why:
        threshold = float((settings or DEFAULTS)["service_level_threshold_s"])
        drivers = service_level_drivers(con, before=windows[1], after=windows[0], filters=filters, threshold_s=threshold)
    return Review(period, before, year_ago, table, why, heads, load_notes(con, period=period, filters=filters),
                  drivers)


def _volume_split(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """Return a count KPI's change per segment (all of it volume), in ``decompose``'s columns."""
    joined = (before.select("segment", pl.col("num").alias("n0"))
              .join(after.select("segment", pl.col("num").alias("n1")), on="segment", how="full", coalesce=True)
              .with_columns(pl.col("n0", "n1").fill_null(0.0)))
    t0, t1 = float(joined["n0"].sum()), float(joined["n1"].sum())
    return joined.select(
        "segment", share_before=pl.col("n0") / t0 if t0 else pl.lit(0.0),
        share_after=pl.col("n1") / t1 if t1 else pl.lit(0.0), rate_before=pl.col("n0"), rate_after=pl.col("n1"),
        mix=pl.col("n1") - pl.col("n0"), rate=pl.lit(0.0), total=pl.col("n1") - pl.col("n0"),
    ).sort(pl.col("total").abs(), descending=True)


def _notes_key(period: ReviewPeriod, filters: Filters) -> str:
    return f"{period.label}|{','.join(sorted(filters.team))}"


def load_notes(con: duckdb.DuckDBPyConnection, *, period: ReviewPeriod, filters: Filters = Filters()) -> str:
    """Return the manager's commentary saved for the period and teams, or "" (also for a database made before notes)."""
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'review_notes'").fetchone()[0]:
        return ""
    row = con.execute("SELECT notes FROM review_notes WHERE review_key = ?", [_notes_key(period, filters)]).fetchone()
    return row[0] if row else ""


def save_notes(con: duckdb.DuckDBPyConnection, *, period: ReviewPeriod, filters: Filters, notes: str) -> None:
    """Save the manager's commentary for the period and teams (one transaction; replaces the earlier text)."""
    create_schema(con)  # a database made before notes existed gets the table
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM review_notes WHERE review_key = ?", [_notes_key(period, filters)])
        con.execute("INSERT INTO review_notes VALUES (?, ?, ?, current_timestamp)",
                    [_notes_key(period, filters), period.label, notes])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def main_driver(why: dict[str, pl.DataFrame]) -> tuple[str, list[dict]] | None:
    """Return the dimension that explains the change best and its one or two segments that carry it.

    A change spread over the segments in proportion to their size explains nothing: each
    segment's *excess* is its effect minus its share of the base (the average of its two shares)
    times the whole change. The dimension with the largest sum of absolute excesses, relative to
    the change, is the one that explains it; its segment with the largest excess in the change's
    direction is named, and the next one too when its excess is at least half as large.
    """
    best, best_score = None, 0.0
    for dim, parts in why.items():
        change = float(parts["total"].sum()) if parts.height else 0.0
        if not change:
            continue
        scored = parts.with_columns(
            excess=(pl.col("total") - (pl.col("share_before") + pl.col("share_after")) / 2 * change)
            * (1 if change > 0 else -1))
        score = float(scored["excess"].abs().sum()) / abs(change)
        if score > best_score:
            ranked = scored.filter(pl.col("excess") > 0).sort("excess", descending=True).head(2).to_dicts()
            if ranked:
                named = [r for r in ranked if r["excess"] >= ranked[0]["excess"] / 2]
                best, best_score = (dim, named), score
    return best


def write_narrative(review: Review) -> list[str]:
    """Return the review's summary, one sentence per finding, each naming the figures it rests on."""
    catalogue = load_catalogue()
    lines = []
    table = review.table
    off = table.filter(status="off_target").sort("gap")
    on = table.filter(status="on_target")
    if on.height or off.height:
        lines.append(f"In {review.period.name}, {on.height} of {on.height + off.height} KPIs with a target met it"
                     + (f"; furthest off: {', '.join(_target_phrase(catalogue[r['key']], r) for r in off.head(3).iter_rows(named=True))}."
                        if off.height else "."))
    for row in table.filter("moved").sort(pl.col("change_pct").abs(), descending=True, nulls_last=True).iter_rows(
            named=True):
        kpi = catalogue[row["key"]]
        verb = "rose" if row["change"] > 0 else "fell"
        lines.append(f"{kpi.label} {verb} from {format_value(kpi, row['previous'])} in {review.previous.name} to "
                     f"{format_value(kpi, row['value'])} ({_change_phrase(kpi, row['change'])}).")
        if row["key"] in review.why:
            driver = main_driver(review.why[row["key"]])
            if driver is not None:
                lines.append(_driver_sentence(kpi, *driver, change=row["change"]))
        if row["key"] == "service_level" and review.queue_drivers is not None:
            lines.append(_queue_sentence(review.queue_drivers, row["change"]))
    leavers = review.headcount.filter(pl.col("leavers") > 0)
    if leavers.height and int(leavers["leavers"].sum()) >= 3:
        teams = ", ".join(f"{r['team']} ({r['leavers']})" for r in leavers.iter_rows(named=True))
        lines.append(f"{int(leavers['leavers'].sum())} agents left in {review.period.name}: {teams}.")
    if not lines:
        lines.append(f"No KPI moved materially in {review.period.name} and none has a target to judge.")
    return lines


MODEL_REPRODUCES = 0.25  # the queue model's split is stated when it reproduces at least this much of the change


def _queue_sentence(drivers: pl.DataFrame, change: float) -> str:
    effects = dict(drivers.iter_rows())
    modelled = effects.pop("modelled change")
    if not change or modelled / change < MODEL_REPRODUCES:
        return (f"An Erlang C model of the queues (their calls, handle time and agents seen working) does not "
                f"reproduce this change ({modelled * 100:+.1f} of the {change * 100:+.1f} points), so it names no "
                "cause among volume, handle time and staffing.")
    ranked = sorted(effects.items(), key=lambda kv: -abs(kv[1]))
    parts = ", ".join(f"{name} {value * 100:+.1f}" for name, value in ranked)
    return (f"An Erlang C model of the queues (their calls, handle time and agents seen working, by weekday and half "
            f"hour) reproduces {modelled * 100:+.1f} of the {change * 100:+.1f} points: {parts}. The remaining "
            f"{(change - modelled) * 100:+.1f} points it does not explain.")


def _target_phrase(kpi, row: dict) -> str:
    return f"{kpi.label} at {format_value(kpi, row['value'])} against {format_value(kpi, row['target'])}"


def _change_phrase(kpi, change: float) -> str:
    if kpi.unit == "ratio":
        return f"{change * 100:+.1f} points"
    if kpi.unit == "seconds":
        return f"{'+' if change >= 0 else '-'}{format_value(kpi, abs(change))}"
    if kpi.unit == "currency":
        return f"{'+' if change >= 0 else '-'}{format_value(kpi, abs(change))}"
    return f"{change:+,.0f}" if kpi.unit == "count" else f"{change:+,.2f}"


def _driver_sentence(kpi, dimension: str, segments: list[dict], *, change: float) -> str:
    words = {"category": "topic", "team": "team", "channel": "channel", "priority": "priority"}
    noun = words[dimension] + ("s" if len(segments) > 1 else "")
    names = " and ".join(str(s["segment"]).replace("_", " ") for s in segments)
    total = sum(s["total"] for s in segments)
    share = total / change if change else 0.0
    if share < EXPLAINS:
        return (f"No single {words[dimension]} explains it: the largest part, {noun} {names}, is {share:.0%} of the "
                "change.")
    if kpi.kind == "count":
        return f"Most of it comes from {noun} {names}: {total:+,.0f} ({share:.0%} of the change)."
    details = []
    for s in segments:
        effect = "mix: its share moved" if abs(s["mix"]) > abs(s["rate"]) else f"rate: its own {kpi.label} moved"
        details.append(f"{str(s['segment']).replace('_', ' ')} {_change_phrase(kpi, s['total'])} ({effect}, from "
                       f"{format_value(kpi, s['rate_before'])} to {format_value(kpi, s['rate_after'])}, with "
                       f"{s['share_before']:.1%} then {s['share_after']:.1%} of the contacts it counts)")
    return f"Most of it comes from {noun} {names} ({share:.0%} of the change): {'; '.join(details)}."


__all__ = [
    "EXPLAINS",
    "MATERIAL_POINTS",
    "MATERIAL_RELATIVE",
    "REVIEW_KPIS",
    "WHY_DIMENSIONS",
    "Review",
    "ReviewPeriod",
    "compute_review",
    "decompose",
    "load_notes",
    "load_segment_sums",
    "parse_period",
    "previous_period",
    "review_periods",
    "save_notes",
    "service_level_drivers",
    "shift_period",
    "write_narrative",
]
