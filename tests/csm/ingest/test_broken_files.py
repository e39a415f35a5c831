"""Every file of the broken-file corpus gets its exact, actionable message and changes nothing."""

import pytest

from csm.db import connect
from csm.ingest.load import import_file
from csm.ingest.reference import import_reference, render_template
from tests.csm.ingest.broken_files import CASES, write_case
from tests.csm.ingest.test_import import FILES

# What the analyst reads: the exception's message, or the error lines of the validation report.
EXPECTED = {
    'empty_file': 'ReadError: empty.csv: the file is empty. Export the table again with a header row and data rows.',
    'header_only': 'ReadError: header_only.csv: the file has a header but no data rows.',
    'whitespace_only': 'ReadError: blank.csv: the file is empty. Export the table again with a header row and data rows.',
    'binary_named_csv': 'ReadError: export.csv: this is not a text file (it holds binary data). Export the table as CSV, or upload the file in its own format (Parquet, JSON).',
    'zip_named_csv': 'ReadError: archive.csv: this is not a text file (it holds binary data). Export the table as CSV, or upload the file in its own format (Parquet, JSON).',
    'ragged_rows': 'ReadError: ragged.csv: 2 row(s) do not have the 8 columns of the header (rows 3, 5). Check for a missing or extra comma or an unclosed quote.',
    'unclosed_quote': 'ReadError: quote.csv: 1 row(s) do not have the 8 columns of the header (rows 3). Check for a missing or extra comma or an unclosed quote.',
    'duplicate_headers': "ReadError: dupes.csv: the header names 'id' more than once (names that differ only in case count as one). Rename the columns so each name is unique.",
    'empty_first_row': 'ReadError: no_header.csv: the first row is empty; it must hold the column names.',
    'unsupported_kind': 'ReadError: report.pdf: files ending in .pdf are not supported. Use CSV or TSV, Excel (.xlsx), Parquet, JSON or NDJSON.',
    'broken_workbook': 'ReadError: calls.xlsx: cannot open the workbook: it is not an .xlsx file, or it is damaged or cut short (no complete zip archive inside). Save it again as .xlsx, or export CSV.',
    'broken_json': 'ReadError: tickets.json: cannot read the file (Invalid Input Error: Malformed JSON in file "tickets.json", at byte 22 in record/value 2: unexpected end of data. ). Check that it is a valid JSON file.',
    'broken_parquet': "ReadError: tickets.parquet: cannot read the file (Invalid Input Error: No magic bytes found at end of file 'tickets.parquet'). Check that it is a valid PARQUET file.",
    'no_required_columns': ['ERROR people.csv: no column of the file is mapped to ticket_id; map one with --map ticket_id=HEADER', 'ERROR people.csv: no column of the file is mapped to created_at; map one with --map created_at=HEADER', 'ERROR people.csv: no column of the file is mapped to channel; map one with --map channel=HEADER'],
    'no_creation_column': ['ERROR no_created.csv: no column of the file is mapped to created_at; map one with --map created_at=HEADER'],
    'unreadable_dates': ["ERROR dates.csv, column created_at ('Created at'): 1 row(s) (rows 2): values that cannot be read as a date and time"],
    'mixed_date_styles': ["ERROR mixed.csv, column created_at ('Created at'): 1 row(s) (rows 3): values that cannot be read as a date and time"],
    'unknown_channel': ["ERROR channel.csv, column channel ('Channel'): 2 row(s) (rows 2, 3): 'carrier pigeon', 'fax' not a known channel (phone, chat, email, social, web_form, bot); fix the file or map them with --set"],
    'negative_duration': ["ERROR negative.csv, column handle_time_s ('Handle time'): 1 row(s) (rows 2): values below 0; fix them or drop these rows"],
    'unreadable_duration': ["ERROR duration.csv, column handle_time_s ('Handle time'): 1 row(s) (rows 2): values that cannot be read as a duration (seconds or H:MM:SS)"],
    'csat_off_scale': ["ERROR csat.csv, column csat_score ('Satisfaction Score'): 2 row(s) (rows 2, 3): values outside 1 to 5; fix them or drop these rows"],
    'resolved_before_created': ["ERROR resolved.csv, column resolved_at ('Solved at'): 1 row(s) (rows 2): resolved before it was created; fix the timestamps or drop these rows"],
    'replied_before_created': ["ERROR replied.csv, column first_response_at ('First reply at'): 1 row(s) (rows 2): first reply before the contact was created; fix the timestamps or drop these rows"],
    'empty_ticket_id': ["ERROR ids.csv, column ticket_id ('Ticket ID'): 2 row(s) (rows 2, 3): empty; every row needs a value"],
    'unreadable_yes_no': ["ERROR answered.csv, column is_answered ('Answered'): 1 row(s) (rows 2): values that cannot be read as yes/no"],
    'ambiguous_dates': "AmbiguousDatesError: column 'Created at' (ambiguous.csv): dates such as 03/04/2025 fit both day-first and month-first. Say which with --dates day-first or --dates month-first.",
    'unknown_field_in_map': "ValueError: 'tickt_id=Ticket ID': expected COLUMN=VALUE with COLUMN one of agent_id, category, channel, created_at, csat_score, customer_id, first_response_at, handle_time_s, is_answered, is_escalated, is_fcr, is_resolved_by_bot, is_sla_met, nps_score, priority, qa_score, reassignment_count, reopen_count, resolved_at, status, team, ticket_id, updated_at, wait_time_s",
    'map_to_missing_header': "ValueError: 'team=Group': the file has no column 'Group'; its columns are Ticket ID, Created at, Channel, Handle time, Satisfaction Score, Solved at, First reply at, Answered",
    'unit_that_does_not_fit': "ValueError: 'channel=minutes': expected COLUMN=UNIT, one of handle_time_s: seconds, minutes, hours, h_mm; wait_time_s: seconds, minutes, hours, h_mm; first_response_at: timestamp, seconds_after_created, minutes_after_created, hours_after_created; resolved_at: timestamp, seconds_after_created, minutes_after_created, hours_after_created; csat_score: 1-5, 1-10, percent, good_bad",
    'utf16_ragged': 'ReadError: utf16.csv: 1 row(s) do not have the 8 columns of the header (rows 3). Check for a missing or extra comma or an unclosed quote.',
    'semicolon_file_with_comma_decimal_csat': ["ERROR semi.csv, column csat_score ('Satisfaction Score'): 1 row(s) (rows 2): values that cannot be read as a whole number"],
    'header_only_workbook': 'ReadError: calls.xlsx: the file has a header but no data rows.',
    'wrong_sheet': "ReadError: calls.xlsx: no sheet named 'Calls 2026'; the sheets are 'Calls'.",
    'empty_workbook_file': 'ReadError: empty.xlsx: the file is empty. Export the table again with a header row and data rows.',
    'json_of_scalars': 'ReadError: values.json: the file holds plain values, not records with named fields. Export it as a list of objects, one per ticket ({"id": 1, "created_at": ...}), or as CSV with a header row.',
    'saved_mapping_of_another_file': "ValueError: mapping 'OTHER' expects headers the file does not have: 'Case Number'; the file's headers are 'Ticket ID', 'Created at', 'Channel', 'Handle time', 'Satisfaction Score', 'Solved at', 'First reply at', 'Answered'",
}


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A database holding contacts, a reference table and an import log: what a failed import must not touch."""
    folder = tmp_path_factory.mktemp("broken")
    con = connect(folder / "kept.duckdb")
    import_file(con, FILES / "helpdesk_clean.csv")
    (folder / "targets.csv").write_text(render_template("targets"))
    import_reference(con, "targets", folder / "targets.csv")
    yield con
    con.close()


def file_snapshot(path) -> dict:
    """Return ``snapshot`` of the database file at ``path``, opened read-only for the look."""
    con = connect(path, read_only=True)
    try:
        return snapshot(con)
    finally:
        con.close()


def snapshot(con) -> dict:
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary "
                                        "ORDER BY 1").fetchall()]
    return {t: sorted(map(str, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


def test_the_corpus_has_at_least_25_files_each_with_an_expected_message():
    assert len(CASES) >= 25
    assert [c[0] for c in CASES] == list(EXPECTED)


@pytest.mark.parametrize(("case", "name", "content", "options"), CASES, ids=[c[0] for c in CASES])
def test_broken_file_gets_its_message_and_leaves_every_table_unchanged(database, tmp_path, case, name, content,
                                                                     options):
    path = write_case(tmp_path, name, content)
    if "saved" in options:
        (tmp_path / "OTHER.yaml").write_text("columns:\n  ticket_id: Case Number\n")
        options = {**options, "saved": tmp_path / "OTHER.yaml"}
    before = snapshot(database)
    try:
        result = import_file(database, path, **options)
    except Exception as exc:  # noqa: BLE001 - the message is what is tested
        got = f"{type(exc).__name__}: {exc}"
    else:
        assert result.rows_written == 0 and result.import_id is None
        got = [f.describe(name) for f in result.errors]
    assert got == EXPECTED[case]
    assert snapshot(database) == before
