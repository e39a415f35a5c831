"""Budget and headcount on hand-built tables: variance, run rate and projection, attrition, unit costs."""

from datetime import date, datetime

import pytest

from csm.budget import (
    attrition_rate,
    budget_by_month,
    compute_budget_view,
    compute_short_weeks,
    compute_unit_costs,
    describe_over_plan,
    load_budget,
    load_headcount,
    months_between,
    summarise_headcount,
    summarise_year,
)
from csm.compile import Filters


def month(m: int) -> date:
    return date(2026, m, 1)


def spend(m, team, category, planned, actual):
    return {"month": month(m), "team": team, "category": category, "planned": planned, "actual": actual}


# tools (team A): planned 100 every month; booked Jan-Apr 90, 110, 120, 130 (May's 999 is after the period).
# training (team A): planned 50 Jan-Jun only; booked 20 in Jan, nothing in Feb, 60 in Mar, 10 in Apr.
# overtime (team B): no plan at all; 40 booked in Mar. other (shared): a plan of 0 and 10 booked in Jan.
BUDGET = (
    [spend(m, "A", "tools", 100.0, {1: 90.0, 2: 110.0, 3: 120.0, 4: 130.0, 5: 999.0}.get(m)) for m in range(1, 13)]
    + [spend(m, "A", "training", 50.0, {1: 20.0, 3: 60.0, 4: 10.0}.get(m)) for m in range(1, 7)]
    + [spend(3, "B", "overtime", None, 40.0), spend(1, None, "other", 0.0, 10.0)]
)
AS_OF = date(2026, 4, 30)


@pytest.fixture
def con(make_db):
    return make_db(budget=BUDGET)


def row(frame, **where):
    return frame.filter(**where).row(0, named=True)


def test_variance_by_month_with_no_plan_no_spend_and_a_zero_plan(con):
    by_month = budget_by_month(load_budget(con, first=month(1), last=date(2026, 4, 30)))
    assert row(by_month, month=month(1), category="tools") | {} == {
        "month": month(1), "category": "tools", "planned": 100.0, "actual": 90.0, "variance": -10.0,
        "variance_pct": -0.1}
    feb = row(by_month, month=month(2), category="training")
    assert (feb["planned"], feb["actual"], feb["variance"], feb["variance_pct"]) == (50.0, None, None, None)
    march = row(by_month, month=month(3), category="overtime")
    assert (march["planned"], march["actual"], march["variance"]) == (None, 40.0, None)  # no plan is not a plan of 0
    other = row(by_month, month=month(1), category="other")
    assert (other["variance"], other["variance_pct"]) == (10.0, None)  # a plan of 0: no percentage


def test_team_rows_and_shared_costs(con):
    everyone = load_budget(con, first=month(1), last=date(2026, 12, 31))
    only_a = load_budget(con, first=month(1), last=date(2026, 12, 31), teams=("A",))
    assert everyone.height == len(BUDGET) and set(only_a["team"]) == {"A"}  # shared costs only without a team filter
    assert load_budget(con, first=month(3), last=date(2026, 3, 31))["month"].unique().to_list() == [month(3)]


def test_year_to_date_run_rate_and_projection_by_hand(con):
    summary = summarise_year(load_budget(con, first=month(1), last=date(2026, 12, 31)), year=2026, as_of=AS_OF)
    assert summary.booked == (month(1), month(2), month(3), month(4))  # May's booking is after the period
    tools = row(summary.table, category="tools")
    assert (tools["ytd_plan"], tools["ytd_actual"], tools["variance"], tools["variance_pct"]) == (400, 450, 50, .125)
    assert tools["run_rate"] == 120  # (110 + 120 + 130) / 3: the last three booked months
    assert (tools["projection"], tools["full_year_plan"], tools["projected_variance"]) == (1410, 1200, 210)
    assert tools["over_plan"]
    training = row(summary.table, category="training")
    assert (training["ytd_plan"], training["ytd_actual"], training["variance"]) == (200, 90, -110)
    assert training["run_rate"] == pytest.approx(70 / 3)  # nothing booked in Feb counts as no spend
    assert training["projection"] == pytest.approx(90 + 70 / 3 * 8) and training["full_year_plan"] == 300
    assert training["plan_months"] == 6 and not training["over_plan"]
    overtime = row(summary.table, category="overtime")
    assert (overtime["ytd_plan"], overtime["ytd_actual"], overtime["variance"], overtime["full_year_plan"]) == (
        None, 40, None, None)
    assert overtime["projection"] == pytest.approx(40 + 40 / 3 * 8) and not overtime["over_plan"]
    total = row(summary.table, category="Total")
    assert (total["ytd_plan"], total["ytd_actual"], total["variance"], total["full_year_plan"]) == (600, 590, -10, 1500)
    assert total["run_rate"] == pytest.approx((110 + 220 + 140) / 3)
    assert total["projection"] == pytest.approx(590 + 470 / 3 * 8)
    assert summary.table["category"].to_list()[-1] == "Total"


def test_over_plan_sentences_name_the_overrun_and_the_unplanned_spend(con):
    summary = summarise_year(load_budget(con, first=month(1), last=date(2026, 12, 31)), year=2026, as_of=AS_OF)
    lines = describe_over_plan(summary)
    assert lines[0] == ("**Tools** is €50 over plan year to date (+12%: €450 against €400). At the current run rate "
                        "(€120 a month) 2026 ends €210 over its full-year plan.")
    assert lines[1].startswith("**Other** is €10 over plan year to date (€10 against €0).")
    assert lines[2] == "**Overtime** has €40 booked this year with no plan."
    assert not any("Training" in line for line in lines)


def test_a_year_with_nothing_booked(make_db):
    con = make_db(budget=[spend(m, "A", "tools", 100.0, None) for m in range(1, 13)])
    summary = summarise_year(load_budget(con, first=month(1), last=date(2026, 12, 31)), year=2026, as_of=AS_OF)
    total = row(summary.table, category="Total")
    assert summary.booked == () and (total["ytd_actual"], total["run_rate"], total["projection"]) == (None, None, None)
    assert total["full_year_plan"] == 1200 and describe_over_plan(summary) == []


def test_attrition_is_annualised():
    assert attrition_rate(3, 60.0, 3) == pytest.approx(0.2)
    assert attrition_rate(1, 10.0, 12) == pytest.approx(0.1)
    assert attrition_rate(0, 10.0, 1) == 0.0
    assert attrition_rate(2, None, 3) is None and attrition_rate(2, 0.0, 3) is None and attrition_rate(2, 5.0, 0) is None


def contact(ticket, created, *, team="A", channel="phone", handle=300.0, resolved=None, answered=True, wait=None):
    return {"ticket_id": ticket, "created_at": created, "team": team, "channel": channel, "handle_time_s": handle,
            "resolved_at": resolved, "is_answered": answered, "wait_time_s": wait}


def test_headcount_attrition_and_contacts_per_fte_by_hand(make_db):
    heads = [{"month": month(1), "team": "A", "planned_fte": 10.0, "actual_fte": 9.0, "hires": 1, "leavers": 0},
             {"month": month(2), "team": "A", "planned_fte": 10.0, "actual_fte": 10.0, "hires": 0, "leavers": 1},
             {"month": month(3), "team": "A", "planned_fte": 10.0, "actual_fte": None, "hires": None, "leavers": None},
             {"month": month(1), "team": "B", "planned_fte": 5.0, "actual_fte": 5.0, "hires": 0, "leavers": 1},
             {"month": month(2), "team": "B", "planned_fte": 5.0, "actual_fte": 4.0, "hires": 0, "leavers": 0}]
    tickets = ([contact(f"a{i}", datetime(2026, 1, 5, 9 + i // 60, i % 60)) for i in range(90)]
               + [contact(f"b{i}", datetime(2026, 2, 5, 9 + i // 60, i % 60)) for i in range(100)]
               + [contact(f"c{i}", datetime(2026, 1, 6, 9, i), team="B") for i in range(50)])
    con = make_db(headcount=heads, tickets=tickets)
    rows = load_headcount(con, first=month(1), last=date(2026, 3, 31))
    assert row(rows, month=month(1), team="A")["contacts_per_fte"] == 10.0  # 90 contacts / 9 FTE
    assert row(rows, month=month(2), team="B")["contacts"] is None  # no contacts that month: no data, not 0
    summary = summarise_headcount(rows)
    a, b, every = (row(summary, team=t) for t in ("A", "B", "All teams"))
    assert (a["months"], a["planned_fte"], a["actual_fte"], a["hires"], a["leavers"]) == (2, 10.0, 9.5, 1, 1)
    assert a["attrition"] == pytest.approx(1 / 9.5 * 12 / 2) and a["contacts_per_fte"] == pytest.approx(190 / 19)
    assert b["attrition"] == pytest.approx(1 / 4.5 * 6) and b["contacts_per_fte"] == pytest.approx(50 / 9)
    assert (every["planned_fte"], every["actual_fte"], every["leavers"]) == (15.0, 14.0, 2)
    assert every["attrition"] == pytest.approx(2 / 14 * 6) and every["contacts_per_fte"] == pytest.approx(240 / 28)
    only_a = load_headcount(con, first=month(1), last=date(2026, 3, 31), filters=Filters(team=("A",)))
    assert set(only_a["team"]) == {"A"}


def test_cost_per_contact_per_resolved_and_by_channel_by_hand(make_db):
    budget = [spend(1, "A", "tools", 500.0, 600.0), spend(1, None, "other", 0.0, 200.0),
              spend(2, "A", "tools", 500.0, None)]
    tickets = [contact("p1", datetime(2026, 1, 5, 9), resolved=datetime(2026, 1, 5, 10)),
               contact("p2", datetime(2026, 1, 6, 9), resolved=datetime(2026, 2, 2, 10)),  # resolved in February
               contact("e1", datetime(2026, 1, 7, 9), channel="email", handle=600.0),
               contact("c1", datetime(2026, 1, 8, 9), channel="chat", handle=900.0, answered=False),  # abandoned
               contact("p3", datetime(2026, 2, 3, 9), resolved=datetime(2026, 2, 3, 9, 30))]
    con = make_db(budget=budget, tickets=tickets)
    monthly, channels = compute_unit_costs(con, months=[month(1), month(2)])
    jan, feb = monthly.rows(named=True)
    assert (jan["spend"], jan["contacts"], jan["resolved"]) == (800.0, 4, 2)
    assert (jan["cost_per_contact"], jan["cost_per_resolved"]) == (200.0, 400.0)  # 800 / 4 and 800 / 2
    assert (feb["spend"], feb["cost_per_contact"], feb["cost_per_resolved"]) == (None, None, None)  # not booked: n/a
    # January's 800 split by handled time: phone 600 s, email 600 s, the abandoned chat none.
    phone, email, chat = (row(channels, channel=c) for c in ("phone", "email", "chat"))
    assert (phone["spend"], email["spend"], chat["spend"]) == (400.0, 400.0, 0.0)
    assert (phone["cost_per_contact"], email["cost_per_contact"], chat["cost_per_contact"]) == (200.0, 400.0, 0.0)
    assert phone["contacts"] == 3 and phone["share"] == pytest.approx(900 / 1500)  # February's p3 adds 300 s
    team_a, _ = compute_unit_costs(con, months=[month(1)], filters=Filters(team=("A",)))
    assert team_a["spend"][0] == 600.0  # shared costs only without a team filter
    blind, blind_channels = compute_unit_costs(con, months=[month(1)], filters=Filters(channel=("phone",)))
    assert blind["cost_per_contact"][0] is None and blind_channels["spend"].is_null().all()
    with pytest.raises(ValueError, match="no months"):
        compute_unit_costs(con, months=[])


def test_a_week_is_short_when_its_service_level_missed_the_target(make_db):
    calls = ([contact(f"q{i}", datetime(2026, 1, 5, 9, i), wait=5.0) for i in range(4)]  # week of 5 Jan: all in 20 s
             + [contact(f"s{i}", datetime(2026, 1, 12, 9, i), wait=5.0 if i else 90.0) for i in range(4)])  # 75%
    con = make_db(tickets=calls)
    weeks = compute_short_weeks(con, first=month(1), last=date(2026, 1, 18), target=0.8)
    assert weeks.select("week", "service_level", "short").rows() == [
        (date(2026, 1, 5), 1.0, False), (date(2026, 1, 12), 0.75, True)]


def test_the_demo_view_finds_the_planted_overtime_and_winter_shortage(demo_con):
    from csm.metrics import load_targets

    view = compute_budget_view(demo_con, start=date(2025, 12, 1), end=date(2026, 2, 28),
                               targets=load_targets(demo_con, on=date(2026, 2, 28)))
    assert view.months == months_between(date(2025, 12, 1), date(2026, 2, 28)) and len(view.months) == 3
    overtime = view.by_month.filter(category="overtime")
    assert (overtime["actual"] > 5 * overtime["planned"]).all()  # winter overload: overtime far over plan
    assert view.weeks["short"].all()  # and every week of it missed the service level target
    assert "**Overtime**" in describe_over_plan(view.year)[0]
