"""Drill-through in the app: click a chart point or a table row, see its contacts as a table and a CSV.

Each drillable chart is drawn with :func:`drillable_chart` and each drillable table with
:func:`drillable_table`; both turn the selection into a ``csm.drill.Drill`` (with their own
``to_drill``) and keep it per page. :func:`render_drill` lists the contacts of the latest
selection under the shared filters.
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from csm import exports
from csm.drill import Drill
from csm.formatting import escape_markdown
from csm.ui.filters import get_selection
from csm.ui.loaders import load_drill

SHOWN = 5000


def _state_key(page: str) -> str:
    return f"{page}__drill"


def _generations(page: str) -> dict[str, int]:
    """Return each drillable chart's generation; a new one redraws the chart with no selection."""
    return st.session_state.setdefault(f"{page}__drill_generations", {})


def _forget_selections(page: str, *, keep: str | None = None) -> None:
    generations = _generations(page)
    for chart in generations:
        if chart != keep:
            generations[chart] += 1


def drillable_chart(
    fig: go.Figure, *, page: str, key: str, to_drill: Callable[[dict], Drill | None], container=st
) -> None:
    """Draw ``fig`` so that clicking a point shows its contacts in the page's drill table.

    Args:
        fig: the chart.
        page: the page's key prefix; one drill table per page.
        key: the chart's key (the widget's key adds a generation: a click elsewhere clears this selection).
        to_drill: turns a selected point (Streamlit's selection dict) into a Drill, or None.
        container: where to draw (``st`` or a column).
    """
    widget = f"{key}__{_generations(page).setdefault(key, 0)}"

    def on_select() -> None:
        state = st.session_state.get(widget)
        points = state["selection"]["points"] if state else []
        _remember(page, key, next((d for d in map(to_drill, points) if d is not None), None))

    # With a unified hover a click selects every series at that x; "closest" selects the one clicked.
    fig.update_layout(hovermode="closest")
    container.plotly_chart(fig, key=widget, on_select=on_select, selection_mode="points")


def _remember(page: str, key: str, drill: Drill | None) -> None:
    if drill is not None:
        sel = get_selection()
        st.session_state[_state_key(page)] = (drill, (sel.start, sel.end))
        _forget_selections(page, keep=key)  # one highlighted point or row on the page: the one listed


def drillable_table(
    frame, *, page: str, key: str, to_drill: Callable[[int, str | None], Drill | None], cells: bool = False,
    container=st, **kwargs,
) -> None:
    """Show ``frame`` so that selecting a row (or, with ``cells``, a cell) lists its contacts in the page's drill table.

    Args:
        frame: the table as shown.
        page: the page's key prefix.
        key: the table's key (a selection elsewhere on the page clears this one).
        to_drill: turns (row position in ``frame``, column name or None for a whole row) into a Drill, or None.
        cells: select single cells instead of rows.
        container: where to draw (``st`` or a column).
        **kwargs: passed on to ``st.dataframe``.
    """
    widget = f"{key}__{_generations(page).setdefault(key, 0)}"

    def on_select() -> None:
        state = st.session_state.get(widget)
        selection = state["selection"] if state else {}
        if cells:
            picked = [(int(row), str(column)) for row, column in selection.get("cells", [])]
        else:
            picked = [(int(row), None) for row in selection.get("rows", [])]
        _remember(page, key, next((d for d in (to_drill(r, c) for r, c in picked) if d is not None), None))

    container.dataframe(frame, key=widget, on_select=on_select,
                        selection_mode="single-cell" if cells else "single-row", **kwargs)


def drill_button(label: str, drill: Drill, *, page: str, key: str, container=st) -> None:
    """Show a button that lists ``drill``'s contacts in the page's drill table."""
    container.button(label, key=key, on_click=_remember, args=(page, key, drill))


def render_drill(page: str) -> None:
    """Show the contacts behind the page's latest clicked point, or how to get them."""
    sel = get_selection()
    st.subheader("Contacts behind the selection")
    stored = st.session_state.get(_state_key(page))
    if stored is None or stored[1] != (sel.start, sel.end):  # a point of another period's chart is gone
        st.caption("Click a bar, a point or a cell in a chart above, or tick a table row, to list its contacts here.")
        return
    drill: Drill = stored[0]
    if drill.future:
        st.info(f"{escape_markdown(drill.title)}: a forecast, so there are no contacts yet.")
        return
    rows, total = load_drill(drill, sel.filters, SHOWN)
    shown = f"the {SHOWN:,} newest of " if total > SHOWN else ""
    noun = "contact" if total == 1 else "contacts"
    st.caption(f"{escape_markdown(drill.title)}: {shown}{total:,} {noun} under the current filters.")
    if total:
        st.dataframe(rows, hide_index=True)
        st.download_button(
            "These contacts (CSV)",
            exports.frame_csv(rows),
            file_name=f"contacts_{drill.first}_{drill.last}.csv",
            mime="text/csv",
            key=f"{page}__drill_csv",
        )
    if st.button("Clear", key=f"{page}__drill_clear"):
        del st.session_state[_state_key(page)]
        _forget_selections(page)
        st.rerun()
