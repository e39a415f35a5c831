"""The Data page in a real browser: upload a file, import it, and see the Overview change."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from csm.db import connect
from csm.ingest.load import import_file
from tests.browser.server import serve_app
from tests.browser.test_overview_browser import metric_value

pytestmark = pytest.mark.browser
FILES = Path(__file__).resolve().parents[1] / "fixtures" / "files"


def test_upload_import_and_the_overview_counts_the_new_contacts(page: Page, tmp_path):
    db = tmp_path / "small.duckdb"
    con = connect(db)
    import_file(con, FILES / "helpdesk_clean.csv")  # four contacts in October 2026
    con.close()
    with serve_app(db, env={"CSM_UPLOADS_DIR": str(tmp_path / "uploads")}) as url:
        page.goto(f"{url}/?period=all_time")
        expect(metric_value(page, "Contacts")).to_have_text("4", timeout=60_000)

        page.goto(f"{url}/import")
        expect(page.get_by_role("heading", name="Data")).to_be_visible(timeout=60_000)
        page.locator('input[type="file"]').set_input_files(FILES / "helpdesk_updates.csv")
        expect(metric_value(page, "Warnings")).to_have_text("1", timeout=60_000)  # several rows per ticket
        button = page.get_by_role("button", name="Import", exact=True)
        expect(button).to_be_enabled(timeout=30_000)
        page.wait_for_load_state("networkidle")  # the check's rerun has finished drawing
        button.click()
        expect(page.get_by_text("2 contacts written, 2 folded, 0 left out")).to_be_visible(timeout=60_000)

        page.goto(f"{url}/?period=all_time")
        expect(metric_value(page, "Contacts")).to_have_text("6", timeout=60_000)
