"""Drill-through on the Agents and Customer topics pages: each row, bar and point lists what it counted."""

from datetime import date, datetime

import polars as pl
import pytest

from csm.agents import EXPERIENCED_WEEKS, RAMP_WEEKS, compute_agents_view, compute_ramp
from csm.compile import Filters
from csm.drill import (
    drill_agent_trend,
    drill_handle_time,
    drill_mix_row,
    drill_ramp,
    drill_row,
    drill_topic_cell,
    drill_topic_month,
    load_drill,
)
from csm.formatting import format_agent_scorecard, format_topic_grid, format_topic_ranking
from csm.one_on_one import compute_agent_detail
from csm.topics import compute_topics_view

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def ids(con, drill, **kw):
    rows, total = load_drill(con, drill, **kw)
    assert rows.height == total
    return sorted(rows["ticket_id"].to_list())


def contact(ticket, agent, day, *, team="T", handle=None, answered=True, hour=10):
    return {"ticket_id": ticket, "created_at": datetime(2026, 10, day, hour), "channel": "chat", "team": team,
            "agent_id": agent, "is_answered": answered, "handle_time_s": handle}


@pytest.fixture
def ramp_con(make_db):
    people = [{"agent_id": "new", "name": "New", "hire_date": date(2026, 10, 1), "is_active": True},
              {"agent_id": "x", "name": "X", "hire_date": date(2020, 1, 1), "is_active": True},
              {"agent_id": "z", "name": "Z", "hire_date": date(2026, 8, 1), "is_active": True}]
    rows = [contact("n0", "new", 2, handle=600), contact("n0b", "new", 7, handle=500),  # days 1 and 6: week 0
            contact("n1", "new", 8, handle=400),  # day 7: week 1
            contact("n-", "new", 9),  # no handle time: not counted in AHT
            contact("x1", "x", 3, handle=300), contact("x2", "x", 30, handle=100),
            contact("z1", "z", 5, handle=900)]  # 9 weeks in: neither new in October nor experienced
    return make_db(tickets=rows, agents=people)


def test_ramp_points_list_the_cohorts_contacts_of_that_tenure_week(ramp_con):
    ramp = compute_ramp(ramp_con, end=date(2026, 10, 31), keys=("aht_s",))

    def point(week, series, cohort=date(2026, 10, 1)):
        first_day = ramp.filter(cohort=cohort)["first_day"][0]
        return drill_ramp({"x": week, "customdata": [str(cohort), str(first_day), series]}, kpi_key="aht_s",
                          kpi_label="Average handle time", weeks=RAMP_WEEKS, experienced=EXPERIENCED_WEEKS)

    assert ids(ramp_con, point(0, "cohort")) == ["n0", "n0b"]
    assert ids(ramp_con, point(1, "cohort")) == ["n1"]  # n- has no handle time, so AHT does not count it
    assert ids(ramp_con, point(3, "experienced")) == ["x1", "x2"]
    assert ids(ramp_con, point(9, "cohort", date(2026, 8, 1))) == ["z1"]
    assert point(1, "cohort").title == "Hires of Oct 2026 in week 1 of their tenure, counted in average handle time"
    for row in ramp.iter_rows(named=True):  # every point's count is the chart's n
        assert load_drill(ramp_con, point(row["week"], "cohort", row["cohort"]))[1] == row["n"]
    assert drill_ramp({"x": 0, "customdata": ["2026-10-01", "2026-10-01", "target"]}, kpi_key="aht_s",
                      kpi_label="x", weeks=16, experienced=26) is None


def test_handle_time_bars_by_hand(make_db):
    rows = [contact("a", "A", 1, handle=59), contact("b", "A", 1, handle=60), contact("c", "A", 2, handle=1799),
            contact("d", "A", 2, handle=1800), contact("e", "A", 3, handle=4000),
            contact("f", "A", 3, handle=90, answered=False),  # abandoned: not handled
            contact("g", "B", 3, handle=70)]
    con = make_db(tickets=rows)
    start, end = OCTOBER

    def bar(label):
        return drill_handle_time({"x": label}, agent_id="A", name="Ann", start=start, end=end)

    assert (ids(con, bar("0")), ids(con, bar("1")), ids(con, bar("29")), ids(con, bar("30+"))) == (
        ["a"], ["b"], ["c"], ["d", "e"])
    assert bar("30+").title == "Ann's contacts handled in 30 minutes or more, created 01 Oct – 31 Oct 2026"
    assert bar("1").title.startswith("Ann's contacts handled in 1–2 minutes")
    assert drill_handle_time({"x": None}, agent_id="A", name="Ann", start=start, end=end) is None
    detail = compute_agent_detail(con, agent_id="A", start=start, end=end)
    for minute, n in detail.handle_minutes.iter_rows():
        assert load_drill(con, bar(f"{minute}+" if minute >= 30 else str(minute)))[1] == n


def test_the_team_line_ignores_the_agent_filter_as_the_chart_does(make_db):
    rows = [contact("a1", "A", 5), contact("a2", "A", 6), contact("b1", "B", 6), contact("c1", "C", 6, team="U")]
    con = make_db(tickets=rows)
    start, end = OCTOBER
    kw = {"kpi_key": "contacts", "kpi_label": "Contacts", "agent_id": "A", "name": "Ann", "team": "T", "start": start,
          "end": end}
    mine = drill_agent_trend({"customdata": "2026-10-05", "legendgroup": "Ann"}, **kw)
    team = drill_agent_trend({"customdata": "2026-10-05", "legendgroup": "team"}, **kw)
    only_ann = Filters(agent_id=("A",))
    assert ids(con, mine, filters=only_ann) == ["a1", "a2"]
    assert ids(con, team, filters=only_ann) == ["a1", "a2", "b1"]
    assert (mine.title, team.title) == ("Created 05 Oct – 11 Oct 2026, Ann", "Created 05 Oct – 11 Oct 2026, team T")
    assert drill_agent_trend({"customdata": "2026-10-05"}, **kw) is None


def test_every_row_and_point_of_the_agents_page_lists_what_it_counts(demo_con):
    start, end = OCTOBER
    view = compute_agents_view(demo_con, start=start, end=end)
    shown = format_agent_scorecard(view.table, keys=("csat",), sort_by="csat")
    for row in range(shown.height):
        drill = drill_row(shown, row, dims={"Team": "team", "ID": "agent_id"}, shown={"agent_id": "Agent"},
                          start=start, end=end)
        assert load_drill(demo_con, drill, limit=1)[1] == shown["Contacts"][row], shown.row(row)
    assert drill.title == f"Created 01 Oct – 31 Oct 2026, team {shown['Team'][row]}, agent {shown['Agent'][row]}"
    teams = format_agent_scorecard(view.teams, keys=("csat",))
    no_agent = (("agent_id", ("(none)",)),)
    for row in range(teams.height):
        drill = drill_row(teams, row, dims={"Team": "team"}, drop=no_agent, start=start, end=end)
        assert load_drill(demo_con, drill, limit=1)[1] == teams["Contacts"][row]

    agent = shown["ID"][0]
    detail = compute_agent_detail(demo_con, agent_id=agent, start=start, end=end)
    for row in range(detail.mix.height):
        drill = drill_mix_row(detail.mix, row, agent_id=agent, name="X", start=start, end=end)
        mine = load_drill(demo_con, drill, limit=1)[1]
        assert mine == pytest.approx(detail.mix["agent_share"][row] * shown["Contacts"][0], abs=1e-6)
    for key, label in (("contacts", "Contacts"), ("csat", "CSAT")):
        weekly = detail.trend.filter(kpi="contacts").drop_nulls("agent")
        for bucket, value in weekly.select("bucket", "agent").iter_rows():
            drill = drill_agent_trend({"customdata": str(bucket), "legendgroup": "X"}, kpi_key=key, kpi_label=label,
                                      agent_id=agent, name="X", team=detail.team, start=start, end=end)
            count = load_drill(demo_con, drill, limit=1)[1]
            assert count == value if key == "contacts" else count <= value


def test_topic_rows_cells_and_emerging_months_list_what_they_count(demo_con):
    start, end = OCTOBER
    view = compute_topics_view(demo_con, start=start, end=end)
    ranking = format_topic_ranking(view.ranking)
    for row in range(ranking.height):
        drill = drill_row(ranking, row, dims={"Topic": "category"}, start=start, end=end)
        assert load_drill(demo_con, drill, limit=1)[1] == ranking["Contacts"][row]
    answers = dict(((c, ch), n) for c, ch, n in demo_con.execute(
        "SELECT category, channel, count(csat_score) FROM tickets WHERE created_at >= '2026-10-01' "
        "AND created_at < '2026-11-01' GROUP BY ALL").fetchall())
    grid = format_topic_grid(view.by_channel, "csat")
    checked = 0
    for row in range(grid.height):
        for column in grid.columns[1:]:
            drill = drill_topic_cell(view.by_channel, grid, row, column, kpi_key="csat", start=start, end=end)
            raw = column.replace(" ", "_")
            assert load_drill(demo_con, drill, limit=1)[1] == answers.get((grid["Topic"][row], raw), 0)
            checked += 1
    assert checked > 10 and drill.title.endswith("counted in CSAT")
    assert drill_topic_cell(view.by_channel, grid, 0, "Topic", kpi_key="csat", start=start, end=end) is None
    july = drill_topic_month("App crash", date(2026, 7, 1), end=end)
    emerging = compute_topics_view(demo_con, start=date(2026, 7, 1), end=date(2026, 7, 31)).emerging
    spike = emerging.filter(pl.col("emerging"))
    assert load_drill(demo_con, july, limit=1)[1] == spike["contacts"][0] == 1269
    assert drill_topic_month("X", date(2026, 10, 1), end=date(2026, 10, 15)).last == date(2026, 10, 15)
