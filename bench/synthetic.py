"""Synthetic databases of any size for the benchmarks, grown from the seeded demo data.

The demo's two years of contacts are copied as often as needed; each copy gets its own ticket
ids and one of four agent-id suffixes (so a 10M-row base has about 300 agents, a realistic
staff for that volume), and rows are sampled down to the requested count. Rows are stored in
``created_at`` order, as an import would write them, so DuckDB's zone maps can skip dates.
"""

from __future__ import annotations

import math
import time
from datetime import date
from pathlib import Path

from csm.db import build_rollup, connect
from csm.demo import generate_demo, write_demo
from csm.schema import TICKETS

DEMO_END = date(2026, 10, 31)


def build_synthetic(path: Path, contacts: int, *, seed: int = 7) -> dict[str, float]:
    """Write a database of about ``contacts`` contacts to ``path``; return timings and sizes."""
    path.unlink(missing_ok=True)
    con = connect(path)
    t0 = time.perf_counter()
    data = generate_demo(end=DEMO_END, seed=seed)
    write_demo(con, data)
    base = data.tickets.height
    copies = math.ceil(contacts / base)
    keep = contacts / (copies * base)
    columns = ", ".join(
        {
            "ticket_id": "ticket_id || '-' || k AS ticket_id",
            "agent_id": "CASE WHEN agent_id IS NULL THEN NULL ELSE agent_id || '-' || (k % 4) END AS agent_id",
            "customer_id": "customer_id || '-' || k AS customer_id",
        }.get(c, c)
        for c in TICKETS.column_names
    )
    con.execute("BEGIN TRANSACTION")
    con.execute("CREATE TEMP TABLE base AS SELECT * FROM tickets")
    con.execute("DELETE FROM tickets")
    con.execute(
        f"INSERT INTO tickets SELECT {columns} FROM base, range($copies) r(k) "  # noqa: S608 - schema columns
        "WHERE hash(ticket_id, k) % 1000000 < $keep ORDER BY created_at",
        {"copies": copies, "keep": int(keep * 1_000_000)},
    )
    con.execute("DROP TABLE base")
    con.execute("COMMIT")
    t_rows = time.perf_counter() - t0
    t1 = time.perf_counter()
    build_rollup(con)
    t_rollup = time.perf_counter() - t1
    n = con.execute("SELECT count(*) FROM tickets").fetchone()[0]
    rollup_rows = con.execute("SELECT count(*) FROM tickets_daily").fetchone()[0]
    con.execute("CHECKPOINT")
    con.close()
    return {"contacts": n, "build_s": t_rows, "rollup_s": t_rollup, "rollup_rows": rollup_rows,
            "file_mb": path.stat().st_size / 2**20}


if __name__ == "__main__":
    import sys

    print(build_synthetic(Path(sys.argv[1]), int(sys.argv[2])))
