"""The Data page in AppTest: upload, check, import, see the new numbers, undo; reference tables; bad files."""

import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from csm.db import connect
from csm.ingest.reference import render_template
from csm.ui.importer import save_upload
from tests.apptest import shown

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
FILES = ROOT / "tests" / "fixtures" / "files"


def count(path, table="tickets") -> int:
    con = connect(path, read_only=True)
    try:
        return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    finally:
        con.close()


def data_page(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest, column: str):
    """Return the displayed table that has ``column``: the report ("Rule") or the history ("When")."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def upload(at: AppTest, path: Path, *, table: str = "tickets", name: str | None = None) -> AppTest:
    at.file_uploader(key=f"data__upload_{table}").upload(name or path.name, path.read_bytes(), "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_invites_a_file_and_offers_templates(small_app_db):
    at = data_page()
    assert [t.label for t in at.tabs] == ["Import a file", "Import history", "Templates"]
    assert "Nothing is written until you press Import" in at.info[0].value
    assert not at.sidebar.selectbox  # no period filters on this page


def test_upload_check_import_then_overview_shows_it_and_undo_reverts(small_app_db):
    at = upload(data_page(), FILES / "helpdesk_updates.csv")
    report = table(at, "Rule")
    assert report["Rule"].to_list() == ["Several rows per ticket"]
    assert [m.value for m in at.metric][:3] == ["4", "0", "1"]
    at.button(key="data__import").click().run()
    assert "helpdesk_updates.csv: 2 contacts written, 2 folded, 0 left out" in shown(at.success[0].value)
    assert count(small_app_db) == 6
    at.switch_page("pages/overview.py").run()
    at.query_params["period"] = "all_time"
    at.run()
    assert not at.exception
    contacts = next(m for m in at.metric if m.label == "Contacts")
    assert contacts.value == "6"  # the caches were cleared: the page reads the new data
    at.switch_page("pages/data.py").run()
    history = table(at, "When")
    assert history["File"].to_list() == ["helpdesk_updates.csv", "helpdesk_clean.csv"]
    at.button(key="data__undo").click().run()
    assert "undone: 2 rows removed, 0 restored" in shown(at.success[0].value)
    assert not at.file_uploader[0].value  # a fresh uploader after each import
    assert count(small_app_db) == 4


def test_errors_block_the_import_until_those_rows_are_left_out(small_app_db):
    at = upload(data_page(), FILES / "bad_values.csv")
    assert at.button(key="data__import").disabled
    assert "Error" in table(at, "Rule")["Severity"].to_list()
    at.checkbox(key="data__drop_invalid").check().run()
    assert not at.button(key="data__import").disabled
    at.button(key="data__import").click().run()
    assert "1 contact written, 0 folded, 4 left out" in shown(at.success[0].value)
    assert count(small_app_db) == 5


def test_an_unreadable_file_gets_its_message_and_no_import_button(small_app_db):
    at = upload(data_page(), FILES / "ragged.csv")
    assert "do not have the" in shown(at.error[0].value)
    assert not [b for b in at.button if b.key == "data__import"]


def test_a_vendor_export_is_recognised(small_app_db):
    at = upload(data_page(), FILES / "presets" / "call_log.csv")
    assert any("Recognised as: Call log (phone system)." in c.value for c in at.caption)
    assert any("resolved_at is derived" in c.value for c in at.caption)


def test_a_reference_table_imports_from_its_template(small_app_db, tmp_path):
    template = tmp_path / "targets.csv"
    template.write_text(render_template("targets"))
    at = data_page()
    at.selectbox(key="data__table").set_value("targets").run()
    upload(at, template, table="targets")
    at.button(key="data__import").click().run()
    assert "Imported 2 rows into targets" in shown(at.success[0].value)
    assert count(small_app_db, "targets") == 2


class FakeUpload(io.BytesIO):
    """What st.file_uploader hands over: a file-like object with a name and a size."""

    def __init__(self, name: str, data: bytes):
        super().__init__(data)
        self.name, self.size = name, len(data)


def test_uploads_land_on_disk_once_under_their_hash(tmp_path):
    first = save_upload(FakeUpload("my export.csv", b"id\n1\n"), tmp_path, limit_mb=1)
    again = save_upload(FakeUpload("my export.csv", b"id\n1\n"), tmp_path, limit_mb=1)
    assert first == again and first.name == "my_export.csv" and first.read_bytes() == b"id\n1\n"


def test_a_file_over_the_limit_is_refused_with_the_way_around(tmp_path):
    with pytest.raises(ValueError, match=r"accepts files up to 1 MB \(setting CSM_MAX_UPLOAD_MB\)"):
        save_upload(FakeUpload("big.csv", b"x" * (1024 * 1024 + 1)), tmp_path, limit_mb=1)
    assert list(tmp_path.iterdir()) == []
