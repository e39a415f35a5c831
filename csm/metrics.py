"""Compute KPIs for a selection: the one entry point pages, the CLI and the benchmark use.

Counts, ratios, means and the backlog read the smallest stored rollup that covers the
selection, quantiles read ``tickets_quantiles`` for calendar periods and
``tickets`` otherwise, cost per contact reads ``budget`` (see ``csm.compile``). A selection the
stored aggregates cannot answer, or stale aggregates, fall back to ``tickets`` with the same
numbers. Only aggregated frames leave DuckDB.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from csm.compile import (
    ADDITIVE_KINDS,
    TICKETS_TABLE,
    Filters,
    Window,
    choose_source,
    compile_additive_query,
    compile_backlog_query,
    compile_quantile_query,
    compile_stored_quantiles_query,
    quantile_slice,
)
from csm.db import is_rollup_current, run_query, run_sql
from csm.kpis import Catalogue, Kpi, load_catalogue
from csm.periods import build_windows, calendar_bucket, choose_grain, period_buckets
from csm.settings import DEFAULTS

# Filters that spend cannot follow: the budget is booked per team and month only.
SPEND_BLIND_DIMENSIONS = ("channel", "agent_id", "category", "priority")  # spend is not recorded by these


def compute_kpis(
    con: duckdb.DuckDBPyConnection,
    *,
    windows: tuple[Window, ...],
    filters: Filters = Filters(),
    keys: tuple[str, ...] | None = None,
    group_by: tuple[str, ...] = (),
    grain: str | None = None,
    catalogue: Catalogue | None = None,
    settings: dict | None = None,
    use_rollup: bool | None = None,
) -> pl.DataFrame:
    """Return one row per window (and group, and time bucket) with a column per KPI.

    Args:
        con: the database.
        windows: labelled date ranges; the ``window`` column holds their labels.
        filters: values to keep per dimension.
        keys: KPI keys; every KPI of the catalogue when None.
        group_by: dimensions to group by (``team``, ``channel``, ...).
        grain: time bucket (``day``, ``week``, ``month``, ``quarter``) adding a ``bucket``
            column, or None for whole windows. Per bucket, the backlog is the backlog at the
            bucket's end; ``cost_per_contact`` is only computed for whole windows.
        catalogue: the KPI catalogue; the packaged one when None.
        settings: settings for KPI parameters; defaults when None.
        use_rollup: use (True) or ignore (False) the stored aggregates; when None, use them if
            they are current.

    Returns:
        A frame with ``window``, optional ``bucket`` and group columns, then one column per
        KPI key. Count KPIs are 0 for an empty window; every other KPI is null without data.
    """
    catalogue = catalogue or load_catalogue()
    settings = settings or DEFAULTS
    keys = keys or catalogue.keys()
    kpis = [catalogue[k] for k in keys]
    key_cols = ["window", *(["bucket"] if grain else []), *group_by]
    if use_rollup is None:
        use_rollup = is_rollup_current(con, catalogue=catalogue, settings=settings)
    selection = {"windows": windows, "filters": filters, "group_by": group_by, "grain": grain}

    parts: list[pl.DataFrame] = []
    additive = tuple(k.key for k in kpis if k.kind in ADDITIVE_KINDS)
    if additive:
        source = choose_source(filters, group_by) if use_rollup else TICKETS_TABLE
        sql, params = compile_additive_query(catalogue, additive, source=source, settings=settings, **selection)
        parts.append(run_sql(con, sql, params))
    quantiles = tuple(k.key for k in kpis if k.kind == "quantile")
    if quantiles:
        stored = _stored_quantiles(con, catalogue, quantiles, **selection) if use_rollup else None
        if stored is None:
            sql, params = compile_quantile_query(catalogue, quantiles, **selection)
            stored = run_sql(con, sql, params)
        parts.append(stored)
    if any(k.kind == "backlog" for k in kpis):
        backlog = _compute_backlog(con, use_rollup=use_rollup, **selection)
        if backlog is not None:
            parts.append(backlog)

    result = _merge(parts, key_cols, windows)
    for kpi in kpis:
        if kpi.kind == "count" or (kpi.kind == "backlog" and kpi.key in result.columns):
            result = result.with_columns(pl.col(kpi.key).fill_null(0).cast(pl.Int64))
        elif kpi.kind == "cost":
            result = _apply_cost(con, result, kpi, windows=windows, filters=filters, grouped=bool(group_by or grain))
        elif kpi.key not in result.columns:
            result = result.with_columns(pl.lit(None, dtype=pl.Float64).alias(kpi.key))
    labels = {i: w.label for i, w in enumerate(windows)}
    result = result.with_columns(pl.col("window").replace_strict(labels, return_dtype=pl.String))
    return result.select(*key_cols, *keys).sort(key_cols, nulls_last=True)


def _stored_quantiles(
    con: duckdb.DuckDBPyConnection, catalogue: Catalogue, keys: tuple[str, ...], *, windows: tuple[Window, ...],
    filters: Filters, group_by: tuple[str, ...], grain: str | None,
) -> pl.DataFrame | None:
    """Return quantile KPIs from ``tickets_quantiles``, or None when it cannot answer exactly.

    It answers when there is no grouping, the filters are a stored slice (none, one team or one
    channel), and every window (or every month or quarter bucket of it), clipped to the days
    that have data, is a stored calendar period.
    """
    slice_ = quantile_slice(filters)
    if group_by or slice_ is None or grain not in (None, "month", "quarter"):
        return None
    # The days with data, which is what tickets_quantiles clipped its periods to when it was built.
    bounds = run_query(con, "rollup_range")
    first, last = bounds.row(0)
    if first is None:
        return None
    wanted = []  # (window index, bucket, start, end) of each range, clipped to the data
    for i, window in enumerate(windows):
        buckets = period_buckets(window.start, window.end, grain) if grain else [(None, window.start, window.end)]
        for bucket, start, end in buckets:
            start, end = max(start, first), min(end, last)
            if start > end:
                continue  # no data at all in this range: every quantile is null
            if not _is_stored_period(start, end, first, last):
                return None
            wanted.append((i, bucket, start, end))
    sql, params = compile_stored_quantiles_query(
        catalogue, keys, ranges=[(s, e) for _, _, s, e in wanted], team=slice_[0], channel=slice_[1]
    )
    found = {(r["period_start"], r["period_end"]): r for r in run_sql(con, sql, params).iter_rows(named=True)}
    rows = [
        {"window": i, **({"bucket": b} if grain else {}), **{k: found.get((s, e), {}).get(k) for k in keys}}
        for i, b, s, e in wanted
    ]
    schema = {"window": pl.Int32, **({"bucket": pl.Date} if grain else {}), **dict.fromkeys(keys, pl.Float64)}
    return pl.DataFrame(rows, schema=schema)


def _is_stored_period(start: date, end: date, first: date, last: date) -> bool:
    """Return True when ``start``..``end`` is a range ``tickets_quantiles`` holds.

    That is a calendar month, quarter or year, or all the data, clipped to ``first``..``last``.
    """
    if (start, end) == (first, last):
        return True
    for grain in ("month", "quarter", "year"):
        a, b = calendar_bucket(start, grain)
        if (max(a, first), min(b, last)) == (start, end):
            return True
    return False


def _merge(parts: list[pl.DataFrame], key_cols: list[str], windows: tuple[Window, ...]) -> pl.DataFrame:
    """Join partial results on their key columns; every window gets a row when ungrouped."""
    frame = None
    for part in parts:
        part = part.with_columns(pl.col("window").cast(pl.Int32))
        frame = part if frame is None else frame.join(part, on=key_cols, how="full", coalesce=True, nulls_equal=True)
    if key_cols == ["window"]:
        base = pl.DataFrame({"window": list(range(len(windows)))}, schema={"window": pl.Int32})
        frame = base if frame is None else base.join(frame, on="window", how="left")
    elif frame is None:
        frame = pl.DataFrame(schema={c: (pl.Int32 if c == "window" else pl.String) for c in key_cols})
    return frame


def _compute_backlog(
    con: duckdb.DuckDBPyConnection, *, windows: tuple[Window, ...], filters: Filters, group_by: tuple[str, ...],
    grain: str | None, use_rollup: bool,
) -> pl.DataFrame | None:
    """Return the backlog per window (and group or bucket), or None when it cannot be computed.

    The rollups answer filters and groupings on team, channel and agent, per bucket too; other
    selections count open contacts in ``tickets`` for whole windows only.
    """
    source = choose_source(filters, group_by) if use_rollup else TICKETS_TABLE
    if source == TICKETS_TABLE and grain:
        return None
    sql, params = compile_backlog_query(windows=windows, filters=filters, group_by=group_by, grain=grain, source=source)
    return run_sql(con, sql, params).with_columns(pl.col("window").cast(pl.Int32))


def compute_spend(
    con: duckdb.DuckDBPyConnection, *, windows: tuple[Window, ...], teams: tuple[str, ...] = ()
) -> list[float | None]:
    """Return the actual spend booked in each window (months prorated by days), None without any."""
    frame = run_query(con, "spend", {
        "starts": [w.start for w in windows], "ends": [w.end for w in windows], "teams": list(teams),
    })
    return frame["spend"].to_list()


def _apply_cost(
    con: duckdb.DuckDBPyConnection, result: pl.DataFrame, kpi: Kpi, *, windows: tuple[Window, ...],
    filters: Filters, grouped: bool,
) -> pl.DataFrame:
    """Turn the cost KPI's count column into spend / count, or null where spend cannot follow."""
    blind = grouped or any(d in filters.active() for d in SPEND_BLIND_DIMENSIONS)
    spend = {} if blind else dict(enumerate(compute_spend(con, windows=windows, teams=filters.team)))
    spend_col = pl.col("window").replace_strict(spend, default=None, return_dtype=pl.Float64)
    count = pl.col(kpi.key).cast(pl.Float64)
    return result.with_columns(
        pl.when(count > 0).then(spend_col / count).otherwise(None).alias(kpi.key)
    )


def load_targets(
    con: duckdb.DuckDBPyConnection, *, on: date, teams: tuple[str, ...] = (), catalogue: Catalogue | None = None
) -> dict[str, float | None]:
    """Return the target of every KPI in force on ``on``.

    The catalogue's default applies unless the ``targets`` table overrides it; a row for a
    team applies when exactly that one team is selected.
    """
    catalogue = catalogue or load_catalogue()
    targets: dict[str, float | None] = {k: kpi.target for k, kpi in catalogue.kpis.items()}
    team = teams[0] if len(teams) == 1 else None
    for row in run_query(con, "targets", {"on": on, "team": team}).iter_rows(named=True):
        if row["kpi_key"] in targets:
            targets[row["kpi_key"]] = row["target"]
    return targets


def load_is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """Return True when the database holds contacts of the generated demo (``import_id = 'demo'``)."""
    cur = con.cursor()
    try:
        return bool(cur.execute("SELECT EXISTS (SELECT 1 FROM tickets WHERE import_id = 'demo')").fetchone()[0])
    finally:
        cur.close()


def load_data_range(con: duckdb.DuckDBPyConnection) -> tuple[date | None, date | None, int]:
    """Return the first and last day with contacts and the number of contacts."""
    row = run_query(con, "data_range").row(0)
    return row[0], row[1], row[2]


def load_filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Return, per dimension, the values on offer mapped to their display labels."""
    options: dict[str, dict[str, str]] = {d: {} for d in ("team", "channel", "agent_id", "category", "priority")}
    for dim, value, label in run_query(con, "filter_options").iter_rows():
        options[dim][value] = label
    return options


# --------------------------------------------------------------------------- scorecard


def compute_target_gap(value: float | None, target: float | None, *, direction: str) -> float | None:
    """Return how far ``value`` is from ``target`` relative to the target; positive is good.

    None when either is missing, the direction is neutral or the target is 0.

    Examples:
        >>> round(compute_target_gap(0.80, 0.85, direction="higher_is_better"), 4)
        -0.0588
        >>> compute_target_gap(400, 480, direction="lower_is_better")
        0.16666666666666666
        >>> compute_target_gap(None, 0.85, direction="higher_is_better") is None
        True
    """
    if value is None or target is None or target == 0 or direction == "neutral":
        return None
    gap = (value - target) / abs(target)
    return gap if direction == "higher_is_better" else -gap


def compute_scorecard(
    totals: pl.DataFrame, *, targets: dict[str, float | None], catalogue: Catalogue | None = None
) -> pl.DataFrame:
    """Return one row per KPI: value, comparison, change, target and status.

    Args:
        totals: ``compute_kpis`` output without grouping (a ``current`` and optionally a
            ``comparison`` row).
        targets: target per KPI key.
        catalogue: the KPI catalogue.

    Returns:
        Columns ``key, label, value, previous, change, change_pct, target, gap, status``, with
        ``status`` one of ``on_target``, ``off_target``, ``no_target``, ``no_data``; ``gap`` is
        relative to the target, positive when better than target.

    Examples:
        >>> totals = pl.DataFrame({"window": ["current", "comparison"], "csat": [0.8, 0.9]})
        >>> card = compute_scorecard(totals, targets={"csat": 0.85})
        >>> card.select("key", "value", "previous", "status").row(0)
        ('csat', 0.8, 0.9, 'off_target')
    """
    catalogue = catalogue or load_catalogue()
    rows = {r["window"]: r for r in totals.iter_rows(named=True)}
    current, previous = rows.get("current", {}), rows.get("comparison", {})
    out = []
    for key in [c for c in totals.columns if c in catalogue.kpis]:
        kpi = catalogue[key]
        value, before, target = current.get(key), previous.get(key), targets.get(key)
        change = value - before if value is not None and before is not None else None
        gap = compute_target_gap(value, target, direction=kpi.direction)
        if value is None:
            status = "no_data"
        elif gap is None:
            status = "no_target"
        else:
            status = "on_target" if gap >= 0 else "off_target"
        out.append(
            {
                "key": key, "label": kpi.label, "value": value, "previous": before, "change": change,
                "change_pct": change / abs(before) if change is not None and before else None,
                "target": target, "gap": gap, "status": status,
            }
        )
    schema = {
        "key": pl.String, "label": pl.String, "value": pl.Float64, "previous": pl.Float64, "change": pl.Float64,
        "change_pct": pl.Float64, "target": pl.Float64, "gap": pl.Float64, "status": pl.String,
    }
    return pl.DataFrame(out, schema=schema)


def select_off_target(scorecard: pl.DataFrame) -> pl.DataFrame:
    """Return the KPIs that miss their target, worst (largest relative gap) first."""
    return scorecard.filter(pl.col("status") == "off_target").sort("gap")


# --------------------------------------------------------------------------- overview


HEADLINE_KPIS = ("contacts", "csat", "fcr_rate", "aht_s", "service_level", "frt_median_s", "sla_rate", "backlog")


@dataclass(frozen=True)
class Overview:
    """Everything the Overview page shows, computed in one go."""

    windows: tuple[Window, ...]
    grain: str
    comparison_outside_data: Window | None
    totals: pl.DataFrame
    series: pl.DataFrame
    channel_series: pl.DataFrame
    targets: dict[str, float | None]
    scorecard: pl.DataFrame


def compute_overview(
    con: duckdb.DuckDBPyConnection,
    *,
    start: date,
    end: date,
    comparison: str = "previous_period",
    filters: Filters = Filters(),
    catalogue: Catalogue | None = None,
    settings: dict | None = None,
    use_rollup: bool | None = None,
    data_range: tuple[date, date] | None = None,
) -> Overview:
    """Return the Overview page's data for a period and its comparison.

    That is every KPI for both periods, each KPI's trend over the period, contacts by channel
    over time, the targets in force at the period's end and the scorecard. The page and the
    benchmark both call this, so the benchmark times exactly what the page runs.

    ``use_rollup`` as in ``compute_kpis``; the app passes True because it refreshed the stored
    aggregates when it opened its read-only connection, so they cannot be stale.

    The comparison is dropped (``comparison_outside_data`` says which period it would have
    been) unless the data covers all of it: a period before the first contact would otherwise
    compare with zero contacts and show every count as a rise. ``data_range`` is the first and
    last day with contacts; it is looked up when None.
    """
    catalogue = catalogue or load_catalogue()
    if use_rollup is None:
        use_rollup = is_rollup_current(con, catalogue=catalogue, settings=settings)
    if data_range is None:
        data_range = run_query(con, "rollup_range").row(0) if use_rollup else load_data_range(con)[:2]
    windows = build_windows(start, end, comparison)
    outside = None
    if len(windows) > 1 and (data_range[0] is None or windows[1].start < data_range[0] or windows[1].end > data_range[1]):
        windows, outside = windows[:1], windows[1]
    grain = choose_grain(start, end)
    common = {"filters": filters, "catalogue": catalogue, "settings": settings, "use_rollup": use_rollup}
    # The four parts are independent: run them side by side on their own cursors (DuckDB
    # releases the GIL), which roughly halves the page's wait on two cores.
    with ThreadPoolExecutor(max_workers=4) as pool:
        totals = pool.submit(compute_kpis, con, windows=windows, **common)
        series = pool.submit(
            compute_kpis, con, windows=windows[:1], grain=grain,
            keys=tuple(k for k, v in catalogue.kpis.items() if v.kind != "cost"), **common,
        )
        channel_series = pool.submit(
            compute_kpis, con, windows=windows[:1], grain=grain, group_by=("channel",), keys=("contacts",), **common
        )
        targets = pool.submit(load_targets, con, on=end, teams=filters.team, catalogue=catalogue)
        totals, series, channel_series, targets = (f.result() for f in (totals, series, channel_series, targets))
    scorecard = compute_scorecard(totals, targets=targets, catalogue=catalogue)
    return Overview(windows, grain, outside, totals, series, channel_series, targets, scorecard)


__all__ = [
    "HEADLINE_KPIS",
    "Overview",
    "compute_kpis",
    "compute_overview",
    "compute_scorecard",
    "compute_spend",
    "compute_target_gap",
    "load_data_range",
    "load_filter_options",
    "load_targets",
    "select_off_target",
]
