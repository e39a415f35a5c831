"""The Overview in a real browser: load, change a filter, switch page; filter and URL follow."""

import re

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.server import serve_app

pytestmark = pytest.mark.browser


def metric_value(page: Page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).locator('[data-testid="stMetricValue"]')


def test_filter_survives_page_switch_and_lives_in_the_url(page: Page, app_url):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=60_000)
    before = metric_value(page, "Contacts").inner_text(timeout=30_000)

    team = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Team")
    team.locator("input").click()
    billing = page.get_by_role("option", name="Billing", exact=True)
    try:
        billing.wait_for(timeout=3_000)
    except PlaywrightTimeoutError:  # the click focused the box without opening its list (seen after a long page)
        page.keyboard.press("ArrowDown")
    billing.click()
    page.keyboard.press("Escape")

    expect(page).to_have_url(re.compile(r"team=Billing"), timeout=30_000)
    expect(metric_value(page, "Contacts")).not_to_have_text(before, timeout=30_000)

    page.locator('[data-testid="stSidebarNav"]').get_by_text("KPI definitions").click()
    expect(page.get_by_role("heading", name="KPI definitions")).to_be_visible(timeout=30_000)
    expect(page).to_have_url(re.compile(r"kpi-definitions.*team=Billing"), timeout=30_000)
    expect(team).to_contain_text("Billing")


def test_a_copied_link_reproduces_the_view(page: Page, app_url):
    page.goto(f"{app_url}/?period=last_quarter&team=Retention&compare=same_period_last_year")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Jul 2026 – 30 Sep 2026").first).to_be_visible(timeout=30_000)
    team = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Team")
    expect(team).to_contain_text("Retention")


def test_deep_link_as_first_request_to_a_fresh_server(page: Page, demo_db_file):
    # csm/ui/serve.py: without the launcher this first request shows "Page not found".
    with serve_app(demo_db_file) as url:
        page.goto(f"{url}/kpi-definitions?channel=phone")
        expect(page.get_by_role("heading", name="KPI definitions")).to_be_visible(timeout=60_000)
        channel = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Channel")
        expect(channel).to_contain_text("phone")
        expect(page.get_by_text("Page not found")).to_have_count(0)
