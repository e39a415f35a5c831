"""Load and validate the KPI catalogue (``kpis.yaml``) and compile it to SQL.

Every number on every page comes from here: pages and charts ask for KPIs by key,
and the SQL is compiled from the catalogue with every value as a bound parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import yaml

from csm.schema import TICKETS, quote_identifier
from csm.settings import DEFAULTS

CATALOGUE_PATH = Path(__file__).with_name("kpis.yaml")

UNITS = ("count", "ratio", "seconds", "score", "currency")
DIRECTIONS = ("higher_is_better", "lower_is_better", "neutral")
KINDS = ("count", "ratio", "mean", "quantile", "backlog", "cost")
FORMATS = ("integer", "percent", "duration", "decimal1", "decimal2", "currency")
REQUIRED_FIELDS = ("key", "label", "definition", "unit", "direction", "kind", "format")

# Dimensions a selection may filter or group by; the rollup keeps the first three.
DIMENSIONS = ("team", "channel", "agent_id", "category", "priority")
ROLLUP_DIMENSIONS = ("team", "channel", "agent_id")
ROLLUP_TABLE = "tickets_daily"
TICKETS_TABLE = TICKETS.name
GRAINS = ("day", "week", "month", "quarter")

# Words allowed in catalogue SQL besides columns of `tickets`: keywords and functions.
_SQL_WORDS = frozenset(
    "case when then else end and or not is null true false distinct from in "
    "epoch cast as integer double".split()
)
_IDENTIFIER = re.compile(r"(?<![$\w'])([a-z_][a-z0-9_]*)", re.IGNORECASE)
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


class CatalogueError(ValueError):
    """The catalogue is invalid; ``problems`` lists every issue found."""

    def __init__(self, problems: list[str]):
        super().__init__("invalid KPI catalogue:\n- " + "\n- ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Measure:
    """An additive row expression over ``tickets``, summed per group."""

    key: str
    sql: str
    description: str


@dataclass(frozen=True)
class Kpi:
    """One KPI of the catalogue."""

    key: str
    label: str
    definition: str
    unit: str
    direction: str
    kind: str
    format: str
    measure: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0
    expr: str | None = None
    where: str | None = None
    q: float | None = None
    target: float | None = None

    @property
    def measures(self) -> tuple[str, ...]:
        """Return the keys of the measures this KPI reads."""
        return tuple(m for m in (self.measure, self.numerator, self.denominator) if m)


@dataclass(frozen=True)
class Catalogue:
    """The validated catalogue: measures and KPIs in file order."""

    measures: dict[str, Measure] = field(default_factory=dict)
    kpis: dict[str, Kpi] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Kpi:
        """Return the KPI called ``key``."""
        try:
            return self.kpis[key]
        except KeyError:
            raise KeyError(f"unknown KPI {key!r}; known: {', '.join(self.kpis)}") from None

    def keys(self) -> tuple[str, ...]:
        """Return every KPI key in catalogue order."""
        return tuple(self.kpis)


def _check_sql(text: str, where: str, problems: list[str]) -> None:
    columns = set(TICKETS.column_names)
    for word in _IDENTIFIER.findall(text):
        if word.lower() not in _SQL_WORDS and word not in columns:
            problems.append(f"{where}: unknown column {word!r}")
    for param in _PARAM.findall(text):
        if param not in DEFAULTS:
            problems.append(f"{where}: parameter ${param} is not a setting")
    if ";" in text or "--" in text:
        problems.append(f"{where}: must be a single expression")


def validate_catalogue(raw: dict) -> tuple[Catalogue, list[str]]:
    """Return the catalogue built from parsed YAML and every problem found in it.

    Args:
        raw: the parsed YAML document with ``measures`` and ``kpis`` lists.

    Returns:
        The catalogue (possibly partial) and a list of problems; empty when valid.

    Examples:
        >>> _, problems = validate_catalogue({"measures": [], "kpis": [{"key": "x", "kind": "ratio"}]})
        >>> problems[:2]
        ['kpi x: missing field label', 'kpi x: missing field definition']
    """
    problems: list[str] = []
    measures: dict[str, Measure] = {}
    for i, item in enumerate(raw.get("measures") or []):
        key = item.get("key") or f"#{i}"
        if key in measures:
            problems.append(f"measure {key}: defined twice")
        for name in ("key", "sql", "description"):
            if not item.get(name):
                problems.append(f"measure {key}: missing field {name}")
        if item.get("sql"):
            _check_sql(str(item["sql"]), f"measure {key}", problems)
        measures[key] = Measure(key, str(item.get("sql", "")), str(item.get("description", "")))

    kpis: dict[str, Kpi] = {}
    known = set(Kpi.__dataclass_fields__)
    for i, item in enumerate(raw.get("kpis") or []):
        key = item.get("key") or f"#{i}"
        where = f"kpi {key}"
        if key in kpis:
            problems.append(f"{where}: defined twice")
        problems += [f"{where}: missing field {f}" for f in REQUIRED_FIELDS if not item.get(f)]
        problems += [f"{where}: unknown field {f}" for f in item if f not in known]
        for name, allowed in (("unit", UNITS), ("direction", DIRECTIONS), ("kind", KINDS), ("format", FORMATS)):
            if item.get(name) and item[name] not in allowed:
                problems.append(f"{where}: {name} {item[name]!r} is not one of {', '.join(allowed)}")
        kind = item.get("kind")
        needs = {
            "count": ("measure",),
            "cost": ("measure",),
            "ratio": ("numerator", "denominator"),
            "mean": ("numerator", "denominator"),
            "quantile": ("expr", "q"),
        }.get(kind, ())
        problems += [f"{where}: kind {kind} needs {n}" for n in needs if item.get(n) is None]
        for ref in ("measure", "numerator", "denominator"):
            if item.get(ref) and item[ref] not in measures:
                problems.append(f"{where}: {ref} {item[ref]!r} is not a measure")
        for ref in ("expr", "where"):
            if item.get(ref):
                _check_sql(str(item[ref]), f"{where} {ref}", problems)
        if item.get("q") is not None and not 0 < float(item["q"]) < 1:
            problems.append(f"{where}: q must be between 0 and 1")
        if item.get("target") is not None and not isinstance(item["target"], int | float):
            problems.append(f"{where}: target must be a number")
        if all(item.get(f) for f in REQUIRED_FIELDS):
            kpis[key] = Kpi(**{k: v for k, v in item.items() if k in known})
    return Catalogue(measures, kpis), problems


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Return the validated KPI catalogue from ``path``.

    Raises:
        CatalogueError: with every problem found, not just the first.
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    catalogue, problems = validate_catalogue(raw)
    if problems:
        raise CatalogueError(problems)
    return catalogue


# --------------------------------------------------------------------------- compile


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
    """Return the table that answers additive KPIs for this selection.

    The rollup ``tickets_daily`` holds day x team x channel x agent; a filter or grouping
    on another dimension needs the raw ``tickets`` table.

    Examples:
        >>> choose_source(Filters(team=("Billing",)))
        'tickets_daily'
        >>> choose_source(Filters(), ("category",))
        'tickets'
    """
    dims = set(filters.active()) | set(group_by)
    return ROLLUP_TABLE if dims <= set(ROLLUP_DIMENSIONS) else TICKETS.name


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


def _kpi_sql(kpi: Kpi, measure_sql) -> str:
    if kpi.kind in ("count", "cost"):
        return f"coalesce(sum({measure_sql(kpi.measure)}), 0)"
    scale = "" if kpi.scale == 1 else f" * {float(kpi.scale)!r}"
    return f"sum({measure_sql(kpi.numerator)}) / nullif(sum({measure_sql(kpi.denominator)}), 0){scale}"


ADDITIVE_KINDS = ("count", "ratio", "mean", "cost")


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
        source: ``tickets`` or ``tickets_daily``; chosen from the filters when None.
        settings: values for ``$setting`` parameters; defaults when None.

    Returns:
        The SQL text and its parameter dict.
    """
    source = source or choose_source(filters, group_by)
    settings = settings or DEFAULTS
    params: dict = {}
    time_col = "day" if source == ROLLUP_TABLE else "created_at"
    if source == ROLLUP_TABLE:
        def measure_sql(key: str) -> str:
            return quote_measure(key, catalogue)
    else:
        def measure_sql(key: str) -> str:
            sql = catalogue.measures[key].sql
            for name in _PARAM.findall(sql):
                params[name] = settings[name]
            return f"({sql})"
    window_case, window_test = _window_sql(windows, time_col, params)
    groups = _group_sql(group_by, grain, time_col)
    selects = [f"{window_case} AS \"window\"", *groups]
    for key in keys:
        kpi = catalogue[key]
        if kpi.kind not in ADDITIVE_KINDS:
            raise ValueError(f"KPI {key} is of kind {kpi.kind}, not additive")
        selects.append(f"{_kpi_sql(kpi, measure_sql)} AS {quote_kpi(key, catalogue)}")
    where = [f"({window_test})", *_filter_sql(filters, params)]
    group_cols = ['"window"'] + [g.rsplit(" AS ", 1)[-1] for g in groups]
    sql = (
        "SELECT " + ",\n       ".join(selects)
        + f"\nFROM {quote_identifier(source) if source != ROLLUP_TABLE else ROLLUP_TABLE}"
        + "\nWHERE " + "\n  AND ".join(where)
        + "\nGROUP BY " + ", ".join(group_cols)
    )
    return sql, params


def quote_kpi(key: str, catalogue: Catalogue) -> str:
    """Return a KPI key quoted as a column alias, after checking it is in the catalogue."""
    catalogue[key]
    return f'"{key}"'


def quote_measure(key: str, catalogue: Catalogue) -> str:
    """Return a measure key quoted as a column name of the rollup, after checking it exists."""
    if key not in catalogue.measures:
        raise ValueError(f"unknown measure {key!r}")
    return f'"m_{key}"'


def compile_quantile_query(
    catalogue: Catalogue,
    keys: tuple[str, ...],
    *,
    windows: tuple[Window, ...],
    filters: Filters = Filters(),
    group_by: tuple[str, ...] = (),
    grain: str | None = None,
) -> tuple[str, dict]:
    """Return SQL and parameters computing exact quantile KPIs per window and group.

    KPIs sharing an expression and condition are computed in one list-quantile aggregate, so
    the median and the 90th percentile of first response time cost one pass.
    """
    params: dict = {}
    window_case, window_test = _window_sql(windows, "created_at", params)
    groups = _group_sql(group_by, grain, "created_at")
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
    group_cols = ['"window"'] + [g.rsplit(" AS ", 1)[-1] for g in groups]
    where = [f"({window_test})", *_filter_sql(filters, params)]
    sql = (
        "SELECT " + ", ".join(group_cols) + ",\n       " + ",\n       ".join(outer)
        + "\nFROM (\n  SELECT " + ",\n         ".join([f"{window_case} AS \"window\"", *groups, *inner])
        + "\n  FROM tickets\n  WHERE " + "\n    AND ".join(where)
        + "\n  GROUP BY " + ", ".join(group_cols) + "\n)"
    )
    return sql, params


def compile_backlog_query(
    *, window: Window, filters: Filters = Filters(), group_by: tuple[str, ...] = ()
) -> tuple[str, dict]:
    """Return SQL and parameters counting contacts open at the end of ``window`` per group."""
    params: dict = {"end": window.end + timedelta(days=1)}
    groups = _group_sql(group_by, None, "created_at")
    where = [
        "created_at < $end",
        "(resolved_at IS NULL OR resolved_at >= $end)",
        "is_answered IS DISTINCT FROM FALSE",
        *_filter_sql(filters, params),
    ]
    sql = "SELECT " + ", ".join([*groups, "count(*) AS backlog"]) + "\nFROM tickets\nWHERE " + "\n  AND ".join(where)
    if groups:
        sql += "\nGROUP BY " + ", ".join(groups)
    return sql, params


def compile_rollup_sql(catalogue: Catalogue, *, settings: dict | None = None) -> tuple[str, dict]:
    """Return the statement that (re)builds ``tickets_daily`` and its parameters.

    Settings used by measures (the service level threshold) are baked in at build time;
    ``rollup_settings`` records them so the query layer can tell when the rollup is stale.
    """
    settings = settings or DEFAULTS
    params: dict = {}
    sums = []
    for key, measure in catalogue.measures.items():
        for name in _PARAM.findall(measure.sql):
            params[name] = settings[name]
        sums.append(f"sum({measure.sql}) AS {quote_measure(key, catalogue)}")
    dims = ", ".join(quote_identifier(d, table="tickets") for d in ROLLUP_DIMENSIONS)
    sql = (
        f"CREATE OR REPLACE TABLE {ROLLUP_TABLE} AS\n"
        f"SELECT CAST(created_at AS DATE) AS day, {dims},\n       "
        + ",\n       ".join(sums)
        + "\nFROM tickets\nGROUP BY ALL\nORDER BY day"
    )
    return sql, params


def rollup_parameters(catalogue: Catalogue, settings: dict | None = None) -> dict[str, object]:
    """Return the settings the rollup's measures depend on, with their values."""
    settings = settings or DEFAULTS
    names = {n for m in catalogue.measures.values() for n in _PARAM.findall(m.sql)}
    return {n: settings[n] for n in sorted(names)}


def _formula(kpi: Kpi, catalogue: Catalogue) -> str:
    m = catalogue.measures
    if kpi.kind == "count":
        return f"sum of `{m[kpi.measure].sql}` ({m[kpi.measure].description}); 0 when nothing matches"
    if kpi.kind in ("ratio", "mean"):
        scale = f" x {kpi.scale:g}" if kpi.scale != 1 else ""
        return (
            f"sum(`{m[kpi.numerator].sql}`) / sum(`{m[kpi.denominator].sql}`){scale}; "
            f"numerator: {m[kpi.numerator].description}; denominator: {m[kpi.denominator].description}; "
            "n/a when the denominator is 0"
        )
    if kpi.kind == "quantile":
        return f"`quantile_cont({kpi.expr}, {kpi.q:g})` over rows where `{kpi.where}`; n/a without such rows"
    if kpi.kind == "backlog":
        return (
            "count of contacts with `created_at` before the day after the period, `resolved_at` empty or "
            "on or after that day, and `is_answered` not false"
        )
    return f"prorated `budget.actual` of the period / sum of `{m[kpi.measure].sql}`; n/a without spend or contacts"


def render_kpi_markdown(catalogue: Catalogue) -> str:
    """Return ``docs/kpis.md``: every KPI with its definition, unit, direction, formula and target."""
    lines = [
        "# KPI catalogue",
        "",
        "Generated from `csm/kpis.yaml` by `python -m csm docs`; a test fails when this file and the",
        "catalogue disagree. The app shows each definition as the help text of the KPI's value.",
        "",
        "Conventions that hold for every KPI:",
        "",
        "- A KPI describes the contacts **created** in the selected period (by `created_at`), except",
        "  the backlog, which is a snapshot at the period's end.",
        "- Ratios and means are `sum(numerator) / sum(denominator)` over the whole selection, never an",
        "  average of daily, agent or team rates.",
        "- Missing values (SQL `NULL`) are left out of numerators and denominators, never read as 0.",
        "  A KPI without data is `n/a` (JSON `null`); only counts are 0 for an empty selection.",
        "- Rates are stored as 0-1 and shown as percentages; durations are seconds.",
        "- Targets: the default below applies unless the `targets` table overrides it from a date on,",
        "  for every team or for one team (used when exactly that team is selected).",
        "",
        "| key | KPI | unit | better when | default target |",
        "|---|---|---|---|---|",
    ]
    for kpi in catalogue.kpis.values():
        better = {"higher_is_better": "higher", "lower_is_better": "lower", "neutral": "neither"}[kpi.direction]
        target = "—" if kpi.target is None else f"{kpi.target:g}"
        lines.append(f"| `{kpi.key}` | {kpi.label} | {kpi.unit} | {better} | {target} |")
    lines.append("")
    for kpi in catalogue.kpis.values():
        lines += [
            f"## {kpi.label} (`{kpi.key}`)",
            "",
            kpi.definition,
            "",
            f"- Unit: {kpi.unit}; shown as {kpi.format}; {kpi.direction.replace('_', ' ')}.",
            f"- Computed as: {_formula(kpi, catalogue)}.",
            f"- Default target: {'none' if kpi.target is None else f'{kpi.target:g}'}.",
            "",
        ]
    return "\n".join(lines)
