"""Hostile files and names in a real browser: a message for each, no traceback, nothing fetched from outside."""

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from csm.db import connect
from csm.ingest.load import import_file
from tests.browser.server import serve_app
from tests.csm.ingest.hostile_files import CASES, write_hostile

pytestmark = pytest.mark.browser
FILES = Path(__file__).resolve().parents[1] / "fixtures" / "files"
SHOWN = ["mixed_encodings", "uncalculated_formula", "zip_bomb_workbook", "json_array_of_arrays", "a_cell_over_the_limit"]


def test_hostile_uploads_get_their_message_and_no_traceback(page: Page, tmp_path):
    db = tmp_path / "small.duckdb"
    con = connect(db)
    import_file(con, FILES / "helpdesk_clean.csv")
    con.close()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname not in ("127.0.0.1", None)
            else None)
    env = {"CSM_UPLOADS_DIR": str(tmp_path / "uploads"), "CSM_MAX_WORKBOOK_MB": "8",
           "CSM_MAPPINGS_DIR": str(tmp_path / "mappings")}
    with serve_app(db, env=env) as url:
        page.goto(f"{url}/import")
        expect(page.get_by_role("heading", name="Data")).to_be_visible(timeout=60_000)
        cases = {c[0]: c for c in CASES}
        for case in SHOWN:
            _, name, content, _, _ = cases[case]
            path = write_hostile(tmp_path, name, content)
            page.locator('input[type="file"]').set_input_files(path)
            alert = page.get_by_role("alert").filter(has_text="Nothing was written.")
            expect(alert.filter(has_text=name)).to_be_visible(timeout=60_000)
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        # A name that is a path: refused on the page before anything is written.
        page.locator('input[type="file"]').set_input_files(FILES / "helpdesk_updates.csv")
        expect(page.get_by_role("button", name="Import", exact=True)).to_be_enabled(timeout=60_000)
        name_box = page.get_by_role("textbox", name="Save this mapping as (optional)")
        name_box.fill("../../x.yaml")
        name_box.press("Enter")
        expect(page.get_by_role("alert").filter(has_text="not a path")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="Import", exact=True)).to_be_disabled()
    assert not (tmp_path / "mappings").exists()
    assert outside == []


def test_a_hostile_team_name_fetches_nothing_on_the_agents_page(page: Page, hostile_db):
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).hostname != "127.0.0.1" else None)
    with serve_app(hostile_db) as url:
        page.goto(f"{url}/agent-scorecard?period=last_90_days&team=" + "%21%5Bi%5D%28http%3A%2F%2Fevil.test%2Fpixel.png%29")
        expect(page.get_by_role("heading", name="Agents")).to_be_visible(timeout=60_000)
        caption = page.get_by_text("The team line is ![i](", exact=False)
        expect(caption).to_be_visible(timeout=60_000)
        assert caption.inner_text().replace("\u2060", "").startswith(
            "The team line is ![i](http://evil.test/pixel.png) as a whole")  # shown as typed
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        expect(page.locator('a[href*="evil"], img[src*="evil"]')).to_have_count(0)  # no link, no image
    assert outside == []
