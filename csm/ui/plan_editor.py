"""The Budget page's plan editor: edit a year's budget or headcount plan in a grid, save it, undo it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from csm.ingest.history import find_undoable_import, load_imports, undo_import
from csm.plan import KINDS, MONTHS, PlanError, is_plan_edit, plan_years, save_plan
from csm.schema import BUDGET_CATEGORIES
from csm.ui import loaders

PAGE = "budget"


def _editor_key(kind: str, year: int) -> str:
    return f"{PAGE}__plan_{kind}_{year}_{st.session_state.get(f'{PAGE}__plan_version', 0)}"


def _done(message: str) -> None:
    """Show ``message`` after the rerun, with fresh editors (their edits are saved or undone)."""
    st.session_state[f"{PAGE}__plan_message"] = message
    st.session_state[f"{PAGE}__plan_version"] = st.session_state.get(f"{PAGE}__plan_version", 0) + 1
    st.rerun()


def render_plan_editor() -> None:
    """Edit the plan of a year: a grid per table, validated on save, written as an import that can be undone."""
    if message := st.session_state.pop(f"{PAGE}__plan_message", None):
        st.success(message)
    first, last, _ = loaders.load_data_range()
    years = plan_years(first, last)
    year = st.selectbox("Plan of", years, index=years.index(last.year) if last else 0, key=f"{PAGE}__plan_year")
    kind = st.radio("Edit", list(KINDS), format_func={"budget": "Budget (money per month)",
                                                      "headcount": "Headcount (FTE per month)"}.get,
                    horizontal=True, key=f"{PAGE}__plan_kind")
    grid = loaders.load_plan_grid(kind, year)
    money = kind == "budget"
    months = {m: st.column_config.NumberColumn(m, min_value=0.0, format="euro" if money else "%.1f",
                                               step=0.01 if money else 0.1) for m in MONTHS}
    labels = {"Team": st.column_config.TextColumn("Team", help="Empty for shared costs" if money else None,
                                                  required=not money)}
    if money:
        labels["Category"] = st.column_config.SelectboxColumn("Category", options=list(BUDGET_CATEGORIES), required=True)
    edited = st.data_editor(grid, key=_editor_key(kind, year), num_rows="dynamic", hide_index=True,
                            column_config={**labels, **months}, width="stretch")
    st.caption("One row per team" + (" and category (an empty team is a shared cost)" if money else "")
               + f", one column per month of {year}. Add a row for a new team or category; removing a row clears "
                 "its plan for the year (booked spend, FTE, hires and leavers stay). Saving checks every cell first: "
                 "nothing is written unless all of it is right. The grid shows every team, whatever the filters. A plan can "
                 "also be imported as a file on the Data page.")
    if st.button(f"Save the {kind} plan of {year}", key=f"{PAGE}__plan_save", type="primary"):
        if pl.DataFrame(edited).equals(grid):
            st.info("Nothing to save: the grid is as stored.")
            return
        try:
            with loaders.open_writer() as con:
                result = save_plan(con, kind, pl.DataFrame(edited), year=year, years=years,
                                   folder=Path(str(loaders.get_settings()["uploads_dir"])))
        except PlanError as exc:
            st.error("Nothing was saved. " + " ".join(exc.problems[:10])
                     + (f" … and {len(exc.problems) - 10} more." if len(exc.problems) > 10 else ""))
        except duckdb.Error as exc:
            st.error(f"Nothing was saved: {exc}")
        else:
            _done(f"Saved the {kind} plan of {year}: {result.rows_written:,} month rows (import {result.import_id}).")
    _render_undo()


def _render_undo() -> None:
    con = loaders.get_connection()
    undoable = find_undoable_import(con)
    if undoable is None:
        return
    row = load_imports(con).filter(import_id=undoable).row(0, named=True)
    if not is_plan_edit(row["source"]):
        return
    if st.button(f"Undo the last plan edit ({row['source'].removesuffix('.csv')}, saved {row['imported_at']:%d %b %H:%M})",
                 key=f"{PAGE}__plan_undo"):
        try:
            with loaders.open_writer() as writer:
                undo_import(writer, undoable)
        except (duckdb.Error, ValueError) as exc:
            st.error(f"Nothing was changed: {exc}")
            return
        _done("The last plan edit is undone: the plan is as it was before it.")
