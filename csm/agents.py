"""The agent scorecard: each agent's KPIs with confidence intervals, and who truly differs from the team.

Every KPI keeps its catalogue definition (``csm/kpis.yaml``): ratios are sum(numerator) /
sum(denominator), means are sum / count, the first response time is the exact median. For each
agent and KPI the scorecard gives the value, its 95% interval (``csm.stats``) and a test against
the rest of the agent's team (the team's contacts in the selection without the agent's; for the
median, against the team's median). Peers are the same team because teams differ in work
(enterprise accounts take longer than password resets): comparing across teams would coach the
team's work, not the agent. An agent who worked in two teams has a row in each. A cell with fewer than ``MIN_SAMPLE`` observations is "too few": no value
is hidden, but it gets no interval and no flag. Flags come from the Benjamini-Hochberg procedure
over every test on the scorecard, so among the flagged cells about 5% or fewer are chance:
``coach`` where the agent is worse than the rest, ``recognise`` where better. With thousands of
contacts tiny gaps become "significant", so a flag also needs a gap worth a conversation
(``MATERIAL``): 5 percentage points for a rate, 10% of the team's value for a time or a score.

One query aggregates the selection by agent in DuckDB; only per-agent sums (and, for the median,
each agent's sorted first response times) reach Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import polars as pl

from csm.compile import Filters, _bind_settings, _filter_sql
from csm.db import run_sql
from csm.kpis import Catalogue, load_catalogue
from csm.stats import (
    FDR,
    MIN_SAMPLE,
    benjamini_hochberg,
    mean_interval,
    mean_variance,
    median_rank_interval,
    sign_test_p,
    two_proportion_p,
    welch_p,
    wilson_interval,
)

MATERIAL = {"ratio": 0.05, "relative": 0.10}  # smallest gap worth a flag: rate points; share of the team's value
SCORECARD_KPIS = ("aht_s", "fcr_rate", "csat", "qa_score", "reopen_rate", "escalation_rate", "sla_rate",
                  "frt_median_s")


@dataclass(frozen=True)
class Cell:
    """One agent's value of one KPI, with its interval and its comparison with the team."""

    team_name: str | None
    agent_id: str
    kpi: str
    n: int
    value: float | None
    low: float | None
    high: float | None
    team: float | None
    p: float | None


def _sums_sql(catalogue: Catalogue, keys: tuple[str, ...], params: dict, settings: dict) -> list[str]:
    """Return the per-agent aggregate expressions for the ratio and mean KPIs of ``keys``."""
    exprs = ["count(*) AS contacts"]
    for key in keys:
        kpi = catalogue[key]
        if kpi.kind in ("ratio", "mean"):
            num = _bind_settings(catalogue.measures[kpi.numerator].sql, params, settings)
            den = _bind_settings(catalogue.measures[kpi.denominator].sql, params, settings)
            exprs += [f"sum({num})::DOUBLE AS {key}__num", f"sum({den})::DOUBLE AS {key}__den"]
            if kpi.kind == "mean":
                exprs.append(f"sum(pow(({num}), 2))::DOUBLE AS {key}__sq")
        elif kpi.kind != "quantile" or kpi.q != 0.5:
            raise ValueError(f"the scorecard cannot show {key!r} ({kpi.kind})")
    return exprs


def load_agent_sums(
    con: duckdb.DuckDBPyConnection, *, start: date, end: date, filters: Filters = Filters(),
    keys: tuple[str, ...] = SCORECARD_KPIS, settings: dict | None = None,
) -> pl.DataFrame:
    """Return one row per team and agent with contacts in the period: counts, sums and sums of squares per KPI.

    A median KPI comes as the histogram of its values: ``<key>__values`` (distinct values, ascending)
    and ``<key>__counts`` (how many times each occurs), which gives every order statistic exactly
    while moving far fewer rows than the values themselves (first response times are whole seconds).
    """
    catalogue = load_catalogue()
    params: dict = {"start": start, "end": end}
    exprs = _sums_sql(catalogue, keys, params, settings or {})
    where = " AND ".join(["agent_id IS NOT NULL", "created_at >= $start", "created_at < $end::DATE + 1",
                          *_filter_sql(filters, params)])
    # allow-listed columns, validated catalogue expressions and bound parameters
    ctes = [f"sums AS (SELECT team, agent_id, {', '.join(exprs)} FROM tickets WHERE {where} "  # noqa: S608
            "GROUP BY team, agent_id)"]
    columns, joins = ["sums.*"], []
    for i, key in enumerate(k for k in keys if catalogue[k].kind == "quantile"):
        kpi = catalogue[key]
        ctes.append(f"""h{i} AS (
  SELECT team, agent_id, list(v ORDER BY v) AS {key}__values, list(c ORDER BY v) AS {key}__counts FROM (
    SELECT team, agent_id, ({kpi.expr})::DOUBLE AS v, count(*) AS c FROM tickets
    WHERE {where} AND ({kpi.where}) GROUP BY ALL) GROUP BY ALL)""")  # noqa: S608
        columns += [f"h{i}.{key}__values", f"h{i}.{key}__counts"]
        joins.append(f"LEFT JOIN h{i} ON sums.team IS NOT DISTINCT FROM h{i}.team AND sums.agent_id = h{i}.agent_id")
    sql = (f"WITH {', '.join(ctes)} SELECT {', '.join(columns)} FROM sums {' '.join(joins)} "  # noqa: S608
           "ORDER BY sums.team, sums.agent_id")
    return run_sql(con, sql, params)


class _Histogram:
    """Sorted distinct values and their counts: order statistics without the values one by one."""

    def __init__(self, values, counts) -> None:
        self.values = np.asarray(values if values is not None else [], dtype=float)
        self.counts = np.asarray(counts if counts is not None else [], dtype=np.int64)
        self.cumulative = np.cumsum(self.counts)
        self.n = int(self.cumulative[-1]) if self.cumulative.size else 0

    @classmethod
    def merge(cls, parts: list[_Histogram]) -> _Histogram:
        values = np.concatenate([p.values for p in parts]) if parts else np.array([])
        counts = np.concatenate([p.counts for p in parts]) if parts else np.array([], dtype=np.int64)
        distinct, where = np.unique(values, return_inverse=True)
        return cls(distinct, np.bincount(where, weights=counts, minlength=distinct.size).astype(np.int64))

    def order_statistic(self, rank: int) -> float:
        """Return the ``rank``-th smallest value (1-based)."""
        return float(self.values[np.searchsorted(self.cumulative, rank)])

    def median(self) -> float | None:
        """Return the median, the mean of the two middle values for an even count (as ``quantile_cont``)."""
        if not self.n:
            return None
        return (self.order_statistic((self.n + 1) // 2) + self.order_statistic(self.n // 2 + 1)) / 2

    def above(self, x: float) -> int:
        return int(self.counts[self.values > x].sum())

    def below(self, x: float) -> int:
        return int(self.counts[self.values < x].sum())


def score_cells(sums: pl.DataFrame, *, keys: tuple[str, ...] = SCORECARD_KPIS, min_sample: int = MIN_SAMPLE) -> list[Cell]:
    """Return every agent's cells from ``load_agent_sums`` output, each tested against the rest of the agent's team."""
    cells: list[Cell] = []
    for (team,), part in sums.group_by("team", maintain_order=True):
        cells += _score_team(team, part, keys=keys, min_sample=min_sample)
    return cells


def _score_team(team: str | None, sums: pl.DataFrame, *, keys: tuple[str, ...], min_sample: int) -> list[Cell]:
    catalogue = load_catalogue()
    cells: list[Cell] = []
    for key in keys:
        kpi = catalogue[key]
        if kpi.kind == "quantile":
            per_agent = {agent: _Histogram(values, counts) for agent, values, counts
                         in sums.select("agent_id", f"{key}__values", f"{key}__counts").iter_rows()}
            everyone = _Histogram.merge(list(per_agent.values()))
            median = everyone.median()
            for agent, hist in per_agent.items():
                n = hist.n
                ranks = median_rank_interval(n) if n >= min_sample else None
                low, high = (hist.order_statistic(ranks[0]), hist.order_statistic(ranks[1])) if ranks else (None, None)
                p = None
                if n >= min_sample and median is not None and everyone.n - n >= min_sample:
                    p = sign_test_p(hist.above(median), hist.below(median))
                cells.append(Cell(team, agent, key, n, hist.median(), low, high, median, p))
            continue
        num, den = sums[f"{key}__num"].fill_null(0), sums[f"{key}__den"].fill_null(0)
        total_num, total_den = float(num.sum()), float(den.sum())
        total_sq = float(sums[f"{key}__sq"].fill_null(0).sum()) if kpi.kind == "mean" else 0.0
        for i, agent in enumerate(sums["agent_id"].to_list()):
            a_num, a_den = float(num[i]), float(den[i])
            r_num, r_den = total_num - a_num, total_den - a_den
            value = a_num / a_den if a_den else None
            rest = r_num / r_den if r_den else None
            interval, p = None, None
            enough = a_den >= min_sample and r_den >= min_sample
            if kpi.kind == "ratio":
                interval = wilson_interval(a_num, a_den) if a_den >= min_sample else None
                p = two_proportion_p(a_num, a_den, r_num, r_den) if enough else None
            else:
                a_sq = float(sums[f"{key}__sq"][i] or 0)
                interval = mean_interval(a_den, a_num, a_sq) if a_den >= min_sample else None
                if enough:
                    mine, others = mean_variance(a_den, a_num, a_sq), mean_variance(r_den, r_num, total_sq - a_sq)
                    p = welch_p(mine[0], mine[1], a_den, others[0], others[1], r_den)
            scale = kpi.scale
            cells.append(Cell(team, agent, key, int(a_den), None if value is None else value * scale,
                              None if interval is None else interval[0] * scale,
                              None if interval is None else interval[1] * scale,
                              None if rest is None else rest * scale, p))
    return cells


def _material(cell: Cell, kind: str) -> bool:
    """Return whether the agent's gap to the team is large enough to talk about (``MATERIAL``)."""
    gap = abs(cell.value - cell.team)
    if kind == "ratio":
        return gap >= MATERIAL["ratio"] * load_catalogue()[cell.kpi].scale
    return gap >= MATERIAL["relative"] * abs(cell.team) and gap > 0


def flag_cells(cells: list[Cell], *, fdr: float = FDR) -> pl.DataFrame:
    """Return the cells as a frame with ``flag``: ``coach``, ``recognise`` or null, by Benjamini-Hochberg."""
    catalogue = load_catalogue()
    found = benjamini_hochberg([c.p for c in cells], fdr=fdr)
    rows = []
    for cell, hit in zip(cells, found, strict=True):
        flag = None
        if hit and cell.value is not None and cell.team is not None and _material(cell, catalogue[cell.kpi].kind):
            better = (cell.value > cell.team) == (catalogue[cell.kpi].direction == "higher_is_better")
            flag = "recognise" if better else "coach"
        rows.append({**cell.__dict__, "flag": flag})
    schema = {"team_name": pl.String, "agent_id": pl.String, "kpi": pl.String, "n": pl.Int64, "value": pl.Float64, "low": pl.Float64,
              "high": pl.Float64, "team": pl.Float64, "p": pl.Float64, "flag": pl.String}
    return pl.DataFrame(rows, schema=schema)


def compute_scorecard(
    con: duckdb.DuckDBPyConnection, *, start: date, end: date, filters: Filters = Filters(),
    keys: tuple[str, ...] = SCORECARD_KPIS, min_sample: int = MIN_SAMPLE, settings: dict | None = None,
) -> pl.DataFrame:
    """Return the scorecard of every agent with contacts in the period under the filters (one row per agent and KPI).

    Columns: agent_id, kpi, n (the KPI's denominator for the agent), value, low, high (95%
    interval; null below ``min_sample``), team (the rest of the team; the whole selection for
    the median), p (two-sided p-value; null below ``min_sample``), flag.
    """
    sums = load_agent_sums(con, start=start, end=end, filters=filters, keys=keys, settings=settings)
    return flag_cells(score_cells(sums, keys=keys, min_sample=min_sample))


@dataclass(frozen=True)
class Scorecard:
    """What the Agents page shows: the cells, the export table and the handled contacts per agent."""

    cells: pl.DataFrame
    table: pl.DataFrame
    teams: pl.DataFrame  # the teams side by side (``compute_team_comparison``)


def compute_agents_view(
    con: duckdb.DuckDBPyConnection, *, start: date, end: date, filters: Filters = Filters(),
    min_sample: int = MIN_SAMPLE, settings: dict | None = None,
) -> Scorecard:
    """Return the scorecard of the selection and its one-row-per-agent table."""
    sums = load_agent_sums(con, start=start, end=end, filters=filters, settings=settings)
    cells = flag_cells(score_cells(sums, min_sample=min_sample))
    contacts = sums.select(pl.col("team").alias("team_name"), "agent_id", "contacts")
    return Scorecard(cells, scorecard_table(cells, names=load_agent_names(con), contacts=contacts),
                     _score_teams(team_sums(sums), min_sample=min_sample))  # teams from the same sums, no second query


__all__ = ["SCORECARD_KPIS", "Cell", "Scorecard", "compute_agents_view", "compute_ramp", "compute_scorecard", "compute_team_comparison", "load_agent_names",
           "scorecard_table", "team_sums", "flag_cells", "load_agent_sums", "score_cells"]


def compute_team_comparison(
    con: duckdb.DuckDBPyConnection, *, start: date, end: date, filters: Filters = Filters(),
    min_sample: int = MIN_SAMPLE, settings: dict | None = None,
) -> pl.DataFrame:
    """Return the teams side by side, one row per team: each KPI with its interval and flag against the other teams.

    The same rules as the agent scorecard; a team is compared with all the other teams of the
    selection together.
    """
    sums = load_agent_sums(con, start=start, end=end, filters=filters, settings=settings)
    return _score_teams(team_sums(sums), min_sample=min_sample)


def team_sums(sums: pl.DataFrame) -> pl.DataFrame:
    """Roll ``load_agent_sums`` rows up to whole teams: ``agent_id`` holds the team, ``team`` is "all teams".

    Sums add up; each team's histogram of a median KPI adds up its agents' counts per value.
    """
    list_cols = [c for c in sums.columns if c.endswith(("__values", "__counts"))]
    sum_cols = [c for c in sums.columns if c not in ("team", "agent_id", *list_cols)]
    teams = sums.group_by("team", maintain_order=True).agg(pl.col(c).sum() for c in sum_cols)
    for values in (c for c in list_cols if c.endswith("__values")):
        counts = values.removesuffix("__values") + "__counts"
        hist = (sums.select("team", values, counts).explode(values, counts).drop_nulls(values)
                .group_by("team", values).agg(pl.col(counts).sum()).sort("team", values)
                .group_by("team", maintain_order=True).agg(values, counts))
        teams = teams.join(hist, on="team", how="left", nulls_equal=True)
    return teams.select(pl.lit("all teams").alias("team"), pl.col("team").alias("agent_id"), *sum_cols, *list_cols)


def _score_teams(sums: pl.DataFrame, *, min_sample: int) -> pl.DataFrame:
    cells = flag_cells(score_cells(sums, min_sample=min_sample))
    contacts = sums.select(pl.col("team").alias("team_name"), "agent_id", "contacts")
    table = scorecard_table(cells, names={}, contacts=contacts)
    return table.drop("agent_id", "team").rename({"agent": "team"})


def load_agent_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Return agent_id -> display name from the ``agents`` table (agents missing there show their id)."""
    return dict(run_sql(con, "SELECT agent_id, name FROM agents", {}).iter_rows())


def scorecard_table(card: pl.DataFrame, *, names: dict[str, str], keys: tuple[str, ...] = SCORECARD_KPIS,
                    contacts: pl.DataFrame | None = None) -> pl.DataFrame:
    """Return the scorecard one row per agent and team, for export: per KPI its value, interval, n and flag."""
    base = card.select("team_name", "agent_id").unique(maintain_order=True)
    if contacts is not None:
        base = base.join(contacts, on=["team_name", "agent_id"], how="left")
    for key in keys:
        part = card.filter(kpi=key).select(
            "team_name", "agent_id", pl.col("value").alias(key), pl.col("low").alias(f"{key}_low"),
            pl.col("high").alias(f"{key}_high"), pl.col("n").alias(f"{key}_n"), pl.col("flag").alias(f"{key}_flag"))
        base = base.join(part, on=["team_name", "agent_id"], how="left")
    return base.with_columns(agent=pl.col("agent_id").replace_strict(names, default=pl.col("agent_id"))).select(
        "agent", "agent_id", pl.col("team_name").alias("team"), pl.exclude("agent", "agent_id", "team_name")
    ).sort("team", "agent")


RAMP_WEEKS = 16
EXPERIENCED_WEEKS = 26


def compute_ramp(
    con: duckdb.DuckDBPyConnection, *, end: date, filters: Filters = Filters(), months: int = 12,
    keys: tuple[str, ...] = ("aht_s", "fcr_rate", "qa_score"),
) -> pl.DataFrame:
    """Return new hires' KPIs by week of tenure, per hiring cohort, against the experienced agents' median.

    Cohorts are the months in which agents hired in the ``months`` before ``end`` started
    (``agents.hire_date``). For each cohort and tenure week (0 = the first seven days) each KPI is
    the cohort's sum(numerator) / sum(denominator). The experienced median is the median over
    agents with at least ``EXPERIENCED_WEEKS`` weeks of tenure of their own KPI, over the same
    calendar days as the cohort's first ``RAMP_WEEKS`` weeks, so both face the same workload.

    Returns:
        cohort (month), kpi, week, value, n (the KPI's denominator), experienced (median), hires, first_day
        (the cohort's first hire day: its window starts there).
    """
    catalogue = load_catalogue()
    params: dict = {"first_hire": _month_back(end, months), "end": end, "weeks": RAMP_WEEKS,
                    "experienced": EXPERIENCED_WEEKS * 7}
    sums = []
    for key in keys:
        kpi = catalogue[key]
        num = _bind_settings(catalogue.measures[kpi.numerator].sql, params, {})
        den = _bind_settings(catalogue.measures[kpi.denominator].sql, params, {})
        sums += [f"sum({num})::DOUBLE AS {key}__num", f"sum({den})::DOUBLE AS {key}__den"]
    where = " AND ".join(["created_at < $end::DATE + 1", *_filter_sql(filters, params)])
    sql = f"""
WITH cohorts AS (
  SELECT CAST(date_trunc('month', hire_date) AS DATE) AS cohort, min(hire_date) AS first_day
  FROM agents WHERE hire_date >= $first_hire AND hire_date <= $end GROUP BY 1
),
scored AS (
  SELECT c.cohort, a.agent_id, (CAST(t.created_at AS DATE) - a.hire_date) // 7 AS week,
         a.hire_date >= c.cohort AND a.hire_date < c.cohort + INTERVAL 1 MONTH AS is_new,
         CAST(t.created_at AS DATE) - a.hire_date >= $experienced AS is_experienced, t.*
  FROM (SELECT * FROM tickets WHERE {where}) t JOIN agents a USING (agent_id) JOIN cohorts c
    ON t.created_at >= c.first_day AND t.created_at < c.first_day + $weeks * INTERVAL 7 DAY
)
SELECT cohort, agent_id, is_new, week, {', '.join(sums)} FROM scored
WHERE is_new OR is_experienced GROUP BY ALL
"""  # noqa: S608 - allow-listed columns, catalogue measures and bound parameters
    frame = run_sql(con, sql, params)
    hires = run_sql(con, """SELECT CAST(date_trunc('month', hire_date) AS DATE) AS cohort, count(*) AS hires,
                                   min(hire_date) AS first_day FROM agents WHERE hire_date >= $first_hire AND hire_date <= $end GROUP BY 1""",
                    {"first_hire": params["first_hire"], "end": end})
    out = []
    for key in keys:
        new = (frame.filter("is_new").group_by("cohort", "week")
               .agg(pl.col(f"{key}__num").sum().alias("num"), pl.col(f"{key}__den").sum().alias("n")))
        experienced = (frame.filter(~pl.col("is_new")).group_by("cohort", "agent_id")
                       .agg(pl.col(f"{key}__num").sum().alias("num"), pl.col(f"{key}__den").sum().alias("den"))
                       .filter(pl.col("den") > 0).group_by("cohort")
                       .agg((pl.col("num") / pl.col("den")).median().alias("experienced")))
        out.append(new.join(experienced, on="cohort", how="left").select(
            "cohort", pl.lit(key).alias("kpi"), pl.col("week").cast(pl.Int64),
            pl.when(pl.col("n") > 0).then(pl.col("num") / pl.col("n") * catalogue[key].scale).alias("value"),
            pl.col("n").cast(pl.Int64), (pl.col("experienced") * catalogue[key].scale).alias("experienced")))
    schema = {"cohort": pl.Date, "kpi": pl.String, "week": pl.Int64, "value": pl.Float64, "n": pl.Int64,
              "experienced": pl.Float64}
    result = pl.concat(out) if out else pl.DataFrame(schema=schema)
    return result.join(hires, on="cohort", how="left").filter(pl.col("week") >= 0).sort("cohort", "kpi", "week")


def _month_back(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(y, m + 1, 1)
