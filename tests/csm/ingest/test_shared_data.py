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
def test_call_center_workbook_is_recognised_as_a_call_log_and_gives_the_numbers_of_the_file(con):
    result = import_file(con, CALLS)  # no options: the call-log preset maps it
    assert result.mapping.preset == "call_log"
    assert result.errors == [] and result.rows_written == 5000
    raw = pl.read_excel(CALLS, engine="calamine", infer_schema_length=0)
    answered = raw.filter(pl.col("Answered (Y/N)") == "Y")
    rated = answered.filter(pl.col("Satisfaction rating").is_not_null())
    wait = answered["Speed of answer in seconds"].cast(pl.Float64)
    expected = {
        "contacts": raw.height,
        "answer_rate": answered.height / raw.height,
        "asa_s": wait.mean(),
        "frt_median_s": wait.median(),
        "aht_s": answered.select(_seconds(pl.col("AvgTalkDuration"))).to_series().mean(),
        "csat_avg": rated["Satisfaction rating"].cast(pl.Float64).mean(),
        "csat": (rated["Satisfaction rating"].cast(pl.Int64) >= 4).mean(),
        "fcr_rate": (answered["Resolved"] == "Y").mean(),
        "resolved": answered.height,
        "backlog": 0,  # every answered call ends; abandoned calls are never backlog
    }
    got = compute_kpis(con, windows=ALL_TIME, keys=tuple(expected)).row(0, named=True)
    assert {k: got[k] for k in expected} == pytest.approx(expected)
    first = con.execute("SELECT created_at, resolved_at FROM tickets WHERE ticket_id = 'ID0001'").fetchone()
    # 09:12:58 + 109 s to answer + 2:23 of talk
    assert [str(t) for t in first] == ["2021-01-01 09:12:58", "2021-01-01 09:17:10"]


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


@pytest.mark.skipif(not TICKETS.is_file(), reason="../shared/data is not present")
def test_ticket_export_imports_from_its_first_response_dropping_what_cannot_be_true(con):
    # The export has no creation time; its first response is the earliest time a ticket is known to exist.
    result = import_file(con, TICKETS, maps=["created_at=First Response Time", "first_response_at=",
                                             "resolved_at=Time to Resolution"], drop_invalid=True)
    raw = pl.read_csv(TICKETS, infer_schema_length=0)
    stamp = "%Y-%m-%d %H:%M:%S"
    created = pl.col("First Response Time").str.strptime(pl.Datetime, stamp)
    resolved = pl.col("Time to Resolution").str.strptime(pl.Datetime, stamp)
    kept = raw.filter(created.is_not_null() & (resolved.is_null() | (resolved >= created)))
    rated = kept["Customer Satisfaction Rating"].cast(pl.Float64).drop_nulls()
    assert {(f.rule, f.column, f.count) for f in result.errors} == {
        ("missing_value", "created_at", raw.filter(created.is_null()).height),
        ("resolved_before_created", "resolved_at", raw.filter(resolved < created).height),
    }
    assert (result.rows_written, result.rows_dropped) == (kept.height, raw.height - kept.height) == (4285, 4184)
    expected = {
        "contacts": kept.height,
        "resolved": kept.filter(resolved.is_not_null()).height,
        "csat": (rated >= 4).mean(),
        "csat_avg": rated.mean(),
        "resolution_median_s": kept.select((resolved - created).dt.total_seconds()).to_series().median(),
    }
    got = compute_kpis(con, windows=ALL_TIME, keys=tuple(expected)).row(0, named=True)
    assert {k: got[k] for k in expected} == pytest.approx(expected)
    channels = dict(con.execute("SELECT channel, count(*) FROM tickets GROUP BY 1").fetchall())
    assert channels == {"phone": kept.filter(pl.col("Ticket Channel") == "Phone").height,
                        "social": kept.filter(pl.col("Ticket Channel") == "Social media").height,
                        "chat": kept.filter(pl.col("Ticket Channel") == "Chat").height,
                        "email": kept.filter(pl.col("Ticket Channel") == "Email").height}
