"""The Staffing page in a real browser: the plan table and both heatmaps draw."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_staffing_page_draws_the_plan(page: Page, app_url):
    page.goto(f"{app_url}/staffing-plan?channel=phone")
    expect(page.get_by_role("heading", name="Staffing")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Week from Sun 01 Nov 2026")).to_be_visible(timeout=60_000)
    expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=60_000)


def test_staffing_gap_is_against_the_books_and_cells_drill_through(page: Page, app_url):
    page.goto(f"{app_url}/staffing-plan")
    expect(page.locator("strong").filter(has_text="FTE on the books")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Agents short of those on the books")).to_be_visible(timeout=60_000)
    page.locator(".js-plotly-plot").nth(1).locator(".scatterlayer .points path").nth(20).click(force=True)
    expect(page.get_by_text("phone, chat contacts created on")).to_be_visible(timeout=30_000)
