"""Reporting periods: presets, custom ranges and the comparison period.

Presets are anchored on the last day that has data (the *as-of* day), so a demo or an
export that ends last month still shows full periods instead of empty ones.
"""

from __future__ import annotations

from datetime import date, timedelta

from csm.compile import Window

PRESETS: dict[str, str] = {
    "last_7_days": "Last 7 days",
    "last_30_days": "Last 30 days",
    "last_90_days": "Last 90 days",
    "this_month": "This month",
    "last_month": "Last month",
    "this_quarter": "This quarter",
    "last_quarter": "Last quarter",
    "year_to_date": "Year to date",
    "all_time": "All data",
    "custom": "Custom range",
}
COMPARISONS: dict[str, str] = {
    "previous_period": "Previous period",
    "same_period_last_year": "Same period last year",
    "none": "No comparison",
}


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _shift_months(d: date, months: int) -> date:
    """Return ``d`` moved by whole months, clipped to the last day of the target month."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, min(d.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def resolve_period(
    preset: str, *, as_of: date, first_day: date | None = None, custom: tuple[date, date] | None = None
) -> tuple[date, date]:
    """Return the (start, end) days, both inclusive, of a preset ending on or before ``as_of``.

    Args:
        preset: a key of ``PRESETS``.
        as_of: the last day of data; "this" periods run to this day.
        first_day: the first day of data, for ``all_time``.
        custom: the range for ``custom``; swapped if given backwards.

    Raises:
        ValueError: unknown preset, or ``custom`` without a range.

    Examples:
        >>> resolve_period("last_7_days", as_of=date(2026, 10, 31))
        (datetime.date(2026, 10, 25), datetime.date(2026, 10, 31))
        >>> resolve_period("last_quarter", as_of=date(2026, 10, 31))
        (datetime.date(2026, 7, 1), datetime.date(2026, 9, 30))
    """
    if preset.startswith("last_") and preset.endswith("_days"):
        n = int(preset.split("_")[1])
        return as_of - timedelta(days=n - 1), as_of
    if preset == "this_month":
        return as_of.replace(day=1), as_of
    if preset == "last_month":
        end = as_of.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if preset == "this_quarter":
        return _quarter_start(as_of), as_of
    if preset == "last_quarter":
        end = _quarter_start(as_of) - timedelta(days=1)
        return _quarter_start(end), end
    if preset == "year_to_date":
        return date(as_of.year, 1, 1), as_of
    if preset == "all_time":
        return (first_day or as_of), as_of
    if preset == "custom":
        if not custom:
            raise ValueError("a custom period needs a start and an end day")
        a, b = custom
        return (a, b) if a <= b else (b, a)
    raise ValueError(f"unknown period preset {preset!r}; known: {', '.join(PRESETS)}")


def comparison_period(start: date, end: date, comparison: str) -> tuple[date, date] | None:
    """Return the period to compare ``start``..``end`` with, or None for no comparison.

    ``previous_period`` is the period of the same length just before; when the period is
    whole calendar months (or a month or quarter to date) it is the same span one or three
    months earlier, so October compares with September, not with 31 days ending 30 September.

    Examples:
        >>> comparison_period(date(2026, 10, 1), date(2026, 10, 31), "previous_period")
        (datetime.date(2026, 9, 1), datetime.date(2026, 9, 30))
        >>> comparison_period(date(2026, 10, 25), date(2026, 10, 31), "previous_period")
        (datetime.date(2026, 10, 18), datetime.date(2026, 10, 24))
        >>> comparison_period(date(2026, 3, 1), date(2026, 3, 31), "previous_period")
        (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
        >>> comparison_period(date(2024, 2, 1), date(2024, 2, 29), "same_period_last_year")
        (datetime.date(2023, 2, 1), datetime.date(2023, 2, 28))
    """
    if comparison == "none":
        return None
    if comparison == "same_period_last_year":
        return _shift_months(start, -12), _shift_months(end, -12)
    if comparison != "previous_period":
        raise ValueError(f"unknown comparison {comparison!r}; known: {', '.join(COMPARISONS)}")
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if start.day == 1 and months in (1, 3):
        if (end + timedelta(days=1)).day == 1:  # whole month or quarter
            return _shift_months(start, -months), start - timedelta(days=1)
        return _shift_months(start, -months), min(_shift_months(end, -months), start - timedelta(days=1))
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def build_windows(start: date, end: date, comparison: str) -> tuple[Window, ...]:
    """Return the current window and, unless ``comparison`` is ``none``, the comparison window."""
    windows = [Window("current", start, end)]
    other = comparison_period(start, end, comparison)
    if other:
        windows.append(Window("comparison", *other))
    return tuple(windows)


def choose_grain(start: date, end: date) -> str:
    """Return the time bucket that gives a readable trend for a period of this length.

    Examples:
        >>> choose_grain(date(2026, 10, 1), date(2026, 10, 31))
        'day'
        >>> choose_grain(date(2026, 1, 1), date(2026, 10, 31))
        'week'
        >>> choose_grain(date(2024, 11, 1), date(2026, 10, 31))
        'month'
    """
    days = (end - start).days + 1
    if days <= 62:
        return "day"
    if days <= 366:
        return "week"
    return "month"


def describe_period(start: date, end: date) -> str:
    """Return a period in words, such as ``1 Oct 2026 - 31 Oct 2026`` or ``Oct 2026``.

    Examples:
        >>> describe_period(date(2026, 10, 1), date(2026, 10, 31))
        'Oct 2026'
        >>> describe_period(date(2026, 10, 25), date(2026, 10, 31))
        '25 Oct 2026 – 31 Oct 2026'
    """
    if start.day == 1 and (end + timedelta(days=1)).day == 1 and (start.year, start.month) == (end.year, end.month):
        return start.strftime("%b %Y")
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


def calendar_bucket(day: date, grain: str) -> tuple[date, date]:
    """Return the first and last day of the calendar ``grain`` bucket holding ``day``.

    Weeks start on Monday, as DuckDB's ``date_trunc('week', ...)`` does.

    Examples:
        >>> calendar_bucket(date(2026, 10, 7), "week")
        (datetime.date(2026, 10, 5), datetime.date(2026, 10, 11))
        >>> calendar_bucket(date(2026, 11, 23), "quarter")
        (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    """
    if grain == "day":
        return day, day
    if grain == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}
    if grain not in months:
        raise ValueError(f"unknown grain {grain!r}")
    first = {"month": day.replace(day=1), "quarter": _quarter_start(day), "year": date(day.year, 1, 1)}[grain]
    return first, _shift_months(first, months[grain]) - timedelta(days=1)


def period_buckets(start: date, end: date, grain: str) -> list[tuple[date, date, date]]:
    """Return (bucket, first day, last day) for each calendar ``grain`` bucket of ``start``..``end``.

    Buckets are clipped to the range; ``bucket`` is the bucket's own first day, as
    ``date_trunc`` gives it.

    Examples:
        >>> period_buckets(date(2026, 2, 15), date(2026, 4, 10), "month")[0]
        (datetime.date(2026, 2, 1), datetime.date(2026, 2, 15), datetime.date(2026, 2, 28))
        >>> len(period_buckets(date(2026, 1, 1), date(2026, 12, 31), "quarter"))
        4
    """
    out = []
    day = start
    while day <= end:
        first, last = calendar_bucket(day, grain)
        out.append((first, max(first, start), min(last, end)))
        day = last + timedelta(days=1)
    return out


def short_period_name(start: date, end: date) -> str | None:
    """Return a short name for a calendar month, quarter or year, else None.

    Examples:
        >>> short_period_name(date(2026, 9, 1), date(2026, 9, 30)), short_period_name(date(2026, 7, 1), date(2026, 9, 30))
        ('Sep 2026', 'Q3 2026')
        >>> short_period_name(date(2026, 9, 2), date(2026, 10, 1)) is None
        True
    """
    for grain in ("month", "quarter", "year"):
        if calendar_bucket(start, grain) == (start, end):
            return {"month": f"{start:%b %Y}", "quarter": f"Q{(start.month - 1) // 3 + 1} {start.year}",
                    "year": str(start.year)}[grain]
    return None


def describe_comparison(
    windows: tuple[Window, ...], comparison: str, *, outside_data: Window | None = None
) -> tuple[str, str | None]:
    """Return a caption for the period and its comparison, and a short label for "vs ...".

    Args:
        windows: the current window and, if compared, the comparison window.
        comparison: the comparison key (``COMPARISONS``).
        outside_data: the comparison window that was dropped because the data does not cover it.

    Examples:
        >>> w = build_windows(date(2026, 10, 1), date(2026, 10, 31), "previous_period")
        >>> describe_comparison(w, "previous_period")
        ('Oct 2026 · compared with Sep 2026 (previous period)', 'Sep 2026')
        >>> describe_comparison(w[:1], "previous_period", outside_data=w[1])
        ('Oct 2026 · no comparison: the data does not cover Sep 2026', None)
    """
    caption = describe_period(windows[0].start, windows[0].end)
    if len(windows) > 1:
        other = windows[1]
        caption += f" · compared with {describe_period(other.start, other.end)} ({COMPARISONS[comparison].lower()})"
        return caption, short_period_name(other.start, other.end) or COMPARISONS[comparison].lower()
    if outside_data:
        caption += f" · no comparison: the data does not cover {describe_period(outside_data.start, outside_data.end)}"
    return caption, None
