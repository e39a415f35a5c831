"""The agent scorecard on hand-built contacts, and the planted agents of the demo data."""

from datetime import date, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csm.agents import compute_scorecard
from csm.stats import MIN_SAMPLE, two_proportion_p, welch_p, wilson_interval

DAY = date(2026, 10, 5)


def contacts(agent: str, team: str, n: int, *, satisfied: int, handle: list[float] | None = None) -> list[dict]:
    """Return ``n`` answered chats of ``agent``, ``satisfied`` of them rated 5 and the rest 2."""
    rows = []
    for i in range(n):
        created = datetime(2026, 10, 5, 9) + timedelta(minutes=i)
        rows.append({"ticket_id": f"{agent}-{i}", "created_at": created, "channel": "chat", "team": team,
                     "agent_id": agent, "is_answered": True, "csat_score": 5 if i < satisfied else 2,
                     "handle_time_s": (handle or [300.0])[i % len(handle or [300.0])],
                     "first_response_at": created + timedelta(seconds=60 + i % 7)})
    return rows


@pytest.fixture
def scorecard(make_db):
    rows = (contacts("good", "T", 80, satisfied=78) + contacts("usual", "T", 200, satisfied=160)
            + contacts("poor", "T", 60, satisfied=30, handle=[500.0, 700.0])
            + contacts("new", "T", MIN_SAMPLE - 1, satisfied=0)  # worst of all, but too few to judge
            + contacts("other", "U", 50, satisfied=10))  # another team: not a peer of the T agents
    con = make_db(tickets=rows)
    return compute_scorecard(con, start=DAY, end=DAY, keys=("csat", "aht_s", "frt_median_s"))


def cell(frame: pl.DataFrame, agent: str, kpi: str) -> dict:
    return frame.filter(agent_id=agent, kpi=kpi).row(0, named=True)


def test_rates_have_wilson_intervals_and_are_tested_against_the_rest_of_the_team(scorecard):
    good = cell(scorecard, "good", "csat")
    assert (good["n"], good["value"]) == (80, 78 / 80)
    assert (good["low"], good["high"]) == pytest.approx(wilson_interval(78, 80))
    # the rest of team T: usual, poor and new: 160 + 30 + 0 satisfied of 200 + 60 + 29
    assert good["team"] == pytest.approx(190 / 289)
    assert good["p"] == pytest.approx(two_proportion_p(78, 80, 190, 289))
    assert good["flag"] == "recognise" and cell(scorecard, "poor", "csat")["flag"] == "coach"
    usual = cell(scorecard, "usual", "csat")  # 80% against the rest's 108 of 169 (63.9%): better, and clearly so
    assert (usual["team"], usual["flag"]) == (pytest.approx(108 / 169), "recognise")


def test_too_few_gets_no_interval_and_no_flag_but_keeps_its_value(scorecard):
    new = cell(scorecard, "new", "csat")
    assert (new["n"], new["value"], new["low"], new["high"], new["p"], new["flag"]) == (
        MIN_SAMPLE - 1, 0.0, None, None, None, None)


def test_peers_are_the_agents_own_team(scorecard):
    other = cell(scorecard, "other", "csat")
    assert other["team_name"] == "U" and other["team"] is None and other["p"] is None  # alone in U: no peers
    assert cell(scorecard, "good", "csat")["team_name"] == "T"


def test_means_use_the_t_interval_and_welch(scorecard):
    poor = cell(scorecard, "poor", "aht_s")
    assert poor["value"] == 600.0
    # 30 of 500 and 30 of 700: sample variance 60 / 59 * 100^2; the rest of T all 300 s (variance 0)
    half = 2.0009953 * (60 / 59 * 100 ** 2 / 60) ** 0.5  # t(0.975, 59) from tables
    assert (poor["low"], poor["high"]) == (pytest.approx(600 - half, rel=1e-6), pytest.approx(600 + half, rel=1e-6))
    assert poor["p"] == pytest.approx(welch_p(600, 60 / 59 * 100 ** 2, 60, 300, 0, 309))
    assert poor["flag"] == "coach"  # longer handle time is worse


def test_medians_use_order_statistics_and_the_teams_median(scorecard):
    good = cell(scorecard, "good", "frt_median_s")
    assert good["value"] == 63.0 and good["team"] == 63.0  # 60-66 s in turn for everyone
    assert good["low"] <= 63.0 <= good["high"] and good["flag"] is None


def test_the_planted_agents_of_the_demo_are_flagged_and_small_samples_never_are(demo_con):
    card = compute_scorecard(demo_con, start=date(2026, 8, 3), end=date(2026, 10, 31))
    flags = card.filter(pl.col("flag").is_not_null())
    by_agent = {a: set(f) for a, f in flags.group_by("agent_id").agg(pl.col("flag")).iter_rows()}
    assert by_agent["A004"] == {"coach"} and by_agent["A027"] == {"coach"}  # the two planted low performers
    assert by_agent["A015"] == {"recognise"} and by_agent["A048"] == {"recognise"}  # the two planted stars
    for agent, kpis in (("A004", {"aht_s", "fcr_rate", "csat", "qa_score"}), ("A015", {"aht_s", "fcr_rate", "csat"})):
        assert kpis <= set(flags.filter(agent_id=agent)["kpi"])
    assert flags.filter(pl.col("n") < MIN_SAMPLE).is_empty()
    assert card.filter(pl.col("n") < MIN_SAMPLE)["low"].is_null().all()
    assert len(by_agent) < card["agent_id"].n_unique() / 2  # a flag stays the exception


def test_a_flag_needs_a_gap_worth_a_conversation():
    from csm.agents import Cell, flag_cells

    cells = [Cell("T", "a", "csat", 5000, 0.83, 0.82, 0.84, 0.80, 1e-9),  # 3 points: significant, not material
             Cell("T", "b", "csat", 5000, 0.86, 0.85, 0.87, 0.80, 1e-9),  # 6 points
             Cell("T", "c", "aht_s", 5000, 330.0, 320.0, 340.0, 300.0, 1e-9),  # 10% longer
             Cell("T", "d", "aht_s", 5000, 320.0, 310.0, 330.0, 300.0, 1e-9),  # 6.7% longer
             Cell("T", "e", "csat", 40, 0.50, 0.35, 0.65, 0.80, 0.2)]  # large gap, but could be chance
    assert flag_cells(cells)["flag"].to_list() == [None, "recognise", "coach", None, None]


def test_the_agents_view_of_an_empty_selection_and_its_export_table(make_db):
    from csm.agents import compute_agents_view

    con = make_db(tickets=contacts("good", "T", 40, satisfied=30) + contacts("poor", "T", 40, satisfied=10),
                  agents=[{"agent_id": "good", "name": "Grace <b>Good</b>", "is_active": True}])
    view = compute_agents_view(con, start=DAY, end=DAY)
    assert view.table["agent"].to_list() == ["Grace <b>Good</b>", "poor"]  # no name on file: the id
    assert view.table.select("team", "contacts", "csat", "csat_n").row(0) == ("T", 40, 0.75, 40)
    assert view.table["csat_flag"].to_list() == ["recognise", "coach"]
    empty = compute_agents_view(con, start=date(2026, 1, 1), end=date(2026, 1, 2))
    assert empty.cells.is_empty() and empty.table.is_empty()


def test_teams_side_by_side_each_against_the_other_teams(make_db):
    from csm.agents import compute_team_comparison

    con = make_db(tickets=contacts("a", "T", 100, satisfied=90) + contacts("b", "T", 100, satisfied=90)
                  + contacts("c", "U", 100, satisfied=50) + contacts("d", "V", 20, satisfied=20))
    teams = compute_team_comparison(con, start=DAY, end=DAY)
    t = teams.filter(team="T").row(0, named=True)
    assert (t["contacts"], t["csat"], t["csat_n"]) == (200, 0.9, 200)
    assert (t["csat_low"], t["csat_high"]) == pytest.approx(wilson_interval(180, 200))
    assert t["csat_flag"] == "recognise"  # 90% against U and V together: 70 of 120
    assert teams.filter(team="U")["csat_flag"].item() == "coach"
    assert teams.filter(team="V")["csat_low"].item() is None  # 20 answers: too few


def test_the_excel_export_has_one_sheet_per_table(tmp_path):
    from csm.formatting import to_excel

    agents = pl.DataFrame({"agent": ["Grace <script>x</script>"], "csat": [0.75]})
    teams = pl.DataFrame({"team": ["T", "U"], "csat": [0.8, None]})
    path = tmp_path / "pack.xlsx"
    path.write_bytes(to_excel({"Agents": agents, "Teams": teams}))
    sheets = pl.read_excel(path, sheet_id=0)
    assert list(sheets) == ["Agents", "Teams"]
    assert sheets["Agents"].equals(agents) and sheets["Teams"].height == 2
    assert sheets["Teams"]["csat"].to_list() == [0.8, None]  # no data stays empty, never 0


def test_new_hire_ramp_by_tenure_week_against_the_experienced_median(make_db):
    from csm.agents import compute_ramp

    def handled(agent, day, seconds, n=2):
        return [{"ticket_id": f"{agent}-{day}-{i}", "created_at": datetime(2026, 10, day, 10, i), "channel": "chat",
                 "team": "T", "agent_id": agent, "is_answered": True, "handle_time_s": seconds} for i in range(n)]

    people = [{"agent_id": "new", "name": "New", "hire_date": date(2026, 10, 1), "is_active": True},
              {"agent_id": "x", "name": "X", "hire_date": date(2020, 1, 1), "is_active": True},
              {"agent_id": "y", "name": "Y", "hire_date": date(2021, 1, 1), "is_active": True},
              {"agent_id": "z", "name": "Z", "hire_date": date(2026, 8, 1), "is_active": True}]  # neither: 9 weeks
    rows = (handled("new", 2, 600) + handled("new", 9, 400) + handled("x", 3, 300) + handled("y", 4, 500)
            + handled("z", 5, 900) + handled("x", 30, 100))
    con = make_db(tickets=rows, agents=people)
    ramp = compute_ramp(con, end=date(2026, 10, 31), keys=("aht_s",))
    from csm.compile import Filters

    assert compute_ramp(con, end=date(2026, 10, 31), keys=("aht_s",), filters=Filters(team=("T",))).equals(ramp)
    october = ramp.filter(cohort=date(2026, 10, 1))
    assert october.select("week", "value", "n", "hires").rows() == [(0, 600.0, 2, 1), (1, 400.0, 2, 1)]
    # x: (2 x 300 + 2 x 100) / 4 = 200 s, y: 500 s; the median of the two is 350 s. z is still ramping.
    assert october["experienced"].unique().to_list() == [350.0]
    august = ramp.filter(cohort=date(2026, 8, 1))
    assert august.select("week", "value").rows() == [(9, 900.0)]  # z started 1 Aug: 5 Oct is day 65, week 9


def test_the_demos_new_hire_cohort_ramps_up_to_the_experienced_agents(demo_con):
    from csm.agents import compute_ramp

    ramp = compute_ramp(demo_con, end=date(2026, 10, 31)).filter(cohort=date(2026, 2, 1))
    aht = ramp.filter(kpi="aht_s").sort("week")
    assert aht["hires"][0] == 8 and aht["week"].to_list() == list(range(16))
    assert aht["value"][0] > 1.2 * aht["experienced"][0]  # slow at first ...
    assert aht["value"][15] < 1.05 * aht["experienced"][0]  # ... and close after 12 weeks
    fcr = ramp.filter(kpi="fcr_rate").sort("week")
    assert fcr["value"][0] < fcr["experienced"][0] < fcr["value"][15] + 0.05


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=300))
def test_a_histogram_gives_the_same_order_statistics_and_median_as_the_values(values):
    from csm.agents import _Histogram

    distinct, counts = np.unique(values, return_counts=True)
    half = len(distinct) // 2  # two partial histograms merge into the whole
    hist = _Histogram.merge([_Histogram(distinct[:half], counts[:half]), _Histogram(distinct[half:], counts[half:])])
    ordered = sorted(values)
    assert hist.n == len(values) and hist.median() == float(np.median(values))
    assert [hist.order_statistic(r) for r in range(1, len(values) + 1)] == ordered
    assert (hist.above(20), hist.below(20)) == (sum(v > 20 for v in values), sum(v < 20 for v in values))
    assert _Histogram(None, None).median() is None
