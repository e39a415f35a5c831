"""Page smoke tests with Streamlit's AppTest, over the page registry, plus the shared filters."""

import json
import os
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from csm.db import connect
from csm.demo import write_demo
from csm.kpis import load_catalogue
from csm.metrics import HEADLINE_KPIS
from csm.ui.navigation import PAGES

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module", autouse=True)
def demo_file(tmp_path_factory, demo_data):
    path = tmp_path_factory.mktemp("db") / "demo.duckdb"
    con = connect(path)
    write_demo(con, demo_data)
    con.close()
    old = os.environ.get("CSM_DB_PATH")
    os.environ["CSM_DB_PATH"] = str(path)
    yield path
    if old is None:
        os.environ.pop("CSM_DB_PATH")
    else:
        os.environ["CSM_DB_PATH"] = old


def run_app(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.title)
def test_every_page_renders(spec):
    at = run_app()
    at.switch_page(spec.path).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header] == [spec.title]


def test_url_paths_differ_from_page_file_names():
    # See csm/ui/navigation.py: equal names let a rerun skip app.py and the sidebar.
    assert all(Path(spec.path).stem != spec.url_path for spec in PAGES)


def test_reruns_keep_the_shared_sidebar():
    at = run_app()
    at.run()
    at.run()
    assert [s.key for s in at.sidebar.selectbox] == ["period", "compare"]
    assert len(at.sidebar.multiselect) == 5


def test_overview_shows_headline_cards_with_definitions():
    at = run_app()
    catalogue = load_catalogue()
    labels = [m.label for m in at.metric]
    assert labels == [catalogue[k].label for k in HEADLINE_KPIS]
    assert all(m.help and len(m.help) > 40 for m in at.metric)
    assert all(m.value and m.value != "n/a" for m in at.metric)


def test_filters_are_read_from_the_url():
    at = run_app(period="last_quarter", team=["Billing"], compare="same_period_last_year")
    assert at.sidebar.selectbox(key="period").value == "last_quarter"
    assert at.sidebar.multiselect(key="team").value == ["Billing"]
    assert "Jul 2026" in at.caption[0].value and "same period last year" in at.caption[0].value


def test_unknown_url_values_are_dropped():
    at = run_app(period="forever", team=["<script>alert(1)</script>", "Billing"])
    assert at.sidebar.selectbox(key="period").value == "this_month"
    assert at.sidebar.multiselect(key="team").value == ["Billing"]


def test_changing_a_filter_updates_the_url_and_survives_a_page_switch():
    at = run_app()
    at.sidebar.multiselect(key="channel").set_value(["phone", "chat"]).run()
    assert at.query_params["channel"] == ["phone", "chat"]
    at.switch_page("pages/kpi_definitions.py").run()
    assert at.sidebar.multiselect(key="channel").value == ["phone", "chat"]
    assert at.query_params["channel"] == ["phone", "chat"]


def test_empty_selection_says_so_and_shows_na():
    at = run_app(team=["Retention"], agent=["A001"])  # A001 works in Billing
    assert any("No contacts match" in i.value for i in at.info)
    values = {m.label: m.value for m in at.metric}
    assert values["Contacts"] == "0" and values["CSAT"] == "n/a"


def test_trend_chart_follows_the_chosen_kpi():
    at = run_app()
    at.selectbox(key="overview__trend_kpi").set_value("csat").run()
    assert not at.exception
    assert '"CSAT by day"' in at.get("plotly_chart")[0].proto.spec
    assert load_catalogue()["csat"].definition in [c.value for c in at.caption]


def test_all_data_has_no_comparison_and_says_why():
    at = run_app(period="all_time")
    assert "no comparison: the data does not cover" in at.caption[0].value
    assert [m.delta for m in at.metric] == [""] * len(at.metric)


def test_volume_page_splits_by_the_chosen_dimension_and_forecasts():
    at = run_app(period="last_90_days")
    at.switch_page("pages/volume.py").run()
    at.radio(key="volume__by").set_value("category").run()
    assert not at.exception, [e.value for e in at.exception]
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert titles[0] == "Contacts by category per week (starting Monday)"
    assert "actual and forecast" in titles[-1]
    assert "model missed by" in at.success[0].value


def test_staffing_page_updates_with_the_what_if_controls():
    at = run_app()
    at.switch_page("pages/staffing.py").run()
    before = at.dataframe[0].value["FTE needed"].sum()
    at.slider(key="staffing__shrinkage").set_value(10).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe[0].value["FTE needed"].sum() < before
    assert len(at.get("plotly_chart")) == 2


def test_volume_page_lists_the_contacts_behind_the_clicked_point(demo_file):
    from csm.drill import Drill
    from csm.volume import compute_flow

    at = run_app(period="this_month")
    at.switch_page("pages/volume.py").run()
    assert any("Click a bar, a point or a cell in a chart above" in c.value for c in at.caption)
    # what a click on the "resolved" bar of 31 Oct leaves behind (csm.ui.drill.drillable_chart's callback)
    day = date(2026, 10, 31)
    at.session_state["volume__drill"] = (
        Drill(day, day, "Resolved Sat 31 Oct 2026", on="resolved"),
        (date(2026, 10, 1), day),
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "ticket_id" in d.value.columns)
    caption = next(c.value for c in at.caption if "under the current filters" in c.value)
    assert caption == f"Resolved Sat 31 Oct 2026: {len(table):,} contacts under the current filters."
    assert len(table) > 0 and all(
        max(c, r).date() == day for c, r in zip(table["created_at"], table["resolved_at"], strict=True)
    )
    con = connect(demo_file, read_only=True)
    assert len(table) == compute_flow(con, start=day, end=day)["resolved"][0]  # what the bar counted
    con.close()
    at.button(key="volume__drill_clear").click().run()
    assert not any("under the current filters" in c.value for c in at.caption)


def test_a_drill_from_another_period_or_the_future_shows_no_contacts():
    from csm.drill import Drill

    at = run_app(period="this_month")
    at.switch_page("pages/volume.py").run()
    day = date(2026, 9, 30)
    at.session_state["volume__drill"] = (Drill(day, day, "Created Wed 30 Sep 2026"), (date(2026, 9, 1), day))
    at.run()
    assert not any("under the current filters" in c.value for c in at.caption)  # last month's click is forgotten
    ahead = Drill(date(2026, 11, 1), date(2026, 11, 7), "Forecast for 01 Nov – 07 Nov 2026", future=True)
    at.session_state["volume__drill"] = (ahead, (date(2026, 10, 1), date(2026, 10, 31)))
    at.run()
    assert [i.value for i in at.info] == [
        "Forecast for 01 Nov – 07 Nov 2026: a forecast, so there are no contacts yet."
    ]


def test_staffing_page_plans_for_an_asa_target_too():
    at = run_app()
    at.switch_page("pages/staffing.py").run()
    at.radio(key="staffing__kind").set_value("average speed of answer").run()
    loose = at.dataframe[0].value["FTE needed"].sum()
    at.number_input(key="staffing__asa").set_value(5).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.dataframe[0].value["FTE needed"].sum() > loose  # 5 s needs more agents than 30 s


def test_agents_page_shows_the_scorecard_with_intervals_flags_and_exports():
    at = run_app(period="last_90_days")
    at.switch_page("pages/agents.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert list(table.columns[:5]) == ["Agent", "Team", "Contacts", "Coach on", "Recognise for"]
    assert table["CSAT"].str.contains(r"^\d+\.\d% \(\d+\.\d%–\d+\.\d%\)$|^too few \(\d+\)$").all()
    assert table["Coach on"].str.contains("CSAT").any() and (table["Recognise for"].str.len() > 0).any()
    assert any("too few" in v for v in table["QA score"])  # QA reviews are sparse: the rule shows
    summary = next(m.value for m in at.markdown if "agents in the selection" in m.value)
    assert summary.startswith(f"**{len(table)}** agents in the selection")
    at.selectbox(key="agents__sort").set_value("csat").run()
    ranked = at.dataframe[0].value["CSAT"].to_list()
    usable = [float(v.split("%")[0]) for v in ranked if not v.startswith("too few")]
    assert usable == sorted(usable, reverse=True) and all(v.startswith("too few") for v in ranked[len(usable):])
    teams = next(d.value for d in at.dataframe if d.value.columns[0] == "Team")
    assert list(teams.columns[:4]) == ["Team", "Contacts", "Coach on", "Recognise for"] and len(teams) == 6
    assert [b.label for b in at.get("download_button")] == [
        "One-on-one summary (HTML, printable)", "Scorecard (CSV)", "Scorecard and teams (Excel)"]


def test_agents_page_drills_into_one_agent():
    at = run_app(period="last_90_days")
    at.switch_page("pages/agents.py").run()
    at.selectbox(key="agents__one").set_value("A004").run()
    at.radio(key="agents__trend_kpi").set_value("csat").run()
    assert not at.exception, [e.value for e in at.exception]
    mix = next(d.value for d in at.dataframe if d.value.columns[0] == "By")
    assert set(mix["By"]) == {"topic", "channel"}
    assert mix.groupby("By")["This agent (%)"].sum().round(0).tolist() == [100.0, 100.0]
    lowest = next(d.value for d in at.dataframe if "csat_score" in d.value.columns)
    assert len(lowest) == 20 and set(lowest["csat_score"]) <= {1, 2}  # the planted low performer has plenty
    assert len(at.get("plotly_chart")) == 3  # the trend, the handle times and the ramp


def test_agents_page_lists_the_contacts_of_a_selected_row():
    import polars as pl

    from csm.drill import drill_row

    at = run_app(period="last_90_days")
    at.switch_page("pages/agents.py").run()
    shown = at.dataframe[0].value
    start, end = date(2026, 8, 3), date(2026, 10, 31)
    # what selecting the first row leaves behind (csm.ui.drill.drillable_table's callback)
    drill = drill_row(pl.from_pandas(shown), 0, dims={"Team": "team", "ID": "agent_id"}, shown={"agent_id": "Agent"},
                      start=start, end=end)
    at.session_state["agents__drill"] = (drill, (start, end))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    caption = next(c.value for c in at.caption if "under the current filters" in c.value)
    assert caption == (f"Created 03 Aug – 31 Oct 2026, team {shown['Team'][0]}, agent {shown['Agent'][0]}: "
                       f"{shown['Contacts'][0]:,} contacts under the current filters.")
    listed = at.dataframe[-1].value  # the drill table closes the page
    assert set(listed["agent_id"]) == {shown["ID"][0]} and len(listed) == shown["Contacts"][0]



def test_topics_page_names_the_planted_spike_and_ranks_topics():
    at = run_app(period="last_quarter")
    at.switch_page("pages/topics.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [w.value for w in at.main.warning] == [
        "**App crash** in July 2026: 1,269 contacts, 9.3% of the month against 4.5% over the 6 months before."]
    ranking = at.dataframe[0].value
    assert list(ranking["Contacts"]) == sorted(ranking["Contacts"], reverse=True)
    assert ranking.loc[ranking["Topic"] == "App crash", "Growth"].item() > 30  # percent
    at.radio(key="topics__kpi").set_value("First-contact resolution").run()
    assert "web form" in at.dataframe[1].value.columns
    assert [b.label for b in at.get("download_button")] == ["Topics (CSV)", "Topics (Excel)"]
    at.button(key="topics__emerging_0").click().run()  # "List the App crash contacts of July 2026"
    caption = next(c.value for c in at.caption if "under the current filters" in c.value)
    assert caption == "Created 01 Jul – 31 Jul 2026, topic App crash: 1,269 contacts under the current filters."
