"""Compile KPI requests from the catalogue into SQL with bound parameters.

Three kinds of stored aggregates serve the queries, all rebuilt after every load
(``build_statements``) and all answering with exactly the numbers the raw table gives:

- ``tickets_daily_team`` (day x team x channel) and ``tickets_daily`` (... x agent): every
  catalogue measure summed by creation day, plus the contacts that entered the backlog
  (created, not abandoned) and left it (resolved) each day, so the backlog at any day's end is
  a running sum. Counts, ratios, means and the backlog read the smallest one that covers the
  selection's filters and groupings, else ``tickets``.
- ``tickets_quantiles``: exact quantile KPIs for every calendar month, quarter and year and for
  all the data (each clipped to the data's first and last day), overall, per team and per
  channel. Quantiles do not add up, so other selections compute them from ``tickets``.

Every value is a bound parameter; identifiers pass ``quote_identifier`` or come from the
catalogue, which ``csm.kpis`` validates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from csm.kpis import PARAMETER, Catalogue, Kpi
from csm.schema import TICKETS, quote_identifier
from csm.settings import DEFAULTS

DIMENSIONS = ("team", "channel", "agent_id", "category", "priority")
GRAINS = ("day", "week", "month", "quarter")
ADDITIVE_KINDS = ("count", "ratio", "mean", "cost")
TICKETS_TABLE = TICKETS.name
# Smallest first: the first rollup whose dimensions cover a selection answers it.
ROLLUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tickets_daily_team", ("team", "channel")),
    ("tickets_daily", ("team", "channel", "agent_id")),
)
QUANTILE_TABLE = "tickets_quantiles"
QUANTILE_SLICES = ("team", "channel")
BACKLOG_COLUMNS = ("backlog_in", "backlog_out")
_NOT_ABANDONED = "is_answered IS DISTINCT FROM FALSE"


@dataclass(frozen=True)
class Window:
    """A labelled date range, both ends inclusive."""

    label: str
    start: date
    end: date


@dataclass(frozen=True)
class Filters:
    """Values to keep per dimension; an empty tuple keeps everything."""

    team: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    agent_id: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()

    def active(self) -> dict[str, tuple[str, ...]]:
        """Return the dimensions that have a filter, with their values."""
        return {d: getattr(self, d) for d in DIMENSIONS if getattr(self, d)}


def choose_source(filters: Filters, group_by: tuple[str, ...] = ()) -> str:
    """Return the smallest table that answers additive KPIs for this selection.

    Examples:
        >>> choose_source(Filters(team=("Billing",)))
        'tickets_daily_team'
        >>> choose_source(Filters(agent_id=("A001",)))
        'tickets_daily'
        >>> choose_source(Filters(), ("category",))
        'tickets'
    """
    dims = set(filters.active()) | set(group_by)
    for table, covered in ROLLUPS:
        if dims <= set(covered):
            return table
    return TICKETS_TABLE


def quote_kpi(key: str, catalogue: Catalogue) -> str:
    """Return a KPI key quoted as a column alias, after checking it is in the catalogue."""
    catalogue[key]
    return f'"{key}"'


def quote_measure(key: str, catalogue: Catalogue) -> str:
    """Return a measure key quoted as a rollup column name, after checking it exists."""
    if key not in catalogue.measures:
        raise ValueError(f"unknown measure {key!r}")
    return f'"m_{key}"'


def _filter_sql(filters: Filters, params: dict) -> list[str]:
    clauses = []
    for dim, values in filters.active().items():
        params[f"f_{dim}"] = list(values)
        clauses.append(f"list_contains($f_{dim}::VARCHAR[], {quote_identifier(dim, table='tickets')})")
    return clauses


def _window_sql(windows: tuple[Window, ...], time_col: str, params: dict) -> tuple[str, str]:
    """Return the CASE expression labelling each row's window and the WHERE test for any window."""
    cases, tests = [], []
    for i, w in enumerate(windows):
        params[f"w{i}_start"] = w.start
        params[f"w{i}_end"] = w.end + timedelta(days=1)
        test = f"({time_col} >= $w{i}_start AND {time_col} < $w{i}_end)"
        cases.append(f"WHEN {test} THEN {i}")
        tests.append(test)
    return f"CASE {' '.join(cases)} END", " OR ".join(tests)


def _group_sql(group_by: tuple[str, ...], grain: str | None, time_col: str) -> list[str]:
    exprs = []
    if grain is not None:
        if grain not in GRAINS:
            raise ValueError(f"grain {grain!r} is not one of {', '.join(GRAINS)}")
        exprs.append(f"CAST(date_trunc('{grain}', {time_col}) AS DATE) AS bucket")
    for dim in group_by:
        if dim not in DIMENSIONS:
            raise ValueError(f"cannot group by {dim!r}; dimensions are {', '.join(DIMENSIONS)}")
        exprs.append(quote_identifier(dim, table="tickets"))
    return exprs


def _alias(expr: str) -> str:
    return expr.rsplit(" AS ", 1)[-1]


def _kpi_sql(kpi: Kpi, measure_sql) -> str:
    """Return the KPI's expression over summed measure columns."""
    if kpi.kind in ("count", "cost"):
        return f"coalesce({measure_sql(kpi.measure)}, 0)"
    scale = "" if kpi.scale == 1 else f" * {float(kpi.scale)!r}"
    return f"{measure_sql(kpi.numerator)} / nullif({measure_sql(kpi.denominator)}, 0){scale}"


def _bind_settings(sql: str, params: dict, settings: dict) -> str:
    for name in PARAMETER.findall(sql):
        params[name] = settings[name]
    return sql


def compile_additive_query(
    catalogue: Catalogue,
    keys: tuple[str, ...],
    *,
    windows: tuple[Window, ...],
    filters: Filters = Filters(),
    group_by: tuple[str, ...] = (),
    grain: str | None = None,
    source: str | None = None,
    settings: dict | None = None,
) -> tuple[str, dict]:
    """Return SQL and parameters computing count, ratio and mean KPIs per window and group.

    Ratios are ``sum(numerator) / nullif(sum(denominator), 0)`` at the requested grain, so a
    zero denominator gives NULL and rates are never averaged. For a ``cost`` KPI the column
    holds its count measure (the divisor); ``compute_kpis`` divides the spend by it.

    Args:
        catalogue: the KPI catalogue.
        keys: KPI keys of additive kinds.
        windows: date ranges; the result's ``window`` column is the index into this tuple.
        filters: values to keep per dimension.
        group_by: dimensions to group by.
        grain: time bucket (``day``, ``week``, ``month``, ``quarter``) or None for totals.
        source: a rollup table or ``tickets``; the smallest that covers the selection when None.
        settings: values for ``$setting`` parameters; defaults when None.

    Returns:
        The SQL text and its parameter dict.
    """
    source = source or choose_source(filters, group_by)
    settings = settings or DEFAULTS
    params: dict = {}
    raw = source == TICKETS_TABLE
    time_col = "created_at" if raw else "day"

    window_case, window_test = _window_sql(windows, time_col, params)
    groups = _group_sql(group_by, grain, time_col)
    kpis = [catalogue[key] for key in keys]
    for kpi in kpis:
        if kpi.kind not in ADDITIVE_KINDS:
            raise ValueError(f"KPI {kpi.key} is of kind {kpi.kind}, not additive")
    # Each measure is summed once in the inner query, however many KPIs share it; the outer
    # query only divides. Fewer aggregates also make DuckDB plan the statement faster.
    needed = list(dict.fromkeys(m for kpi in kpis for m in kpi.measures))
    sums = [
        f"sum({_bind_settings(catalogue.measures[m].sql, params, settings) if raw else quote_measure(m, catalogue)})"
        f" AS {quote_measure(m, catalogue)}"
        for m in needed
    ]
    group_cols = ['"window"', *map(_alias, groups)]
    outer = [f"{_kpi_sql(kpi, lambda m: quote_measure(m, catalogue))} AS {quote_kpi(kpi.key, catalogue)}" for kpi in kpis]
    where = [f"({window_test})", *_filter_sql(filters, params)]
    if not raw and source not in dict(ROLLUPS):
        raise ValueError(f"unknown source {source!r}")
    table = quote_identifier(source) if raw else source
    sql = (
        "SELECT " + ",\n       ".join([*group_cols, *outer])
        + "\nFROM (\n  SELECT " + ",\n         ".join([f'{window_case} AS "window"', *groups, *sums])
        + f"\n  FROM {table}"
        + "\n  WHERE " + "\n    AND ".join(where)
        + "\n  GROUP BY " + ", ".join(group_cols) + "\n)"
    )
    return sql, params


def _quantile_aggregates(catalogue: Catalogue, keys: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Return inner list-quantile aggregates and outer selects picking each KPI from its list.

    KPIs sharing an expression and condition share one aggregate, so the median and the 90th
    percentile of first response time cost one pass.
    """
    shared: dict[tuple[str, str | None], list[Kpi]] = {}
    for key in keys:
        kpi = catalogue[key]
        if kpi.kind != "quantile":
            raise ValueError(f"KPI {key} is of kind {kpi.kind}, not quantile")
        shared.setdefault((kpi.expr, kpi.where), []).append(kpi)
    inner, outer = [], []
    for i, ((expr, cond), members) in enumerate(shared.items()):
        qs = ", ".join(repr(float(k.q)) for k in members)
        agg = f"quantile_cont({expr}, [{qs}])"
        if cond:
            agg += f" FILTER (WHERE {cond})"
        inner.append(f"{agg} AS q{i}")
        outer += [f"q{i}[{j + 1}] AS {quote_kpi(k.key, catalogue)}" for j, k in enumerate(members)]
    return inner, outer


def compile_quantile_query(
    catalogue: Catalogue,
    keys: tuple[str, ...],
    *,
    windows: tuple[Window, ...],
    filters: Filters = Filters(),
    group_by: tuple[str, ...] = (),
    grain: str | None = None,
) -> tuple[str, dict]:
    """Return SQL and parameters computing exact quantile KPIs per window and group from ``tickets``."""
    params: dict = {}
    window_case, window_test = _window_sql(windows, "created_at", params)
    groups = _group_sql(group_by, grain, "created_at")
    inner, outer = _quantile_aggregates(catalogue, keys)
    group_cols = ['"window"', *map(_alias, groups)]
    where = [f"({window_test})", *_filter_sql(filters, params)]
    sql = (
        "SELECT " + ", ".join(group_cols) + ",\n       " + ",\n       ".join(outer)
        + "\nFROM (\n  SELECT " + ",\n         ".join([f'{window_case} AS "window"', *groups, *inner])
        + "\n  FROM tickets\n  WHERE " + "\n    AND ".join(where)
        + "\n  GROUP BY " + ", ".join(group_cols) + "\n)"
    )
    return sql, params


def quantile_slice(filters: Filters) -> tuple[str | None, str | None] | None:
    """Return the (team, channel) slice of ``tickets_quantiles`` matching ``filters``, or None.

    The stored quantiles cover every team and channel together, one team alone or one channel
    alone.

    Examples:
        >>> quantile_slice(Filters(team=("Billing",)))
        ('Billing', None)
        >>> quantile_slice(Filters(team=("Billing", "Retention"))) is None
        True
    """
    active = filters.active()
    if not active:
        return None, None
    if len(active) == 1 and (dim := next(iter(active))) in QUANTILE_SLICES and len(active[dim]) == 1:
        value = active[dim][0]
        return (value, None) if dim == "team" else (None, value)
    return None


def compile_stored_quantiles_query(
    catalogue: Catalogue, keys: tuple[str, ...], *, ranges: list[tuple[date, date]], team: str | None,
    channel: str | None,
) -> tuple[str, dict]:
    """Return SQL and parameters reading stored quantiles for exact (start, end) day ranges."""
    cols = ", ".join(f"any_value({quote_kpi(k, catalogue)}) AS {quote_kpi(k, catalogue)}" for k in keys)
    params = {
        "starts": [a for a, _ in ranges], "ends": [b for _, b in ranges],
        "team": team, "channel": channel, "all_teams": team is None, "all_channels": channel is None,
    }
    sql = (
        f"SELECT period_start, period_end, {cols}\nFROM {QUANTILE_TABLE}\n"
        "WHERE list_contains(list_zip($starts::DATE[], $ends::DATE[]), {'a': period_start, 'b': period_end})\n"
        "  AND all_teams = $all_teams AND all_channels = $all_channels\n"
        "  AND ($all_teams OR team = $team) AND ($all_channels OR channel = $channel)\n"
        "GROUP BY period_start, period_end"
    )
    return sql, params


def compile_backlog_query(
    *, windows: tuple[Window, ...], filters: Filters = Filters(), group_by: tuple[str, ...] = (),
    grain: str | None = None, source: str | None = None,
) -> tuple[str, dict]:
    """Return SQL and parameters counting contacts open at the end of each window (per group).

    The result's ``window`` column is the index into ``windows``. With a ``grain``, one row per
    bucket of each window: the backlog at the bucket's end (or at the window's end for the last
    bucket). A rollup answers both; ``tickets`` whole windows only.
    """
    source = source or choose_source(filters, group_by)
    params: dict = {}
    filters_sql = _filter_sql(filters, params)
    raw = source == TICKETS_TABLE
    if raw and grain:
        raise ValueError("a backlog series needs a rollup table")
    if not raw and source not in dict(ROLLUPS):
        raise ValueError(f"unknown backlog source {source!r}")
    groups = _group_sql(group_by, None, "created_at" if raw else "day")
    keys = [*map(_alias, groups)]
    parts = []
    for i, window in enumerate(windows):
        params[f"end{i}"] = window.end + timedelta(days=1)
        if raw:
            where = [f"created_at < $end{i}", f"(resolved_at IS NULL OR resolved_at >= $end{i})", _NOT_ABANDONED]
            part = f"SELECT {i} AS \"window\", " + ", ".join([*groups, "count(*) AS backlog"]) + "\nFROM tickets"
        elif not grain:
            where = [f"day < $end{i}"]
            part = (f"SELECT {i} AS \"window\", " + ", ".join([*groups, "coalesce(sum(backlog_in - backlog_out), 0) AS backlog"])
                    + f"\nFROM {source}")
        else:
            params[f"start{i}"] = window.start
            bucket = _group_sql((), grain, "day")[0]
            partition = f"PARTITION BY {', '.join(keys)} " if keys else ""
            inner_where = "\n      AND ".join([f"day < $end{i}", *filters_sql])
            parts.append(
                f"SELECT * FROM (\n  SELECT {i} AS \"window\", bucket" + "".join(f", {k}" for k in keys)
                + f", sum(net) OVER ({partition}ORDER BY bucket) AS backlog\n  FROM (\n"
                + "    SELECT " + ", ".join([bucket, *groups, "sum(backlog_in - backlog_out) AS net"])
                + f"\n    FROM {source}\n    WHERE {inner_where}"
                + "\n    GROUP BY " + ", ".join(["bucket", *keys]) + "\n  )\n)"
                + f"\nWHERE bucket >= CAST(date_trunc('{grain}', $start{i}::DATE) AS DATE)"
            )
            continue
        part += "\nWHERE " + "\n  AND ".join([*where, *filters_sql])
        parts.append(part + ("\nGROUP BY " + ", ".join(keys) if keys else ""))
    return "\nUNION ALL\n".join(parts), params


def rollup_parameters(catalogue: Catalogue, settings: dict | None = None) -> dict[str, object]:
    """Return the settings the stored aggregates depend on, with their values."""
    settings = settings or DEFAULTS
    names = {n for m in catalogue.measures.values() for n in PARAMETER.findall(m.sql)}
    return {n: settings[n] for n in sorted(names)}


def build_statements(
    catalogue: Catalogue, *, settings: dict | None = None, incremental: bool = False
) -> list[tuple[str, dict]]:
    """Return the statements that (re)build every stored aggregate from ``tickets``, in order.

    Settings used by measures (the service level threshold) are baked in at build time;
    ``rollup_parameters`` names them so the query layer can tell when the aggregates are stale.
    With ``incremental``, the daily rollups are rebuilt only for the days of the parameter
    ``$touched_days`` (a list of dates; ``$touched_first`` and ``$touched_after`` bound them),
    which the caller fills: an import names every creation and leaving-the-backlog day of the
    rows it wrote or replaced. The quantiles are always rebuilt whole.
    """
    settings = settings or DEFAULTS
    params: dict = {}
    finest, finest_dims = ROLLUPS[-1]
    dims = ", ".join(quote_identifier(d, table="tickets") for d in finest_dims)
    measures = [f"{_bind_settings(m.sql, params, settings)} AS {quote_measure(k, catalogue)}"
                for k, m in catalogue.measures.items()]
    nulls = [f"NULL AS {quote_measure(k, catalogue)}" for k in catalogue.measures]
    sums = [f"CAST(sum({quote_measure(k, catalogue)}) AS DOUBLE) AS {quote_measure(k, catalogue)}"
            for k in catalogue.measures]
    sums += [f"CAST(sum({c}) AS DOUBLE) AS {c}" for c in BACKLOG_COLUMNS]
    created = "CAST(created_at AS DATE)"
    left = "CAST(greatest(created_at, resolved_at) AS DATE)"
    # The days come as a bound list; the range on created_at lets DuckDB skip row groups by their
    # zone maps (a contact leaves the backlog on or after the day it was created).
    only = {created: " AND created_at >= CAST($touched_first AS TIMESTAMP) AND created_at < CAST($touched_after "
                     f"AS TIMESTAMP) AND list_contains($touched_days, {created})",
            left: f" AND created_at < CAST($touched_after AS TIMESTAMP) AND list_contains($touched_days, {left})"}
    if incremental:
        params |= {"touched_days": [], "touched_first": None, "touched_after": None}  # filled by the caller
    body = (
        # DOUBLE, not the HUGEINT that sum() of integers gives: DuckDB 1.5 reads bit-packed HUGEINT
        # columns from disk ~100x slower. Counts stay exact below 2**53.
        f"SELECT day, {dims},\n       " + ",\n       ".join(sums)
        + f"\nFROM (\n  SELECT {created} AS day, {dims},\n         " + ",\n         ".join(measures)
        + f",\n         CASE WHEN {_NOT_ABANDONED} THEN 1 ELSE 0 END AS backlog_in, 0 AS backlog_out\n"
        f"  FROM tickets{' WHERE true' + only[created] if incremental else ''}\n"
        "  UNION ALL\n"
        # A contact leaves the backlog on the later of its creation and resolution days, so a row
        # resolved "before" it was created (bad data) never leaves before it entered.
        f"  SELECT {left}, {dims}, {', '.join(nulls)}, 0, 1\n"
        f"  FROM tickets WHERE {_NOT_ABANDONED} AND resolved_at IS NOT NULL{only[left] if incremental else ''}\n)"
        "\nGROUP BY ALL\nORDER BY day"
    )
    resum = ", ".join(
        [f"sum({quote_measure(k, catalogue)}) AS {quote_measure(k, catalogue)}" for k in catalogue.measures]
        + [f"sum({c}) AS {c}" for c in BACKLOG_COLUMNS]
    )
    coarser = []
    for table, covered in ROLLUPS[:-1]:
        cols = ", ".join(quote_identifier(d, table="tickets") for d in covered)
        where = " WHERE list_contains($touched_days, day)" if incremental else ""
        coarser.append((table, f"SELECT day, {cols}, {resum}\nFROM {finest}{where}\nGROUP BY ALL\nORDER BY day"))
    if incremental:
        days = {"touched_days": []}
        statements = [(f"DELETE FROM {t} WHERE list_contains($touched_days, day)", days) for t, _ in ROLLUPS]
        statements.append((f"INSERT INTO {finest} BY NAME\n{body}", params))
        statements += [(f"INSERT INTO {t} BY NAME\n{sql}", days) for t, sql in coarser]
    else:
        statements = [(f"CREATE OR REPLACE TABLE {finest} AS\n{body}", params)]
        statements += [(f"CREATE OR REPLACE TABLE {t} AS\n{sql}", {}) for t, sql in coarser]
    statements.append((_quantile_cube_sql(catalogue), {}))
    return statements


def _quantile_cube_sql(catalogue: Catalogue) -> str:
    keys = tuple(k for k, v in catalogue.kpis.items() if v.kind == "quantile")
    inner, outer = _quantile_aggregates(catalogue, keys)
    sets = []
    for period in ("m", "q", "y", ""):
        for slice_ in ("", "team", "channel"):
            sets.append("(" + ", ".join(c for c in (period, slice_) if c) + ")")
    ends = {"month": "1 MONTH", "quarter": "3 MONTH", "year": "1 YEAR"}
    kind = "CASE WHEN grouping(m) = 0 THEN 'month' WHEN grouping(q) = 0 THEN 'quarter' WHEN grouping(y) = 0 THEN 'year' ELSE 'all' END"
    period_end = "CASE kind " + " ".join(
        f"WHEN '{k}' THEN CAST(period + INTERVAL {v} - INTERVAL 1 DAY AS DATE)" for k, v in ends.items()
    ) + " ELSE b.last_day END"
    return (
        f"CREATE OR REPLACE TABLE {QUANTILE_TABLE} AS\n"
        "WITH b AS (SELECT CAST(min(created_at) AS DATE) AS first_day, CAST(max(created_at) AS DATE) AS last_day FROM tickets),\n"
        "c AS (\n  SELECT " + kind + " AS kind, CAST(coalesce(m, q, y) AS DATE) AS period,\n"
        "         grouping(team) = 1 AS all_teams, grouping(channel) = 1 AS all_channels, team, channel,\n         "
        + ",\n         ".join(inner)
        + "\n  FROM (SELECT *, date_trunc('month', created_at) AS m, date_trunc('quarter', created_at) AS q,\n"
        "               date_trunc('year', created_at) AS y FROM tickets)\n"
        "  GROUP BY GROUPING SETS (" + ", ".join(sets) + ")\n)\n"
        "SELECT kind, greatest(coalesce(period, b.first_day), b.first_day) AS period_start,\n"
        f"       least({period_end}, b.last_day) AS period_end,\n"
        "       all_teams, all_channels, team, channel,\n       " + ",\n       ".join(outer)
        + "\nFROM c, b"
    )
