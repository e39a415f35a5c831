"""One agent over a period: trends against the team, handle times, work mix, lowest-rated contacts.

``compute_agent_detail`` gathers it (aggregated in DuckDB); ``render_one_on_one`` writes the
printable one-on-one summary: one self-contained HTML page, every user-supplied text escaped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import date

import duckdb
import polars as pl

from csm.compile import Filters, Window, _filter_sql
from csm.db import run_sql
from csm.formatting import format_duration, format_value
from csm.kpis import load_catalogue
from csm.metrics import compute_kpis

TREND_KPIS = ("contacts", "aht_s", "fcr_rate", "csat")
LOWEST_SHOWN = 20


@dataclass(frozen=True)
class AgentDetail:
    """One agent's period."""

    agent_id: str
    team: str | None  # the team the agent handled most contacts for
    trend: pl.DataFrame  # bucket, kpi, agent, team
    handle_minutes: pl.DataFrame  # minute (capped at 30: "30 and more"), contacts
    mix: pl.DataFrame  # dimension, value, agent_share, team_share
    lowest: pl.DataFrame  # the lowest-rated contacts, worst and newest first


def compute_agent_detail(
    con: duckdb.DuckDBPyConnection, *, agent_id: str, start: date, end: date, filters: Filters = Filters(),
) -> AgentDetail:
    """Return one agent's weekly trends against their team, handle-time distribution, mix and lowest-rated contacts."""
    mine = replace(filters, agent_id=(agent_id,))
    window = (Window("current", start, end),)
    teams = compute_kpis(con, windows=window, filters=mine, keys=("contacts",), group_by=("team",))
    teams = teams.filter(pl.col("contacts") > 0).sort("contacts", descending=True)
    team = teams["team"][0] if teams.height else None
    peers = replace(filters, agent_id=(), team=(team,) if team else filters.team)
    agent_trend = compute_kpis(con, windows=window, filters=mine, keys=TREND_KPIS, grain="week")
    team_trend = compute_kpis(con, windows=window, filters=peers, keys=TREND_KPIS, grain="week")
    agents_in_team = compute_kpis(con, windows=window, filters=peers, keys=("contacts",), group_by=("agent_id",),
                                  grain="week").filter(pl.col("agent_id").is_not_null(), pl.col("contacts") > 0)
    per_agent = agents_in_team.group_by("bucket").agg(agents=pl.len())
    rows = []
    for key in TREND_KPIS:
        part = agent_trend.select("bucket", pl.col(key).alias("agent")).join(
            team_trend.select("bucket", pl.col(key).alias("team")), on="bucket", how="full", coalesce=True)
        if key == "contacts":  # the team's contacts per agent, to compare with one agent's
            part = part.join(per_agent, on="bucket", how="left").with_columns(team=pl.col("team") / pl.col("agents"))
        rows.append(part.select("bucket", pl.lit(key).alias("kpi"), pl.col("agent").cast(pl.Float64),
                                pl.col("team").cast(pl.Float64)))
    trend = pl.concat(rows).sort("kpi", "bucket")

    params: dict = {"start": start, "end": end, "agent": agent_id}
    where = " AND ".join(["agent_id = $agent", "created_at >= $start", "created_at < $end::DATE + 1",
                          *_filter_sql(replace(filters, agent_id=()), params)])
    handle = run_sql(con, f"""
SELECT least(floor(handle_time_s / 60), 30)::INTEGER AS minute, count(*) AS contacts FROM tickets
WHERE {where} AND handle_time_s IS NOT NULL AND is_answered IS DISTINCT FROM FALSE GROUP BY 1 ORDER BY 1
""", params)  # noqa: S608 - bound parameters on allow-listed columns
    lowest = run_sql(con, f"""
SELECT ticket_id, created_at, channel, category, csat_score, handle_time_s, is_fcr FROM tickets
WHERE {where} AND csat_score <= 2 ORDER BY csat_score, created_at DESC LIMIT {LOWEST_SHOWN}
""", params)  # noqa: S608
    mixes = []
    for dim in ("category", "channel"):
        a = compute_kpis(con, windows=window, filters=mine, keys=("contacts",), group_by=(dim,))
        t = compute_kpis(con, windows=window, filters=peers, keys=("contacts",), group_by=(dim,))
        a = a.select(pl.col(dim).fill_null("(none)").alias("value"),
                     (pl.col("contacts") / pl.col("contacts").sum()).alias("agent_share"))
        t = t.select(pl.col(dim).fill_null("(none)").alias("value"),
                     (pl.col("contacts") / pl.col("contacts").sum()).alias("team_share"))
        mixes.append(a.join(t, on="value", how="full", coalesce=True)
                     .with_columns(pl.lit(dim).alias("dimension"), pl.col("agent_share", "team_share").fill_null(0.0))
                     .select("dimension", "value", "agent_share", "team_share")
                     .sort("agent_share", descending=True))
    return AgentDetail(agent_id, team, trend, handle, pl.concat(mixes), lowest)


def render_one_on_one(detail: AgentDetail, *, name: str, start: date, end: date, scorecard: pl.DataFrame) -> str:
    """Return the one-on-one summary as a self-contained, printable HTML page.

    Args:
        detail: ``compute_agent_detail`` output.
        name: the agent's name.
        start: the period's first day.
        end: the period's last day.
        scorecard: the agent's cells of ``csm.agents.compute_scorecard`` (kpi, value, low, high, team, flag, n).
    """
    catalogue = load_catalogue()
    e = html.escape

    def value(key: str, v: float | None) -> str:
        return e(format_value(catalogue[key], v))

    cards = []
    for row in scorecard.iter_rows(named=True):
        kpi = catalogue[row["kpi"]]
        interval = (f"{value(kpi.key, row['low'])}–{value(kpi.key, row['high'])}" if row["low"] is not None
                    else f"too few ({row['n']:,})")
        flag = {"coach": "Talk about it", "recognise": "Recognise it"}.get(row["flag"] or "", "")
        cards.append(f"<tr><td>{e(kpi.label)}</td><td>{value(kpi.key, row['value'])}</td><td>{interval}</td>"
                     f"<td>{value(kpi.key, row['team'])}</td><td class='flag'>{flag}</td></tr>")
    mix = "".join(f"<tr><td>{e(r['dimension'])}</td><td>{e(str(r['value']).replace('_', ' '))}</td>"
                  f"<td>{r['agent_share']:.0%}</td><td>{r['team_share']:.0%}</td></tr>"
                  for r in detail.mix.head(12).iter_rows(named=True))
    lowest = "".join(f"<tr><td>{e(str(r['ticket_id']))}</td><td>{r['created_at']:%d %b %Y %H:%M}</td>"
                     f"<td>{e(str(r['channel']))}</td><td>{e(str(r['category'] or ''))}</td><td>{r['csat_score']}</td>"
                     f"<td>{e(format_duration(r['handle_time_s']))}</td></tr>"
                     for r in detail.lowest.iter_rows(named=True))
    team = e(detail.team or "no team")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>One-on-one: {e(name)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin: .5em 0 1.5em; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .3em .8em; text-align: left; }}
td.flag {{ font-weight: bold; }}
.note {{ color: #666; font-size: .9em; }}
.write {{ border: 1px solid #bbb; min-height: 6em; margin-bottom: 1em; }}
@media print {{ body {{ margin: 1cm; }} }}
</style></head><body>
<h1>One-on-one: {e(name)}</h1>
<p>{team} · {start:%d %b %Y} – {end:%d %b %Y}</p>
<h2>Scorecard</h2>
<table><tr><th>KPI</th><th>Value</th><th>95% interval</th><th>Rest of the team</th><th></th></tr>{''.join(cards)}</table>
<p class="note">"Talk about it" and "Recognise it" mark differences from the rest of the team that are statistically
clear and material (docs/statistics.md); "too few" means under 30 contacts count towards that KPI.</p>
<h2>Work mix</h2>
<table><tr><th></th><th></th><th>This agent</th><th>Team</th></tr>{mix}</table>
<h2>Lowest-rated contacts</h2>
{f"<table><tr><th>Contact</th><th>Created</th><th>Channel</th><th>Topic</th><th>CSAT</th><th>Handle time</th></tr>{lowest}</table>" if lowest else "<p>No contact rated 1 or 2 in the period.</p>"}
<h2>Notes and agreed actions</h2>
<div class="write"></div>
</body></html>
"""


__all__ = ["AgentDetail", "compute_agent_detail", "render_one_on_one"]
