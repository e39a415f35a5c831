"""The Business review in a real browser: the page draws, and the HTML pack downloads and opens offline."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_html_pack_downloads_and_opens_offline(page: Page, app_url, tmp_path):
    page.goto(f"{app_url}/business-review")
    expect(page.get_by_role("heading", name="Business review")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Most of it comes from").first).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="Review (HTML)").click()
    path = tmp_path / "review.html"
    download.value.save_as(path)
    assert download.value.suggested_filename == "business_review_2026-10.html"

    page.context.set_offline(True)  # everything the pack needs is inside the file
    page.goto(path.as_uri())
    expect(page.get_by_role("heading", name="Business review: October 2026")).to_be_visible()
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)  # the charts draw with no network
