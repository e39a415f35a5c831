"""The command line over hostile input: no traceback, true messages, names that stay names, clear databases."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from csm.cli import main
from csm.db import connect
from tests.csm.ingest.hostile_files import CASES as HOSTILE
from tests.csm.ingest.hostile_files import both_corpora, write_corpus_file, write_hostile
from tests.csm.ingest.test_broken_files import file_snapshot as state
from tests.csm.ingest.test_import import FILES

ROOT = Path(__file__).resolve().parents[2]
KPIS = ROOT / "csm" / "kpis.yaml"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "cli.duckdb"
    con = connect(path)
    from csm.ingest.load import import_file

    import_file(con, FILES / "helpdesk_clean.csv")
    con.close()
    monkeypatch.setenv("CSM_MAPPINGS_DIR", str(tmp_path / "mappings"))
    return path


def cli_args(options: dict) -> list[str]:
    args = []
    for flag, key in (("--map", "maps"), ("--set", "sets"), ("--unit", "units")):
        for pair in options.get(key, ()):
            args += [flag, pair]
    if "sheet" in options:
        args += ["--sheet", options["sheet"]]
    if "saved" in options:
        args += ["--mapping", options["saved"]]
    return args


@pytest.mark.parametrize(("case", "name", "content", "options", "env"),
                         [pytest.param(*c, id=c[0]) for c in both_corpora()])
def test_every_corpus_file_gets_a_message_and_never_a_traceback(db, tmp_path, monkeypatch, capsys, case, name,
                                                                content, options, env):
    path = write_corpus_file(tmp_path, case, name, content, env, monkeypatch)
    before = state(db)
    code = main(["import", str(path), "--db", str(db), *cli_args(options)])  # raises on a traceback
    out = capsys.readouterr()
    assert code in (0, 1), out
    assert "Traceback" not in out.err + out.out
    if code == 1:
        assert out.err.startswith("error:") or "nothing written" in out.err, out.err
        assert state(db) == before
    else:
        assert "rows written" in out.out


@pytest.mark.parametrize("name", ["../../x", "../../x.yaml", "/tmp/elsewhere/x.yaml", "csm/kpis.yaml", "a/b",
                                  "bad|name", " ", "x" * 65, "..", "kpis.yaml\x00", "bad name."])
def test_a_mapping_name_that_is_not_a_name_is_refused_before_anything_is_written(db, tmp_path, capsys, name):
    kpis = KPIS.read_bytes()
    before = state(db)
    code = main(["import", str(FILES / "helpdesk_updates.csv"), "--db", str(db), "--save-mapping", name])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "use letters, digits, spaces, '-' and '_' only (at most 64), not a path. Nothing was written." in err
    assert state(db) == before and KPIS.read_bytes() == kpis
    assert not (tmp_path / "mappings").exists() and not Path("/tmp/elsewhere/x.yaml").exists()


def test_a_good_mapping_name_with_spaces_lands_inside_the_mappings_folder(db, tmp_path, capsys):
    assert main(["import", str(FILES / "helpdesk_updates.csv"), "--db", str(db), "--save-mapping", "help desk"]) == 0
    assert (tmp_path / "mappings" / "help desk.yaml").is_file()
    assert "mapping saved as 'help desk'" in capsys.readouterr().out


def test_a_mapping_that_cannot_be_saved_says_the_import_was_written(db, tmp_path, capsys):
    (tmp_path / "mappings").write_text("a file where the folder should be")
    assert main(["import", str(FILES / "helpdesk_updates.csv"), "--db", str(db), "--save-mapping", "desk"]) == 1
    captured = capsys.readouterr()
    assert "rows written" in captured.out
    assert "error: the import " in captured.err and "was written, but the mapping could not be saved" in captured.err


@pytest.mark.parametrize("verb", [["kpis"], ["imports"], ["undo", "x"], ["backtest", "--out", "/dev/null"],
                                  ["report", "--period", "2026-10", "--format", "html", "--out", "/dev/null"]])
def test_a_missing_database_is_an_error_on_every_verb(tmp_path, capsys, verb):
    missing = tmp_path / "typo.duckdb"
    assert main([*verb, "--db", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: there is no database at {missing}.") and "python -m csm demo" in err
    assert not missing.exists()


@pytest.mark.parametrize("verb", [["kpis"], ["imports"], ["undo", "x"],
                                  ["import", str(FILES / "helpdesk_clean.csv")]])
def test_a_corrupt_database_gets_one_clear_message(tmp_path, capsys, verb):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a database" * 1000)
    assert main([*verb, "--db", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad} is damaged or is not a DuckDB database") and "Traceback" not in err
    assert bad.read_bytes() == b"not a database" * 1000


def test_a_truncated_database_is_named_damaged(tmp_path, capsys, demo_db_source):
    import os
    import shutil

    cut = tmp_path / "cut.duckdb"
    shutil.copy(demo_db_source, cut)
    os.truncate(cut, cut.stat().st_size * 6 // 10)  # a copy that stopped half-way
    assert main(["kpis", "--db", str(cut)]) == 1
    assert capsys.readouterr().err.startswith(f"error: {cut} is damaged or is not a DuckDB database")


def test_a_database_path_that_is_a_folder_is_named_as_such(tmp_path, capsys):
    assert main(["kpis", "--db", str(tmp_path)]) == 1
    assert "is a folder, not a database file" in capsys.readouterr().err


def test_importing_into_a_missing_folder_is_refused(tmp_path, capsys):
    target = tmp_path / "no" / "such" / "x.duckdb"
    assert main(["import", str(FILES / "helpdesk_clean.csv"), "--db", str(target)]) == 1
    assert "does not exist, so x.duckdb cannot be created there" in capsys.readouterr().err
    assert not (tmp_path / "no").exists()


def test_kpis_json_is_valid_json_even_with_absurd_values(tmp_path, capsys):
    db = tmp_path / "inf.duckdb"
    con = connect(db)
    from csm.db import build_rollup, create_schema

    create_schema(con)
    con.execute("INSERT INTO tickets (ticket_id, created_at, channel, handle_time_s) VALUES "
                "('1', TIMESTAMP '2026-10-01 09:00', 'phone', 'inf'::DOUBLE)")
    con.execute("BEGIN TRANSACTION")
    build_rollup(con)
    con.execute("COMMIT")
    con.close()
    assert main(["kpis", "--db", str(db), "--json"]) == 0
    values = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    assert values["aht_s"] is None


def test_the_cli_in_a_subprocess_prints_no_traceback_for_a_hostile_workbook(tmp_path):
    _, name, content, _, _ = next(c for c in HOSTILE if c[0] == "uncalculated_formula")
    path = write_hostile(tmp_path, name, content)
    done = subprocess.run([sys.executable, "-m", "csm", "import", str(path), "--db", str(tmp_path / "x.duckdb")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "never calculated" in done.stderr
    assert not (tmp_path / "x.duckdb").exists()  # the database it would have created is not left behind


@pytest.mark.parametrize("content", [b"columns: [unclosed\n", b"- a list\n- not a mapping\n", b"\xff\xfe\x00bad"])
def test_a_damaged_saved_mapping_gets_a_message(db, tmp_path, capsys, content):
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "desk.yaml").write_bytes(content)
    assert main(["import", str(FILES / "helpdesk_clean.csv"), "--db", str(db), "--mapping", "desk"]) == 1
    err = capsys.readouterr().err
    assert "\nerror: saved mapping 'desk'" in err and "save it again from an import" in err


def test_a_dry_run_of_a_reference_table_creates_no_database(tmp_path, capsys):
    from csm.ingest.reference import render_template

    template = tmp_path / "targets.csv"
    template.write_text(render_template("targets"))
    missing = tmp_path / "none.duckdb"
    assert main(["import", str(template), "--table", "targets", "--db", str(missing), "--dry-run"]) == 0
    assert "dry run: nothing written" in capsys.readouterr().out and not missing.exists()
