"""The Customer topics page in a real browser: the emerging topic and the tables draw."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_topics_page_shows_the_emerging_topic(page: Page, app_url):
    page.goto(f"{app_url}/customer-topics?period=last_quarter")
    expect(page.get_by_role("heading", name="Customer topics")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("in July 2026:")).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(2)


def test_a_grid_cell_and_an_emerging_topic_list_their_contacts(page: Page, app_url):
    page.goto(f"{app_url}/customer-topics?period=last_quarter")
    grids = page.locator('[data-testid="stDataFrame"]')
    expect(grids).to_have_count(2, timeout=60_000)
    grid = grids.nth(1)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 250, box["y"] + 52)  # the first topic's chat cell
    expect(page.get_by_text("Created 01 Jul – 30 Sep 2026, topic Account update, channel chat, counted in "
                            "CSAT:")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="List the App crash contacts of July 2026").click()
    expect(page.get_by_text("Created 01 Jul – 31 Jul 2026, topic App crash: 1,269 contacts")).to_be_visible(
        timeout=30_000)
