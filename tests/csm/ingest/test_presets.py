"""Vendor presets, units and value-aware proposals, on small files in each vendor's export shape."""

from datetime import datetime
from pathlib import Path

import pytest

from csm.ingest.load import import_file
from csm.ingest.mapping import Mapping, apply_overrides, load_mapping, load_presets, propose_mapping, save_mapping

PRESETS = Path(__file__).resolve().parents[2] / "fixtures" / "files" / "presets"
COLUMNS = ("ticket_id", "created_at", "channel", "team", "agent_id", "category", "priority", "status",
           "first_response_at", "resolved_at", "handle_time_s", "csat_score", "is_sla_met", "is_escalated")


def rows(con, columns=COLUMNS) -> dict:
    quoted = ", ".join(f'"{c}"' for c in columns)
    return {r[0]: dict(zip(columns[1:], r[1:], strict=True))
            for r in con.execute(f"SELECT {quoted} FROM tickets ORDER BY 1").fetchall()}  # noqa: S608


def test_every_preset_has_a_fixture_in_its_export_shape():
    assert {p.stem for p in PRESETS.glob("*.csv")} == set(load_presets())


@pytest.mark.parametrize("name", sorted(load_presets()))
def test_each_export_is_recognised_and_imports_without_options(con, name):
    result = import_file(con, PRESETS / f"{name}.csv", dates="month_first" if name == "salesforce" else None)
    assert result.mapping.preset == name
    assert result.errors == [] and result.rows_written == result.rows_read


def test_zendesk_minutes_become_a_first_reply_time_and_good_bad_a_csat(con):
    import_file(con, PRESETS / "zendesk.csv")
    got = rows(con)
    assert got["101"]["first_response_at"] == datetime(2026, 10, 1, 9, 15)  # created 09:00 + 15 minutes
    assert got["102"]["first_response_at"] == datetime(2026, 10, 1, 11, 30)  # 10:00 + 90 minutes
    assert [got[t]["csat_score"] for t in ("101", "102", "103", "104")] == [5, 1, None, None]  # Offered: no answer
    assert [got[t]["channel"] for t in ("101", "102", "103", "104")] == ["email", "web_form", "chat", "phone"]


def test_freshdesk_hours_and_minutes_sla_words_and_survey_words(con):
    import_file(con, PRESETS / "freshdesk.csv")
    got = rows(con)
    assert (got["5001"]["handle_time_s"], got["5002"]["handle_time_s"]) == (25 * 60, 70 * 60)  # "00:25", "01:10"
    assert [got[t]["is_sla_met"] for t in ("5001", "5002")] == [True, False]
    assert [got[t]["csat_score"] for t in ("5001", "5002", "5003")] == [5, 1, None]
    assert (got["5003"]["status"], got["5003"]["channel"]) == ("pending", "web_form")


def test_servicenow_numbered_priorities_and_states(con):
    import_file(con, PRESETS / "servicenow.csv")
    got = rows(con)
    assert [(got[t]["priority"], got[t]["status"]) for t in sorted(got)] == [
        ("urgent", "solved"), ("normal", "open"), ("low", "closed")]
    assert got["INC0010002"]["channel"] == "web_form"  # Self-service


def test_salesforce_us_dates_with_am_pm(con):
    import_file(con, PRESETS / "salesforce.csv", dates="month_first")
    got = rows(con)
    assert got["00001002"]["created_at"] == datetime(2026, 10, 7, 13, 15)
    assert got["00001001"]["resolved_at"] == datetime(2026, 10, 7, 11, 40)
    assert [got[t]["is_escalated"] for t in sorted(got)] == [False, True, True]


def test_call_log_answers_and_ends_each_answered_call(con):
    import_file(con, PRESETS / "call_log.csv")
    got = rows(con, ("ticket_id", "channel", "created_at", "first_response_at", "resolved_at", "is_answered"))
    assert got["C001"] == {"channel": "phone", "created_at": datetime(2026, 10, 1, 9, 0),
                           "first_response_at": datetime(2026, 10, 1, 9, 0, 20),  # 20 s to answer
                           "resolved_at": datetime(2026, 10, 1, 9, 3, 30), "is_answered": True}  # + 3:10 talk
    assert (got["C003"]["first_response_at"], got["C003"]["resolved_at"]) == (None, None)  # abandoned


def test_a_preset_can_be_named_when_the_headers_do_not_identify_it():
    assert propose_mapping(["Ticket ID", "Status"]).preset is None
    assert propose_mapping(["Ticket ID", "Status"], preset="hubspot").preset == "hubspot"


def write(tmp_path, text: str, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("unit", "values", "expected"), [
    ("1-5", ["1", "3", "4", "5"], [1, 3, 4, 5]),
    ("1-10", ["1", "7", "8", "10"], [1, 3, 4, 5]),  # 8-10 of 10 is satisfied (4-5)
    ("percent", ["0", "74", "75%", "100"], [1, 3, 4, 5]),  # 75% or more is satisfied
    ("good_bad", ["Bad", "neutral", "GOOD", "offered"], [1, 3, 5, None]),
])
def test_csat_scales_become_the_1_to_5_scale(con, tmp_path, unit, values, expected):
    lines = [f"{i},2026-10-0{i} 09:00:00,email,{v}" for i, v in enumerate(values, start=1)]
    path = write(tmp_path, "id,created,channel,rating\n" + "\n".join(lines) + "\n")
    result = import_file(con, path, units=[f"csat_score={unit}"])
    assert result.errors == []
    assert [r[0] for r in con.execute("SELECT csat_score FROM tickets ORDER BY created_at").fetchall()] == expected


def test_a_score_off_its_scale_is_an_error_naming_the_scale(con, tmp_path):
    path = write(tmp_path, "id,created,channel,rating\n1,2026-10-01 09:00:00,email,11\n")
    result = import_file(con, path, units=["csat_score=1-10"])
    assert [(f.rule, f.message) for f in result.errors] == [
        ("unparseable", "values that cannot be read as a score from 1 to 10")]


@pytest.mark.parametrize(("unit", "value", "seconds"), [
    ("seconds", "90", 90), ("minutes", "1.5", 90), ("hours", "0.5", 1800), ("h_mm", "1:30", 5400),
    ("seconds", "1:30", 90), ("minutes", "0:01:30", 90),  # a clock reads the same whatever the unit
])
def test_duration_units(con, tmp_path, unit, value, seconds):
    path = write(tmp_path, f"id,created,channel,handle time\n1,2026-10-01 09:00:00,email,{value}\n")
    import_file(con, path, units=[f"handle_time_s={unit}"])
    assert con.execute("SELECT handle_time_s FROM tickets").fetchone() == (seconds,)


def test_a_duration_after_creation_needs_a_creation_column(con, tmp_path):
    path = write(tmp_path, "id,channel,reply mins\n1,email,5\n")
    with pytest.raises(ValueError, match="needs created_at mapped"):
        import_file(con, path, maps=["first_response_at=reply mins"], units=["first_response_at=minutes_after_created"],
                    sets=["created_at=2026-10-01"])


def test_an_unknown_unit_lists_the_choices():
    with pytest.raises(ValueError, match="csat_score: 1-5, 1-10, percent, good_bad"):
        apply_overrides(Mapping(), ("a",), units=["csat_score=stars"])


def test_a_yes_no_column_named_like_a_timestamp_is_read_for_what_it_holds(con, tmp_path):
    path = write(tmp_path, "Ticket ID,Created,Channel,Resolved,Closed at\n"
                           "1,2026-10-01 09:00:00,phone,Y,2026-10-01 10:00:00\n2,2026-10-01 09:30:00,phone,N,\n")
    result = import_file(con, path)
    assert result.mapping.columns["is_fcr"] == "Resolved"
    assert result.mapping.columns["resolved_at"] == "Closed at"
    assert result.notes == ["'Resolved' looked like resolved_at by its name, but its values ('N', 'Y') do not read "
                            "as that; not mapped to resolved_at"]
    assert result.errors == []


def test_a_column_whose_values_do_not_fit_its_name_is_an_error_not_a_quiet_drop(con, tmp_path):
    path = write(tmp_path, "Ticket ID,Created,Channel,Rating\n1,2026-10-01 09:00:00,email,great\n")
    result = import_file(con, path)
    assert result.notes == ["'Rating' looks like csat_score by its name, but most of its values ('great') do not read "
                            "as that: see the errors below. Fix the file, give the column's unit, or leave csat_score "
                            "unmapped on purpose"]
    assert [(f.rule, f.column, f.rows) for f in result.errors] == [("unparseable", "csat_score", (2,))]
    assert result.rows_written == 0


def test_unmapping_such_a_column_on_purpose_imports_the_rest(con, tmp_path):
    path = write(tmp_path, "Ticket ID,Created,Channel,Rating\n1,2026-10-01 09:00:00,email,great\n")
    result = import_file(con, path, maps=["csat_score="])
    assert "csat_score" not in result.mapping.columns and result.rows_written == 1


def test_a_mapped_column_is_not_second_guessed(con, tmp_path):
    path = write(tmp_path, "Ticket ID,Created,Channel,Rating\n1,2026-10-01 09:00:00,email,great\n")
    result = import_file(con, path, maps=["csat_score=Rating"])
    assert [(f.rule, f.column) for f in result.errors] == [("unparseable", "csat_score")]


def test_units_and_derived_columns_survive_a_saved_mapping(tmp_path):
    mapping = propose_mapping(["Call Id", "Agent", "Date", "Time", "Answered (Y/N)", "Rating"])
    mapping.units["csat_score"] = "1-10"
    save_mapping(mapping, tmp_path / "calls.yaml")
    loaded = load_mapping(tmp_path / "calls.yaml", ("Call Id", "Agent", "Date", "Time", "Answered (Y/N)", "Rating"))
    assert loaded == mapping
    assert loaded.derived == {"first_response_at": "call_answer", "resolved_at": "call_end"}


def test_drop_invalid_keeps_rows_whose_checked_columns_are_empty(con, tmp_path):
    # "resolved before created" is unknown, not true, for a row without a resolution: such rows stay.
    path = write(tmp_path, "id,created,channel,solved at\n1,2026-10-01 09:00:00,email,2026-10-01 08:00:00\n"
                           "2,2026-10-01 09:00:00,email,\n3,2026-10-01 09:00:00,email,2026-10-01 10:00:00\n")
    result = import_file(con, path, drop_invalid=True)
    assert (result.rows_written, result.rows_dropped) == (2, 1)


def test_a_duration_can_be_the_time_between_two_timestamps(con, tmp_path):
    path = write(tmp_path, "Call,Start,Answered at,Ended at,Channel\n"
                           "1,2026-10-01 09:00:00,2026-10-01 09:00:30,2026-10-01 09:05:30,phone\n"
                           "2,2026-10-01 10:00:00,2026-10-01 10:00:05,,phone\n")
    result = import_file(con, path, maps=["ticket_id=Call", "created_at=Start", "handle_time_s=Ended at",
                                          "wait_time_s=Answered at"],
                         starts=["handle_time_s=Answered at", "wait_time_s=Start"])
    assert result.errors == []
    assert "handle_time_s <- 'Ended at' minus 'Answered at'" in result.mapping.describe()
    assert con.execute("SELECT ticket_id, wait_time_s, handle_time_s FROM tickets ORDER BY 1").fetchall() == [
        ("1", 30.0, 300.0), ("2", 5.0, None)]


def test_a_duration_start_needs_its_end_mapped():
    with pytest.raises(ValueError, match="map the end first"):
        apply_overrides(Mapping(), ("Start",), starts=["handle_time_s=Start"])


def test_the_mapping_table_of_the_data_page_round_trips_and_edits():
    from csm.ingest.mapping import mapping_from_rows, mapping_to_rows

    headers = ("Call Id", "Agent", "Date", "Time", "Answered (Y/N)", "Rating", "Talk start", "Talk end")
    proposed = propose_mapping(headers)
    rows = [r | {"meaning": "shown, not read"} for r in mapping_to_rows(proposed)]
    assert mapping_from_rows(rows, headers, base=proposed) == proposed
    edit = {r["column"]: r for r in rows}
    edit["csat_score"]["unit"] = "1-10"
    edit["handle_time_s"] |= {"file_column": "Talk end", "time_column": "Talk start"}
    edit["team"]["every_row"] = "Hotline"
    edited = mapping_from_rows(list(edit.values()), headers, base=proposed)
    assert (edited.units, edited.starts, edited.constants) == (
        {"csat_score": "1-10"}, {"handle_time_s": "Talk start"}, {"channel": "phone", "team": "Hotline"})
    assert edited.derived == proposed.derived  # the call's end is still derived: resolved_at is not mapped


def test_the_mapping_table_reports_every_problem_at_once():
    from csm.ingest.mapping import mapping_from_rows, mapping_to_rows

    rows = {r["column"]: r for r in mapping_to_rows(Mapping())}
    rows["ticket_id"]["file_column"] = "Id"
    rows["customer_id"]["file_column"] = "Id"
    rows["channel"] |= {"file_column": "Via", "every_row": "phone"}
    rows["team"]["unit"] = "minutes"
    with pytest.raises(ValueError) as raised:
        mapping_from_rows(list(rows.values()), ("Id", "Via"), base=Mapping())
    assert str(raised.value) == (  # in the table's order
        "channel: choose a file column or one value for every row, not both; "
        "team: unit 'minutes' does not fit; use one of none (this column has no unit); "
        "'Id' is used for both ticket_id and customer_id; use each column once")
