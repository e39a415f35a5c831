"""Every file of the hostile corpus gets its exact outcome, and a refused one changes no table.

The outcome is what the analyst reads: the error, or for a file that is imported, the notes the
reader added (what it decided), the report's lines and the rows written.
"""

from __future__ import annotations

import pytest

from csm.db import connect
from csm.ingest.load import import_file
from tests.csm.ingest.hostile_files import CASES, write_hostile
from tests.csm.ingest.test_broken_files import snapshot
from tests.csm.ingest.test_import import FILES

EXPECTED: dict[str, object] = {
    'cr_only_line_ends': {'notes': ['lines end in a carriage return alone (old Mac style); read as ordinary lines'], 'report': [], 'written': 2},
    'crlf_line_ends': {'notes': [], 'report': [], 'written': 2},
    'mixed_encodings': 'ReadError: mixed.csv: the file mixes two encodings: line(s) 3 are UTF-8 and line(s) 4 are not (Windows-1252 or Latin-1). Read either way, one kind would turn into garbled text. Save the file again in one encoding (UTF-8), then import it.',
    'windows_1252_only': {'notes': ['the file is not UTF-8; read as Windows-1252'], 'report': [], 'written': 1},
    'utf16_le_without_bom': {'notes': ['the file is not UTF-8; read as UTF-16'], 'report': [], 'written': 1},
    'utf16_be_without_bom': {'notes': ['the file is not UTF-8; read as UTF-16'], 'report': [], 'written': 1},
    'utf16_with_bom': {'notes': ['the file is not UTF-8; read as UTF-16'], 'report': [], 'written': 1},
    'utf8_bom_semicolons': {'notes': [], 'report': [], 'written': 1},
    'lone_invalid_byte': {'notes': ['the file is not UTF-8; read as Windows-1252'], 'report': ["ERROR latin.csv, column channel ('Channel'): 1 row(s) (rows 2): 'phoneÿ' not a known channel (phone, chat, email, social, web_form, bot); fix the file or map them with --set"], 'written': 0},
    'nul_inside_an_id': {'notes': [], 'report': ["ERROR nul.csv, column ticket_id ('Ticket ID'): 1 row(s) (rows 2): holds invisible control characters (such as NUL bytes): the same name would look alike but count apart; fix the export or drop these rows"], 'written': 0},
    'escape_character_in_a_channel': {'notes': [], 'report': ["ERROR esc.csv, column channel ('Channel'): 1 row(s) (rows 2): 'ph\\x1bone' not a known channel (phone, chat, email, social, web_form, bot); fix the file or map them with --set", "ERROR esc.csv, column channel ('Channel'): 1 row(s) (rows 2): holds invisible control characters (such as NUL bytes): the same name would look alike but count apart; fix the export or drop these rows"], 'written': 0},
    'form_feed_in_a_category': {'notes': [], 'report': ["ERROR ff.csv, column category ('Category'): 1 row(s) (rows 2): holds invisible control characters (such as NUL bytes): the same name would look alike but count apart; fix the export or drop these rows"], 'written': 0},
    'binary_with_nul_in_header': 'ReadError: bin.csv: this is not a text file (it holds binary data). Export the table as CSV, or upload the file in its own format (Parquet, JSON).',
    'gzip_named_csv': 'ReadError: export.csv: this is not a text file (it holds binary data). Export the table as CSV, or upload the file in its own format (Parquet, JSON).',
    'only_a_bom': 'ReadError: bom_only.csv: the file is empty. Export the table again with a header row and data rows.',
    'random_bytes_named_csv': 'ReadError: noise.csv: this is not a text file (it holds binary data). Export the table as CSV, or upload the file in its own format (Parquet, JSON).',
    'a_cell_over_the_limit': 'ReadError: big_cell.csv: line 3 is longer than 1,024 KB, the largest cell accepted (setting CSM_MAX_CELL_KB). Check the export: a cell this large is usually a file or an image pasted into a field, or a quote that is never closed.',
    'more_rows_than_allowed': 'ReadError: many.csv: the file holds more than 10 rows, the most one import accepts (setting CSM_MAX_ROWS). Split it into several files (by month, for example).',
    'over_the_memory_cap': "ReadError: wide.csv: reading this file needs more memory than allowed (setting CSM_MAX_MEMORY_MB, or the machine's). Split it into smaller files.",
    'rows_at_the_limit': {'notes': [], 'report': [], 'written': 10},
    'title_line_above_the_header': {'notes': ['line 1 above the header is a title, not data, and skipped; the header is line 2'], 'report': [], 'written': 1},
    'two_title_lines_and_a_blank': {'notes': ['lines 1-3 above the header are a title, not data, and skipped; the header is line 4'], 'report': [], 'written': 1},
    'quoted_multi_line_cells': {'notes': [], 'report': [], 'written': 1},
    'tab_separated_named_csv': {'notes': [], 'report': [], 'written': 1},
    'header_names_differing_in_case': "ReadError: case.csv: the header names 'ID', 'id' more than once (names that differ only in case count as one). Rename the columns so each name is unique.",
    'header_of_markdown_and_formulas': {'notes': [], 'report': [], 'written': 1},
    'csat_with_decimals': {'notes': [], 'report': ["ERROR csat.csv, column csat_score ('Satisfaction Score'): 2 row(s) (rows 2, 3): values that cannot be read as a whole number"], 'written': 0},
    'nps_with_decimals': {'notes': [], 'report': ["ERROR nps.csv, column nps_score ('NPS'): 1 row(s) (rows 2): values that cannot be read as a whole number"], 'written': 0},
    'csat_on_ten_with_decimals': {'notes': [], 'report': ["ERROR csat10.csv, column csat_score ('Satisfaction Score'): 1 row(s) (rows 2): values that cannot be read as a score from 1 to 10"], 'written': 0},
    'infinite_duration': {'notes': [], 'report': ["ERROR inf.csv, column handle_time_s ('Handle time'): 2 row(s) (rows 2, 3): values that cannot be read as a duration (seconds or H:MM:SS)"], 'written': 0},
    'astronomical_duration': {'notes': [], 'report': ["ERROR huge.csv, column handle_time_s ('Handle time'): 1 row(s) (rows 2): handle time over a year: not a duration in the unit given; check the unit or fix these rows"], 'written': 0},
    'duration_in_years': {'notes': [], 'report': ["ERROR years.csv, column handle_time_s ('Handle time'): 1 row(s) (rows 2): handle time over a year: not a duration in the unit given; check the unit or fix these rows"], 'written': 0},
    'channel_holding_markdown': {'notes': [], 'report': ["ERROR md.csv, column channel ('Channel'): 1 row(s) (rows 2): '![x](http://e.test/x.png)' not a known channel (phone, chat, email, social, web_form, bot); fix the file or map them with --set"], 'written': 0},
    'channel_holding_a_formula': {'notes': [], 'report': ['ERROR formula.csv, column channel (\'Channel\'): 1 row(s) (rows 2): "=cmd|\' /C calc\'!A0" not a known channel (phone, chat, email, social, web_form, bot); fix the file or map them with --set'], 'written': 0},
    'year_9999': {'notes': [], 'report': ["ERROR y9999.csv, column created_at ('Created at'): 1 row(s) (rows 2): dates before 1990 or more than a year in the future: not a real creation date; check the date format (day and month, or an epoch number read as a date) or fix these rows"], 'written': 0},
    'created_in_1900': {'notes': [], 'report': ["ERROR y1900.csv, column created_at ('Created at'): 1 row(s) (rows 2): dates before 1990 or more than a year in the future: not a real creation date; check the date format (day and month, or an epoch number read as a date) or fix these rows"], 'written': 0},
    'resolved_in_2099': {'notes': [], 'report': ["ERROR y2099.csv, column resolved_at ('Solved at'): 1 row(s) (rows 2): dates before 1990 or more than a year in the future: not a real resolution; check the date format (day and month, or an epoch number read as a date) or fix these rows"], 'written': 0},
    'placeholder_resolution': {'notes': [], 'report': ["WARNING never.csv, column resolved_at ('Solved at'): 2 row(s) (rows 2, 3): placeholder dates such as 1900-01-01 or 1970-01-01, which the exporting tool writes for 'never': read as empty"], 'written': 3},
    'epoch_seconds': {'notes': ['created_at: numbers read as Unix epoch seconds (UTC), converted to UTC'], 'report': [], 'written': 2},
    'epoch_milliseconds': {'notes': ['created_at: numbers read as Unix epoch milliseconds (UTC), converted to UTC'], 'report': [], 'written': 2},
    'excel_serial_out_of_range': {'notes': [], 'report': ["ERROR serial.csv, column created_at ('Created at'): 1 row(s) (rows 3): values that cannot be read as a date and time"], 'written': 0},
    'offsets_converted_to_the_operation_zone': {'notes': ["created_at: 2 value(s) carry a time-zone offset (such as Z or +02:00); converted to Europe/Paris, the operation's time zone (setting CSM_TIMEZONE)"], 'report': [], 'written': 3},
    'impossible_offset': {'notes': [], 'report': ["ERROR tz3.csv, column created_at ('Created at'): 1 row(s) (rows 2): values that cannot be read as a date and time"], 'written': 0},
    'offsets_without_colon': {'notes': ["created_at: 1 value(s) carry a time-zone offset (such as Z or +02:00); converted to UTC, the operation's time zone (setting CSM_TIMEZONE)"], 'report': [], 'written': 1},
    'unknown_time_zone_setting': "ValueError: time zone 'Mars/Olympus' (setting CSM_TIMEZONE) is not known; use an IANA name such as UTC, Europe/Paris or America/New_York",
    'future_within_a_year': {'notes': [], 'report': ["WARNING soon.csv, column created_at ('Created at'): 1 row(s) (rows 2): created in the future; check the time zone or the date format"], 'written': 1},
    'json_array_of_arrays': 'ReadError: rows.json: the file is a list of lists (rows without column names). Export it as a list of objects, one per ticket ({"id": 1, "created_at": ...}), or as CSV with a header row.',
    'json_wrapped_in_tickets': {'notes': ["the records are the list 'tickets' of the file (1 record(s)); the other keys describe the export and are not imported"], 'report': [], 'written': 1},
    'json_wrapped_in_results': {'notes': ["the records are the list 'results' of the file (2 record(s)); the other keys describe the export and are not imported"], 'report': [], 'written': 2},
    'json_nested_objects': {'notes': [], 'report': [], 'written': 1},
    'json_empty_array': 'ReadError: empty.json: the file holds no records (an empty list). Export the tickets again.',
    'json_wrapped_in_an_empty_list': 'ReadError: nothing.json: the file holds no records (its lists are empty). Export the tickets again.',
    'ndjson_with_a_broken_line': 'ReadError: lines.ndjson: cannot read the file (Invalid Input Error: Malformed JSON in file "lines.ndjson", at byte 26 in line 3: unexpected end of data. ). Check that it is a valid NDJSON file.',
    'json_single_object': {'notes': [], 'report': [], 'written': 1},
    'json_keys_differing_in_case': "ReadError: case.json: the records name 'ID', 'id' more than once (keys that differ only in case count as one). Rename them so each name is unique.",
    'zip_bomb_workbook': 'ReadError: bomb.xlsx: the workbook unpacks to more than 8 MB (setting CSM_MAX_WORKBOOK_MB): it is either very large or a zip bomb. Export the data as CSV instead, which is read in a stream.',
    'huge_shared_string': 'ReadError: strings.xlsx: a cell of the workbook (xl/sharedStrings.xml) holds more than 1,024 KB of text, the largest cell accepted (setting CSM_MAX_CELL_KB). Remove it, or export the sheet as CSV.',
    'empty_first_sheet': {'notes': ["sheet 'Notes' is empty; read the first sheet with data, 'Calls'"], 'report': [], 'written': 1},
    'every_sheet_empty': 'ReadError: blank.xlsx: every sheet of the workbook is empty. Export the table again with a header row and data rows.',
    'workbook_duplicate_headers': "ReadError: dupes.xlsx: the header of sheet 'Calls' names 'Channel' more than once (names that differ only in case count as one). Rename the columns so each name is unique.",
    'workbook_first_row_empty': "ReadError: gap.xlsx: the first row of sheet 'Calls' is empty; it must hold the column names.",
    'uncalculated_formula': 'ReadError: formula.xlsx: 1 cell(s) hold a formula that was never calculated (the file was written by a program and not saved by Excel), so their results are unknown (they would read as empty or 0). Open the workbook in Excel or LibreOffice, save it, and import it again.',
    'formula_results_never_stored': 'ReadError: xlsxwriter.xlsx: 1 cell(s) hold a formula that was never calculated (the file was written by a program and not saved by Excel), so their results are unknown (they would read as empty or 0). Open the workbook in Excel or LibreOffice, save it, and import it again.',
    'old_xls_named_xlsx': 'ReadError: old.xlsx: this is an old Excel 97-2003 workbook (.xls) named .xlsx. Open it in Excel and save it as .xlsx (Excel Workbook), or export CSV.',
    'truncated_workbook': 'ReadError: cut.xlsx: cannot open the workbook: it is not an .xlsx file, or it is damaged or cut short (no complete zip archive inside). Save it again as .xlsx, or export CSV.',
    'old_xls_extension': 'ReadError: calls.xls: this is an old Excel 97-2003 workbook (.xls). Open it in Excel and save it as .xlsx (Excel Workbook), or export CSV.',
    'a_folder': 'ReadError: export.csv: this is a folder, not a file. Choose one exported file inside it.',
    'a_named_pipe': 'ReadError: pipe.csv: this is not a regular file (a pipe, socket or device). Save the export as a file first, then import that file.',
    'a_missing_file': 'ReadError: missing.csv: no such file (<folder>/missing.csv).',
}


def outcome(con, path, options) -> object:
    try:
        result = import_file(con, path, **options)
    except Exception as exc:  # noqa: BLE001 - the message is what is tested
        return f"{type(exc).__name__}: {exc}".replace(str(path.parent), "<folder>")
    return {"notes": result.notes, "report": [f.describe(path.name) for f in result.findings],
            "written": result.rows_written}


@pytest.fixture
def database(tmp_path):
    con = connect(tmp_path / "kept.duckdb")
    import_file(con, FILES / "helpdesk_clean.csv")
    yield con
    con.close()


def test_the_corpus_has_at_least_60_new_files_each_with_an_expected_outcome():
    assert len(CASES) >= 60
    assert [c[0] for c in CASES] == list(EXPECTED)


@pytest.mark.parametrize(("case", "name", "content", "options", "env"), CASES, ids=[c[0] for c in CASES])
def test_hostile_file_gets_its_outcome_and_a_refusal_changes_nothing(database, tmp_path, monkeypatch, case, name,
                                                                   content, options, env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    folder = tmp_path / "in"
    folder.mkdir()
    path = write_hostile(folder, name, content)
    before = snapshot(database)
    got = outcome(database, path, options)
    assert got == EXPECTED[case]
    if not isinstance(got, dict) or not got["written"]:
        assert snapshot(database) == before
