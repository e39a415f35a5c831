from datetime import date

import pytest

from csm.periods import PRESETS, build_windows, comparison_period, resolve_period

AS_OF = date(2026, 10, 31)


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("last_7_days", (date(2026, 10, 25), AS_OF)),
        ("last_30_days", (date(2026, 10, 2), AS_OF)),
        ("last_90_days", (date(2026, 8, 3), AS_OF)),
        ("this_month", (date(2026, 10, 1), AS_OF)),
        ("last_month", (date(2026, 9, 1), date(2026, 9, 30))),
        ("this_quarter", (date(2026, 10, 1), AS_OF)),
        ("last_quarter", (date(2026, 7, 1), date(2026, 9, 30))),
        ("year_to_date", (date(2026, 1, 1), AS_OF)),
        ("all_time", (date(2024, 11, 1), AS_OF)),
    ],
)
def test_presets_end_on_the_last_day_with_data(preset, expected):
    assert resolve_period(preset, as_of=AS_OF, first_day=date(2024, 11, 1)) == expected


def test_every_preset_is_resolvable():
    for preset in PRESETS:
        custom = (date(2026, 1, 1), date(2026, 1, 2)) if preset == "custom" else None
        start, end = resolve_period(preset, as_of=AS_OF, first_day=date(2024, 1, 1), custom=custom)
        assert start <= end <= AS_OF


def test_custom_range_given_backwards_is_swapped():
    assert resolve_period("custom", as_of=AS_OF, custom=(date(2026, 3, 9), date(2026, 3, 1))) == (
        date(2026, 3, 1), date(2026, 3, 9))


def test_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="unknown period preset"):
        resolve_period("forever", as_of=AS_OF)


def test_last_month_in_january_is_december():
    assert resolve_period("last_month", as_of=date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))


@pytest.mark.parametrize(
    ("period", "comparison", "expected"),
    [
        ((date(2026, 3, 1), date(2026, 3, 31)), "previous_period", (date(2026, 2, 1), date(2026, 2, 28))),
        ((date(2026, 7, 1), date(2026, 9, 30)), "previous_period", (date(2026, 4, 1), date(2026, 6, 30))),
        ((date(2026, 3, 1), date(2026, 3, 30)), "previous_period", (date(2026, 2, 1), date(2026, 2, 28))),
        ((date(2026, 10, 2), date(2026, 10, 31)), "previous_period", (date(2026, 9, 2), date(2026, 10, 1))),
        ((date(2026, 10, 1), date(2026, 10, 31)), "same_period_last_year", (date(2025, 10, 1), date(2025, 10, 31))),
        ((date(2024, 2, 29), date(2024, 2, 29)), "same_period_last_year", (date(2023, 2, 28), date(2023, 2, 28))),
    ],
)
def test_comparison_periods(period, comparison, expected):
    assert comparison_period(*period, comparison) == expected


def test_no_comparison_gives_one_window():
    assert [w.label for w in build_windows(date(2026, 1, 1), date(2026, 1, 31), "none")] == ["current"]
