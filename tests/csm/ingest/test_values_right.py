"""Tricky files that are accepted store the right values; failures in mid-read say so and change nothing."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from csm.db import connect
from csm.ingest import load
from csm.ingest.load import import_file
from csm.ingest.readers import ReadError
from tests.csm.ingest.hostile_files import CASES, write_hostile
from tests.csm.ingest.test_broken_files import snapshot
from tests.csm.ingest.test_import import FILES

BY_NAME = {c[0]: c for c in CASES}


@pytest.fixture
def con(tmp_path):
    con = connect(tmp_path / "values.duckdb")
    yield con
    con.close()


def imported(con, tmp_path, case: str, monkeypatch=None, columns: str = "ticket_id, created_at") -> list[tuple]:
    _, name, content, options, env = BY_NAME[case]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    path = write_hostile(tmp_path, name, content)
    result = import_file(con, path, **options)
    assert result.rows_written, [f.describe(name) for f in result.errors]
    return con.execute(f"SELECT {columns} FROM tickets ORDER BY ticket_id").fetchall()  # noqa: S608


def test_offsets_become_the_operation_zone_and_local_times_stay(con, tmp_path, monkeypatch):
    rows = imported(con, tmp_path, "offsets_converted_to_the_operation_zone", monkeypatch)
    # 09:00+02:00 is 09:00 in Paris (summer time); 09:00Z is 11:00 there; 09:00 without offset stays.
    assert rows == [("1", datetime(2026, 10, 1, 9)), ("2", datetime(2026, 10, 1, 11)), ("3", datetime(2026, 10, 1, 9))]


def test_epoch_seconds_and_milliseconds_are_instants(con, tmp_path):
    assert imported(con, tmp_path, "epoch_seconds") == [("1", datetime(2026, 9, 21, 14, 13, 20)),
                                                        ("2", datetime(2026, 9, 21, 15, 13, 20))]


def test_epoch_milliseconds_keep_their_fraction(con, tmp_path):
    assert imported(con, tmp_path, "epoch_milliseconds") == [("1", datetime(2026, 9, 21, 14, 13, 20)),
                                                             ("2", datetime(2026, 9, 21, 15, 13, 20, 500000))]


def test_placeholder_resolutions_are_empty_and_real_ones_kept(con, tmp_path):
    rows = imported(con, tmp_path, "placeholder_resolution", columns="ticket_id, resolved_at")
    assert rows == [("1", None), ("2", None), ("3", datetime(2026, 10, 1, 10))]


def test_windows_1252_names_keep_their_accents(con, tmp_path):
    assert imported(con, tmp_path, "windows_1252_only", columns="team") == [("Équipe Nord",)]


def test_carriage_return_line_ends_give_every_row(con, tmp_path):
    assert len(imported(con, tmp_path, "cr_only_line_ends")) == 2


@pytest.mark.parametrize("case", ["utf16_le_without_bom", "utf16_be_without_bom", "utf16_with_bom",
                                  "title_line_above_the_header", "two_title_lines_and_a_blank",
                                  "tab_separated_named_csv", "utf8_bom_semicolons"])
def test_a_file_in_another_shape_gives_the_same_contact(con, tmp_path, case):
    assert imported(con, tmp_path, case, columns="ticket_id, created_at, channel, handle_time_s, csat_score") == [
        ("1", datetime(2026, 10, 1, 9), "phone", 300.0, 5)]


def test_nested_json_fields_are_addressable_by_their_dotted_name(con, tmp_path):
    assert imported(con, tmp_path, "json_nested_objects", columns="ticket_id, channel") == [("1", "email")]


def test_an_api_page_imports_its_records(con, tmp_path):
    rows = imported(con, tmp_path, "json_wrapped_in_results", columns="ticket_id, channel")
    assert rows == [("1", "chat"), ("2", "chat")]


def test_a_file_deleted_while_it_is_read_is_refused_and_nothing_written(tmp_path, monkeypatch):
    con = connect(tmp_path / "d.duckdb")
    import_file(con, FILES / "helpdesk_clean.csv")
    before = snapshot(con)
    path = tmp_path / "going.csv"
    path.write_bytes((FILES / "helpdesk_updates.csv").read_bytes())
    staged = load.stage_file

    def stage_then_delete(*args, **kwargs):
        out = staged(*args, **kwargs)
        path.unlink()
        return out

    monkeypatch.setattr(load, "stage_file", stage_then_delete)
    with pytest.raises(ReadError, match="moved or deleted while it was read. Nothing was written."):
        import_file(con, path)
    assert snapshot(con) == before


def test_a_file_growing_while_it_is_read_is_refused(tmp_path, monkeypatch):
    from csm.ingest import readers

    path = tmp_path / "growing.csv"
    path.write_bytes((FILES / "helpdesk_clean.csv").read_bytes())
    real = readers._stage_csv

    def stage_then_grow(*args, **kwargs):
        out = real(*args, **kwargs)
        with open(path, "a") as f:
            f.write("9,2026-10-02 09:00:00,phone\n")
        return out

    monkeypatch.setattr(readers, "_stage_csv", stage_then_grow)
    with pytest.raises(ReadError, match=r"the file changed while it was read \(\d+ bytes, then \d+\): it is probably "
                                        "still being written. Nothing was written"):
        import_file(connect(":memory:"), path)


def test_a_file_without_read_permission_names_the_fix(tmp_path, monkeypatch):
    import builtins

    path = tmp_path / "locked.csv"
    path.write_bytes(b"id\n1\n")
    real_open = builtins.open

    def refuse(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse)  # root reads anything: simulate an unreadable file
    with pytest.raises(ReadError, match="no permission to read this file. Make it readable by the user"):
        import_file(connect(":memory:"), path)


class FullDisk:
    """A connection whose COMMIT fails as on a full disk; everything else goes to the real one."""

    def __init__(self, con):
        self._con = con

    def execute(self, sql, *args, **kwargs):
        if sql.strip().upper() == "COMMIT":
            raise duckdb.IOException("IO Error: Could not write file \"x.duckdb.wal\": No space left on device")
        return self._con.execute(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._con, name)


def test_a_full_disk_at_commit_rolls_back_and_leaves_every_table(tmp_path):
    con = connect(tmp_path / "full.duckdb")
    import_file(con, FILES / "helpdesk_clean.csv")
    before = snapshot(con)
    with pytest.raises(duckdb.IOException, match="No space left"):
        import_file(FullDisk(con), FILES / "helpdesk_updates.csv")
    assert snapshot(con) == before
