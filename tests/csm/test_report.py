"""The review pack in every format, checked for its structure; user-supplied text stays text."""

import io
import re
import shutil
import zipfile

import polars as pl
import pytest

from csm import report
from csm.cli import main
from csm.compile import Filters
from csm.db import connect
from csm.report import FORMATS, Pack, Why, build_pack, export_pack, render_html
from csm.review import compute_review, parse_period, save_notes

EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def july(demo_con):
    return build_pack(compute_review(demo_con, period=parse_period("2026-07")))


@pytest.fixture
def evil_pack(july):
    why = july.whys[0]
    parts = why.parts.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(EVIL))
                                   .otherwise(pl.col("segment")).alias("segment"))
    return Pack(title=july.title, subtitle=f"{EVIL}; compared", narrative=[f"**{EVIL}** fell.", *july.narrative],
                notes=f"Hire two.\n{EVIL}", kpis=july.kpis.with_columns(pl.lit(EVIL).alias("KPI")),
                kpis_raw=july.kpis_raw, whys=[Why(why.key, why.label, why.dimension, parts), *july.whys[1:]])


def sheets(data: bytes) -> dict[str, int]:
    """Return each worksheet's name and its number of rows (header included)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = re.findall(r'<sheet name="([^"]+)"', book.read("xl/workbook.xml").decode())
        return {name: book.read(f"xl/worksheets/sheet{i}.xml").decode().count("<row ")
                for i, name in enumerate(names, start=1)}


def test_the_pack_holds_the_planted_story(july):
    assert july.title == "Business review: July 2026"
    assert [w.label for w in july.whys][:1] and any(w.key == "csat" and w.dimension == "category" for w in july.whys)
    assert list(july.kpis.columns) == ["KPI", "Actual", "Target", "Status", "June 2026", "Change", "July 2025",
                                       "Change on last year"]


def test_html_has_every_section_and_one_copy_of_plotly(july):
    page = export_pack(july, "html")[0].decode()
    assert page.startswith("<!DOCTYPE html>") and "<h2>Summary</h2>" in page and "<h2>KPIs</h2>" in page
    assert july.queue_drivers is not None  # service level moved in July: its Erlang C split has a section
    assert july.people is not None  # the headcount table has the month: hires and leavers
    assert page.count("<section>") == 4 + len(july.whys)
    assert [f"<h2>Why {w.label} moved</h2>" in page for w in july.whys] == [True] * len(july.whys)
    assert page.count("Plotly.newPlot(") == len(july.whys)
    assert page.count("window.PlotlyConfig") == 1  # the library is inlined once: the page opens offline
    assert not re.search(r"<script[^>]+src=", page)  # nothing fetched from the network
    assert page.count("<tr>") == (1 + july.kpis.height + sum(1 + w.parts.height for w in july.whys)
                                  + 1 + july.queue_drivers.height + 1 + july.people.height)


def test_html_escapes_everything_from_the_data_and_the_manager(evil_pack):
    page = render_html(evil_pack)
    assert EVIL not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5  # subtitle, narrative, notes, KPI table, segment
    assert "Hire two.\n&lt;script&gt;" in page


def test_excel_sheets_and_row_counts(july):
    got = sheets(export_pack(july, "xlsx")[0])
    assert list(got)[:3] == ["Summary", "Notes", "KPIs"]
    assert got["Summary"] == len(july.narrative) + 1 and got["KPIs"] == july.kpis_raw.height + 1
    for why in july.whys:
        assert got[f"Why {why.key}"] == why.parts.height + 1
    assert got["Service level drivers"] == 7  # header, three factors, modelled, not explained, actual
    assert got["People"] == july.people.height + 1


def test_powerpoint_has_a_slide_per_section_with_native_charts(july):
    from pptx import Presentation

    deck = Presentation(io.BytesIO(export_pack(july, "pptx")[0]))
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles[:3] == ["Business review: July 2026", "Summary", "KPIs"]
    assert len(deck.slides) == 5 + len(july.whys)  # then service level's volume, handle time and staffing; people
    assert deck.slides[-2].shapes.title.text.startswith("Service level: volume, handle time and staffing")
    assert deck.slides[-1].shapes.title.text == "People: hires and leavers"
    for slide, why in zip(list(deck.slides)[3:-2], july.whys, strict=True):
        assert slide.shapes.title.text.startswith(f"Why {why.label} moved")
        assert sum(shape.has_chart for shape in slide.shapes) == 1
    kpis = next(s for s in deck.slides[2].shapes if s.has_table).table
    assert len(kpis.rows) == july.kpis.height + 1


def test_pdf_without_chromium_keeps_the_text_and_tables_and_says_what_is_left_out(july, monkeypatch):
    monkeypatch.setattr(report, "find_chromium", lambda: None)
    data, left_out = export_pack(july, "pdf")
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    assert left_out == [f"the chart of why {w.label} moved" for w in july.whys]
    assert b"(Business review: July 2026)" in data  # PDF text is uncompressed here; parentheses inside are escaped
    assert b"Left out \\(no Chromium on this machine" in data


def test_pdf_with_chromium_has_the_charts(july):
    if report.find_chromium() is None:
        pytest.skip("no Chromium on this machine")
    data, left_out = export_pack(july, "pdf")
    assert data.startswith(b"%PDF") and left_out == []
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page\r") + len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 2


def test_an_unknown_format_is_refused(july):
    with pytest.raises(ValueError, match="format must be one of html, pdf, pptx, xlsx"):
        export_pack(july, "docx")
    assert FORMATS == ("html", "pdf", "pptx", "xlsx")


@pytest.fixture
def demo_file(demo_db_source, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_source, path)
    con = connect(path)
    save_notes(con, period=parse_period("2025-12"), filters=Filters(),
               notes="Backfill the seven leavers.")
    con.close()
    return path


def test_the_command_line_writes_each_format(demo_file, tmp_path, capsys):
    for fmt in ("html", "xlsx", "pptx"):
        out = tmp_path / f"review.{fmt}"
        assert main(["report", "--db", str(demo_file), "--period", "2025-12", "--format", fmt, "--out", str(out)]) == 0
        assert out.stat().st_size > 1000
    assert "Backfill the seven leavers." in (tmp_path / "review.html").read_text(encoding="utf-8")
    assert "wrote" in capsys.readouterr().out
    quarter = tmp_path / "q.html"
    assert main(["report", "--db", str(demo_file), "--period", "2026-Q3", "--format", "html", "--out", str(quarter),
                 "--team", "Billing"]) == 0
    assert "Business review: Q3 2026" in quarter.read_text(encoding="utf-8")
    assert main(["report", "--db", str(demo_file), "--period", "2031-01", "--format", "html", "--out",
                 str(tmp_path / "x.html")]) == 1
    assert main(["report", "--db", str(demo_file), "--period", "2026-13", "--format", "html", "--out",
                 str(tmp_path / "x.html")]) == 2
    assert "not a month like 2026-10" in capsys.readouterr().err
