"""No export holds a formula, a script or live Markdown, whatever the names in the data.

Two layers: a property test over hypothesis-made names on the writers (``csm.inert`` and
``csm.formatting.to_excel``), and every download the app and the CLI offer, made from the demo
data with hostile team, topic and agent names (``hostile_db``).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date

import openpyxl
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csm import exports
from csm.budget import compute_budget_view
from csm.compile import Filters
from csm.db import connect
from csm.formatting import to_excel
from csm.inert import FORMULA_STARTS, inert_chart_data, printable, to_csv
from csm.metrics import load_targets
from csm.one_on_one import compute_agent_detail, render_one_on_one
from csm.report import build_pack, export_pack
from csm.review import compute_review, parse_period
from csm.topics import compute_topics_view
from tests.hostile import IMAGE, RENAMED, SCRIPT

NAMES = st.lists(st.one_of(
    st.sampled_from(["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x", "=cmd|' /C calc'!A0",
                     '=HYPERLINK("http://e.test","x")', "![i](http://e.test/p.png)", "<script>alert(1)</script>"]),
    st.text(min_size=1, max_size=30),
), min_size=1, max_size=8)


def formula_cells(book: bytes) -> list[str]:
    """Return every cell of an xlsx workbook stored as a formula."""
    workbook = openpyxl.load_workbook(io.BytesIO(book))
    return [f"{ws.title}!{cell.coordinate}" for ws in workbook.worksheets for row in ws.iter_rows() for cell in row
            if cell.data_type == "f"]


NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def live_csv_fields(text: str) -> list[str]:
    """Return the CSV fields a spreadsheet would run as a formula (a signed number is just a number)."""
    return [f for row in csv.reader(io.StringIO(text)) for f in row
            if f.startswith(FORMULA_STARTS) and not NUMBER.match(f)]


def pptx_workbooks(deck: bytes) -> list[bytes]:
    """Return the workbooks embedded in a PowerPoint deck's charts."""
    with zipfile.ZipFile(io.BytesIO(deck)) as archive:
        return [archive.read(n) for n in archive.namelist() if n.startswith("ppt/embeddings/") and n.endswith(".xlsx")]


@settings(max_examples=60, deadline=None)
@given(NAMES)
def test_no_workbook_or_csv_of_any_names_holds_a_formula(names):
    frame = pl.DataFrame({"team": names, "contacts": list(range(len(names)))})
    assert formula_cells(to_excel({"Teams": frame, "Pivot": frame.pivot(on="team", values="contacts",
                                                                         aggregate_function="sum")})) == []
    assert live_csv_fields(to_csv(frame)) == []
    assert live_csv_fields(to_csv(frame.pivot(on="team", values="contacts", aggregate_function="sum"))) == []


@settings(max_examples=25, deadline=None)
@given(NAMES)
def test_no_powerpoint_chart_of_any_names_holds_a_formula(names):
    from pptx import Presentation
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    names = [printable(n) for n in names]  # what render_pptx passes: XML cannot hold control characters
    deck = Presentation()
    data = inert_chart_data()
    data.categories = names
    data.add_series(names[0], list(range(len(names))))
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.add_chart(XL_CHART_TYPE.BAR_STACKED, Inches(1), Inches(1), Inches(4), Inches(3), data)
    out = io.BytesIO()
    deck.save(out)
    books = pptx_workbooks(out.getvalue())
    assert books and all(formula_cells(b) == [] for b in books)


def test_csv_keeps_numbers_and_marks_only_text():
    frame = pl.DataFrame({"team": ["=1+1", "Billing", "-x"], "change": [-2.5, 1.0, None]})
    assert to_csv(frame) == "team,change\n'=1+1,-2.5\nBilling,1.0\n'-x,\n"


@pytest.fixture(scope="module")
def hostile(hostile_db):
    con = connect(hostile_db, read_only=True)
    yield con
    con.close()


def test_every_download_of_the_pages_is_inert(hostile):
    start, end = date(2026, 8, 1), date(2026, 10, 31)
    from csm.agents import compute_agents_view

    card = compute_agents_view(hostile, start=start, end=end)
    topics = compute_topics_view(hostile, start=date(2026, 5, 1), end=end)
    budget = compute_budget_view(hostile, start=start, end=end, targets=load_targets(hostile, on=end))
    assert set(RENAMED.values()) & set(card.table["team"]) and FORMULA_IN(topics.ranking["category"])
    for book in (exports.agents_xlsx(card), exports.topics_xlsx(topics), exports.budget_xlsx(budget)):
        assert formula_cells(book) == []
    for text in (exports.agents_csv(card), exports.topics_csv(topics), exports.budget_csv(budget)):
        assert live_csv_fields(text) == []


def FORMULA_IN(values) -> bool:  # noqa: N802 - reads as a predicate in the assertion
    return any(v.startswith("=") for v in values if v)


def test_the_one_on_one_summary_escapes_every_name(hostile):
    start, end = date(2026, 8, 1), date(2026, 10, 31)
    from csm.agents import compute_agents_view

    card = compute_agents_view(hostile, start=start, end=end)
    agent = card.table.filter(pl.col("team") == IMAGE)["agent_id"][0]
    detail = compute_agent_detail(hostile, agent_id=agent, start=start, end=end)
    page = render_one_on_one(detail, name="<script>alert(1)</script>", start=start, end=end,
                             scorecard=card.cells.filter(agent_id=agent))
    assert "<script>" not in page and "<img" not in page


@pytest.mark.parametrize("fmt", ["xlsx", "pptx", "html"])
def test_the_business_review_pack_is_inert(hostile, fmt):
    review = compute_review(hostile, period=parse_period("2026-07"), filters=Filters())
    data, _ = export_pack(build_pack(review), fmt)
    if fmt == "xlsx":
        assert formula_cells(data) == []
    elif fmt == "pptx":
        books = pptx_workbooks(data)
        assert books and all(formula_cells(b) == [] for b in books)
    else:
        text = data.decode("utf-8")
        assert SCRIPT not in text and "<img src=x" not in text
