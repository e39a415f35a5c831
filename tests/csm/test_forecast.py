"""The volume forecast: exact on a clean weekly pattern, honest about the baseline, better than it on the demo."""

from datetime import date, timedelta

import polars as pl
import pytest

from csm.forecast import (
    MIN_HISTORY_DAYS,
    compute_backtest,
    compute_forecast,
    forecast_days,
    seasonal_naive,
)

WEEK = [100.0, 90, 80, 80, 70, 20, 10]  # Monday to Sunday


def history(values, start=date(2026, 1, 5)) -> pl.DataFrame:  # 2026-01-05 is a Monday
    return pl.DataFrame({"day": [start + timedelta(days=i) for i in range(len(values))], "contacts": values})


def test_a_clean_weekly_pattern_is_forecast_exactly():
    got = forecast_days(history(WEEK * 10), horizon_days=14)
    assert got["forecast"].to_list() == pytest.approx(WEEK * 2)
    assert got["day"][0] == date(2026, 1, 5) + timedelta(days=70)


def test_missing_days_count_as_days_without_contacts():
    frame = history(WEEK * 10).filter(pl.col("contacts") != 10)  # every Sunday left out of the export
    got = forecast_days(frame, horizon_days=7)  # the history ends on a Saturday: a Sunday comes first
    assert (got["day"][0].isoweekday(), got["forecast"][0]) == (7, 0)
    assert seasonal_naive(frame, horizon_days=7)["forecast"][0] == 0


def test_the_level_follows_the_latest_weeks_most():
    # Six weeks at 450, then 100 more a week for the last two: level = (6*650 + 5*650 + 4*450*4) / 21 ...
    weeks = [WEEK] * 8 + [[v * 650 / 450 for v in WEEK]] * 2
    got = forecast_days(history([v for w in weeks for v in w]), horizon_days=7)["forecast"].sum()
    assert got == pytest.approx((6 * 650 + 5 * 650 + (4 + 3 + 2 + 1) * 450) / 21)


def test_the_baseline_repeats_last_week():
    values = WEEK * 9 + [1.0, 2, 3, 4, 5, 6, 7]
    assert seasonal_naive(history(values), horizon_days=9)["forecast"].to_list() == [1, 2, 3, 4, 5, 6, 7, 1, 2]


def test_a_perfect_tie_is_not_called_a_win():
    backtest = compute_backtest(history(WEEK * 30), horizon_weeks=2)
    assert (backtest.model.wape, backtest.baseline.wape, backtest.origins) == (pytest.approx(0), 0, 16)
    assert not backtest.beats_baseline
    assert "did not beat repeating last week" in backtest.verdict()


def test_a_short_history_is_refused_and_the_backtest_says_so():
    with pytest.raises(ValueError, match=f"at least {MIN_HISTORY_DAYS} days"):
        forecast_days(history(WEEK * 3), horizon_days=7)
    backtest = compute_backtest(history(WEEK * 9), horizon_weeks=4)
    assert backtest.origins == 0 and backtest.verdict() == "Not enough history to test the forecast against past weeks."
    frame, _ = compute_forecast(history(WEEK * 8), horizon_weeks=1)
    assert frame["low"].is_null().all()  # no record, no interval


def test_intervals_come_from_the_backtest_errors():
    noisy = [v * (1.1 if i % 3 else 0.9) for i, v in enumerate(WEEK * 30)]
    daily, backtest = compute_forecast(history(noisy), horizon_weeks=2)
    weekly, _ = compute_forecast(history(noisy), horizon_weeks=2, grain="week")
    assert (daily.height, weekly.height) == (14, 2)
    assert (daily["low"] <= daily["forecast"]).all() and (daily["forecast"] <= daily["high"]).all()
    errors = backtest.errors.filter(grain="week", horizon_week=1)["relative_error"]
    assert weekly["high"][0] == pytest.approx(weekly["forecast"][0] * (1 + errors.quantile(0.9)))


@pytest.mark.parametrize("channel", [None, "phone", "chat", "email", "social", "web_form"])
@pytest.mark.parametrize("weeks", [1, 4, 12])
def test_the_model_beats_repeating_last_week_on_the_demo_data(demo_data, channel, weeks):
    tickets = demo_data.tickets if channel is None else demo_data.tickets.filter(channel=channel)
    daily = tickets.group_by(day=pl.col("created_at").dt.date()).agg(contacts=pl.len())
    backtest = compute_backtest(daily, horizon_weeks=weeks)
    assert backtest.origins == 16 and backtest.beats_baseline, backtest.verdict()
    assert abs(backtest.model.bias) < 0.05
