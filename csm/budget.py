"""Budget and headcount: spend against plan, FTE against plan, attrition and the unit costs that join them.

Budget and headcount are kept per month (tables ``budget`` and ``headcount``), so a period shows
the whole months that overlap it. Team rows count for the selected teams; shared rows (no team)
only when no team is selected, as in the cost-per-contact KPI. Every rule below is also written
in ``docs/budget.md``:

- **variance** = actual - planned, only for a month with both a plan and booked spend;
  **variance %** = variance / planned, n/a when the plan is 0 or missing;
- **year to date**: the booked months of the year up to the period's end; its plan is the plan
  of those same months (like for like);
- **run rate**: the average booked spend per month over the last three booked months of the year;
- **full-year projection** = spend year to date + run rate x the months of the year not booked yet;
- **over plan**: spend year to date above its plan by more than ``OVER_PLAN_TOLERANCE``;
- **attrition (annualised)** = leavers / average actual FTE x 12 / months;
- **contacts per FTE** = contacts created in the month / actual FTE of the month;
- **cost per contact** = booked spend / contacts created; **per resolved contact** = booked
  spend / contacts resolved in the month (abandoned calls excluded);
- **by channel**: a month's spend is allocated to channels in proportion to the handle time
  they took (handled seconds of answered contacts): spend follows the agents' time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import polars as pl

from csm.compile import Filters, Window, _filter_sql
from csm.db import run_sql
from csm.metrics import SPEND_BLIND_DIMENSIONS, compute_kpis, compute_spend
from csm.periods import period_buckets

OVER_PLAN_TOLERANCE = 0.01  # 1% of the plan: smaller overruns are rounding, not a story
RUN_RATE_MONTHS = 3


def month_start(day: date) -> date:
    """Return the first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(month: date, k: int) -> date:
    """Return the first day of the month ``k`` months after ``month``'s.

    Examples:
        >>> add_months(date(2026, 11, 1), 2)
        datetime.date(2027, 1, 1)
    """
    y, m = divmod(month.year * 12 + month.month - 1 + k, 12)
    return date(y, m + 1, 1)


def months_between(start: date, end: date) -> list[date]:
    """Return the first days of the months that overlap [start, end]."""
    return [month for month, _, _ in period_buckets(start, end, "month")]


def _team_rows(params: dict, teams: tuple[str, ...]) -> str:
    params["teams"], params["all"] = list(teams), not teams
    return "($all OR list_contains($teams::VARCHAR[], team))"


def load_budget(con: duckdb.DuckDBPyConnection, *, first: date, last: date, teams: tuple[str, ...] = ()) -> pl.DataFrame:
    """Return the budget rows (month, team, category, planned, actual) of the months ``first``..``last``."""
    params: dict = {"first": month_start(first), "last": last}
    return run_sql(con, f"""
SELECT month, team, category, planned, actual FROM budget
WHERE month >= $first AND month <= $last AND {_team_rows(params, teams)} ORDER BY month, team, category
""", params)  # noqa: S608 - fixed SQL, bound parameters


def _sum_or_null(column: str) -> pl.Expr:
    """Sum that stays null when every value is null (no plan is not a plan of 0)."""
    return pl.when(pl.col(column).is_not_null().any()).then(pl.col(column).sum()).alias(column)


def _variance(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        variance=pl.col("actual") - pl.col("planned"),
    ).with_columns(
        variance_pct=pl.when(pl.col("planned") > 0).then(pl.col("variance") / pl.col("planned")),
    )


def budget_by_month(budget: pl.DataFrame) -> pl.DataFrame:
    """Return month, category, planned, actual, variance, variance_pct, summed over teams.

    A month and category with no plan row, or not booked yet, has a null plan or actual, and
    then a null variance.
    """
    grouped = budget.group_by("month", "category").agg(_sum_or_null("planned"), _sum_or_null("actual"))
    return _variance(grouped).sort("month", "category")


@dataclass(frozen=True)
class YearSummary:
    """The year of the period's end: year to date, run rate and projection, per category and in total."""

    year: int
    booked: tuple[date, ...]  # the booked months of the year up to the period's end
    table: pl.DataFrame  # category ("Total" last): ytd_plan, ytd_actual, variance, variance_pct, run_rate,
    #                     projection, full_year_plan, projected_variance, over_plan


def summarise_year(budget: pl.DataFrame, *, year: int, as_of: date) -> YearSummary:
    """Return year to date, run rate and full-year projection of ``budget`` rows (any months) for ``year``.

    Args:
        budget: ``load_budget`` rows covering at least the whole year.
        year: the year.
        as_of: the last day counted (the period's end); later months count as not booked.
    """
    rows = budget.filter(pl.col("month").dt.year() == year)
    monthly = rows.group_by("month", "category").agg(_sum_or_null("planned"), _sum_or_null("actual"))
    monthly = pl.concat([monthly, monthly.group_by("month").agg(
        pl.lit("Total").alias("category"), _sum_or_null("planned"), _sum_or_null("actual")).select(monthly.columns)])
    monthly = monthly.with_columns(
        pl.when(pl.col("month") <= as_of).then(pl.col("actual")).alias("actual"))  # after the period: not yet
    booked = sorted(monthly.filter(pl.col("actual").is_not_null(), category="Total")["month"].to_list())
    remaining = 12 - len(booked)
    recent = booked[-RUN_RATE_MONTHS:]
    out = []
    categories = sorted(c for c in monthly["category"].unique().to_list() if c != "Total") + ["Total"]
    for category in categories:
        part = monthly.filter(category=category)
        done = part.filter(pl.col("month").is_in(booked))
        ytd_plan = done["planned"].drop_nulls()
        ytd_actual = done["actual"].drop_nulls()
        rate = part.filter(pl.col("month").is_in(recent))["actual"].drop_nulls()
        run_rate = float(rate.sum()) / len(recent) if recent else None
        actual = float(ytd_actual.sum()) if booked else None
        plan_ytd = float(ytd_plan.sum()) if ytd_plan.len() else None
        full_plan = part["planned"].drop_nulls()
        projection = actual + run_rate * remaining if actual is not None and run_rate is not None else None
        full = float(full_plan.sum()) if full_plan.len() else None
        out.append({"category": category, "ytd_plan": plan_ytd, "ytd_actual": actual,
                    "run_rate": run_rate, "projection": projection, "full_year_plan": full,
                    "plan_months": full_plan.len()})
    schema = {"category": pl.String, "ytd_plan": pl.Float64, "ytd_actual": pl.Float64, "run_rate": pl.Float64,
              "projection": pl.Float64, "full_year_plan": pl.Float64, "plan_months": pl.Int64}
    table = (_variance(pl.DataFrame(out, schema=schema).rename({"ytd_plan": "planned", "ytd_actual": "actual"}))
             .rename({"planned": "ytd_plan", "actual": "ytd_actual"})
             .with_columns(projected_variance=pl.col("projection") - pl.col("full_year_plan"),
                           over_plan=(pl.col("ytd_actual") > pl.col("ytd_plan") * (1 + OVER_PLAN_TOLERANCE))
                           .fill_null(False)))
    return YearSummary(year, tuple(booked), table)


def attrition_rate(leavers: float, average_fte: float | None, months: int) -> float | None:
    """Return annualised attrition: leavers / average FTE x 12 / months; None without FTE or months.

    Examples:
        >>> round(attrition_rate(3, 60.0, 3), 6)  # 3 leavers in a quarter from 60 FTE: 20% a year
        0.2
    """
    if not average_fte or months <= 0:
        return None
    return leavers / average_fte * 12 / months


def load_headcount(
    con: duckdb.DuckDBPyConnection, *, first: date, last: date, filters: Filters = Filters()
) -> pl.DataFrame:
    """Return month, team, planned_fte, actual_fte, hires, leavers, contacts, contacts_per_fte of the months.

    ``contacts`` are those created in the month for the team under the shared filters (null for
    a month without data yet); contacts per FTE divides them by the month's actual FTE.
    """
    params: dict = {"first": month_start(first), "last": last}
    rows = run_sql(con, f"""
SELECT month, team, planned_fte, actual_fte, hires, leavers FROM headcount
WHERE month >= $first AND month <= $last AND {_team_rows(params, filters.team)} ORDER BY month, team
""", params)  # noqa: S608 - fixed SQL, bound parameters
    months = rows["month"].unique().to_list()
    if not months:
        return rows.with_columns(pl.lit(None, pl.Int64).alias("contacts"), pl.lit(None, pl.Float64).alias(
            "contacts_per_fte"))
    window = Window("months", min(months), add_months(max(months), 1) - timedelta(days=1))
    contacts = compute_kpis(con, windows=(window,), filters=filters, keys=("contacts",), group_by=("team",),
                            grain="month").select(pl.col("bucket").alias("month"), "team", "contacts")
    return (rows.join(contacts, on=["month", "team"], how="left")
            .with_columns(contacts_per_fte=pl.when(pl.col("actual_fte") > 0)
                          .then(pl.col("contacts") / pl.col("actual_fte"))))


def summarise_headcount(headcount: pl.DataFrame) -> pl.DataFrame:
    """Return the headcount per team and in total ("All teams" last), over the months with actual FTE.

    Average planned and actual FTE, hires, leavers, annualised attrition and contacts per FTE per month.
    """
    booked = headcount.filter(pl.col("actual_fte").is_not_null())

    def summary(part: pl.DataFrame, team: str) -> dict:
        months = part["month"].n_unique()
        monthly = part.group_by("month").agg(_sum_or_null("planned_fte"), _sum_or_null("actual_fte"),
                                             pl.col("contacts").sum())
        fte = monthly["actual_fte"].mean() if months else None
        plan = monthly["planned_fte"].drop_nulls()
        leavers = int(part["leavers"].fill_null(0).sum())
        contacts = monthly.filter(pl.col("actual_fte") > 0)
        return {"team": team, "months": months, "planned_fte": plan.mean() if plan.len() else None,
                "actual_fte": fte, "hires": int(part["hires"].fill_null(0).sum()), "leavers": leavers,
                "attrition": attrition_rate(leavers, fte, months),
                "contacts_per_fte": (float(contacts["contacts"].sum()) / float(contacts["actual_fte"].sum())
                                     if contacts.height and contacts["contacts"].sum() else None)}

    rows = [summary(booked.filter(team=t), t) for t in sorted(booked["team"].unique().to_list())]
    rows.append(summary(booked, "All teams"))
    schema = {"team": pl.String, "months": pl.Int64, "planned_fte": pl.Float64, "actual_fte": pl.Float64,
              "hires": pl.Int64, "leavers": pl.Int64, "attrition": pl.Float64, "contacts_per_fte": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def compute_unit_costs(
    con: duckdb.DuckDBPyConnection, *, months: list[date], filters: Filters = Filters()
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the cost per contact and per resolved contact by month, and the spend and cost per contact by channel.

    The monthly costs are the catalogue's ``cost_per_contact`` and ``cost_per_resolved`` with one
    window per month.

    Args:
        con: the database.
        months: the months shown.
        filters: the shared filters; spend is not recorded by channel, agent, topic or priority, so
            with one of those set every cost is null (n/a), as for the cost-per-contact KPI.

    Returns:
        (monthly: month, spend, contacts, resolved, cost_per_contact, cost_per_resolved;
         by_channel: channel, handled_hours, share, spend, contacts, cost_per_contact)
    """
    if not months:
        raise ValueError("no months to cost")
    windows = tuple(Window(f"{m:%Y-%m}", m, add_months(m, 1) - timedelta(days=1)) for m in months)
    kpis = compute_kpis(con, windows=windows, filters=filters,
                        keys=("contacts", "resolved", "cost_per_contact", "cost_per_resolved"))
    spend = dict(zip([w.label for w in windows], compute_spend(con, windows=windows, teams=filters.team), strict=True))
    monthly = (kpis.with_columns(month=pl.col("window").str.to_date("%Y-%m"),
                                 spend=pl.col("window").replace_strict(spend, return_dtype=pl.Float64))
               .select("month", "spend", "contacts", "resolved", "cost_per_contact", "cost_per_resolved").sort("month"))
    params: dict = {"first": months[0], "after": add_months(months[-1], 1)}
    where = " AND ".join(["true", *_filter_sql(Filters(team=filters.team), params)])
    blind = any(d in filters.active() for d in SPEND_BLIND_DIMENSIONS)
    by_channel = run_sql(con, f"""
SELECT channel, sum(CASE WHEN is_answered IS DISTINCT FROM FALSE THEN handle_time_s END) / 3600 AS handled_hours,
       count(*) AS contacts, CAST(date_trunc('month', created_at) AS DATE) AS month
FROM tickets WHERE created_at >= $first AND created_at < $after AND {where} GROUP BY ALL
""", params)  # noqa: S608 - allow-listed filter columns, bound parameters
    # Allocate each month's spend by that month's handled hours, then add the months up.
    booked = monthly.filter(pl.col("spend").is_not_null()).select("month", "spend")
    allocated = (by_channel.join(booked, on="month", how="inner")
                 .with_columns(share=pl.col("handled_hours").fill_null(0)
                               / pl.col("handled_hours").fill_null(0).sum().over("month"))
                 .with_columns(spend=pl.col("spend") * pl.col("share")))
    channels = (by_channel.group_by("channel").agg(pl.col("handled_hours").sum(), pl.col("contacts").sum())
                .join(allocated.group_by("channel").agg(pl.col("spend").sum(),
                                                       booked_contacts=pl.col("contacts").sum()),
                      on="channel", how="left"))
    total_hours = channels["handled_hours"].sum()
    channel_money = pl.lit(None, pl.Float64) if blind or booked.is_empty() else pl.col("spend")
    by_channel_out = channels.with_columns(
        share=pl.when(pl.lit(total_hours) > 0).then(pl.col("handled_hours") / total_hours),
        spend=channel_money,
        cost_per_contact=pl.when(pl.col("booked_contacts") > 0).then(channel_money / pl.col("booked_contacts")),
    ).select("channel", "handled_hours", "share", "spend", "contacts", "cost_per_contact").sort("spend",
                                                                                              descending=True,
                                                                                              nulls_last=True)
    return monthly, by_channel_out


def compute_short_weeks(
    con: duckdb.DuckDBPyConnection, *, first: date, last: date, filters: Filters = Filters(), target: float
) -> pl.DataFrame:
    """Return week, service_level, short (below ``target``) for the weeks of ``first``..``last``.

    The staffing model plans a coming week from a forecast; past weeks have no schedules to
    compare with, so a week counts as short-staffed when the queues felt it: its service level
    missed the target.
    """
    weeks = compute_kpis(con, windows=(Window("weeks", first, last),), filters=filters, keys=("service_level",),
                         grain="week")
    return weeks.select(pl.col("bucket").alias("week"), "service_level").with_columns(
        short=(pl.col("service_level") < target).fill_null(False)).sort("week")


@dataclass(frozen=True)
class BudgetView:
    """Everything the Budget page shows for a period and filters."""

    months: list[date]  # the whole months overlapping the period
    by_month: pl.DataFrame  # budget_by_month of those months
    year: YearSummary  # the year of the period's end
    weeks: pl.DataFrame  # compute_short_weeks over those months
    headcount: pl.DataFrame  # load_headcount of those months
    headcount_summary: pl.DataFrame  # summarise_headcount of them
    unit_costs: pl.DataFrame  # compute_unit_costs monthly
    by_channel: pl.DataFrame  # compute_unit_costs by channel
    sl_target: float  # the service level target the short weeks are judged by
    cost_target: float | None  # the cost-per-contact target


def describe_over_plan(summary: YearSummary) -> list[str]:
    """Return one sentence per category over plan year to date (largest overrun first), then unplanned spend, in Markdown."""
    over = summary.table.filter(pl.col("over_plan"), pl.col("category") != "Total").sort("variance", descending=True)
    lines = []
    for row in over.iter_rows(named=True):
        pct = f"{row['variance_pct']:+.0%}: " if row["variance_pct"] is not None else ""
        line = (f"**{row['category'].capitalize()}** is €{row['variance']:,.0f} over plan year to date "
                f"({pct}€{row['ytd_actual']:,.0f} against €{row['ytd_plan']:,.0f}).")
        if row["projected_variance"] is not None:
            verb = "over" if row["projected_variance"] > 0 else "under"
            line += (f" At the current run rate (€{row['run_rate']:,.0f} a month) {summary.year} ends "
                     f"€{abs(row['projected_variance']):,.0f} {verb} its full-year plan.")
        lines.append(line)
    unplanned = summary.table.filter(pl.col("ytd_plan").is_null(), pl.col("ytd_actual") > 0,
                                     pl.col("category") != "Total")
    lines += [f"**{r['category'].capitalize()}** has €{r['ytd_actual']:,.0f} booked this year with no plan."
              for r in unplanned.iter_rows(named=True)]
    return lines


def compute_budget_view(
    con: duckdb.DuckDBPyConnection, *, start: date, end: date, filters: Filters = Filters(),
    targets: dict[str, float | None],
) -> BudgetView:
    """Return the Budget page's figures for the whole months overlapping ``start``..``end``.

    Spend against plan, the year's projection, overtime and short weeks, headcount and unit costs.
    """
    months = months_between(start, end)
    last_day = add_months(months[-1], 1) - timedelta(days=1)
    budget = load_budget(con, first=months[0], last=last_day, teams=filters.team)
    year_rows = load_budget(con, first=date(end.year, 1, 1), last=date(end.year, 12, 31), teams=filters.team)
    headcount = load_headcount(con, first=months[0], last=last_day, filters=filters)
    monthly, by_channel = compute_unit_costs(con, months=months, filters=filters)
    target_sl = targets["service_level"]
    return BudgetView(
        months=months,
        by_month=budget_by_month(budget),
        year=summarise_year(year_rows, year=end.year, as_of=end),
        weeks=compute_short_weeks(con, first=months[0], last=min(last_day, end), filters=filters, target=target_sl),
        headcount=headcount,
        headcount_summary=summarise_headcount(headcount),
        unit_costs=monthly,
        by_channel=by_channel,
        sl_target=target_sl,
        cost_target=targets.get("cost_per_contact"),
    )


__all__ = [
    "BudgetView",
    "compute_budget_view",
    "describe_over_plan",
    "OVER_PLAN_TOLERANCE",
    "RUN_RATE_MONTHS",
    "YearSummary",
    "add_months",
    "attrition_rate",
    "budget_by_month",
    "compute_short_weeks",
    "compute_unit_costs",
    "load_budget",
    "load_headcount",
    "month_start",
    "months_between",
    "summarise_headcount",
    "summarise_year",
]
