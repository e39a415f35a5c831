"""Load and validate the KPI catalogue (``kpis.yaml``) and render its documentation.

Every number on every page comes from here: pages and charts ask for KPIs by key, and
``csm.compile`` turns the catalogue into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from csm.schema import TICKETS
from csm.settings import DEFAULTS

CATALOGUE_PATH = Path(__file__).with_name("kpis.yaml")

UNITS = ("count", "ratio", "seconds", "score", "currency")
DIRECTIONS = ("higher_is_better", "lower_is_better", "neutral")
KINDS = ("count", "ratio", "mean", "quantile", "backlog", "cost")
FORMATS = ("integer", "percent", "duration", "decimal1", "decimal2", "currency")
REQUIRED_FIELDS = ("key", "label", "definition", "unit", "direction", "kind", "format")


# Words allowed in catalogue SQL besides columns of `tickets`: keywords and functions.
_SQL_WORDS = frozenset(
    "case when then else end and or not is null true false distinct from in "
    "epoch epoch_us cast as integer double".split()
)
_IDENTIFIER = re.compile(r"(?<![$\w'])([a-z_][a-z0-9_]*)", re.IGNORECASE)
PARAMETER = re.compile(r"\$([a-z_][a-z0-9_]*)")


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
    for param in PARAMETER.findall(text):
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
