"""Edit the budget and headcount plan as a grid: one row per team (and category), one column per month.

The grid a manager edits is checked here (:func:`check_grid`) and saved through the reference
importer (:func:`save_plan`), so an edit is one more import: validated again, written in one
transaction, logged, and undone like any other (``csm.ingest.history.undo_import``). Only the
plan columns change; booked actuals, hires and leavers stay as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from csm.db import run_sql
from csm.ingest.reference import ReferenceResult, import_reference
from csm.schema import BUDGET_CATEGORIES

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SOURCE = "plan edited in the app"  # the import log's source names start with it


@dataclass(frozen=True)
class PlanKind:
    """What one grid edits."""

    table: str  # budget or headcount
    keys: tuple[str, ...]  # the row labels besides the month
    value: str  # the plan column
    what: str  # the value in words, for messages


KINDS = {
    "budget": PlanKind("budget", ("team", "category"), "planned", "planned spend"),
    "headcount": PlanKind("headcount", ("team",), "planned_fte", "planned FTE"),
}
LABELS = {"team": "Team", "category": "Category"}


class PlanError(ValueError):
    """The edited plan cannot be saved; ``problems`` say where and how to fix it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def plan_years(first: date | None, last: date | None) -> list[int]:
    """Return the years whose plan can be edited: the data's years and the next one.

    Examples:
        >>> plan_years(date(2024, 11, 1), date(2026, 10, 31))
        [2024, 2025, 2026, 2027]
    """
    if first is None or last is None:
        today = date.today().year
        return [today, today + 1]
    return list(range(first.year, last.year + 2))


def load_grid(con: duckdb.DuckDBPyConnection, kind: str, *, year: int) -> pl.DataFrame:
    """Return the stored plan of ``year`` as a grid: Team (, Category), Jan .. Dec.

    Every team (and team and category) with a row in the year or the year before gets a row,
    so next year's plan starts from this year's rows.
    """
    spec = KINDS[kind]
    keys = ", ".join(spec.keys)
    rows = run_sql(con, f"""
SELECT {keys}, month, {spec.value} AS value FROM {spec.table}
WHERE year(month) BETWEEN $year - 1 AND $year
""", {"year": year})  # noqa: S608 - table and columns from KINDS
    labels = rows.select(spec.keys).unique().sort(spec.keys, nulls_last=False)
    grid = labels
    for i, name in enumerate(MONTHS):
        month = rows.filter(pl.col("month") == date(year, i + 1, 1)).select(*spec.keys, pl.col("value").alias(name))
        grid = grid.join(month, on=list(spec.keys), how="left", nulls_equal=True)
    return grid.rename({k: LABELS[k] for k in spec.keys})


def _number(value) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    number = float(value)
    if math.isnan(number):
        return None
    if math.isinf(number):
        raise ValueError
    return number


def check_grid(grid: pl.DataFrame, kind: str, *, year: int, years: list[int]) -> tuple[pl.DataFrame, list[str]]:
    """Return the grid as long rows (month, keys, value) and every problem found, in words.

    A problem names the grid row (1 = first) with its labels and the month, and says how to fix it:
    a negative or non-numeric value, an unknown category, a missing team, two rows for the same
    labels, a year outside ``years``.
    """
    spec = KINDS[kind]
    problems: list[str] = []
    if year not in years:
        problems.append(f"{year} is outside the years that can be planned ({years[0]}–{years[-1]}); pick one of "
                        "those years.")
    out, seen = [], {}
    for i, row in enumerate(grid.iter_rows(named=True), start=1):
        labels = {k: (row.get(LABELS[k]) or None) for k in spec.keys}
        labels = {k: (v.strip() if isinstance(v, str) else v) or None for k, v in labels.items()}
        named = ", ".join(str(labels[k]) if labels[k] else "(shared)" for k in spec.keys)
        where = f"Row {i} ({named})"
        if kind == "headcount" and not labels["team"]:
            problems.append(f"{where}: the team is empty; every headcount row needs a team.")
        if "category" in labels and labels["category"] not in BUDGET_CATEGORIES:
            problems.append(f"{where}: category {labels['category'] or '(empty)'!r} is not one of "
                            f"{', '.join(BUDGET_CATEGORIES)}; pick one of them.")
        key = tuple(labels[k] for k in spec.keys)
        if key in seen:
            problems.append(f"{where}: the same labels as row {seen[key]}; keep one row and delete the other.")
        seen.setdefault(key, i)
        for m, name in enumerate(MONTHS):
            try:
                value = _number(row.get(name))
            except (TypeError, ValueError):
                problems.append(f"{where}, {name} {year}: {row.get(name)!r} is not a number; type an amount such "
                                "as 1200.50, or leave it empty for no plan.")
                continue
            if value is not None and value < 0:
                problems.append(f"{where}, {name} {year}: {value:g} is negative; {spec.what} is 0 or more.")
            out.append({"month": date(year, m + 1, 1), **labels, spec.value: value})
    schema = {"month": pl.Date, **{k: pl.String for k in spec.keys}, spec.value: pl.Float64}
    return pl.DataFrame(out, schema=schema), problems


def save_plan(
    con: duckdb.DuckDBPyConnection, kind: str, grid: pl.DataFrame, *, year: int, years: list[int], folder: Path
) -> ReferenceResult:
    """Check ``grid`` and write it as the plan of ``year``, in one transaction, as an import that can be undone.

    Rows removed from the grid lose their plan for the year (their booked values stay).

    Raises:
        PlanError: the grid has problems; nothing was written.
    """
    spec = KINDS[kind]
    edited, problems = check_grid(grid, kind, year=year, years=years)
    if problems:
        raise PlanError(problems)
    stored = run_sql(con, f"SELECT * FROM {spec.table} WHERE year(month) = $year", {"year": year})  # noqa: S608
    keys = ["month", *spec.keys]
    merged = (stored.drop(spec.value).with_columns(_stored=pl.lit(True))
              .join(edited, on=keys, how="full", coalesce=True, nulls_equal=True)
              .filter(pl.col("_stored").fill_null(False) | pl.col(spec.value).is_not_null())  # no empty new rows
              .select(stored.columns))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind} {SOURCE} {year}.csv"
    merged.write_csv(path)
    result = import_reference(con, spec.table, path)
    path.unlink(missing_ok=True)
    if result.errors:  # the grid was checked, so this means the table's own rules caught something
        raise PlanError([f"{f.column}: {f.message}" for f in result.errors])
    return result


def is_plan_edit(source: str | None) -> bool:
    """Return whether an import log entry is a plan edit from the app."""
    return bool(source) and SOURCE in source


__all__ = ["KINDS", "MONTHS", "PlanError", "check_grid", "is_plan_edit", "load_grid", "plan_years", "save_plan"]
