"""The Budget page in AppTest: the year so far, over-plan call-outs, and editing the plan (saved, refused, undone)."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from csm.db import connect
from tests.apptest import open_page

EDITOR = "budget__plan_budget_2026_0"  # the budget grid of 2026 before any save (csm.ui.plan_editor)


@pytest.fixture
def database(private_demo_db) -> Path:
    return private_demo_db


def budget_page(**params) -> AppTest:
    return open_page("pages/budget.py", **params)


def planned(path: Path, team: str, category: str, month: str) -> float | None:
    con = connect(path, read_only=True)
    try:
        return con.execute("SELECT planned FROM budget WHERE team = ? AND category = ? AND month = ?",
                           [team, category, month]).fetchone()[0]
    finally:
        con.close()


def grid_row(at: AppTest, team: str, category: str) -> int:
    grid = at.data_editor(key=EDITOR).value
    return int(grid.index[(grid["Team"] == team) & (grid["Category"] == category)][0])


def test_the_year_so_far_calls_out_the_categories_over_plan(database):
    at = budget_page(period="last_quarter")
    assert at.header[0].value == "Budget and headcount"
    warnings = [w.value for w in at.main.warning]
    assert warnings[0].startswith("**Overtime** is €") and "over plan year to date" in warnings[0]
    summary = next(d.value for d in at.dataframe if "Spend to date" in d.value.columns)
    assert list(summary["Category"])[-1] == "Total" and "over plan" in set(summary["Status"])
    assert [m.label for m in at.metric] == ["Spent to date (9 booked months)", "Projected for the year", "Year plan"]
    assert {b.label for b in at.get("download_button")} == {"Spend by month (CSV)",
                                                            "Budget, headcount and unit costs (Excel)"}


def test_a_channel_filter_makes_the_costs_not_applicable(database):
    at = budget_page(period="last_quarter", channel="phone")
    assert any("not recorded by channel" in i.value for i in at.info)
    costs = next(d.value for d in at.dataframe if "Cost per resolved contact" in d.value.columns)
    assert costs["Cost per contact"].isna().all()


def test_an_edit_is_saved_shown_and_undone(database):
    at = budget_page()
    at.button(key="budget__plan_save").click().run()
    assert [i.value for i in at.info] == ["Nothing to save: the grid is as stored."]
    before = planned(database, "Billing", "tools", "2026-12-01")
    row = grid_row(at, "Billing", "tools")
    at.session_state[EDITOR] = {"edited_rows": {row: {"Dec": 2500.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="budget__plan_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value.startswith("Saved the budget plan of 2026: 300 month rows")
    assert planned(database, "Billing", "tools", "2026-12-01") == 2500.0
    assert planned(database, "Billing", "tools", "2026-11-01") == before  # the other cells are as they were
    undo = at.button(key="budget__plan_undo")
    assert undo.label.startswith("Undo the last plan edit (budget plan edited in the app 2026")
    undo.click().run()
    assert at.success[0].value == "The last plan edit is undone: the plan is as it was before it."
    assert planned(database, "Billing", "tools", "2026-12-01") == before


def test_a_bad_edit_is_refused_with_its_cell_and_nothing_changes(database):
    at = budget_page()
    before = planned(database, "Billing", "tools", "2026-03-01")
    row = grid_row(at, "Billing", "tools")
    at.session_state[EDITOR] = {"edited_rows": {row: {"Mar": -100.0}},
                                "added_rows": [{"Team": "Billing", "Category": "snacks", "Jan": 10.0}],
                                "deleted_rows": []}
    at.run()
    at.button(key="budget__plan_save").click().run()
    message = at.error[0].value
    assert message.startswith("Nothing was saved.")
    assert f"Row {row + 1} (Billing, tools), Mar 2026: -100 is negative; planned spend is 0 or more." in message
    assert "category 'snacks' is not one of headcount, tools, training, overtime, other" in message
    assert planned(database, "Billing", "tools", "2026-03-01") == before
    con = connect(database, read_only=True)
    assert con.execute("SELECT count(*) FROM imports WHERE source LIKE '%plan%'").fetchone()[0] == 0
    con.close()


def test_without_budget_or_headcount_rows_the_page_says_so(tmp_path, monkeypatch):
    from csm.ingest.load import import_file

    path = tmp_path / "contacts_only.duckdb"
    con = connect(path)
    import_file(con, Path(__file__).resolve().parent / "fixtures" / "files" / "helpdesk_clean.csv")
    con.close()
    monkeypatch.setenv("CSM_DB_PATH", str(path))
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        at = budget_page(period="all_time")
        assert any(i.value.startswith("No spend is booked for 2026") for i in at.info)
        headcount = next(d.value for d in at.dataframe if "Attrition, annualised (%)" in d.value.columns)
        assert list(headcount["Team"]) == ["All teams"] and headcount["Actual FTE"].isna().all()
        costs = next(d.value for d in at.dataframe if "Cost per resolved contact" in d.value.columns)
        assert costs["Cost per contact"].isna().all() and costs["Contacts"].sum() == 4  # contacts, but no spend
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()
