"""Daily contact volume forecasts, their backtest, and the seasonal-naive baseline they must beat.

The model is deliberately simple, so a manager can follow it and the tests can pin it down:
the forecast for a day is the recent *level* (contacts per week, a weighted mean of the last
``LEVEL_WEEKS`` weeks, the latest weighing most) times that weekday's *share* of a week (the
mean share over the last ``SHAPE_WEEKS`` weeks). It smooths out the day-to-day noise that the
baseline (the same weekday one week earlier) copies forward. It has no trend term: a volume
that grows steadily is forecast a little low, which the backtest's bias shows.

Prediction intervals come from the backtest itself: the 10th and 90th percentiles of the
relative errors at each horizon (week 1, 2, ...) over many past forecast origins, per day for
daily forecasts and per week for weekly totals, so an 80% interval is as wide as the model's
own record says it should be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import polars as pl

LEVEL_WEEKS = 6
LEVEL_WEIGHTS = (6, 5, 4, 3, 2, 1)  # the latest week first
SHAPE_WEEKS = 8
MIN_HISTORY_DAYS = 7 * SHAPE_WEEKS
BACKTEST_ORIGINS = 16


def _complete(history: pl.DataFrame) -> pl.DataFrame:
    """Return ``history`` (day, contacts) with every day from its first to its last, missing days as 0."""
    first, last = history["day"].min(), history["day"].max()
    days = pl.DataFrame({"day": pl.date_range(first, last, "1d", eager=True)})
    return days.join(history.select("day", pl.col("contacts").cast(pl.Float64)), on="day", how="left").fill_null(0)


def forecast_days(history: pl.DataFrame, *, horizon_days: int) -> pl.DataFrame:
    """Return the forecast (day, forecast) for the ``horizon_days`` days after the history's last day.

    Args:
        history: one row per day with ``day`` and ``contacts``; at least ``MIN_HISTORY_DAYS`` days.
        horizon_days: how many days ahead.

    Raises:
        ValueError: too short a history.

    Examples:
        >>> from datetime import date
        >>> week = [10.0, 10, 10, 10, 10, 5, 5]  # Monday to Sunday
        >>> days = pl.date_range(date(2026, 1, 5), date(2026, 3, 1), "1d", eager=True)
        >>> history = pl.DataFrame({"day": days, "contacts": week * 8})
        >>> forecast_days(history, horizon_days=3)["forecast"].to_list()
        [10.0, 10.0, 10.0]
    """
    series = _complete(history)
    if series.height < MIN_HISTORY_DAYS:
        raise ValueError(f"a forecast needs at least {MIN_HISTORY_DAYS} days of history "
                         f"({SHAPE_WEEKS} weeks); this selection has {series.height}")
    values = series["contacts"].to_list()
    weeks = [sum(values[len(values) - 7 * (k + 1): len(values) - 7 * k]) for k in range(LEVEL_WEEKS)]
    level = sum(w * x for w, x in zip(LEVEL_WEIGHTS, weeks, strict=True)) / sum(LEVEL_WEIGHTS)
    recent = series.tail(7 * SHAPE_WEEKS).with_columns(weekday=pl.col("day").dt.weekday(),
                                                        week=(pl.int_range(pl.len()) // 7))
    totals = recent.group_by("week").agg(total=pl.col("contacts").sum())
    shares = (recent.join(totals, on="week")
              .with_columns(share=pl.when(pl.col("total") > 0).then(pl.col("contacts") / pl.col("total")))
              .group_by("weekday").agg(pl.col("share").mean()))
    share = dict(zip(shares["weekday"].to_list(), shares["share"].fill_null(1 / 7).to_list(), strict=True))
    last = series["day"].max()
    days = [last + timedelta(days=i) for i in range(1, horizon_days + 1)]
    return pl.DataFrame({"day": days, "forecast": [level * share[d.isoweekday()] for d in days]},
                        schema={"day": pl.Date, "forecast": pl.Float64})


def seasonal_naive(history: pl.DataFrame, *, horizon_days: int) -> pl.DataFrame:
    """Return the baseline forecast: every future day repeats the same weekday of the last week.

    Examples:
        >>> from datetime import date
        >>> days = pl.date_range(date(2026, 1, 5), date(2026, 1, 18), "1d", eager=True)
        >>> seasonal_naive(pl.DataFrame({"day": days, "contacts": list(range(14))}), horizon_days=8)["forecast"].to_list()
        [7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 7.0]
    """
    series = _complete(history)
    last_week = series.tail(7)["contacts"].to_list()
    last = series["day"].max()
    days = [last + timedelta(days=i) for i in range(1, horizon_days + 1)]
    return pl.DataFrame({"day": days, "forecast": [last_week[(i - 1) % 7] for i in range(1, horizon_days + 1)]},
                        schema={"day": pl.Date, "forecast": pl.Float64})


@dataclass(frozen=True)
class Accuracy:
    """Backtest accuracy of a method: WAPE and bias over every held-out day."""

    wape: float | None  # sum |forecast - actual| / sum actual
    bias: float | None  # sum (forecast - actual) / sum actual; positive: forecasts too high


@dataclass(frozen=True)
class Backtest:
    """The model against the baseline on held-out weeks, and the model's relative errors per horizon week."""

    model: Accuracy
    baseline: Accuracy
    origins: int
    horizon_weeks: int
    errors: pl.DataFrame  # grain ("day" or "week"), horizon_week, relative_error (forecast / actual - 1)

    @property
    def beats_baseline(self) -> bool:
        """Return True when the model's WAPE is lower than the baseline's."""
        return (self.model.wape is not None and self.baseline.wape is not None
                and self.model.wape < self.baseline.wape)

    def verdict(self) -> str:
        """Return the result in one honest sentence."""
        if self.model.wape is None or self.baseline.wape is None:
            return "Not enough history to test the forecast against past weeks."
        if self.beats_baseline:
            return (f"Over the last {self.origins} forecast origins the model missed by {self.model.wape:.1%} of volume "
                    f"(WAPE), against {self.baseline.wape:.1%} for repeating last week.")
        return (f"Over the last {self.origins} forecast origins the model missed by {self.model.wape:.1%} (WAPE) and did "
                f"not beat repeating last week ({self.baseline.wape:.1%}); treat it with care.")


def _accuracy(frame: pl.DataFrame, column: str) -> Accuracy:
    actual = frame["actual"].sum()
    if not actual:
        return Accuracy(None, None)
    return Accuracy(float((frame[column] - frame["actual"]).abs().sum() / actual),
                    float((frame[column] - frame["actual"]).sum() / actual))


def compute_backtest(history: pl.DataFrame, *, horizon_weeks: int, origins: int = BACKTEST_ORIGINS) -> Backtest:
    """Return the backtest: forecasts made at ``origins`` past week ends, each for ``horizon_weeks`` weeks.

    The origins step back one week at a time from the last day that leaves a whole horizon of
    actuals; both methods see only the days before each origin.
    """
    series = _complete(history)
    usable = (series.height - MIN_HISTORY_DAYS - 7 * horizon_weeks) // 7 + 1
    origins = max(0, min(origins, usable))
    rows = []
    for k in range(origins):
        cut = series.height - 7 * horizon_weeks - 7 * k
        past, future = series.head(cut), series.slice(cut, 7 * horizon_weeks)
        model = forecast_days(past, horizon_days=7 * horizon_weeks)["forecast"]
        base = seasonal_naive(past, horizon_days=7 * horizon_weeks)["forecast"]
        rows.append(future.rename({"contacts": "actual"}).with_columns(
            model=model, baseline=base, origin=pl.lit(k), horizon_week=pl.int_range(pl.len()) // 7 + 1))
    schema = {"grain": pl.String, "horizon_week": pl.Int64, "relative_error": pl.Float64}
    if not rows:
        return Backtest(Accuracy(None, None), Accuracy(None, None), 0, horizon_weeks, pl.DataFrame(schema=schema))
    held_out = pl.concat(rows)
    weekly = held_out.group_by("origin", "horizon_week").agg(pl.col("actual").sum(), pl.col("model").sum())
    errors = pl.concat([
        frame.filter(pl.col("actual") > 0).select(
            grain=pl.lit(grain), horizon_week=pl.col("horizon_week").cast(pl.Int64),
            relative_error=pl.col("model") / pl.col("actual") - 1)
        for grain, frame in (("day", held_out), ("week", weekly))
    ])
    return Backtest(_accuracy(held_out, "model"), _accuracy(held_out, "baseline"), origins, horizon_weeks,
                    errors.cast(schema).sort("grain", "horizon_week"))


def compute_forecast(
    history: pl.DataFrame, *, horizon_weeks: int, grain: str = "day", coverage: float = 0.8,
) -> tuple[pl.DataFrame, Backtest]:
    """Return the forecast per day or per week with a prediction interval, and the backtest it rests on.

    The interval of a day (or week) in horizon week h scales the forecast by the backtest's
    relative errors of that grain and week at the (1 - coverage)/2 and (1 + coverage)/2
    quantiles; without a backtest it stays empty rather than guessed.

    Returns:
        (period_start, forecast, low, high): ``7 * horizon_weeks`` days or ``horizon_weeks``
        weeks (a week starts on the day after the history's last day), and the backtest.
    """
    if not 1 <= horizon_weeks <= 12:
        raise ValueError("forecast 1 to 12 weeks ahead")
    if grain not in ("day", "week"):
        raise ValueError("grain is day or week")
    backtest = compute_backtest(history, horizon_weeks=horizon_weeks)
    frame = forecast_days(history, horizon_days=7 * horizon_weeks).with_columns(
        horizon_week=(pl.int_range(pl.len()) // 7 + 1).cast(pl.Int64))
    if grain == "week":
        frame = frame.group_by("horizon_week").agg(pl.col("day").min(), pl.col("forecast").sum())
    low_q, high_q = (1 - coverage) / 2, (1 + coverage) / 2
    bands = backtest.errors.filter(grain=grain).group_by("horizon_week").agg(
        low=pl.col("relative_error").quantile(low_q), high=pl.col("relative_error").quantile(high_q))
    frame = frame.join(bands, on="horizon_week", how="left").sort("day").with_columns(
        low=(pl.col("forecast") * (1 + pl.col("low"))).clip(lower_bound=0),
        high=pl.col("forecast") * (1 + pl.col("high")))
    return frame.select(pl.col("day").alias("period_start"), "forecast", "low", "high"), backtest


def render_backtest_markdown(results: dict[str, dict[int, Backtest]], *, source: str) -> str:
    """Return ``docs/forecast.md``: the model, the baseline and the backtest per channel and horizon."""
    lines = [
        "# Volume forecast",
        "",
        f"Generated by `python -m csm backtest --db {source}`; rerun it after changing the model.",
        "",
        "**Model** (`csm/forecast.py`): a day's forecast is the recent weekly level (the last",
        f"{LEVEL_WEEKS} weeks, weighted {', '.join(map(str, LEVEL_WEIGHTS))} from the latest) times that weekday's",
        f"share of a week (the mean over the last {SHAPE_WEEKS} weeks). It needs {SHAPE_WEEKS} weeks of history.",
        "It has no trend or holiday terms: a steady growth is forecast a little low, and a public holiday",
        "like any other day. A forecasting library (statsforecast, Prophet) would add those at the cost of",
        "a heavy dependency and a model a manager cannot check by hand; the backtest below is the test any",
        "replacement must pass.",
        "",
        "**Baseline**: seasonal naive, every day repeats the same weekday of the last week.",
        "",
        f"**Backtest**: at each of the last {BACKTEST_ORIGINS} week ends that leave a whole horizon of actuals,",
        "both methods forecast the following weeks from the days before only. WAPE is the sum of absolute",
        "daily errors over the sum of actual contacts; bias is the sum of errors over the sum of actuals",
        "(positive: forecasts too high). Prediction intervals (80%) are the 10th and 90th percentiles of",
        "the model's relative errors per horizon week in the same backtest.",
        "",
        "| channel | horizon (weeks) | origins | model WAPE | model bias | baseline WAPE | beats baseline |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    def fmt(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    for channel, by_horizon in results.items():
        for weeks, b in by_horizon.items():
            lines.append(f"| {channel} | {weeks} | {b.origins} | {fmt(b.model.wape)} | {fmt(b.model.bias)} | "
                         f"{fmt(b.baseline.wape)} | {'yes' if b.beats_baseline else '**no**'} |")
    return "\n".join(lines) + "\n"
