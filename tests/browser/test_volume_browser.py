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
