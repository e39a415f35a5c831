from datetime import date

import polars as pl
import pytest

from csm.compile import Window
from csm.metrics import compute_scorecard, compute_spend, load_targets, select_off_target
from tests.csm.hand_built import BUDGET, TICKETS


@pytest.fixture
def db(make_db):
    targets = [
        {"kpi_key": "csat", "target": 0.9, "team": None, "valid_from": date(2026, 1, 1)},
        {"kpi_key": "csat", "target": 0.95, "team": None, "valid_from": date(2026, 6, 1)},
        {"kpi_key": "csat", "target": 0.8, "team": "B", "valid_from": date(2025, 1, 1)},
    ]
    return make_db(tickets=TICKETS, budget=BUDGET, targets=targets)


def test_catalogue_default_target_applies_without_override(db):
    assert load_targets(db, on=date(2025, 12, 31))["csat"] == 0.85


def test_latest_override_in_force_wins(db):
    assert load_targets(db, on=date(2026, 3, 31))["csat"] == 0.9
    assert load_targets(db, on=date(2026, 6, 30))["csat"] == 0.95


def test_team_override_applies_only_when_that_team_alone_is_selected(db):
    assert load_targets(db, on=date(2026, 3, 31), teams=("B",))["csat"] == 0.8
    assert load_targets(db, on=date(2026, 3, 31), teams=("A", "B"))["csat"] == 0.9


def test_spend_is_null_without_booked_months(db):
    assert compute_spend(db, windows=(Window("w", date(2025, 1, 1), date(2025, 1, 31)),)) == [None]


def test_spend_for_one_team_excludes_shared_costs(db):
    january = Window("w", date(2026, 1, 1), date(2026, 1, 31))
    assert compute_spend(db, windows=(january,), teams=("B",)) == [pytest.approx(300)]


def test_spend_is_given_per_window_in_order(db):
    windows = (Window("a", date(2026, 1, 1), date(2026, 1, 31)), Window("b", date(2025, 12, 1), date(2025, 12, 31)),
               Window("c", date(2026, 1, 1), date(2026, 1, 10)))
    assert compute_spend(db, windows=windows) == [pytest.approx(1400), None, pytest.approx(1400 * 10 / 31)]


def test_scorecard_status_change_and_gap():
    totals = pl.DataFrame({
        "window": ["current", "comparison"],
        "csat": [0.80, 0.90], "aht_s": [400.0, 500.0], "contacts": [10, 0], "nps": [None, 20.0],
    })
    card = {r["key"]: r for r in compute_scorecard(
        totals, targets={"csat": 0.85, "aht_s": 480, "contacts": None, "nps": 30}).iter_rows(named=True)}
    assert card["csat"]["status"] == "off_target"
    assert card["csat"]["change"] == pytest.approx(-0.10)
    assert card["csat"]["gap"] == pytest.approx((0.80 - 0.85) / 0.85)
    assert card["aht_s"]["status"] == "on_target" and card["aht_s"]["gap"] == pytest.approx(80 / 480)
    assert card["contacts"]["status"] == "no_target"
    assert card["contacts"]["change_pct"] is None  # from 0: no relative change
    assert card["nps"]["status"] == "no_data" and card["nps"]["change"] is None


def test_off_target_list_is_worst_first():
    totals = pl.DataFrame({"window": ["current"], "csat": [0.80], "fcr_rate": [0.35], "aht_s": [500.0]})
    card = compute_scorecard(totals, targets={"csat": 0.85, "fcr_rate": 0.7, "aht_s": 480})
    assert select_off_target(card)["key"].to_list() == ["fcr_rate", "csat", "aht_s"]


def test_overview_drops_a_comparison_the_data_does_not_cover(demo_con):
    from csm.metrics import compute_overview

    overview = compute_overview(demo_con, start=date(2024, 11, 1), end=date(2026, 10, 31))
    assert [w.label for w in overview.windows] == ["current"]
    assert overview.comparison_outside_data == Window("comparison", date(2022, 11, 2), date(2024, 10, 31))  # 730 days before
    card = {r["key"]: r for r in overview.scorecard.iter_rows(named=True)}
    assert card["contacts"]["change"] is None  # not "+318,174 since an empty period"


def test_overview_keeps_a_covered_comparison(demo_con):
    from csm.metrics import compute_overview

    overview = compute_overview(demo_con, start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert overview.comparison_outside_data is None
    assert overview.windows[1] == Window("comparison", date(2026, 9, 1), date(2026, 9, 30))
