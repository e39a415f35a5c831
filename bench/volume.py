"""Benchmark: the Volume and Staffing pages' queries at 1M and 10M contacts.

Run ``make bench-volume`` (or ``.venv/bin/python -m bench.volume``) after ``make bench`` has built the
synthetic databases. Each size runs in a fresh process; the median of warm runs per scenario
replaces the "Volume page" section of ``docs/performance.md``.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.overview import _machine, _peak_rss_mib
from bench.report import run_page_bench

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
    from csm.drill import Drill, load_drill
    from csm.volume import compute_forecast_view, compute_service, compute_volume_view
    from csm.workforce import compute_staffing_view

    con = connect(db, read_only=True)
    out: dict = {}
    for name, (start, teams) in SCENARIOS.items():
        filters = Filters(team=teams)
        volume, forecast, staffing, drill = [], [], [], []
        clicks = (Drill(END - timedelta(days=6), END, "a week's created bar"),
                  Drill(END, END, "the backlog at the period's end", on="open"),
                  Drill(start, END, "a heatmap cell", weekday=1, minutes=(600, 660)))
        for _ in range(runs + 1):  # the first run warms the process and is left out
            t0 = time.perf_counter()
            compute_volume_view(con, start=start, end=END, filters=filters, grain="week", by="channel", threshold_s=20)
            compute_service(con, start=start, end=END, filters=filters, grain="week", by="channel")
            t1 = time.perf_counter()
            compute_forecast_view(con, first_day=date(2024, 11, 1), last_day=END, filters=filters, weeks=4, grain="week")
            t2 = time.perf_counter()
            compute_staffing_view(con, last_day=END, filters=filters, weeks_ahead=1, slot_minutes=30, target_sl=0.8,
                                  threshold_s=20, max_occupancy=0.85, shrinkage=0.3, productive_hours=37.5)
            t3 = time.perf_counter()
            slowest = 0.0
            for click in clicks:
                t = time.perf_counter()
                load_drill(con, click, filters=filters, limit=5000)
                slowest = max(slowest, time.perf_counter() - t)
            volume.append(t1 - t0)
            forecast.append(t2 - t1)
            staffing.append(t3 - t2)
            drill.append(slowest)
        out[name] = {"volume_s": statistics.median(volume[1:]), "forecast_s": statistics.median(forecast[1:]),
                     "total_s": statistics.median(v + f for v, f in zip(volume[1:], forecast[1:], strict=True)),
                     "staffing_s": statistics.median(staffing[1:]), "drill_s": statistics.median(drill[1:])}
    out["peak_rss_mib"] = _peak_rss_mib()
    return out


def render(results: dict, runs: int) -> str:
    """Return the "Volume page" section of docs/performance.md."""
    lines = [
        "## Volume and Staffing pages",
        "",
        f"Measured {datetime.now():%Y-%m-%d} on {_machine()}. Command: `make bench-volume`.",
        "",
        "What is timed is what the Volume and queues page asks the database for one view, by weeks and",
        "split by channel: volumes, created versus resolved with the backlog history, arrivals by weekday",
        "and hour, backlog aging (`csm.volume.compute_volume_view`), service level and SLA met by channel",
        "(`compute_service`; by priority, chosen on the page, reads the contacts and costs more), and the 4-week",
        "forecast with its",
        "backtest (`compute_forecast_view`). The Staffing page is timed apart: a week's plan in 30-minute",
        "intervals (`csm.workforce.compute_staffing_view`, which forecasts every channel and runs Erlang C per",
        "interval). A click on a chart point runs one more query, the contacts behind it (`csm.drill.load_drill`,",
        "5,000 newest rows and the count); the slowest of three clicks is shown: the last week's created bar,",
        "the backlog at the period's end and a Monday 10:00 heatmap cell over the period.",
        f"Medians of {runs} warm runs in a fresh process per size.",
        "",
    ]
    big = results.get(10_000_000, {}).get("full range (2 years), all teams")
    if big:
        verdict = "met" if big["total_s"] <= GOAL_S else "**not met**"
        worst = max(r["staffing_s"] for k, r in results[10_000_000].items() if k in SCENARIOS)
        click = max(r["drill_s"] for k, r in results[10_000_000].items() if k in SCENARIOS)
        lines += [f"- Goal at 10,000,000 contacts: at most {GOAL_S:.1f} s median for each page. Volume page, worst "
                  f"scenario (full range): {big['total_s']:.2f} s: {verdict}. Staffing page, worst: {worst:.2f} s: "
                  f"{'met' if worst <= GOAL_S else '**not met**'}. Contacts behind a click, worst: {click:.2f} s: "
                  f"{'met' if click <= GOAL_S else '**not met**'}.", ""]
    lines += ["| contacts | scenario | volumes (s) | forecast (s) | Volume page (s) | Staffing page (s) | click (s) |",
              "|---:|---|---:|---:|---:|---:|---:|"]
    for size, per in results.items():
        for name in SCENARIOS:
            r = per[name]
            lines.append(f"| {size:,} | {name} | {r['volume_s']:.3f} | {r['forecast_s']:.3f} | {r['total_s']:.3f} "
                         f"| {r['staffing_s']:.3f} | {r['drill_s']:.3f} |")
    lines += ["", "| contacts | peak memory (MiB) |", "|---:|---:|"]
    lines += [f"| {size:,} | {per['peak_rss_mib']:.0f} |" for size, per in results.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Time each size in a fresh process and write the section."""
    run_page_bench("bench.volume", __doc__.splitlines()[0], run_child, render)


if __name__ == "__main__":
    main()
