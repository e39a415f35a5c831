"""The hostile corpus: files that are broken, tricky or made to hurt, beyond the broken-file corpus.

Each case is written by ``write_hostile`` into a test folder: plain bytes, or a workbook, JSON or
special file built here (the project holds no binary fixtures). ``test_hostile_files.py`` checks
the exact outcome of each (the error, or what was imported and said) and that a failed import
changes no table; the CLI and the Data page must answer every one without a traceback.
"""

from __future__ import annotations

import codecs
import os
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

H = "Ticket ID,Created at,Channel,Handle time,Satisfaction Score,Solved at\n"


def line(tid="1", created="2026-10-01 09:00:00", channel="phone", handle="300", csat="5", solved="") -> str:
    return f"{tid},{created},{channel},{handle},{csat},{solved}\n"


def csv(*rows: str, header: str = H) -> bytes:
    return (header + "".join(rows)).encode()


# --- workbooks, written as their XML parts so that every quirk is exact ---------------------------

_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
          'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
          'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '{sheets}<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-'
               'officedocument.spreadsheetml.worksheet+xml"/>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def workbook(path: Path, sheets: dict[str, list[list[str]]], *, shared: Callable | None = None,
             sheet_xml: dict[str, Callable] | None = None, level: int = 6) -> None:
    """Write an .xlsx of inline-string rows; ``sheet_xml`` and ``shared`` stream a part's XML themselves (bombs)."""
    names = list(sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", _TYPES.format(sheets="".join(_SHEET_TYPE.format(n=i + 1)
                                                                         for i in range(len(names)))))
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} xmlns:r="http://'
                    'schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                    + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
                    + "</sheets></workbook>")
        zf.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http:'
                    '//schemas.openxmlformats.org/package/2006/relationships">'
                    + "".join(f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
                              f'2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                              for i in range(len(names)))
                    + f'<Relationship Id="rId{len(names) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
                      '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        for i, name in enumerate(names):
            part = f"xl/worksheets/sheet{i + 1}.xml"
            if sheet_xml and name in sheet_xml:
                with zf.open(part, "w", force_zip64=True) as f:
                    sheet_xml[name](f)
                continue
            rows = "".join(
                f'<row r="{r + 1}">' + "".join(
                    f'<c t="inlineStr"><is><t>{v}</t></is></c>' if not str(v).startswith("=") else
                    f"<c><f>{str(v)[1:]}</f></c>" for v in row) + "</row>"
                for r, row in enumerate(sheets[name]))
            zf.writestr(part, f'<?xml version="1.0"?><worksheet {_NS}><sheetData>{rows}</sheetData></worksheet>')
        if shared:
            with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
                shared(f)
        else:
            zf.writestr("xl/sharedStrings.xml", f'<sst {_NS} count="0" uniqueCount="0"></sst>')


HEAD = ["Ticket ID", "Created at", "Channel", "Handle time"]
ROW = ["1", "2026-10-01 09:00:00", "phone", "300"]


def _bomb(megabytes: int) -> Callable:
    def write(f) -> None:
        f.write(f'<?xml version="1.0"?><worksheet {_NS}><sheetData>'.encode())
        row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20000
        for _ in range(megabytes * 2**20 // len(row) + 1):
            f.write(row)
        f.write(b"</sheetData></worksheet>")
    return write


def huge_string(path: Path, megabytes: int, *, level: int = 6) -> None:
    """Write a workbook whose one shared string holds ``megabytes`` MB: a tiny file that unpacks huge."""
    def write(f) -> None:
        f.write(f'<sst {_NS} count="1" uniqueCount="1"><si><t>'.encode())
        chunk = b"A" * 2**20
        for _ in range(megabytes):
            f.write(chunk)
        f.write(b"</t></si></sst>")

    workbook(path, {"Calls": [HEAD]}, shared=write, level=level)


def zip_bomb(path: Path, megabytes: int, *, level: int = 6) -> None:
    """Write a workbook whose one sheet unpacks to ``megabytes`` MB of rows."""
    workbook(path, {"Calls": []}, sheet_xml={"Calls": _bomb(megabytes)}, level=level)


def _xlsxwriter_formula(path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Calls")
    sheet.write_row(0, 0, HEAD)
    sheet.write_row(1, 0, ROW[:3])
    sheet.write_formula(1, 3, "=60*5")  # stored result 0, "recalculate on load"
    book.close()


def _truncated(path: Path) -> None:
    workbook(path, {"Calls": [HEAD, ROW]})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


# (case, file name, content: bytes or a writer of the path, options, settings overrides as CSM_* variables)
CASES: list[tuple[str, str, bytes | Callable[[Path], None], dict, dict]] = [
    # line ends, encodings, bytes that are not text
    ("cr_only_line_ends", "mac.csv", csv(line(), line("2")).replace(b"\n", b"\r"), {}, {}),
    ("crlf_line_ends", "windows.csv", csv(line(), line("2")).replace(b"\n", b"\r\n"), {}, {}),
    ("mixed_encodings", "mixed.csv", H.encode() + b"1,2026-10-01 09:00:00,phone,300,5,\n"
     + "2,2026-10-01 09:00:00,phone,300,5,Équipe\n".encode()
     + "3,2026-10-01 09:00:00,phone,300,5,Équipe\n".encode("cp1252"), {}, {}),
    ("windows_1252_only", "cp1252.csv", "Ticket ID,Created at,Channel,Team\n1,2026-10-01 09:00:00,phone,Équipe Nord\n"
     .encode("cp1252"), {}, {}),
    ("utf16_le_without_bom", "u16le.csv", csv(line()).decode().encode("utf-16-le"), {}, {}),
    ("utf16_be_without_bom", "u16be.csv", csv(line()).decode().encode("utf-16-be"), {}, {}),
    ("utf16_with_bom", "u16.csv", codecs.BOM_UTF16_LE + csv(line()).decode().encode("utf-16-le"), {}, {}),
    ("utf8_bom_semicolons", "bom.csv", codecs.BOM_UTF8 + csv(line()).replace(b",", b";"), {}, {}),
    ("lone_invalid_byte", "latin.csv", csv(line(channel="phone")).replace(b"phone", b"phone\xff"), {}, {}),
    ("nul_inside_an_id", "nul.csv", csv(line("1\x00x"), line("2")), {}, {}),
    ("escape_character_in_a_channel", "esc.csv", csv(line(channel="ph\x1bone")), {}, {}),
    ("form_feed_in_a_category", "ff.csv", csv(line(), header=H.replace("Solved at", "Category"))
     .replace(b",\n", b",Bill\x0cing\n"), {}, {}),
    ("binary_with_nul_in_header", "bin.csv", b"Ticket\x00ID,Created\n1,2\n", {}, {}),
    ("gzip_named_csv", "export.csv", b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4, {}, {}),
    ("only_a_bom", "bom_only.csv", codecs.BOM_UTF8, {}, {}),
    ("random_bytes_named_csv", "noise.csv", bytes((i * 7919 + 13) % 256 for i in range(5000)), {}, {}),
    # sizes
    ("a_cell_over_the_limit", "big_cell.csv", csv(line(), line("2", channel="x" * (1100 * 1024))), {}, {}),
    ("more_rows_than_allowed", "many.csv", csv(*(line(str(i)) for i in range(12))), {}, {"CSM_MAX_ROWS": "10"}),
    ("over_the_memory_cap", "wide.csv", csv(*(line(str(i), channel="phone" + " " * 2000) for i in range(3000))), {},
     {"CSM_MAX_MEMORY_MB": "1"}),
    ("rows_at_the_limit", "enough.csv", csv(*(line(str(i)) for i in range(10))), {}, {"CSM_MAX_ROWS": "10"}),
    # layout
    ("title_line_above_the_header", "title.csv", b"Tickets exported 2026-10-31\n" + csv(line()), {}, {}),
    ("two_title_lines_and_a_blank", "titles.csv", b"Helpdesk report\nAll groups\n\n" + csv(line()), {}, {}),
    ("quoted_multi_line_cells", "multi.csv", csv('1,2026-10-01 09:00:00,phone,300,5,"line one\nline two"\n'),
     {"maps": ["team=Solved at"]}, {}),
    ("tab_separated_named_csv", "tabs.csv", csv(line()).replace(b",", b"\t"), {}, {}),
    ("header_names_differing_in_case", "case.csv", b"ID,id,Created at,Channel\n1,2,2026-10-01 09:00:00,phone\n", {},
     {}),
    ("header_of_markdown_and_formulas", "heads.csv",
     b"Ticket ID,Created at,Channel,![x](http://e.test/x.png),=cmd|' /C calc'!A0\n1,2026-10-01 09:00:00,phone,a,b\n",
     {}, {}),
    # values that would be wrong
    ("csat_with_decimals", "csat.csv", csv(line(csat="0.6"), line("2", csat="4.5"), line("3", csat="4")), {}, {}),
    ("nps_with_decimals", "nps.csv", csv(line(csat="10.4"), header=H.replace("Satisfaction Score", "NPS")), {}, {}),
    ("csat_on_ten_with_decimals", "csat10.csv", csv(line(csat="7.5"), line("2", csat="8")),
     {"units": ["csat_score=1-10"]}, {}),
    ("infinite_duration", "inf.csv", csv(line(handle="inf"), line("2", handle="-inf")), {}, {}),
    ("astronomical_duration", "huge.csv", csv(line(handle="1e308")), {}, {}),
    ("duration_in_years", "years.csv", csv(line(handle="40000000")), {}, {}),
    ("channel_holding_markdown", "md.csv", csv(line(channel="![x](http://e.test/x.png)")), {}, {}),
    ("channel_holding_a_formula", "formula.csv", csv(line(channel="=cmd|' /C calc'!A0")), {}, {}),
    # dates and times
    ("year_9999", "y9999.csv", csv(line(created="9999-12-31 09:00:00")), {}, {}),
    ("created_in_1900", "y1900.csv", csv(line(created="1900-01-01 09:00:00")), {}, {}),
    ("resolved_in_2099", "y2099.csv", csv(line(solved="2099-01-01 09:00:00")), {}, {}),
    ("placeholder_resolution", "never.csv", csv(line(solved="1900-01-01"), line("2", solved="1970-01-01 00:00:00"),
                                                line("3", solved="2026-10-01 10:00:00")), {}, {}),
    ("epoch_seconds", "epoch_s.csv", csv(line(created="1790000000"), line("2", created="1790003600")), {}, {}),
    ("epoch_milliseconds", "epoch_ms.csv", csv(line(created="1790000000000"), line("2", created="1790003600500")),
     {}, {}),
    ("excel_serial_out_of_range", "serial.csv", csv(line(created="45000.5"), line("2", created="5000000")), {}, {}),
    ("offsets_converted_to_the_operation_zone", "tz.csv",
     csv(line(created="2026-10-01T09:00:00+02:00"), line("2", created="2026-10-01T09:00:00Z"),
         line("3", created="2026-10-01 09:00:00")), {}, {"CSM_TIMEZONE": "Europe/Paris"}),
    ("impossible_offset", "tz3.csv", csv(line(created="2026-10-01T09:00:00+99:99")), {}, {}),
    ("offsets_without_colon", "tz2.csv", csv(line(created="2026-10-01T09:00:00.000+0000")), {}, {}),
    ("unknown_time_zone_setting", "tzbad.csv", csv(line()), {}, {"CSM_TIMEZONE": "Mars/Olympus"}),
    ("future_within_a_year", "soon.csv", csv(line(created=f"{date.today() + timedelta(days=60)} 09:00:00")), {}, {}),
    # JSON shapes
    ("json_array_of_arrays", "rows.json", b'[["id", "created"], [1, "2026-10-01"]]', {}, {}),
    ("json_wrapped_in_tickets", "page.json",
     b'{"tickets": [{"id": 1, "created_at": "2026-10-01T09:00:00Z", "channel": "email"}], "count": 1, '
     b'"next_page": null}', {}, {}),
    ("json_wrapped_in_results", "results.json",
     b'{"results": [{"id": 1, "created_at": "2026-10-01 09:00:00", "channel": "chat"}, '
     b'{"id": 2, "created_at": "2026-10-01 10:00:00", "channel": "chat"}]}', {}, {}),
    ("json_nested_objects", "nested.json",
     b'[{"id": 1, "created_at": "2026-10-01 09:00:00", "via": {"channel": "email"}, '
     b'"satisfaction_rating": {"score": "good"}}]', {"maps": ["channel=via.channel"]}, {}),
    ("json_empty_array", "empty.json", b"[]", {}, {}),
    ("json_wrapped_in_an_empty_list", "nothing.json", b'{"tickets": [], "count": 0}', {}, {}),
    ("ndjson_with_a_broken_line", "lines.ndjson",
     b'{"id": 1, "created_at": "2026-10-01 09:00:00", "channel": "chat"}\n{"id": 2, "created_at": \n', {}, {}),
    ("json_single_object", "one.json", b'{"id": 1, "created_at": "2026-10-01 09:00:00", "channel": "chat"}', {}, {}),
    ("json_keys_differing_in_case", "case.json",
     b'[{"id": 1, "ID": 2, "created_at": "2026-10-01 09:00:00", "channel": "chat"}]', {}, {}),
    # workbooks
    ("zip_bomb_workbook", "bomb.xlsx", lambda p: zip_bomb(p, 12), {},
     {"CSM_MAX_WORKBOOK_MB": "8"}),
    ("huge_shared_string", "strings.xlsx", lambda p: huge_string(p, 2), {}, {}),
    ("empty_first_sheet", "two.xlsx", lambda p: workbook(p, {"Notes": [], "Calls": [HEAD, ROW]}), {}, {}),
    ("every_sheet_empty", "blank.xlsx", lambda p: workbook(p, {"Calls": [], "Other": []}), {}, {}),
    ("workbook_duplicate_headers", "dupes.xlsx", lambda p: workbook(p, {"Calls": [HEAD + ["Channel"], ROW + ["x"]]}),
     {}, {}),
    ("workbook_first_row_empty", "gap.xlsx", lambda p: workbook(p, {"Calls": [["", ""], HEAD, ROW]}), {}, {}),
    ("uncalculated_formula", "formula.xlsx", lambda p: workbook(p, {"Calls": [HEAD, ROW[:3] + ["=60*5"]]}), {}, {}),
    ("formula_results_never_stored", "xlsxwriter.xlsx", _xlsxwriter_formula, {}, {}),
    ("old_xls_named_xlsx", "old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, {}, {}),
    ("truncated_workbook", "cut.xlsx", _truncated, {}, {}),
    ("old_xls_extension", "calls.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, {}, {}),
    # not files
    ("a_folder", "export.csv", _folder, {}, {}),
    ("a_named_pipe", "pipe.csv", _fifo, {}, {}),
    ("a_missing_file", "missing.csv", None, {}, {}),
]


def write_hostile(folder: Path, name: str, content) -> Path:
    """Write a case's file into ``folder`` and return its path (``None``: nothing is written)."""
    path = folder / name
    if content is None:
        return path
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        content(path)
    return path


def both_corpora():
    """Yield (case id, file name, content, options, env) of the broken-file corpus, then of this one."""
    from tests.csm.ingest.broken_files import CASES as BROKEN

    for case, name, content, options in BROKEN:
        yield f"broken-{case}", name, content, options, {}
    for case, name, content, options, env in CASES:
        yield f"hostile-{case}", name, content, options, env


def write_corpus_file(folder: Path, case_id: str, name: str, content, env: dict, monkeypatch) -> Path:
    """Set the case's settings, write its file into a fresh ``folder/in`` and return the path."""
    from tests.csm.ingest.broken_files import write_case

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    target = folder / "in"
    target.mkdir()
    return write_case(target, name, content) if case_id.startswith("broken-") else write_hostile(target, name, content)
