"""Reference-table imports (agents, budget, headcount, targets) and their templates."""

from datetime import date

import pytest

from csm.ingest.reference import TABLES, import_reference, render_template


def write(tmp_path, text: str, name: str = "ref.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("table", sorted(TABLES))
def test_each_template_imports_cleanly(con, tmp_path, table):
    result = import_reference(con, table, write(tmp_path, render_template(table)))
    assert result.errors == [] and result.rows_written == 2
    assert con.execute(f'SELECT count(*) FROM "{table}"').fetchone() == (2,)


def test_agents_values_are_typed_as_people_write_them(con, tmp_path):
    path = write(tmp_path, 'Agent ID,Full name,Team,Start date,FTE,Hourly rate,Active\n'
                           'A1,Ada,Billing,2024-03-04,0.8,"€ 1,038.50",yes\n')
    result = import_reference(con, "agents", path)
    assert result.mapping == {"agent_id": "Agent ID", "name": "Full name", "team": "Team", "hire_date": "Start date",
                              "fte": "FTE", "hourly_cost": "Hourly rate", "is_active": "Active"}
    assert con.execute("SELECT * FROM agents").fetchone() == (
        "A1", "Ada", "Billing", None, date(2024, 3, 4), 0.8, 1038.5, True)


def test_a_month_may_be_written_without_its_day_and_a_share_as_a_percentage(con, tmp_path):
    import_reference(con, "targets", write(tmp_path, "kpi,target,valid_from\nCSAT,85%,2026-07\n"))
    assert con.execute("SELECT kpi_key, target, valid_from FROM targets").fetchone() == ("csat", 0.85, date(2026, 7, 1))


def test_rows_replace_stored_rows_with_the_same_key_only(con, tmp_path):
    import_reference(con, "headcount", write(tmp_path, "month,team,planned_fte\n2026-09-01,A,10\n2026-10-01,A,11\n"))
    import_reference(con, "headcount", write(tmp_path, "month,team,planned_fte\n2026-10-01,A,12\n2026-10-01,B,5\n"))
    assert con.execute("SELECT month, team, planned_fte FROM headcount ORDER BY ALL").fetchall() == [
        (date(2026, 9, 1), "A", 10.0), (date(2026, 10, 1), "A", 12.0), (date(2026, 10, 1), "B", 5.0)]


def test_bad_rows_are_reported_by_rule_column_and_row_and_nothing_is_written(con, tmp_path):
    path = write(tmp_path, "month,team,category,planned,actual\n"
                           "2026-10-01,A,headcount,100,\n"
                           "2026-10-15,A,coffee,-5,x\n"
                           "2026-10-01,A,headcount,200,\n"
                           ",B,tools,1,1\n")
    result = import_reference(con, "budget", path)
    assert [(f.rule, f.column, f.rows) for f in result.findings] == [
        ("missing_value", "month", (5,)),
        ("not_first_of_month", "month", (3,)),
        ("unknown_value", "category", (3,)),
        ("out_of_range", "planned", (3,)),
        ("unparseable", "actual", (3,)),
        ("duplicate_key", "month, team, category", (2, 4)),
    ]
    assert result.findings[2].describe("ref.csv") == (
        "ERROR ref.csv, column category ('category'): 1 row(s) (rows 3): not one of headcount, tools, training, "
        "overtime, other")
    assert result.rows_written == 0 and con.execute("SELECT count(*) FROM budget").fetchone() == (0,)


def test_unknown_kpi_keys_are_refused(con, tmp_path):
    result = import_reference(con, "targets", write(tmp_path, "kpi_key,target,valid_from\nhappiness,1,2026-01-01\n"))
    assert [(f.rule, f.column) for f in result.errors] == [("unknown_value", "kpi_key")]


def test_a_file_without_required_columns_points_to_the_template(con, tmp_path):
    result = import_reference(con, "agents", write(tmp_path, "who,where\nAda,Billing\n"))
    assert [f.column for f in result.errors] == ["agent_id", "name", "is_active"]
    assert "download the template" in result.errors[0].message
    assert result.unused == ["who", "where"]
