"""The Budget page in a real browser: charts, call-outs and the Excel pack; a plan cell edited and saved."""

import shutil
import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.browser.server import serve_app
from tests.test_budget_page import planned

pytestmark = pytest.mark.browser


def test_budget_page_draws_and_downloads_its_workbook(page: Page, app_url, tmp_path):
    page.goto(f"{app_url}/budget-headcount?period=last_quarter")
    expect(page.get_by_role("heading", name="Budget and headcount")).to_be_visible(timeout=60_000)
    expect(page.locator(".js-plotly-plot")).to_have_count(4, timeout=60_000)
    expect(page.get_by_text("over plan year to date").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Budget, headcount and unit costs (Excel)").click()
    path = tmp_path / "budget.xlsx"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as book:
        workbook = book.read("xl/workbook.xml").decode()
    for sheet in ("Year", "Spend by month", "Headcount", "Headcount summary", "Unit costs", "By channel", "Weeks"):
        assert f'name="{sheet}"' in workbook


def test_a_plan_cell_edited_in_the_grid_is_saved_and_undone(page: Page, demo_db_file, tmp_path):
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_file, db)  # this test writes
    before = planned(db, "Accounts", "headcount", "2026-01-01")
    with serve_app(db, env={"CSM_UPLOADS_DIR": str(tmp_path / "uploads")}) as url:
        page.set_viewport_size({"width": 1440, "height": 1000})
        page.goto(f"{url}/budget-headcount?period=last_quarter")
        save = page.get_by_role("button", name="Save the budget plan of 2026")
        expect(save).to_be_visible(timeout=60_000)
        expect(page.locator(".js-plotly-plot")).to_have_count(4, timeout=60_000)  # the layout above has settled
        grid = page.locator('[data-testid="stDataFrame"]').last  # the plan grid closes the page
        saved = page.get_by_text("Saved the budget plan of 2026")
        for _ in range(3):  # a keystroke can land while the grid still draws; then nothing changed: type again
            grid.scroll_into_view_if_needed()
            page.wait_for_timeout(1_000)
            box = grid.bounding_box()
            page.mouse.click(box["x"] + 260, box["y"] + 87)  # second row (Accounts, headcount), January
            page.keyboard.press("Enter")  # open the cell editor
            page.keyboard.press("Control+A")
            page.keyboard.type("12345", delay=80)
            page.keyboard.press("Enter")
            page.wait_for_timeout(1_500)  # the edit reaches the server
            save.click()
            page.wait_for_timeout(2_000)
            if saved.is_visible():
                break
        expect(saved).to_be_visible(timeout=30_000)
        assert planned(db, "Accounts", "headcount", "2026-01-01") == 12345.0
        page.get_by_role("button", name="Undo the last plan edit").click()
        expect(page.get_by_text("The last plan edit is undone")).to_be_visible(timeout=30_000)
        assert planned(db, "Accounts", "headcount", "2026-01-01") == before
