"""Every KPI against hand-computed values, plus the catalogue's validation."""

from datetime import date

import pytest

from csm.compile import (
    Filters,
    Window,
    build_statements,
    choose_source,
    compile_additive_query,
    compile_backlog_query,
    compile_quantile_query,
)
from csm.kpis import CatalogueError, load_catalogue, validate_catalogue
from csm.metrics import compute_kpis
from tests.csm.hand_built import BUDGET, EXPECTED_JANUARY, JAN, TICKETS

CATALOGUE = load_catalogue()
JANUARY = (Window("current", *JAN),)
REQUIRED_KEYS = (
    "contacts resolved backlog csat csat_avg nps fcr_rate aht_s frt_median_s frt_p90_s resolution_median_s "
    "service_level asa_s answer_rate abandon_rate sla_rate reopen_rate escalation_rate reassignment_rate "
    "bot_resolution_rate qa_score cost_per_contact"
).split()


@pytest.fixture
def hand_db(make_db):
    return make_db(tickets=TICKETS, budget=BUDGET)


def test_catalogue_has_every_required_kpi():
    assert set(REQUIRED_KEYS) <= set(CATALOGUE.keys())


def test_every_kpi_has_a_hand_computed_expectation():
    assert set(EXPECTED_JANUARY) == set(CATALOGUE.keys())


@pytest.mark.parametrize("use_rollup", [True, False], ids=["rollup", "raw"])
@pytest.mark.parametrize("key", sorted(EXPECTED_JANUARY))
def test_kpi_matches_hand_computed_value(hand_db, key, use_rollup):
    frame = compute_kpis(hand_db, windows=JANUARY, keys=(key,), use_rollup=use_rollup)
    assert frame[key][0] == pytest.approx(EXPECTED_JANUARY[key])


def test_empty_period_gives_zero_counts_and_null_everything_else(hand_db):
    frame = compute_kpis(hand_db, windows=(Window("current", date(2025, 6, 1), date(2025, 6, 30)),))
    row = frame.row(0, named=True)
    assert {k: row[k] for k in ("contacts", "resolved", "backlog")} == {"contacts": 0, "resolved": 0, "backlog": 0}
    others = {k: v for k, v in row.items() if k not in ("window", "contacts", "resolved", "backlog")}
    assert others == {k: None for k in others}


def test_zero_denominators_give_null_not_zero(hand_db):
    email = compute_kpis(hand_db, windows=JANUARY, filters=Filters(channel=("email",)))
    row = email.row(0, named=True)
    # r6 and r7: no CSAT answer, no queue, no bot -> those ratios have a zero denominator.
    assert (row["csat"], row["service_level"], row["asa_s"], row["bot_resolution_rate"]) == (None, None, None, None)
    assert row["nps"] == pytest.approx(100.0)  # r7 answered 9
    assert row["contacts"] == 2


def test_nulls_are_left_out_of_ratios(hand_db):
    # r6 has no FCR flag: with only r6 and r7 (email), FCR is 0 of 1 known, not 0 of 2.
    frame = compute_kpis(hand_db, windows=JANUARY, filters=Filters(channel=("email",)), keys=("fcr_rate", "aht_s"))
    assert frame["fcr_rate"][0] == 0.0
    assert frame["aht_s"][0] == pytest.approx((200 + 400) / 2)


def test_ratio_is_sum_over_sum_not_mean_of_daily_rates(hand_db):
    # Service level per day: 5 Jan 1/2, 6 Jan 0/1, 7 Jan 1/1 -> mean of rates 0.5; sum over sum 2/4.
    daily = compute_kpis(hand_db, windows=JANUARY, keys=("service_level",), grain="day").drop_nulls("service_level")
    assert daily["service_level"].to_list() == [0.5, 0.0, 1.0]
    total = compute_kpis(hand_db, windows=JANUARY, keys=("service_level",))
    assert total["service_level"][0] == 0.5


def test_service_level_threshold_is_a_setting(hand_db):
    frame = compute_kpis(hand_db, windows=JANUARY, keys=("service_level",),
                         settings={"service_level_threshold_s": 30})
    assert frame["service_level"][0] == pytest.approx(3 / 4)  # r1 10, r2 30, r4 15 of 4 offered


def test_filters_combine(hand_db):
    frame = compute_kpis(hand_db, windows=JANUARY, filters=Filters(team=("A",), priority=("normal", "high")),
                         keys=("contacts",))
    assert frame["contacts"][0] == 3  # r1 normal, r2 high, r6 normal


def test_cost_per_contact_follows_team_filter_and_excludes_shared_costs(hand_db):
    frame = compute_kpis(hand_db, windows=JANUARY, filters=Filters(team=("A",)), keys=("cost_per_contact",))
    assert frame["cost_per_contact"][0] == pytest.approx(700 / 4)  # r1 r2 r6 r7


def test_cost_per_contact_prorates_part_months(hand_db):
    half = (Window("current", date(2026, 1, 1), date(2026, 1, 15)),)
    frame = compute_kpis(hand_db, windows=half, keys=("cost_per_contact",))
    assert frame["cost_per_contact"][0] == pytest.approx(1400 * 15 / 31 / 6)  # r1..r6


def test_cost_per_contact_is_null_when_spend_cannot_follow_the_filter(hand_db):
    frame = compute_kpis(hand_db, windows=JANUARY, filters=Filters(channel=("phone",)), keys=("cost_per_contact",))
    assert frame["cost_per_contact"][0] is None


def test_backlog_is_a_snapshot_at_period_end(hand_db):
    frame = compute_kpis(hand_db, windows=(Window("current", date(2025, 12, 1), date(2025, 12, 31)),), keys=("backlog",))
    assert frame["backlog"][0] == 1  # r8 open at 1 Jan 00:00, resolved 2 Jan


def test_comparison_window_is_computed_alongside(hand_db):
    windows = (*JANUARY, Window("comparison", date(2025, 12, 1), date(2025, 12, 31)))
    frame = compute_kpis(hand_db, windows=windows, keys=("contacts", "resolution_median_s"))
    rows = {r["window"]: r for r in frame.iter_rows(named=True)}
    assert rows["comparison"]["contacts"] == 1
    assert rows["comparison"]["resolution_median_s"] == pytest.approx(34 * 3600.0)  # 31 Dec 23:00 -> 2 Jan 09:00
    assert rows["current"]["contacts"] == 7


def test_grouping_by_dimension(hand_db):
    frame = compute_kpis(hand_db, windows=JANUARY, group_by=("team",), keys=("contacts", "frt_median_s", "backlog"))
    rows = {r["team"]: r for r in frame.iter_rows(named=True)}
    assert rows["A"]["contacts"] == 4 and rows["B"]["contacts"] == 3
    assert rows["A"]["frt_median_s"] == pytest.approx((30 + 7200) / 2)  # 10 30 7200 14400
    assert rows["A"]["backlog"] == 2 and rows["B"]["backlog"] == 0


def test_source_is_the_smallest_rollup_that_covers_the_selection():
    assert choose_source(Filters(team=("A",), channel=("phone",))) == "tickets_daily_team"
    assert choose_source(Filters(team=("A",), channel=("phone",), agent_id=("a1",))) == "tickets_daily"
    assert choose_source(Filters(category=("Billing",))) == "tickets"
    assert choose_source(Filters(), ("priority",)) == "tickets"


def test_values_reach_sql_only_as_parameters():
    hostile = "x'); DROP TABLE tickets; --"
    sql, params = compile_additive_query(CATALOGUE, ("contacts",), windows=JANUARY, filters=Filters(team=(hostile,)))
    assert hostile not in sql and params["f_team"] == [hostile]


def test_group_by_outside_the_allow_list_is_refused():
    with pytest.raises(ValueError, match="cannot group by"):
        compile_additive_query(CATALOGUE, ("contacts",), windows=JANUARY, group_by=("ticket_id; drop",))


def test_compiled_sql_matches_golden(golden):
    windows = (*JANUARY, Window("comparison", date(2025, 12, 1), date(2025, 12, 31)))
    additive = tuple(k for k, v in CATALOGUE.kpis.items() if v.kind in ("count", "ratio", "mean", "cost"))
    quantiles = tuple(k for k, v in CATALOGUE.kpis.items() if v.kind == "quantile")
    text = "\n\n-- rollup\n".join(
        [
            compile_additive_query(CATALOGUE, additive, windows=windows, source="tickets")[0],
            compile_additive_query(CATALOGUE, additive, windows=windows, grain="week", filters=Filters(team=("A",)))[0],
        ]
    ) + "\n\n-- quantiles\n" + compile_quantile_query(CATALOGUE, quantiles, windows=windows)[0] + "\n"
    text += "\n-- backlog per week\n" + compile_backlog_query(windows=JANUARY, grain="week")[0] + "\n"
    golden("compiled_kpis.sql", text)


def test_stored_aggregate_statements_match_golden(golden):
    golden("stored_aggregates.sql", ";\n\n".join(sql for sql, _ in build_statements(CATALOGUE)) + ";\n")


def test_validation_reports_every_problem_at_once():
    raw = {
        "measures": [{"key": "m", "sql": "no_such_column + 1", "description": "bad"}],
        "kpis": [
            {"key": "a", "label": "A", "definition": "d", "unit": "ratio", "direction": "higher_is_better",
             "kind": "ratio", "numerator": "m", "format": "percent"},
            {"key": "b", "label": "B", "unit": "parsecs", "direction": "up", "kind": "count", "format": "integer",
             "measure": "missing"},
        ],
    }
    _, problems = validate_catalogue(raw)
    assert problems == [
        "measure m: unknown column 'no_such_column'",
        "kpi a: kind ratio needs denominator",
        "kpi b: missing field definition",
        "unit 'parsecs' is not one of count, ratio, seconds, score, currency".join(["kpi b: ", ""]),
        "kpi b: direction 'up' is not one of higher_is_better, lower_is_better, neutral",
        "kpi b: measure 'missing' is not a measure",
    ]


def test_loading_an_invalid_catalogue_raises_with_all_problems(tmp_path):
    path = tmp_path / "kpis.yaml"
    path.write_text("measures: []\nkpis:\n  - key: x\n    kind: quantile\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(path)
    assert "kpi x: missing field label" in err.value.problems
    assert "kpi x: kind quantile needs expr" in err.value.problems


def test_catalogue_sql_with_a_parameter_that_is_not_a_setting_is_refused():
    _, problems = validate_catalogue(
        {"measures": [{"key": "m", "sql": "CASE WHEN wait_time_s <= $evil THEN 1 ELSE 0 END", "description": "d"}]}
    )
    assert problems == ["measure m: parameter $evil is not a setting"]


def test_service_level_leaves_out_answered_contacts_without_a_wait(make_db):
    rows = [dict(TICKETS[0]), {**TICKETS[1], "wait_time_s": None}]  # r1 within 20 s; r2 answered, wait unknown
    con = make_db(tickets=rows)
    assert compute_kpis(con, windows=JANUARY, keys=("service_level",))["service_level"][0] == 1.0
