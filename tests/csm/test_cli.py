import json
import subprocess
import sys
from pathlib import Path

import pytest

from csm.cli import main
from csm.db import connect
from csm.demo import write_demo
from csm.kpis import load_catalogue

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory, demo_data):
    path = tmp_path_factory.mktemp("cli") / "demo.duckdb"
    con = connect(path)
    write_demo(con, demo_data)
    con.close()
    return path


def test_kpis_json_prints_every_kpi_with_a_number(demo_db, capsys):
    assert main(["kpis", "--db", str(demo_db), "--json"]) == 0
    values = json.loads(capsys.readouterr().out)
    assert list(values) == list(load_catalogue().keys())
    assert all(isinstance(v, int | float) for v in values.values())
    assert values["contacts"] > 250_000 and 0 < values["csat"] < 1


def test_kpis_json_honours_dates_and_filters(demo_db, capsys):
    main(["kpis", "--db", str(demo_db), "--from", "2026-10-01", "--to", "2026-10-31", "--team", "Billing",
          "--channel", "phone", "--json"])
    values = json.loads(capsys.readouterr().out)
    con = connect(demo_db, read_only=True)
    expected = con.execute(
        "SELECT count(*) FROM tickets WHERE team = 'Billing' AND channel = 'phone' "
        "AND created_at >= DATE '2026-10-01' AND created_at < DATE '2026-11-01'").fetchone()[0]
    con.close()
    assert values["contacts"] == expected
    assert values["cost_per_contact"] is None  # spend cannot follow a channel filter


def test_kpis_with_no_data_in_range_print_null(demo_db, capsys):
    main(["kpis", "--db", str(demo_db), "--from", "2020-01-01", "--to", "2020-01-31", "--json"])
    values = json.loads(capsys.readouterr().out)
    assert values["contacts"] == 0 and values["csat"] is None


def test_kpis_without_a_database_says_how_to_make_one(tmp_path, capsys):
    assert main(["kpis", "--db", str(tmp_path / "none.duckdb"), "--json"]) == 1
    assert "python -m csm demo" in capsys.readouterr().err
    assert not (tmp_path / "none.duckdb").exists()


def test_bad_date_is_refused_with_a_hint(demo_db, capsys):
    with pytest.raises(SystemExit):
        main(["kpis", "--db", str(demo_db), "--from", "01/10/2026"])
    assert "use YYYY-MM-DD" in capsys.readouterr().err


def test_demo_command_builds_a_database(tmp_path):
    path = tmp_path / "d.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "csm", "demo", "--db", str(path), "--end", "2025-06-30", "--seed", "3"],
        cwd=ROOT, capture_output=True, text=True, check=True)
    assert "contacts up to 2025-06-30" in result.stdout
    again = subprocess.run([sys.executable, "-m", "csm", "demo", "--db", str(path), "--if-missing"],
                           cwd=ROOT, capture_output=True, text=True, check=True)
    assert "left as it is" in again.stdout


FILES = ROOT / "tests" / "fixtures" / "files"


def test_import_then_kpis_reflect_the_file(tmp_path, capsys):
    db = str(tmp_path / "imp.duckdb")
    assert main(["import", str(FILES / "helpdesk_clean.csv"), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "4 rows written" in out and "ticket_id <- 'Ticket ID'" in out
    main(["kpis", "--db", db, "--json"])
    assert json.loads(capsys.readouterr().out)["contacts"] == 4


def test_import_with_errors_exits_non_zero_and_writes_nothing(tmp_path, capsys):
    db = str(tmp_path / "imp.duckdb")
    assert main(["import", str(FILES / "bad_values.csv"), "--db", db]) == 1
    captured = capsys.readouterr()
    assert "ERROR bad_values.csv, column created_at ('Created at'): 1 row(s) (rows 3)" in captured.out
    assert "nothing written" in captured.err
    assert not Path(db).exists()  # not even the empty database the import would have created


def test_import_dry_run_writes_nothing(tmp_path, capsys):
    db = str(tmp_path / "imp.duckdb")
    assert main(["import", str(FILES / "helpdesk_clean.csv"), "--db", db, "--dry-run"]) == 0
    assert "dry run: nothing written" in capsys.readouterr().out
    assert not Path(db).exists()  # a dry run does not even create the database


def test_import_of_an_unreadable_file_names_it(tmp_path, capsys):
    assert main(["import", str(FILES / "ragged.csv"), "--db", str(tmp_path / "x.duckdb")]) == 1
    assert "error: ragged.csv: 2 row(s) do not have the 3 columns" in capsys.readouterr().err


def test_import_into_a_database_in_use_says_what_to_do(tmp_path, capsys):
    db = tmp_path / "busy.duckdb"
    subprocess.run([sys.executable, "-m", "csm", "demo", "--db", str(db), "--end", "2025-01-31"], cwd=ROOT,
                   check=True, capture_output=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ok', flush=True); "
                               "time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        assert main(["import", str(FILES / "helpdesk_clean.csv"), "--db", str(db)]) == 1
        assert "Is the dashboard running on it?" in capsys.readouterr().err
    finally:
        holder.kill()


def test_a_saved_mapping_serves_next_months_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CSM_MAPPINGS_DIR", str(tmp_path / "mappings"))
    db = str(tmp_path / "m.duckdb")
    assert main(["import", str(FILES / "no_required.csv"), "--db", db, "--map", "ticket_id=Name",
                 "--set", "channel=phone", "--set", "created_at=2026-10-01 08:00", "--save-mapping", "crm"]) == 0
    saved = (tmp_path / "mappings" / "crm.yaml").read_text()
    assert "ticket_id: Name" in saved and "channel: phone" in saved
    capsys.readouterr()
    assert main(["import", str(FILES / "no_required.csv"), "--db", db, "--mapping", "crm", "--dry-run"]) == 0
    assert "ticket_id <- 'Name'" in capsys.readouterr().out


def test_a_saved_mapping_that_does_not_fit_the_file_says_which_headers_are_missing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CSM_MAPPINGS_DIR", str(tmp_path))
    (tmp_path / "old.yaml").write_text("columns:\n  ticket_id: Case Number\n")
    assert main(["import", str(FILES / "helpdesk_clean.csv"), "--db", str(tmp_path / "x.duckdb"),
                 "--mapping", "old"]) == 1
    assert "mapping 'old' expects headers the file does not have: 'Case Number'" in capsys.readouterr().err


def test_an_unknown_saved_mapping_lists_the_saved_ones(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CSM_MAPPINGS_DIR", str(tmp_path))
    (tmp_path / "zendesk.yaml").write_text("columns: {}\n")
    assert main(["import", str(FILES / "helpdesk_clean.csv"), "--db", str(tmp_path / "x.duckdb"),
                 "--mapping", "zendsk"]) == 1
    err = capsys.readouterr().err
    assert "no saved mapping 'zendsk'" in err and "saved: zendesk" in err


def test_template_then_reference_import(tmp_path, capsys):
    assert main(["template", "headcount"]) == 0
    path = tmp_path / "headcount.csv"
    path.write_text(capsys.readouterr().out)
    db = str(tmp_path / "r.duckdb")
    assert main(["import", str(path), "--table", "headcount", "--db", db]) == 0
    assert "2 rows written to headcount" in capsys.readouterr().out
    path.write_text("month,team,planned_fte\n2026-10-01,A,-1\n")
    assert main(["import", str(path), "--table", "headcount", "--db", db]) == 1
    out, err = capsys.readouterr()
    assert "ERROR headcount.csv, column planned_fte ('planned_fte'): 1 row(s) (rows 2): values below 0" in out
    assert "nothing written" in err


def test_imports_lists_the_log_and_undo_reverts_the_latest(tmp_path, capsys):
    db = str(tmp_path / "u.duckdb")
    main(["import", str(FILES / "helpdesk_clean.csv"), "--db", db])
    main(["import", str(FILES / "helpdesk_clean.csv"), "--db", db, "--set", "team=X"])
    capsys.readouterr()
    assert main(["imports", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].endswith("(can be undone)") and lines[1].endswith("(in effect)")
    latest, older = lines[0].split()[0], lines[1].split()[0]
    assert main(["undo", older, "--db", db]) == 1
    assert "undo the imports after it first" in capsys.readouterr().err
    assert main(["undo", latest, "--db", db]) == 0
    assert capsys.readouterr().out.strip() == f"import {latest} undone: 4 rows removed, 4 rows restored"
    main(["kpis", "--db", db, "--team", "X", "--json"])
    assert json.loads(capsys.readouterr().out)["contacts"] == 0


def test_a_vendor_export_is_recognised_by_the_cli(tmp_path, capsys):
    assert main(["import", str(FILES / "presets" / "zendesk.csv"), "--db", str(tmp_path / "z.duckdb")]) == 0
    out = capsys.readouterr().out
    assert "mapping (preset: Zendesk ticket export):" in out
    assert "first_response_at <- 'First reply time in minutes' in minutes after created" in out


def test_backtest_writes_the_forecast_report_from_the_database(demo_db, tmp_path, capsys):
    out = tmp_path / "forecast.md"
    assert main(["backtest", "--db", str(demo_db), "--out", str(out)]) == 0
    text = out.read_text()
    rows = [line for line in text.splitlines() if line.startswith("| ") and "WAPE" not in line]
    assert len(rows) == 3 * 6  # all channels and five channels, at 1, 4 and 12 weeks
    assert all(row.endswith("| yes |") for row in rows)
    assert "missed by" in capsys.readouterr().out
