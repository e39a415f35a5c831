"""The broken-file corpus: files an analyst could plausibly upload, each wrong in one way.

The files are written by ``write_case`` from the bytes below (workbooks with xlsxwriter), so the
project holds no binary fixtures. ``tests/csm/ingest/test_broken_files.py`` asserts the exact
message of each and that the database is unchanged.
"""

from __future__ import annotations

import codecs
from pathlib import Path

HEADER = "Ticket ID,Created at,Channel,Handle time,Satisfaction Score,Solved at,First reply at,Answered\n"
GOOD = "1,2026-10-01 09:00:00,phone,300,5,2026-10-01 10:00:00,2026-10-01 09:01:00,yes\n"


def row(**over):
    cells = dict(zip(["id", "created", "channel", "handle", "csat", "solved", "reply", "answered"],
                     GOOD.strip().split(","), strict=True))
    cells.update(over)
    return ",".join(cells.values()) + "\n"


CASES = [
    ("empty_file", "empty.csv", b"", {}),
    ("header_only", "header_only.csv", HEADER.encode(), {}),
    ("whitespace_only", "blank.csv", b"\n\n   \n", {}),
    ("binary_named_csv", "export.csv", bytes(range(256)) * 8, {}),
    ("zip_named_csv", "archive.csv", b"PK\x03\x04" + b"\x00" * 200, {}),
    ("ragged_rows", "ragged.csv", (HEADER + GOOD + "2,2026-10-01 10:00:00,chat\n" + row(id="3") + "4,a,b,c,d,e,f,g,h,i\n").encode(), {}),
    ("unclosed_quote", "quote.csv", (HEADER + GOOD + '2,"2026-10-01 10:00:00,chat,300,5,,,yes\n' + row(id="3")).encode(), {}),
    ("duplicate_headers", "dupes.csv", b"id,created,id\n1,2026-10-01,2\n", {}),
    ("empty_first_row", "no_header.csv", b",,,\n1,2026-10-01,phone,3\n", {}),
    ("unsupported_kind", "report.pdf", b"%PDF-1.4\n", {}),
    ("broken_workbook", "calls.xlsx", b"this is not a workbook", {}),
    ("broken_json", "tickets.json", b'[{"id": 1, "created": ', {}),
    ("broken_parquet", "tickets.parquet", b"PAR1 but not really", {}),
    ("no_required_columns", "people.csv", b"Name,Email\nAnn,a@x.com\n", {}),
    ("no_creation_column", "no_created.csv", b"Ticket ID,Channel\n1,phone\n", {}),
    ("unreadable_dates", "dates.csv", (HEADER + row(created="yesterday") + row(id="2")).encode(), {}),
    ("mixed_date_styles", "mixed.csv", (HEADER + row() + row(id="2", created="13/10/2026 09:00")).encode(), {}),
    ("unknown_channel", "channel.csv", (HEADER + row(channel="carrier pigeon") + row(id="2", channel="fax")).encode(), {}),
    ("negative_duration", "negative.csv", (HEADER + row(handle="-30")).encode(), {}),
    ("unreadable_duration", "duration.csv", (HEADER + row(handle="five minutes") + row(id="2") + row(id="3")).encode(), {}),
    ("csat_off_scale", "csat.csv", (HEADER + row(csat="7") + row(id="2", csat="0")).encode(), {}),
    ("resolved_before_created", "resolved.csv", (HEADER + row(solved="2026-10-01 08:00:00")).encode(), {}),
    ("replied_before_created", "replied.csv", (HEADER + row(reply="2026-09-30 23:59:00")).encode(), {}),
    ("empty_ticket_id", "ids.csv", (HEADER + row(id="") + row(id="N/A")).encode(), {}),
    ("unreadable_yes_no", "answered.csv", (HEADER + row(answered="maybe") + row(id="2") + row(id="3")).encode(), {}),
    ("ambiguous_dates", "ambiguous.csv", (HEADER + row(created="03/04/2026 09:00", solved="", reply="")).encode(), {}),
    ("unknown_field_in_map", "good.csv", (HEADER + GOOD).encode(), {"maps": ["tickt_id=Ticket ID"]}),
    ("map_to_missing_header", "good.csv", (HEADER + GOOD).encode(), {"maps": ["team=Group"]}),
    ("unit_that_does_not_fit", "good.csv", (HEADER + GOOD).encode(), {"units": ["channel=minutes"]}),
    ("utf16_ragged", "utf16.csv", codecs.BOM_UTF16_LE + (HEADER + GOOD + "2,x\n").encode("utf-16-le"), {}),
    ("semicolon_file_with_comma_decimal_csat", "semi.csv",
     (b"Ticket ID;Created at;Channel;Satisfaction Score\n1;2026-10-01 09:00;phone;4,5\n2;2026-10-01 09:00;phone;4\n"
      b"3;2026-10-01 09:00;phone;5\n"), {}),
 ("header_only_workbook", "calls.xlsx", None, {}),
    ("wrong_sheet", "calls.xlsx", None, {"sheet": "Calls 2026"}),
    ("empty_workbook_file", "empty.xlsx", b"", {}),
    ("json_of_scalars", "values.json", b"[1, 2, 3]", {}),
    ("saved_mapping_of_another_file", "good.csv", (HEADER + GOOD).encode(), {"saved": "OTHER"}),
]


def write_case(folder: Path, name: str, content: bytes | None) -> Path:
    """Write a case's file into ``folder``; ``None`` content is a workbook with a header row only."""
    path = folder / name
    if content is not None:
        path.write_bytes(content)
        return path
    import xlsxwriter

    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Calls")
    for col, header in enumerate(HEADER.strip().split(",")):
        sheet.write(0, col, header)
    book.close()
    return path
