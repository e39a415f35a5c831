"""The Customer topics page in a real browser: the emerging topic and the tables draw."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_topics_page_shows_the_emerging_topic(page: Page, app_url):
    page.goto(f"{app_url}/customer-topics?period=last_quarter")
    expect(page.get_by_role("heading", name="Customer topics")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("in July 2026:")).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(2)
