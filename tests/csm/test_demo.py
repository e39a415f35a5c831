"""The demo data behaves like a contact center and carries the planted stories."""

from datetime import date

import polars as pl
import pytest

from csm.compile import Filters, Window
from csm.demo import STORIES, generate_demo
from csm.metrics import compute_kpis
from csm.schema import CHANNELS, PRIORITIES, TICKETS
from tests.conftest import DEMO_END


def month_window(year: int, month: int) -> tuple[Window, ...]:
    end = (date(year + month // 12, month % 12 + 1, 1) - date.resolution)
    return (Window("current", date(year, month, 1), end),)


def test_size_and_shape(demo_data):
    t = demo_data.tickets
    assert t.height >= 250_000
    assert t.columns == list(TICKETS.column_names)
    assert t["team"].n_unique() >= 6
    assert demo_data.agents.height >= 60
    assert t["channel"].n_unique() == 5 and set(t["channel"].unique()) <= set(CHANNELS)
    assert t["category"].n_unique() >= 15
    assert set(t["priority"].unique()) == set(PRIORITIES)


def test_covers_24_months_ending_on_the_end_date(demo_data):
    created = demo_data.tickets["created_at"]
    assert created.min().date() == date(2024, 11, 1)
    assert created.max().date() == DEMO_END
    assert demo_data.tickets["ticket_id"].is_unique().all()


def test_same_seed_gives_the_same_data(demo_data):
    again = generate_demo(end=DEMO_END, seed=7, months=24)
    assert again.tickets.equals(demo_data.tickets)
    assert again.budget.equals(demo_data.budget)


def test_another_seed_gives_other_data(demo_data):
    other = generate_demo(end=DEMO_END, seed=8)
    assert not other.tickets.head(1000).equals(demo_data.tickets.head(1000))


def test_no_timestamp_after_the_end_or_before_creation(demo_data):
    t = demo_data.tickets
    limit = pl.datetime(2026, 11, 1)
    assert t.filter((pl.col("resolved_at") >= limit) | (pl.col("first_response_at") >= limit)).height == 0
    assert t.filter(pl.col("resolved_at") < pl.col("created_at")).height == 0


def test_weekly_seasonality_mondays_busier_than_sundays(demo_data):
    by_day = demo_data.tickets.group_by(pl.col("created_at").dt.weekday().alias("wd")).len()
    counts = dict(by_day.iter_rows())
    assert counts[1] > 2 * counts[7]


def test_long_waits_lower_csat(demo_data):
    queue = demo_data.tickets.filter(pl.col("is_answered") & pl.col("csat_score").is_not_null())
    short = queue.filter(pl.col("wait_time_s") <= 20)["csat_score"].mean()
    long = queue.filter(pl.col("wait_time_s") > 120)["csat_score"].mean()
    assert short - long > 0.3


def test_escalations_lengthen_resolution(demo_data):
    t = demo_data.tickets.filter(pl.col("resolved_at").is_not_null()).with_columns(
        h=(pl.col("resolved_at") - pl.col("created_at")).dt.total_seconds() / 3600)
    assert t.filter(pl.col("is_escalated"))["h"].median() > 2 * t.filter(~pl.col("is_escalated"))["h"].median()


def test_attrition_month_hurts_service_level(demo_con):
    story = STORIES["attrition"]
    # month index 13 of a series starting Nov 2024 is Dec 2025
    teams = Filters(team=story["teams"])
    before = compute_kpis(demo_con, windows=month_window(2025, 10), filters=teams, keys=("service_level",))
    during = compute_kpis(demo_con, windows=month_window(2025, 12), filters=teams, keys=("service_level",))
    assert during["service_level"][0] < before["service_level"][0] - 0.15


def test_release_spike_in_app_crash_contacts(demo_con):
    crash = Filters(category=(STORIES["release_spike"]["category"],))
    june = compute_kpis(demo_con, windows=month_window(2026, 6), filters=crash, keys=("contacts", "csat"))
    july = compute_kpis(demo_con, windows=month_window(2026, 7), filters=crash, keys=("contacts", "csat"))
    assert july["contacts"][0] > 1.8 * june["contacts"][0]
    assert july["csat"][0] < june["csat"][0] - 0.1


def test_planted_outlier_agents_differ(demo_data):
    per_agent = demo_data.tickets.filter(pl.col("agent_id").is_not_null()).group_by("agent_id").agg(
        aht=pl.col("handle_time_s").mean(), n=pl.len())
    aht = dict(per_agent.select("agent_id", "aht").iter_rows())
    median = per_agent["aht"].median()
    assert aht["A004"] > 1.3 * median and aht["A027"] > 1.3 * median  # seats 3 and 26: low performers
    assert aht["A015"] < 0.8 * median and aht["A048"] < 0.8 * median  # seats 14 and 47: stars


def test_new_hires_ramp_up(demo_data):
    hires = demo_data.agents.filter(pl.col("hire_date") == date(2026, 2, 1))["agent_id"].to_list()
    assert len(hires) == sum(STORIES["new_hires"]["hires"])
    t = demo_data.tickets.filter(pl.col("agent_id").is_in(hires))
    first = t.filter(pl.col("created_at") < pl.datetime(2026, 3, 1))["handle_time_s"].mean()
    later = t.filter(pl.col("created_at") >= pl.datetime(2026, 6, 1))["handle_time_s"].mean()
    assert first > 1.2 * later


def test_budget_and_headcount_match_the_staff(demo_data):
    hc = demo_data.headcount.filter(pl.col("month") == date(2026, 1, 1))
    leavers = demo_data.headcount["leavers"].sum()
    assert leavers == demo_data.agents.filter(~pl.col("is_active")).height
    assert hc.filter(pl.col("team") == "Billing")["actual_fte"][0] < hc.filter(pl.col("team") == "Billing")["planned_fte"][0]
    budget = demo_data.budget.filter(pl.col("category") == "headcount")
    assert (budget["actual"] > 0).all() and set(demo_data.budget["category"].unique()) == {
        "headcount", "tools", "training", "overtime", "other"}


@pytest.mark.parametrize("key", ["csat", "service_level", "fcr_rate", "aht_s", "cost_per_contact"])
def test_kpis_are_plausible_for_a_contact_center(demo_con, key):
    value = compute_kpis(demo_con, windows=month_window(2026, 10), keys=(key,))[key][0]
    plausible = {"csat": (0.6, 0.95), "service_level": (0.6, 0.95), "fcr_rate": (0.5, 0.85),
                 "aht_s": (240, 900), "cost_per_contact": (5, 60)}[key]
    assert plausible[0] <= value <= plausible[1]
