"""The Agents page in a real browser: the scorecard draws for a filtered link and exports to Excel."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_agents_page_draws_the_scorecard_and_downloads_it(page: Page, app_url, tmp_path):
    page.goto(f"{app_url}/agent-scorecard?period=last_90_days&team=Billing")
    expect(page.get_by_role("heading", name="Agents")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("agents in the selection")).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(4)  # agents, mix, lowest-rated, teams
    with page.expect_download() as download:
        page.get_by_role("button", name="Scorecard and teams (Excel)").click()
    path = tmp_path / "agents.xlsx"
    download.value.save_as(path)
    assert path.read_bytes()[:2] == b"PK"  # an xlsx is a zip


def test_the_one_on_one_summary_downloads_as_html(page: Page, app_url, tmp_path):
    page.goto(f"{app_url}/agent-scorecard?period=last_90_days")
    button = page.get_by_role("button", name="One-on-one summary (HTML, printable)")
    expect(button).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        button.click()
    path = tmp_path / "one_on_one.html"
    download.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<h2>Lowest-rated contacts</h2>" in text


def test_a_ramp_point_and_a_scorecard_row_list_their_contacts(page: Page, app_url):
    page.goto(f"{app_url}/agent-scorecard?period=last_90_days")
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(3, timeout=60_000)  # the agent's trend, handle times, the ramp
    charts.nth(2).locator(".scatterlayer .points path").nth(3).click(force=True)  # Feb 2026 hires, week 3
    expect(page.get_by_text("Hires of Feb 2026 in week 3 of their tenure")).to_be_visible(timeout=30_000)
    scorecard = page.locator('[data-testid="stDataFrame"]').first
    scorecard.scroll_into_view_if_needed()
    box = scorecard.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 52)  # the first row's selection box
    expect(page.get_by_text("Created 03 Aug – 31 Oct 2026, team ")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="These contacts (CSV)")).to_be_visible()
