"""Benchmark: the business review exported as HTML (and the other formats) at 1M and 10M contacts.

Run ``make bench-review`` after ``make bench`` has built the synthetic databases. Each size runs
in a fresh process; the medians of warm runs replace the "Business review export" section of
``docs/performance.md``.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime
from pathlib import Path

from bench.overview import _machine, _peak_rss_mib
from bench.report import run_page_bench

PERIODS = ("2026-10", "2026-Q3")
GOAL_S = 10.0


def run_child(db: Path, runs: int) -> dict:
    """Time review + HTML for each period, and the other formats once (the first run warms up and is left out)."""
    from csm.db import connect
    from csm.report import build_pack, export_pack
    from csm.review import compute_review, parse_period

    con = connect(db, read_only=True)
    out: dict = {}
    for label in PERIODS:
        times = []
        for _ in range(runs + 1):
            t0 = time.perf_counter()
            pack = build_pack(compute_review(con, period=parse_period(label)))
            html, _ = export_pack(pack, "html")
            times.append(time.perf_counter() - t0)
        out[label] = {"seconds": statistics.median(times[1:]), "bytes": len(html), "sections": 2 + len(pack.whys)}
        for fmt in ("pdf", "pptx", "xlsx"):
            t0 = time.perf_counter()
            export_pack(pack, fmt)
            out[label][fmt] = time.perf_counter() - t0
    out["peak_rss_mib"] = _peak_rss_mib()
    return out


def render(results: dict, runs: int) -> str:
    """Return the "Business review export" section of docs/performance.md."""
    lines = [
        "## Business review export",
        "",
        f"Measured {datetime.now():%Y-%m-%d} on {_machine()}. Command: `make bench-review`.",
        "",
        "Timed: the review of one period over all teams (`csm.review.compute_review`: the KPI table over three",
        "windows and the decompositions of every KPI that moved, by channel, topic, team and priority) plus the",
        f"self-contained HTML pack (`csm.report`). Medians of {runs} warm runs in a fresh process per size; the",
        "PDF (headless Chromium), PowerPoint and Excel of the same pack once each, after the review.",
        "",
    ]
    big = results.get(10_000_000)
    if big:
        worst = big["2026-10"]["seconds"]
        lines += [f"- Goal at 10,000,000 contacts: the HTML of one month in at most {GOAL_S:.0f} s; "
                  f"{worst:.2f} s: {'met' if worst <= GOAL_S else '**not met**'}.", ""]
    lines += ["| contacts | period | sections | review + HTML (s) | HTML size | PDF (s) | PowerPoint (s) | Excel (s) |",
              "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for size, per in results.items():
        for label in PERIODS:
            r = per[label]
            lines.append(f"| {size:,} | {label} | {r['sections']} | {r['seconds']:.2f} | {r['bytes'] / 1e6:.1f} MB | "
                         f"{r['pdf']:.2f} | {r['pptx']:.2f} | {r['xlsx']:.2f} |")
    lines += ["", "| contacts | peak memory (MiB) |", "|---:|---:|"]
    lines += [f"| {size:,} | {per['peak_rss_mib']:.0f} |" for size, per in results.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Time each size in a fresh process and write the section."""
    run_page_bench("bench.review", __doc__.splitlines()[0], run_child, render)


if __name__ == "__main__":
    main()
