"""The importer end to end on small files written for these tests (tests/fixtures/files)."""

import codecs
import hashlib
import re
from datetime import datetime
from pathlib import Path

import pytest

from csm.compile import Window
from csm.ingest.casting import AmbiguousDatesError
from csm.ingest.load import import_file
from csm.ingest.readers import ReadError
from csm.metrics import compute_kpis

FILES = Path(__file__).resolve().parents[2] / "fixtures" / "files"
OCTOBER = (Window("current", datetime(2026, 10, 1).date(), datetime(2026, 10, 31).date()),)


def snapshot(con) -> dict:
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1").fetchall()]
    return {t: sorted(map(str, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


def test_clean_file_is_mapped_typed_and_counted(con):
    result = import_file(con, FILES / "helpdesk_clean.csv")
    assert result.errors == [] and result.rows_written == 4
    row = con.execute("SELECT channel, priority, status, handle_time_s, wait_time_s, is_answered, csat_score "
                      "FROM tickets WHERE ticket_id = '101'").fetchone()
    assert row == ("phone", "high", "solved", 450.0, 15.0, True, 5)
    assert con.execute("SELECT channel, priority FROM tickets WHERE ticket_id = '104'").fetchone() == ("chat", "urgent")
    kpis = compute_kpis(con, windows=OCTOBER, keys=("contacts", "csat", "aht_s", "answer_rate")).row(0, named=True)
    assert kpis == {"window": "current", "contacts": 4, "csat": 2 / 3, "aht_s": (450 + 300 + 420) / 3,
                    "answer_rate": 1.0}


def test_import_is_logged_with_file_hash_mapping_counts_and_time(con):
    result = import_file(con, FILES / "helpdesk_updates.csv")
    row = con.execute("SELECT source, target_table, file_sha256, rows_read, rows_written, rows_folded, rows_dropped, "
                      "duration_s, note, undone_at FROM imports WHERE import_id = $id", {"id": result.import_id}).fetchone()
    digest = hashlib.sha256((FILES / "helpdesk_updates.csv").read_bytes()).hexdigest()
    assert row[:8] == ("helpdesk_updates.csv", "tickets", digest, 4, 2, 2, 0, pytest.approx(row[7]))
    assert 0 < row[7] < 60
    assert "ticket_id <- 'Ticket ID'" in row[8] and row[9] is None


def test_reimporting_the_same_file_changes_nothing(con):
    import_file(con, FILES / "helpdesk_clean.csv")
    before = snapshot(con)
    again = import_file(con, FILES / "helpdesk_clean.csv")
    assert again.rows_written == 0
    after = snapshot(con)
    assert after["tickets"] == before["tickets"]


def test_several_rows_per_ticket_keep_the_latest_update(con):
    result = import_file(con, FILES / "helpdesk_updates.csv")
    assert (result.rows_read, result.rows_folded, result.rows_written) == (4, 2, 2)
    assert con.execute("SELECT status FROM tickets WHERE ticket_id = '201'").fetchone() == ("solved",)
    assert [f.rule for f in result.findings] == ["duplicate_id"]


def test_a_replaced_row_is_kept_for_undo(con):
    import_file(con, FILES / "helpdesk_clean.csv")
    result = import_file(con, FILES / "helpdesk_clean.csv", sets=["team=Escalations"])
    assert result.rows_written == 4
    replaced = con.execute("SELECT team FROM tickets_replaced WHERE replaced_by = $id ORDER BY ticket_id",
                           {"id": result.import_id}).fetchall()
    assert replaced == [("Billing",), ("Billing",), ("Retention",), ("Retention",)]
    assert con.execute("SELECT DISTINCT team FROM tickets").fetchall() == [("Escalations",)]
    assert con.execute("SELECT count(*), count(DISTINCT ticket_id) FROM tickets").fetchone() == (4, 4)


def test_constants_and_explicit_mapping(con):
    result = import_file(con, FILES / "no_required.csv", maps=["ticket_id=Name", "created_at="],
                         sets=["channel=phone", "created_at=2026-10-01 08:00"])
    assert result.errors == []
    assert con.execute("SELECT ticket_id, channel, created_at FROM tickets").fetchone() == (
        "Ann", "phone", datetime(2026, 10, 1, 8, 0))


def test_day_first_dates_semicolons_and_cp1252_are_read(con):
    result = import_file(con, FILES / "day_first_semicolon.csv")
    assert result.errors == [] and result.date_styles == {"created_at": "day_first"}
    assert con.execute("SELECT created_at, team FROM tickets WHERE ticket_id = '2'").fetchone() == (
        datetime(2026, 10, 3, 10, 0), "Équipe Nord")


def test_utf16_tab_separated_file_is_read(con, tmp_path):
    path = tmp_path / "export.tsv"
    path.write_bytes(codecs.BOM_UTF16_LE + "Ticket ID\tCreated at\tChannel\nX1\t2026-10-01 09:00:00\tchat\n"
                     .encode("utf-16-le"))
    assert import_file(con, path).rows_written == 1


def test_json_and_parquet_files_are_read(con, tmp_path):
    ndjson = tmp_path / "calls.ndjson"
    ndjson.write_text('{"id": "c1", "created": "2026-10-01T09:00:00", "channel": "call", "answered": "N"}\n'
                      '{"id": "c2", "created": "2026-10-01T09:05:00", "channel": "call", "answered": "Y"}\n')
    assert import_file(con, ndjson).rows_written == 2
    parquet = tmp_path / "more.parquet"
    con.execute(f"COPY (SELECT 'p1' AS \"Ticket ID\", TIMESTAMP '2026-10-02 10:00' AS \"Created at\", "
                f"'Email' AS \"Channel\") TO '{parquet}' (FORMAT parquet)")
    assert import_file(con, parquet).rows_written == 1
    assert compute_kpis(con, windows=OCTOBER, keys=("abandon_rate",))["abandon_rate"][0] == 0.5


# Broken files: each gets its own message and leaves every table exactly as it was.
BROKEN = {
    "empty.csv": "empty.csv: the file is empty",
    "header_only.csv": "header_only.csv: the file has a header but no data rows",
    "ragged.csv": "ragged.csv: 2 row(s) do not have the 3 columns of the header (rows 3, 4)",
    "binary.csv": "binary.csv: this is not a text file",
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_unreadable_file_gets_a_specific_message_and_writes_nothing(con, name):
    import_file(con, FILES / "helpdesk_clean.csv")
    before = snapshot(con)
    with pytest.raises(ReadError, match=re.escape(BROKEN[name])):
        import_file(con, FILES / name)
    assert snapshot(con) == before


def test_file_without_required_columns_says_which_to_map(con):
    before = snapshot(con)
    result = import_file(con, FILES / "no_required.csv")
    assert [(f.rule, f.column) for f in result.errors] == [
        ("missing_column", "ticket_id"), ("missing_column", "created_at"), ("missing_column", "channel")]
    assert "map one with --map created_at=HEADER" in result.errors[1].message
    assert result.rows_written == 0 and snapshot(con) == before


def test_bad_values_are_reported_by_rule_column_and_row(con):
    before = snapshot(con)
    result = import_file(con, FILES / "bad_values.csv")
    assert [(f.rule, f.column, f.severity, f.rows) for f in result.findings] == [
        ("missing_value", "created_at", "error", (6,)),
        ("unparseable", "created_at", "error", (3,)),
        ("unknown_value", "channel", "error", (4,)),
        ("out_of_range", "handle_time_s", "error", (5,)),
        ("out_of_range", "csat_score", "error", (5,)),
        ("resolved_before_created", "resolved_at", "error", (5,)),
    ]
    assert result.rows_written == 0 and snapshot(con) == before
    assert result.findings[2].describe("bad_values.csv") == (
        "ERROR bad_values.csv, column channel ('Channel'): 1 row(s) (rows 4): 'carrier pigeon' not a known "
        "channel (phone, chat, email, social, web_form, bot); fix the file or map them with --set")


def test_drop_invalid_keeps_the_good_rows(con):
    result = import_file(con, FILES / "bad_values.csv", drop_invalid=True)
    assert (result.rows_written, result.rows_dropped) == (1, 4)
    assert con.execute("SELECT ticket_id FROM tickets").fetchall() == [("1",)]


def test_ambiguous_dates_are_never_guessed(con):
    with pytest.raises(AmbiguousDatesError, match="--dates day-first or --dates month-first"):
        import_file(con, FILES / "ambiguous_dates.csv")
    result = import_file(con, FILES / "ambiguous_dates.csv", dates="month_first")
    assert con.execute("SELECT created_at FROM tickets WHERE ticket_id = '1'").fetchone() == (
        datetime(2026, 3, 4, 9, 0),)
    assert result.date_styles == {"created_at": "month_first"}


def test_a_failure_midway_rolls_everything_back(con, monkeypatch):
    import_file(con, FILES / "helpdesk_clean.csv")
    before = snapshot(con)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("csm.ingest.load.build_rollup", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(con, FILES / "helpdesk_updates.csv")
    assert snapshot(con) == before


@pytest.fixture
def workbook(tmp_path):
    import xlsxwriter

    path = tmp_path / "calls.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Notes").write(0, 0, "read me")
    sheet = book.add_worksheet("Calls")
    time_format = book.add_format({"num_format": "hh:mm:ss"})
    for col, header in enumerate(["Call Id", "Date", "Time", "Answered (Y/N)", "Talk time"]):
        sheet.write(0, col, header)
    for row, (call, day, time_of_day, answered, talk) in enumerate(
        [("c1", "2026-10-01", 9 / 24 + 30 / 1440, "Y", 150 / 86400), ("c2", "2026-10-01", 10 / 24, "N", None)],
        start=1,
    ):
        sheet.write(row, 0, call)
        sheet.write(row, 1, day)
        sheet.write_number(row, 2, time_of_day, time_format)
        sheet.write(row, 3, answered)
        if talk is not None:
            sheet.write_number(row, 4, talk, time_format)
    book.close()
    return path


def test_excel_sheet_with_date_and_time_columns(con, workbook):
    result = import_file(con, workbook, sheet="Calls", maps=["created_at=Date", "handle_time_s=Talk time"],
                         times=["created_at=Time"], sets=["channel=phone"])
    assert result.errors == [] and result.rows_written == 2
    assert con.execute("SELECT created_at, handle_time_s, is_answered FROM tickets ORDER BY ticket_id").fetchall() == [
        (datetime(2026, 10, 1, 9, 30), 150.0, True), (datetime(2026, 10, 1, 10, 0), None, False)]


def test_wrong_sheet_name_lists_the_sheets(con, workbook):
    with pytest.raises(ReadError, match=re.escape("calls.xlsx: no sheet named 'Cals'; the sheets are 'Notes', 'Calls'.")):
        import_file(con, workbook, sheet="Cals")


def test_a_broken_workbook_says_so(con, tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ReadError, match="broken.xlsx: cannot open the workbook"):
        import_file(con, path)


def rollups(con) -> dict:
    return {t: sorted(map(str, con.execute(f"SELECT * FROM {t}").fetchall()))
            for t in ("tickets_daily", "tickets_daily_team", "tickets_quantiles")}


def test_an_import_rebuilds_the_days_it_touched_exactly_as_a_full_rebuild_would(con, tmp_path):
    from csm.db import build_rollup

    import_file(con, FILES / "helpdesk_clean.csv")
    # Ticket 101 moves to another day and is solved later, 103 gets solved, 900 is new; the others stay.
    moved = (FILES / "helpdesk_clean.csv").read_text().splitlines()
    header, rows = moved[0], {line.split(",")[0]: line for line in moved[1:]}
    path = tmp_path / "changes.csv"
    path.write_text("\n".join([header, rows["101"].replace("2026-10-01", "2026-10-05"),
                               rows["900"] if "900" in rows else rows["102"].replace("102,", "900,", 1)]) + "\n")
    result = import_file(con, path)
    assert result.rows_written == 2
    incremental = rollups(con)
    con.execute("BEGIN TRANSACTION")
    build_rollup(con)
    con.execute("COMMIT")
    assert rollups(con) == incremental
