"""Benchmark: the Agents page's query and scoring at 1M and 10M contacts.

Run ``make bench-agents`` (or ``.venv/bin/python -m bench.agents``) after ``make bench`` has built the
synthetic databases. Each size runs in a fresh process; the medians of warm runs replace the
"Agents page" section of ``docs/performance.md``.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime
from pathlib import Path

from bench.overview import _machine, _peak_rss_mib
from bench.report import run_page_bench

SCENARIOS = {
    "last 30 days, all teams": (date(2026, 10, 2), ()),
    "last 90 days, all teams": (date(2026, 8, 3), ()),
    "last 90 days, 3 teams": (date(2026, 8, 3), ("Billing", "Retention", "Accounts")),
    "full range (2 years), all teams": (date(2024, 11, 1), ()),
}
END = date(2026, 10, 31)
GOAL_S = 1.0


def run_child(db: Path, runs: int) -> dict:
    """Time every scenario in this process (the first run warms up and is left out)."""
    from csm.agents import compute_agents_view
    from csm.compile import Filters
    from csm.db import connect

    con = connect(db, read_only=True)
    out: dict = {}
    for name, (start, teams) in SCENARIOS.items():
        times = []
        for _ in range(runs + 1):
            t0 = time.perf_counter()
            view = compute_agents_view(con, start=start, end=END, filters=Filters(team=teams))
            times.append(time.perf_counter() - t0)
        out[name] = {"seconds": statistics.median(times[1:]), "agents": view.table.height}
    out["peak_rss_mib"] = _peak_rss_mib()
    return out


def render(results: dict, runs: int) -> str:
    """Return the "Agents page" section of docs/performance.md."""
    lines = [
        "## Agents page",
        "",
        f"Measured {datetime.now():%Y-%m-%d} on {_machine()}. Command: `make bench-agents`.",
        "",
        "What is timed is the page's one cached load (`csm.agents.compute_agents_view`): one DuckDB query",
        "aggregating the selection by team and agent (sums, sums of squares, and the histogram of each",
        "agent's first response times: distinct whole seconds with their counts, which gives the medians",
        "and their order-statistic intervals exactly), then the intervals, tests and flags in Python, and",
        "the agent names.",
        f"Medians of {runs} warm runs in a fresh process per size.",
        "",
    ]
    big = results.get(10_000_000)
    if big:
        worst = max(big[k]["seconds"] for k in SCENARIOS if k != "full range (2 years), all teams")
        verdict = "met" if worst <= GOAL_S else "**not met**"
        lines += [f"- Goal at 10,000,000 contacts: at most {GOAL_S:.1f} s median for periods up to a quarter; "
                  f"worst {worst:.2f} s: {verdict}. Two full years: "
                  f"{big['full range (2 years), all teams']['seconds']:.2f} s.", ""]
    lines += ["| contacts | scenario | agents | seconds |", "|---:|---|---:|---:|"]
    for size, per in results.items():
        lines += [f"| {size:,} | {name} | {per[name]['agents']} | {per[name]['seconds']:.3f} |" for name in SCENARIOS]
    lines += ["", "| contacts | peak memory (MiB) |", "|---:|---:|"]
    lines += [f"| {size:,} | {per['peak_rss_mib']:.0f} |" for size, per in results.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Time each size in a fresh process and write the section."""
    run_page_bench("bench.agents", __doc__.splitlines()[0], run_child, render)


if __name__ == "__main__":
    main()
