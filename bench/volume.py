"""Benchmark: the Volume page's queries (volumes, flow, heatmap, aging, forecast) at 1M and 10M contacts.

Run ``make bench-volume`` (or ``.venv/bin/python -m bench.volume``) after ``make bench`` has built the
synthetic databases. Each size runs in a fresh process; the median of warm runs per scenario
replaces the "Volume page" section of ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

from bench.overview import DATA, ROOT, _machine, _peak_rss_mib
from bench.report import write_section

SCENARIOS = {
    "last 90 days, all teams": (date(2026, 8, 3), ()),
    "last 90 days, 3 teams": (date(2026, 8, 3), ("Billing", "Retention", "Accounts")),
    "full range (2 years), all teams": (date(2024, 11, 1), ()),
}
END = date(2026, 10, 31)
GOAL_S = 1.0


def run_child(db: Path, runs: int) -> dict:
    """Time every scenario in this process: the page's two cached loads, apart and together."""
    from csm.compile import Filters
    from csm.db import connect
    from csm.volume import compute_forecast_view, compute_service, compute_volume_view

    con = connect(db, read_only=True)
    out: dict = {}
    for name, (start, teams) in SCENARIOS.items():
        filters = Filters(team=teams)
        volume, forecast = [], []
        for _ in range(runs + 1):  # the first run warms the process and is left out
            t0 = time.perf_counter()
            compute_volume_view(con, start=start, end=END, filters=filters, grain="week", by="channel", threshold_s=20)
            compute_service(con, start=start, end=END, filters=filters, grain="week", by="channel")
            t1 = time.perf_counter()
            compute_forecast_view(con, first_day=date(2024, 11, 1), last_day=END, filters=filters, weeks=4, grain="week")
            volume.append(t1 - t0)
            forecast.append(time.perf_counter() - t1)
        out[name] = {"volume_s": statistics.median(volume[1:]), "forecast_s": statistics.median(forecast[1:]),
                     "total_s": statistics.median(v + f for v, f in zip(volume[1:], forecast[1:], strict=True))}
    out["peak_rss_mib"] = _peak_rss_mib()
    return out


def render(results: dict, runs: int) -> str:
    """Return the "Volume page" section of docs/performance.md."""
    lines = [
        "## Volume page",
        "",
        f"Measured {datetime.now():%Y-%m-%d} on {_machine()}. Command: `make bench-volume`.",
        "",
        "What is timed is what the Volume and queues page asks the database for one view, by weeks and",
        "split by channel: volumes, created versus resolved with the backlog history, arrivals by weekday",
        "and hour, backlog aging (`csm.volume.compute_volume_view`), service level and SLA met by channel",
        "(`compute_service`; by priority, chosen on the page, reads the contacts and costs more), and the 4-week",
        "forecast with its",
        f"backtest (`compute_forecast_view`). Medians of {runs} warm runs in a fresh process per size.",
        "",
    ]
    big = results.get(10_000_000, {}).get("full range (2 years), all teams")
    if big:
        verdict = "met" if big["total_s"] <= GOAL_S else "**not met**"
        lines += [f"- Goal at 10,000,000 contacts: at most {GOAL_S:.1f} s median for the page. Worst scenario "
                  f"(full range): {big['total_s']:.2f} s: {verdict}.", ""]
    lines += ["| contacts | scenario | volumes (s) | forecast (s) | page total (s) |", "|---:|---|---:|---:|---:|"]
    for size, per in results.items():
        for name in SCENARIOS:
            r = per[name]
            lines.append(f"| {size:,} | {name} | {r['volume_s']:.3f} | {r['forecast_s']:.3f} | {r['total_s']:.3f} |")
    lines += ["", "| contacts | peak memory (MiB) |", "|---:|---:|"]
    lines += [f"| {size:,} | {per['peak_rss_mib']:.0f} |" for size, per in results.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Time each size in a fresh process and write the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("--child", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_child(Path(args.child), args.runs)))
        return
    results = {}
    for size in args.sizes:
        db = DATA / f"contacts_{size}.duckdb"
        if not db.exists():
            sys.exit(f"{db} is missing: run `make bench` first")
        proc = subprocess.run([sys.executable, "-m", "bench.volume", "--runs", str(args.runs), "--child", str(db)],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        results[size] = json.loads(proc.stdout.strip().splitlines()[-1])
        print(size, {k: v for k, v in results[size].items() if k != "peak_rss_mib"}, flush=True)
    write_section(Path(args.out), render(results, args.runs))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
