"""Undoing imports: last first, in one transaction, restoring what each import replaced."""

from pathlib import Path

import pytest

from csm.db import record_import
from csm.ingest.history import find_undoable_import, load_imports, undo_import
from csm.ingest.load import import_file
from csm.ingest.reference import import_reference

FILES = Path(__file__).resolve().parents[2] / "fixtures" / "files"


def snapshot(con) -> dict:
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
                                        "AND table_name <> 'imports' ORDER BY 1").fetchall()]
    return {t: sorted(map(str, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


def test_undo_removes_new_rows_and_restores_replaced_ones(con):
    import_file(con, FILES / "helpdesk_clean.csv")
    before = snapshot(con)
    second = import_file(con, FILES / "helpdesk_updates.csv", sets=["team=Escalations"])
    import_file(con, FILES / "helpdesk_clean.csv", sets=["team=Escalations"])  # a third import on top
    with pytest.raises(ValueError, match="not the latest one: undo the imports after it first"):
        undo_import(con, second.import_id)
    undo_import(con, find_undoable_import(con))
    assert undo_import(con, second.import_id) == (2, 0)  # two new tickets, nothing of the first replaced
    assert snapshot(con) == before  # contacts, stored aggregates and backups as they were


def test_undo_restores_the_exact_rows_it_replaced(con):
    first = import_file(con, FILES / "helpdesk_clean.csv")
    rows = sorted(con.execute("SELECT * FROM tickets").fetchall())
    second = import_file(con, FILES / "helpdesk_clean.csv", sets=["team=Escalations"])
    assert undo_import(con, second.import_id) == (4, 4)
    assert sorted(con.execute("SELECT * FROM tickets").fetchall()) == rows
    assert {r[0] for r in con.execute("SELECT import_id FROM tickets").fetchall()} == {first.import_id}


def test_the_log_marks_what_can_be_undone_and_what_was(con):
    first = import_file(con, FILES / "helpdesk_clean.csv")
    second = import_file(con, FILES / "helpdesk_updates.csv")
    log = load_imports(con)
    assert log["import_id"].to_list() == [second.import_id, first.import_id]
    assert log["can_undo"].to_list() == [True, False]
    undo_import(con, second.import_id)
    log = load_imports(con)
    assert log["undone_at"].is_null().to_list() == [False, True]
    assert log["can_undo"].to_list() == [False, True]
    with pytest.raises(ValueError, match="already undone"):
        undo_import(con, second.import_id)
    with pytest.raises(ValueError, match="no import 'nope'"):
        undo_import(con, "nope")


def test_the_demo_data_is_not_undone_from_the_log(con):
    record_import(con, import_id="demo", source="demo", rows=0, note="seed 7")  # as csm.demo.write_demo logs it
    assert find_undoable_import(con) is None


def test_undo_of_a_reference_import_restores_the_whole_table(con, tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("kpi_key,target,team,valid_from\ncsat,0.85,,2026-01-01\naht_s,400,,2026-01-01\n")
    import_reference(con, "targets", path)
    before = con.execute("SELECT * FROM targets ORDER BY ALL").fetchall()
    path.write_text("kpi_key,target,team,valid_from\ncsat,0.9,,2026-01-01\nfcr_rate,0.7,Billing,2026-07-01\n")
    result = import_reference(con, "targets", path)
    assert con.execute("SELECT kpi_key, target FROM targets ORDER BY ALL").fetchall() == [
        ("aht_s", 400.0), ("csat", 0.9), ("fcr_rate", 0.7)]  # rows of other keys stay
    undo_import(con, result.import_id)
    assert con.execute("SELECT * FROM targets ORDER BY ALL").fetchall() == before
