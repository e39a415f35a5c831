"""Editing the plan as a grid: checked cell by cell, written as one import, kept actuals, undone."""

from datetime import date

import polars as pl
import pytest

from csm.ingest.history import find_undoable_import, load_imports, undo_import
from csm.plan import MONTHS, PlanError, check_grid, is_plan_edit, load_grid, plan_years, save_plan

YEARS = [2025, 2026, 2027]


def budget_row(m, team, category, planned, actual=None):
    return {"month": date(2026, m, 1), "team": team, "category": category, "planned": planned, "actual": actual}


@pytest.fixture
def con(make_db):
    return make_db(
        budget=[budget_row(m, "A", "tools", 100.0, 90.0 if m <= 3 else None) for m in range(1, 13)]
        + [budget_row(1, None, "other", 10.0, 12.0)],
        headcount=[{"month": date(2026, m, 1), "team": "A", "planned_fte": 10.0, "actual_fte": 9.5, "hires": 1,
                    "leavers": 0} for m in (1, 2)],
    )


def stored(con, table="budget"):
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # noqa: S608 - test tables


def test_the_grid_has_a_row_per_team_and_category_and_a_column_per_month(con):
    grid = load_grid(con, "budget", year=2026)
    assert grid.columns == ["Team", "Category", *MONTHS]
    assert grid.select("Team", "Category").rows() == [(None, "other"), ("A", "tools")]
    assert grid.row(1)[2:] == (100.0,) * 12 and grid.row(0)[2:4] == (10.0, None)
    next_year = load_grid(con, "budget", year=2027)  # starts from this year's rows, with no plan yet
    assert next_year.height == 2 and next_year.select(MONTHS).null_count().sum_horizontal()[0] == 24
    assert load_grid(con, "headcount", year=2026).columns == ["Team", *MONTHS]


def test_saving_changes_the_plan_only_and_can_be_undone(con, tmp_path):
    before = stored(con)
    grid = load_grid(con, "budget", year=2026).with_columns(
        pl.when(pl.col("Team") == "A").then(120.0).otherwise(pl.col("Mar")).alias("Mar"))
    grid = pl.concat([grid, pl.DataFrame({"Team": ["B"], "Category": ["training"], "Jan": [50.0]})], how="diagonal")
    result = save_plan(con, "budget", grid, year=2026, years=YEARS, folder=tmp_path)
    march = con.execute("SELECT planned, actual FROM budget WHERE team = 'A' AND month = '2026-03-01'").fetchall()
    assert march == [(120.0, 90.0)]  # the plan changed, the booked spend stayed
    added = con.execute("SELECT month, planned, actual FROM budget WHERE team = 'B'").fetchall()
    assert added == [(date(2026, 1, 1), 50.0, None)]  # an empty cell of a new row writes nothing
    assert con.execute("SELECT count(*) FROM budget").fetchone()[0] == len(before) + 1
    log = load_imports(con).row(0, named=True)
    assert is_plan_edit(log["source"]) and log["target_table"] == "budget" and result.import_id == log["import_id"]
    assert find_undoable_import(con) == result.import_id
    undo_import(con, result.import_id)
    assert stored(con) == before
    assert not list(tmp_path.iterdir())  # the file written for the import is gone


def test_a_removed_row_loses_its_plan_but_keeps_its_booked_spend(con, tmp_path):
    grid = load_grid(con, "budget", year=2026).filter(pl.col("Team").is_null())
    save_plan(con, "budget", grid, year=2026, years=YEARS, folder=tmp_path)
    rows = con.execute("SELECT month, planned, actual FROM budget WHERE team = 'A' ORDER BY month").fetchall()
    assert rows[0] == (date(2026, 1, 1), None, 90.0) and all(planned is None for _, planned, _ in rows)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ({"Mar": "-5"}, "Row 2 (A, tools), Mar 2026: -5 is negative; planned spend is 0 or more."),
        ({"Category": "snacks"}, "Row 2 (A, snacks): category 'snacks' is not one of headcount, tools, training, "
                                 "overtime, other; pick one of them."),
        ({"Apr": "lots"}, "Row 2 (A, tools), Apr 2026: 'lots' is not a number; type an amount such as 1200.50, or "
                          "leave it empty for no plan."),
        ({"Team": None, "Category": "other"}, "Row 2 ((shared), other): the same labels as row 1; keep one row and "
                                              "delete the other."),
    ],
)
def test_bad_edits_are_named_and_nothing_is_written(con, tmp_path, edit, problem):
    before = stored(con)
    grid = load_grid(con, "budget", year=2026).cast({m: pl.String for m in MONTHS}).to_dicts()  # as typed
    grid[1].update(edit)
    with pytest.raises(PlanError) as caught:
        save_plan(con, "budget", pl.DataFrame(grid), year=2026, years=YEARS, folder=tmp_path)
    assert problem in caught.value.problems
    assert stored(con) == before and load_imports(con).is_empty()


def test_headcount_rows_need_a_team_and_the_year_must_be_plannable(con, tmp_path):
    grid = load_grid(con, "headcount", year=2026)
    _, problems = check_grid(grid.with_columns(pl.lit(None, pl.String).alias("Team")), "headcount", year=2026,
                             years=YEARS)
    assert problems == ["Row 1 ((shared)): the team is empty; every headcount row needs a team."]
    _, problems = check_grid(grid, "headcount", year=2031, years=YEARS)
    assert problems == ["2031 is outside the years that can be planned (2025–2027); pick one of those years."]
    save_plan(con, "headcount", grid.with_columns(pl.lit(11.5).alias("Feb")), year=2026, years=YEARS, folder=tmp_path)
    assert con.execute("SELECT planned_fte, actual_fte, hires FROM headcount WHERE month = '2026-02-01'").fetchall() == [
        (11.5, 9.5, 1)]


def test_plannable_years():
    assert plan_years(date(2025, 3, 1), date(2026, 10, 31)) == [2025, 2026, 2027]
