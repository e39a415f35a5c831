"""The Volume page in a real browser: every chart draws, the shared filters apply, the split follows the choice."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_volume_page_draws_its_charts_for_a_filtered_link(page: Page, app_url):
    page.goto(f"{app_url}/volumes?period=last_90_days&team=Billing")
    expect(page.get_by_role("heading", name="Volume and queues")).to_be_visible(timeout=60_000)
    expect(page.locator(".js-plotly-plot")).to_have_count(6, timeout=60_000)
    team = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Team")
    expect(team).to_contain_text("Billing")
    expect(page.get_by_text("model missed by")).to_be_visible(timeout=30_000)
    page.get_by_text("category", exact=True).click()
    expect(page.get_by_text("Contacts by category per week (starting Monday)")).to_be_visible(timeout=30_000)


def test_clicking_a_chart_lists_the_contacts_behind_it(page: Page, app_url):
    page.goto(f"{app_url}/volumes?period=last_month")
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(6, timeout=60_000)
    expect(page.get_by_text("Click a bar, a point or a cell in a chart above")).to_be_visible()
    # the first bar of the created / resolved chart: created in the first (clipped) week of September
    charts.nth(1).locator(".bars path").first.click(force=True)
    expect(page.get_by_text("Created 01 Sep – 06 Sep 2026:")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="These contacts (CSV)")).to_be_visible()
    # a heatmap cell: contacts created at that weekday and hour
    charts.nth(3).locator(".scatterlayer .points path").nth(10).click(force=True)
    expect(page.get_by_text("Created on ")).to_be_visible(timeout=30_000)
