"""Erlang C against a published worked example and an exact computation in rational numbers."""

import math
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csm.staffing import (
    average_speed_of_answer,
    erlang_c,
    required_agents,
    required_fte,
    service_level,
    traffic_intensity,
    workload_fte,
)


def exact_erlang_c(traffic: Fraction, agents: int) -> Fraction:
    """The textbook formula, term by term, in exact rational arithmetic (no recursion, no floats)."""
    top = traffic**agents / math.factorial(agents) * Fraction(agents) / (agents - traffic)
    bottom = sum(traffic**k / math.factorial(k) for k in range(agents)) + top
    return top / bottom


def test_the_call_centre_helper_worked_example():
    # 100 calls in half an hour, 3 minutes each, 80% answered within 20 seconds, 30% shrinkage:
    # 10 Erlangs; 14 agents wait 17.41% of calls, answer 88.84% within 20 s, ASA 7.8 s,
    # occupancy 71.4%; 20 people to schedule.
    traffic = traffic_intensity(100, 180, 1800)
    assert traffic == 10
    assert round(erlang_c(traffic, 14), 4) == 0.1741
    assert round(service_level(traffic, 14, aht_s=180, threshold_s=20), 4) == 0.8884
    assert round(average_speed_of_answer(traffic, 14, aht_s=180), 1) == 7.8
    need = required_agents(100, aht_s=180, interval_s=1800, target_sl=0.8, threshold_s=20)
    assert (need.agents, round(need.occupancy, 3)) == (14, 0.714)
    assert required_fte(need.agents, shrinkage=0.3) == 20


@pytest.mark.parametrize(("traffic", "agents"), [
    (Fraction(1, 2), 1), (Fraction(10), 11), (Fraction(10), 20), (Fraction(479, 10), 55), (Fraction(48), 55),
    (Fraction(300), 301), (Fraction(300), 320), (Fraction(500), 520), (Fraction(800), 850),
])
def test_probability_of_waiting_equals_the_exact_formula(traffic, agents):
    assert erlang_c(float(traffic), agents) == pytest.approx(float(exact_erlang_c(traffic, agents)), rel=1e-9)


def test_service_level_and_asa_follow_from_the_exact_probability():
    exact = float(exact_erlang_c(Fraction(48), 55))  # 360 calls of 4 minutes per half hour, 55 agents
    assert service_level(48.0, 55, aht_s=240, threshold_s=15) == pytest.approx(1 - exact * math.exp(-7 * 15 / 240))
    assert average_speed_of_answer(48.0, 55, aht_s=240) == pytest.approx(exact * 240 / 7)


def test_large_traffic_stays_finite_and_meets_its_target():
    # 5,000 calls of 5 minutes in an hour: about 417 Erlangs, where A^N / N! overflows a float.
    need = required_agents(5000, aht_s=300, interval_s=3600, target_sl=0.8, threshold_s=20)
    assert need.traffic == pytest.approx(416.667, rel=1e-5)
    assert need.service_level >= 0.8 > service_level(need.traffic, need.agents - 1, aht_s=300, threshold_s=20)
    assert 417 < need.agents < 440 and need.occupancy > 0.95  # large groups run hot at the same service level


def test_agents_equal_to_traffic_never_catch_up():
    assert erlang_c(10.0, 10) == 1.0 and erlang_c(10.0, 9) == 1.0
    assert service_level(10.0, 10, aht_s=180, threshold_s=20) == 0.0
    assert average_speed_of_answer(10.0, 10, aht_s=180) == math.inf
    assert erlang_c(9.999, 10) > 0.999  # and the formula approaches that edge continuously


def test_no_traffic_needs_no_agents():
    assert erlang_c(0.0, 0) == 0.0
    assert required_agents(0, aht_s=180, interval_s=1800, target_sl=0.8, threshold_s=20).agents == 0


def test_an_asa_target_and_an_occupancy_cap_add_agents():
    base = required_agents(100, aht_s=180, interval_s=1800, target_sl=0.8, threshold_s=20)
    by_asa = required_agents(100, aht_s=180, interval_s=1800, target_asa_s=2)
    assert average_speed_of_answer(10.0, by_asa.agents, aht_s=180) <= 2 < average_speed_of_answer(
        10.0, by_asa.agents - 1, aht_s=180)
    capped = required_agents(100, aht_s=180, interval_s=1800, target_sl=0.8, threshold_s=20, max_occupancy=0.6)
    assert (base.agents, capped.agents) == (14, 17)  # 10 / 17 = 58.8% <= 60% < 10 / 16


@given(st.floats(0.1, 400), st.integers(1, 40))
def test_service_level_never_falls_when_an_agent_is_added(traffic, extra):
    agents = math.floor(traffic) + extra
    assert service_level(traffic, agents + 1, aht_s=300, threshold_s=20) >= service_level(
        traffic, agents, aht_s=300, threshold_s=20) - 1e-12


def test_workload_and_shrinkage():
    assert workload_fte(600, aht_s=360, productive_hours=30) == 2.0
    assert required_fte(13, shrinkage=0) == 13
    with pytest.raises(ValueError, match="shrinkage"):
        required_fte(13, shrinkage=1)
    with pytest.raises(ValueError, match="threshold"):
        required_agents(100, aht_s=180, interval_s=1800, target_sl=0.8)


def test_interval_requirements_staff_each_slot_for_its_own_volume():

    from csm.staffing import compute_interval_requirements

    volume = pl.DataFrame({"day": ["Mon", "Mon"], "slot": [540, 570], "channel": ["phone", "chat"],
                           "contacts": [100.0, 0.0]})
    got = compute_interval_requirements(volume, aht_s={"phone": 180, "chat": 600}, interval_s=1800, target_sl=0.8,
                                        threshold_s=20, max_occupancy=1.0)
    assert got.select("traffic", "agents").rows() == [(10.0, 14), (0.0, 0)]
    assert got["service_level"][0] == pytest.approx(0.8884, abs=1e-4)


def test_the_staffing_plan_of_the_demo_week(demo_con):
    from datetime import date

    from csm.compile import Filters
    from csm.workforce import compute_staffing_view

    plan = compute_staffing_view(demo_con, last_day=date(2026, 10, 31), filters=Filters(), weeks_ahead=2,
                                 slot_minutes=60, target_sl=0.8, threshold_s=20, max_occupancy=0.85, shrinkage=0.3,
                                 productive_hours=37.5)
    assert plan.week_start == date(2026, 11, 8) and plan.problem is None
    assert dict(plan.channels.select("channel", "method").iter_rows()) == {
        "chat": "Erlang C per interval", "email": "workload (volume x handle time)", "phone": "Erlang C per interval",
        "social": "workload (volume x handle time)", "web_form": "workload (volume x handle time)"}
    # every weekday, hourly slots; a night hour without a queue contact in four weeks has no row
    assert set(plan.intervals["weekday"]) == set(range(1, 8)) and set(plan.intervals["slot"]) <= set(range(0, 1440, 60))
    assert 7 * 20 < plan.intervals.height <= 7 * 24 and (plan.intervals["agents"] >= 1).all()
    email = plan.channels.filter(channel="email").row(0, named=True)
    assert email["fte"] == pytest.approx(email["contacts"] * email["aht_s"] / 3600 / 37.5 / 0.7)
    less = compute_staffing_view(demo_con, last_day=date(2026, 10, 31), filters=Filters(), weeks_ahead=2,
                                 slot_minutes=60, target_sl=0.6, threshold_s=20, max_occupancy=0.85, shrinkage=0.3,
                                 productive_hours=37.5)
    assert less.intervals["agents"].sum() < plan.intervals["agents"].sum()  # a lower target needs fewer agents
    # the gap is measured against the headcount on the books, spread like the team's working pattern
    books = demo_con.execute("SELECT sum(actual_fte) FROM headcount WHERE month = DATE '2026-10-01'").fetchone()[0]
    assert (plan.books_fte, plan.books_month) == (pytest.approx(books), date(2026, 10, 1))
    backlog_fte = plan.channels.filter(pl.col("method").str.starts_with("workload"))["fte"].sum()
    assert plan.queue_fte == pytest.approx(books - backlog_fte)
    # the agents on hand add up to the queue FTE's available hours: FTE x 37.5 h x (1 - 30%) in hourly slots
    assert plan.intervals["on_hand"].sum() == pytest.approx(plan.queue_fte * 37.5 * 0.7, rel=1e-6)
    assert (plan.intervals["gap"] == plan.intervals["agents"] - plan.intervals["on_hand"]).all()
    assert plan.profile == (date(2026, 10, 4), date(2026, 10, 31))


def test_headcount_on_the_books_by_team_and_latest_month(make_db):
    from datetime import date

    from csm.workforce import load_books_fte

    con = make_db(
        headcount=[
            {"month": date(2026, 9, 1), "team": "A", "planned_fte": 5, "actual_fte": 4.0},
            {"month": date(2026, 10, 1), "team": "A", "planned_fte": 5, "actual_fte": 4.5},
            {"month": date(2026, 10, 1), "team": "B", "planned_fte": 3, "actual_fte": 2.5},
            {"month": date(2026, 11, 1), "team": "A", "planned_fte": 6, "actual_fte": None},  # planned, not booked yet
            {"month": date(2026, 12, 1), "team": "A", "planned_fte": 6, "actual_fte": 6.0},  # after the data's last day
        ]
    )
    assert load_books_fte(con, last_day=date(2026, 11, 20)) == (7.0, date(2026, 10, 1))
    assert load_books_fte(con, last_day=date(2026, 11, 20), teams=("B",)) == (2.5, date(2026, 10, 1))
    assert load_books_fte(con, last_day=date(2026, 9, 30), teams=("A",)) == (4.0, date(2026, 9, 1))
    assert load_books_fte(con, last_day=date(2026, 8, 31)) is None
    assert load_books_fte(con, last_day=date(2026, 11, 20), teams=("C",)) is None


def test_spreading_headcount_over_the_intervals():
    from csm.workforce import spread_headcount

    seen = pl.DataFrame({"weekday": [1, 1, 2], "slot": [540, 570, 540], "seen": [2.0, 1.0, 0.0]})
    # 3 FTE x 40 h x (1 - 25%) = 90 agent-hours; half-hour slots: 180 agent-slots, split 2:1:0
    got = spread_headcount(seen, queue_fte=3, productive_hours=40, shrinkage=0.25, slot_minutes=30)
    assert got["on_hand"].to_list() == [120.0, 60.0, 0.0]
    # more non-queue work than people: no one is left for the queues, never a negative count
    assert spread_headcount(seen, queue_fte=-1, productive_hours=40, shrinkage=0.25, slot_minutes=30)[
        "on_hand"
    ].to_list() == [0.0, 0.0, 0.0]
    # nobody seen working at all: nothing can be spread
    assert spread_headcount(
        seen.with_columns(seen=pl.lit(0.0)), queue_fte=3, productive_hours=40, shrinkage=0.25, slot_minutes=30
    )["on_hand"].to_list() == [0.0, 0.0, 0.0]
