"""An import killed at any point (SIGKILL, a separate process) leaves the database as it was and usable."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from csm.db import connect
from csm.ingest.load import import_file
from tests.csm.ingest.test_import import FILES

ROOT = Path(__file__).resolve().parents[3]
ROWS = 200_000


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kill") / "big.csv"
    con = connect(":memory:")
    con.execute(
        "COPY (SELECT 'K' || i AS \"Ticket ID\", TIMESTAMP '2026-01-01' + to_seconds(i * 60) AS \"Created at\", "
        "['phone', 'chat', 'email'][1 + i % 3] AS \"Channel\", 120 + i % 600 AS \"Handle time\", "
        "1 + i % 5 AS \"CSAT\" FROM range($rows) t(i)) TO $path (HEADER)",
        {"rows": ROWS, "path": str(path)},
    )
    con.close()
    return path


def state(db: Path) -> tuple:
    con = connect(db, read_only=True)  # opening at all shows the file is intact
    try:
        return (con.execute("SELECT count(*), sum(hash(ticket_id, team, handle_time_s)) FROM tickets").fetchone(),
                con.execute("SELECT count(*) FROM imports").fetchone(),
                con.execute("SELECT count(*), sum(contacts) FROM (SELECT sum(m_contacts) AS contacts "
                            "FROM tickets_daily_team)").fetchone())
    finally:
        con.close()


@pytest.mark.parametrize("step", ["mapping and typing the columns", "writing the contacts",
                                  "rebuilding the stored aggregates"])
def test_a_kill_at_any_step_leaves_the_database_as_it_was(tmp_path, big_file, step):
    db = tmp_path / "kept.duckdb"
    con = connect(db)
    import_file(con, FILES / "helpdesk_clean.csv")
    con.close()
    before = state(db)
    proc = subprocess.Popen([sys.executable, "-m", "csm", "import", str(big_file), "--db", str(db)],
                            cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stderr:  # the CLI reports each step as it starts
            if line.strip().endswith(step):
                break
        time.sleep(0.1)
        assert proc.poll() is None, "the import finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert state(db) == before
    # The file is not merely intact but usable: the same import now runs to the end.
    con = connect(db)
    result = import_file(con, big_file)
    con.close()
    assert result.rows_written == ROWS and state(db)[0][0] == before[0][0] + ROWS
