"""The shared sidebar filters: period, comparison and five dimensions.

The filters are rendered by ``app.py`` on every run, so they survive page switches, and
mirrored into the URL (``?period=last_month&team=Billing&team=Retention``), so a copied link
reproduces the view. Values read from the URL are checked against the options on offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from csm.compile import Filters
from csm.periods import COMPARISONS, PRESETS, resolve_period

# URL / session-state key -> dimension of the data model, with the widget label.
DIMENSION_KEYS = {
    "team": ("team", "Team"),
    "channel": ("channel", "Channel"),
    "agent": ("agent_id", "Agent"),
    "category": ("category", "Category"),
    "priority": ("priority", "Priority"),
}
DEFAULT_PERIOD = "this_month"
DEFAULT_COMPARISON = "previous_period"
_INITIALISED = "filters__initialised"


@dataclass(frozen=True)
class Selection:
    """What the shared filters select: a period, a comparison and dimension filters."""

    start: date
    end: date
    comparison: str
    filters: Filters


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _init_from_url(options: dict[str, dict[str, str]], first: date, last: date) -> None:
    """Seed the widgets from the URL once per session, dropping values that are not on offer."""
    if st.session_state.get(_INITIALISED):
        return
    params = st.query_params
    period = params.get("period")
    st.session_state["period"] = period if period in PRESETS else DEFAULT_PERIOD
    compare = params.get("compare")
    st.session_state["compare"] = compare if compare in COMPARISONS else DEFAULT_COMPARISON
    start, end = _parse_day(params.get("from")), _parse_day(params.get("to"))
    if start and end:
        st.session_state["custom_range"] = (max(min(start, end), first), min(max(start, end), last))
    else:
        st.session_state["custom_range"] = (max(first, last.replace(day=1)), last)
    for key, (dim, _) in DIMENSION_KEYS.items():
        st.session_state[key] = [v for v in params.get_all(key) if v in options[dim]]
    st.session_state[_INITIALISED] = True


def _write_url(selection: Selection) -> None:
    params: dict[str, str | list[str]] = {"period": st.session_state["period"], "compare": selection.comparison}
    if st.session_state["period"] == "custom":
        params["from"], params["to"] = selection.start.isoformat(), selection.end.isoformat()
    for key, (dim, _) in DIMENSION_KEYS.items():
        values = list(getattr(selection.filters, dim))
        if values:
            params[key] = values
    st.query_params.from_dict(params)


def render_sidebar_filters(options: dict[str, dict[str, str]], first: date, last: date) -> Selection:
    """Render the shared filters in the sidebar and return the selection.

    Args:
        options: values on offer per dimension with display labels.
        first: first day with data.
        last: last day with data; presets end on this day.
    """
    _init_from_url(options, first, last)
    sb = st.sidebar
    sb.caption(f"Data from {first:%d %b %Y} to {last:%d %b %Y}. Periods end on the last day with data.")
    sb.selectbox("Period", list(PRESETS), format_func=PRESETS.get, key="period")
    custom = None
    if st.session_state["period"] == "custom":
        picked = sb.date_input("Date range", key="custom_range", min_value=first, max_value=last, format="YYYY-MM-DD")
        # While the user is picking, the widget holds only the first day of the range.
        days = list(picked) if isinstance(picked, tuple | list) else [picked]
        custom = (days[0], days[-1]) if days else (first, last)
    start, end = resolve_period(st.session_state["period"], as_of=last, first_day=first, custom=custom)
    sb.selectbox("Compare with", list(COMPARISONS), format_func=COMPARISONS.get, key="compare")
    chosen = {}
    for key, (dim, label) in DIMENSION_KEYS.items():
        labels = options[dim]
        chosen[dim] = tuple(
            sb.multiselect(label, list(labels), format_func=lambda v, labels=labels: labels.get(v, v), key=key, placeholder="All")
        )
    selection = Selection(start, end, st.session_state["compare"], Filters(**chosen))
    _write_url(selection)
    return selection


def store_selection(selection: Selection) -> None:
    """Keep the selection for the page that runs after the sidebar."""
    st.session_state["filters__selection"] = selection


def get_selection() -> Selection:
    """Return the selection the sidebar made on this run."""
    return st.session_state["filters__selection"]
