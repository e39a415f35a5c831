"""The Data page and the app frame over hostile input: no traceback, true messages, no CLI flags, no leftovers."""

from __future__ import annotations

import os
import time

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from csm.ui.importer import KINDS, remove_stale_uploads
from tests.apptest import APP, shown
from tests.csm.ingest.hostile_files import both_corpora, write_corpus_file
from tests.csm.ingest.test_broken_files import file_snapshot as state
from tests.test_data_page import FILES, count, data_page, upload

NOT_UPLOADABLE = {"a_folder", "a_named_pipe", "a_missing_file"}  # a browser only sends files
CLI_FLAGS = ("--map", "--set", "--dates", "--drop-invalid", "--unit", "--time", "--start", "--sheet")


def accepted_by_the_uploader(name: str) -> bool:
    return name.rsplit(".", 1)[-1].lower() in KINDS  # the browser refuses other kinds before the page sees them


def uploadable():
    for case, name, content, options, env in both_corpora():  # options are the CLI's; their cases are tested there
        if case.removeprefix("hostile-") not in NOT_UPLOADABLE and not options and accepted_by_the_uploader(name):
            yield pytest.param(case, name, content, env, id=case)


def page_texts(at) -> list[str]:
    return [e.value for kind in ("error", "warning", "info", "success", "caption") for e in getattr(at, kind)]


@pytest.mark.parametrize(("case", "name", "content", "env"), uploadable())
def test_every_corpus_file_on_the_data_page_gets_a_message_and_never_a_traceback(small_app_db, tmp_path, monkeypatch,
                                                                                 case, name, content, env):
    path = write_corpus_file(tmp_path, case, name, content, env, monkeypatch)
    before = state(small_app_db)
    at = upload(data_page(), path)  # asserts no exception
    texts = page_texts(at)
    assert not any(flag in t for t in texts for flag in CLI_FLAGS), texts
    validated = any(h.value == "Validation" for h in at.subheader)
    asks = any("Say which below" in shown(w.value) for w in at.warning)  # ambiguous dates: the page asks
    assert at.error or validated or asks, texts  # a refusal names its reason, or the report shows what was found
    if at.error:
        assert shown(at.error[0].value).startswith("Nothing was written. ")
        assert not [b for b in at.button if b.key == "data__import"]
        if "CSM_TIMEZONE" not in env:  # a wrong setting is not the file's fault: it stays for another try
            uploads = tmp_path / "uploads"
            assert not [p for p in uploads.rglob("*") if p.is_file()]  # a refused upload is not kept
    assert state(small_app_db) == before


def test_a_mapping_name_that_is_a_path_disables_import_and_writes_nothing(small_app_db, tmp_path):
    kpis = (APP.rsplit("/", 1)[0] + "/csm/kpis.yaml")
    original = open(kpis, "rb").read()
    at = upload(data_page(), FILES / "helpdesk_updates.csv")
    for name in ("../../x.yaml", "/tmp/x.yaml", "csm/kpis.yaml"):
        at.text_input(key="data__save_name").input(name).run()
        assert "not a path" in shown(at.error[0].value) and "nothing is written until it is valid" in shown(
            at.error[0].value)
        assert at.button(key="data__import").disabled
    assert count(small_app_db) == 4 and open(kpis, "rb").read() == original
    assert not (tmp_path / "mappings").exists()


def test_a_good_mapping_name_saves_inside_the_folder_and_the_upload_is_removed(small_app_db, tmp_path):
    at = upload(data_page(), FILES / "helpdesk_updates.csv")
    at.text_input(key="data__save_name").input("help desk").run()
    at.button(key="data__import").click().run()
    assert "Mapping saved as help desk." in shown(at.success[0].value)
    assert (tmp_path / "mappings" / "help desk.yaml").is_file()
    assert not [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]


def test_messages_on_the_page_name_the_page_controls_not_flags(small_app_db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Name,Email\nAnn,a@x.com\n")
    at = upload(data_page(), path)
    report = next(d.value for d in at.dataframe if "Rule" in d.value.columns)
    meanings = " ".join(report["What it means"])
    assert "pick its file column in the mapping above" in meanings and "--map" not in meanings


def test_uploads_left_behind_are_removed_after_six_hours(tmp_path):
    old = tmp_path / "abc" / "old.csv"
    old.parent.mkdir()
    old.write_text("x")
    recent = tmp_path / "def" / "new.csv"
    recent.parent.mkdir()
    recent.write_text("x")
    os.utime(old, (time.time() - 7 * 3600,) * 2)
    assert remove_stale_uploads(tmp_path) == 1
    assert not old.parent.exists() and recent.is_file()


@pytest.mark.parametrize("problem", ["missing", "corrupt", "folder"])
def test_every_page_says_once_that_the_database_cannot_be_opened(tmp_path, monkeypatch, problem):
    path = tmp_path / "typo.duckdb"
    if problem == "corrupt":
        path.write_bytes(b"garbage" * 500)
    elif problem == "folder":
        path.mkdir()
    monkeypatch.setenv("CSM_DB_PATH", str(path))
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        from csm.ui.navigation import PAGES

        for spec in PAGES:
            at = AppTest.from_file(APP, default_timeout=60)
            at.run()
            at.switch_page(spec.path).run()
            assert not at.exception, [e.value for e in at.exception]
            assert len(at.error) == 1 and at.error[0].value.startswith("The dashboard cannot open its database")
        assert (problem != "missing") or not path.exists()  # never created, never filled with demo data
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()


def test_demo_data_is_labelled_on_every_page(private_demo_db):
    from csm.ui.navigation import PAGES

    for spec in PAGES:
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        at.switch_page(spec.path).run()
        assert any(w.value.startswith("**Demo data**") for w in at.sidebar.warning), spec.title


def test_imported_data_is_not_labelled_as_demo(small_app_db):
    at = data_page()
    assert not [w for w in at.sidebar.warning if "Demo data" in w.value]


def test_a_long_check_shows_its_progress_and_can_be_cancelled(small_app_db, tmp_path, monkeypatch):
    import threading

    import csm.ui.importer as importer

    stop = threading.Event()

    def slow_check(con, path, **options):  # stands for a large file: runs until it is interrupted
        options["progress"](0.3, "mapping and typing the columns")
        try:
            con.execute("SELECT count(*) FROM range(100000000000) t(i) WHERE i % 7 = 3").fetchall()
        finally:
            stop.set()

    monkeypatch.setattr(importer, "import_file", slow_check)
    at = upload(data_page(), FILES / "helpdesk_updates.csv")
    assert shown(at.get("progress")[0].proto.text).startswith("Checking helpdesk_updates.csv: mapping and typing")
    at.button(key="data__cancel_check").click().run()
    assert stop.wait(10)  # the worker's query was interrupted
    assert "The check of helpdesk_updates.csv was cancelled and the file removed" in shown(at.info[0].value)
    assert not [b for b in at.button if b.key == "data__import"]
    assert not [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]
    assert count(small_app_db) == 4
