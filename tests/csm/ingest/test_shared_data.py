"""Imports of the public real-world exports in ../shared/data; skipped when the folder is absent.

Expected values are computed here independently of the importer, straight from the files.
"""

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from csm.compile import Window
from csm.ingest.load import import_file
from csm.ingest.readers import stage_file
from csm.metrics import compute_kpis

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"
CALLS = SHARED / "pwc_call_center" / "call_center.xlsx"
TICKETS = SHARED / "kaggle_customer_support_tickets" / "customer_support_tickets.csv"
ALL_TIME = (Window("current", date(2000, 1, 1), date(2030, 12, 31)),)


def _seconds(cell: pl.Expr) -> pl.Expr:
    """A time cell read as text, '1899-12-31 00:02:23', to seconds."""
    hms = cell.str.extract(r"(\d{1,2}:\d{2}:\d{2})$").str.split(":")
    return hms.list.get(0).cast(pl.Int64) * 3600 + hms.list.get(1).cast(pl.Int64) * 60 + hms.list.get(2).cast(pl.Int64)


@pytest.mark.skipif(not CALLS.is_file(), reason="../shared/data is not present")
def test_call_center_workbook_gives_the_numbers_of_the_file(con):
    result = import_file(con, CALLS, maps=["created_at=Date", "resolved_at=", "is_fcr=Resolved"],
                         times=["created_at=Time"], sets=["channel=phone"])
    assert result.errors == [] and result.rows_written == 5000
    raw = pl.read_excel(CALLS, engine="calamine", infer_schema_length=0)
    answered = raw.filter(pl.col("Answered (Y/N)") == "Y")
    rated = answered.filter(pl.col("Satisfaction rating").is_not_null())
    expected = {
        "contacts": raw.height,
        "answer_rate": answered.height / raw.height,
        "asa_s": answered["Speed of answer in seconds"].cast(pl.Float64).mean(),
        "aht_s": answered.select(_seconds(pl.col("AvgTalkDuration"))).to_series().mean(),
        "csat_avg": rated["Satisfaction rating"].cast(pl.Float64).mean(),
        "csat": (rated["Satisfaction rating"].cast(pl.Int64) >= 4).mean(),
    }
    got = compute_kpis(con, windows=ALL_TIME, keys=tuple(expected)).row(0, named=True)
    assert {k: got[k] for k in expected} == pytest.approx(expected)
    first = con.execute("SELECT created_at FROM tickets WHERE ticket_id = 'ID0001'").fetchone()[0]
    assert str(first) == "2021-01-01 09:12:58"


@pytest.mark.skipif(not TICKETS.is_file(), reason="../shared/data is not present")
def test_ticket_export_with_multiline_text_is_read_row_for_row(con):
    staged = stage_file(con, TICKETS)
    assert (staged.rows, len(staged.columns)) == (8469, 17)
    assert con.execute("SELECT \"Ticket ID\" FROM _staged WHERE rowid = 8468").fetchone() == ("8469",)


@pytest.mark.skipif(not TICKETS.is_file(), reason="../shared/data is not present")
def test_ticket_export_without_a_creation_time_is_refused_with_a_way_out(con):
    result = import_file(con, TICKETS)
    assert [(f.rule, f.column) for f in result.errors] == [("missing_column", "created_at")]
    assert result.rows_written == 0
    assert con.execute("SELECT count(*) FROM tickets").fetchone()[0] == 0
