"""The stored aggregates give exactly the numbers of the raw contacts table."""

from datetime import date

import pytest

from csm.compile import Filters, Window
from csm.kpis import load_catalogue
from csm.metrics import compute_kpis
from csm.periods import period_buckets

QUANTILE_KEYS = tuple(k for k, v in load_catalogue().kpis.items() if v.kind == "quantile")
STORED_WINDOWS = {
    "month": Window("current", date(2026, 7, 1), date(2026, 7, 31)),
    "quarter": Window("current", date(2026, 4, 1), date(2026, 6, 30)),
    "year_clipped": Window("current", date(2026, 1, 1), date(2026, 12, 31)),
    "all": Window("current", date(2024, 11, 1), date(2026, 10, 31)),
    "before_data": Window("current", date(2024, 1, 1), date(2024, 3, 31)),
}
SLICES = {"all": Filters(), "one_team": Filters(team=("Billing",)), "one_channel": Filters(channel=("email",))}


@pytest.mark.parametrize("slice_", sorted(SLICES))
@pytest.mark.parametrize("window", sorted(STORED_WINDOWS))
def test_stored_quantiles_equal_raw_quantiles(demo_con, window, slice_):
    args = {"windows": (STORED_WINDOWS[window],), "filters": SLICES[slice_], "keys": QUANTILE_KEYS}
    stored = compute_kpis(demo_con, use_rollup=True, **args).row(0, named=True)
    raw = compute_kpis(demo_con, use_rollup=False, **args).row(0, named=True)
    assert stored == pytest.approx(raw) if window != "before_data" else stored == raw


def test_stored_quantile_series_by_month_equal_raw(demo_con):
    args = {"windows": (STORED_WINDOWS["all"],), "keys": QUANTILE_KEYS, "grain": "month"}
    stored = compute_kpis(demo_con, use_rollup=True, **args)
    raw = compute_kpis(demo_con, use_rollup=False, **args)
    assert stored.height == 24
    assert stored.drop(QUANTILE_KEYS).equals(raw.drop(QUANTILE_KEYS))
    for key in QUANTILE_KEYS:
        assert stored[key].to_list() == pytest.approx(raw[key].to_list())


@pytest.mark.parametrize("filters", [Filters(), Filters(team=("Billing",), channel=("phone", "chat"))],
                         ids=["all", "filtered"])
def test_backlog_series_equals_raw_backlog_at_each_bucket_end(demo_con, filters):
    window = Window("current", date(2026, 1, 10), date(2026, 4, 20))
    series = compute_kpis(demo_con, windows=(window,), filters=filters, keys=("backlog",), grain="month")
    expected = [
        compute_kpis(demo_con, windows=(Window("current", start, end),), filters=filters, keys=("backlog",),
                     use_rollup=False)["backlog"][0]
        for _, start, end in period_buckets(window.start, window.end, "month")
    ]
    assert series["bucket"].to_list() == [b for b, _, _ in period_buckets(window.start, window.end, "month")]
    assert series["backlog"].to_list() == expected


def test_backlog_filtered_by_category_falls_back_to_raw_rows(demo_con):
    window = (Window("current", date(2026, 10, 1), date(2026, 10, 31)),)
    got = compute_kpis(demo_con, windows=window, filters=Filters(category=("App crash",)), keys=("backlog",))
    expected = demo_con.execute(
        "SELECT count(*) FROM tickets WHERE category = 'App crash' AND created_at < DATE '2026-11-01' "
        "AND (resolved_at IS NULL OR resolved_at >= DATE '2026-11-01') AND is_answered IS DISTINCT FROM FALSE"
    ).fetchone()[0]
    assert got["backlog"][0] == expected
