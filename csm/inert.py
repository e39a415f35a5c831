"""Exports that never execute: every spreadsheet cell and CSV field we write is data, not a formula.

Team, agent, topic and channel names come from imported files. A name such as ``=HYPERLINK(...)``
or ``=cmd|' /C calc'!A0`` would run as a formula when a director opens an export in Excel
(CSV injection, OWASP). So:

- **Excel** (every workbook: ``csm.formatting.to_excel`` and the workbooks inside PowerPoint
  charts) is written with XlsxWriter's ``strings_to_formulas`` and ``strings_to_urls`` off: a text
  cell is stored as a string and shows exactly as typed.
- **CSV** cannot mark a cell as text, so a text field (or header) that begins with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, as OWASP recommends;
  spreadsheets show the apostrophe, which tells the reader the value was neutralised. Numbers are
  left alone (``-5`` in a number column is a number, not text).
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Options for every xlsxwriter.Workbook we create: text is text, never a formula or a link.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


def neutralise_cell(text: str) -> str:
    """Return ``text`` safe for a CSV field: a leading apostrophe when it could start a formula.

    Examples:
        >>> neutralise_cell("=HYPERLINK(1)"), neutralise_cell("Billing"), neutralise_cell("-2")
        ("'=HYPERLINK(1)", 'Billing', "'-2")
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def inert_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with every text value and column name neutralised for CSV (``neutralise_cell``).

    Examples:
        >>> inert_frame(pl.DataFrame({"team": ["=1+1", "A"], "n": [-1, 2]})).rows()
        [("'=1+1", -1), ('A', 2)]
    """
    pattern = "^[" + re.escape("".join(FORMULA_STARTS)) + "]"
    text = [c for c, t in frame.schema.items() if t == pl.String or t == pl.Categorical or t == pl.Enum]
    out = frame.with_columns(
        pl.when(pl.col(c).cast(pl.String).str.contains(pattern))
        .then(pl.lit("'") + pl.col(c).cast(pl.String))
        .otherwise(pl.col(c).cast(pl.String))
        .alias(c)
        for c in text
    )
    return out.rename({c: neutralise_cell(c) for c in out.columns if neutralise_cell(c) != c})


_CONTROL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]"


def printable(text: str) -> str:
    r"""Return ``text`` with control characters shown as U+FFFD, for XML-based files (xlsx, pptx).

    Examples:
        >>> printable("Bill\x00ing")
        'Bill�ing'
    """
    return re.sub(_CONTROL, "\ufffd", text)


def printable_frame(frame: pl.DataFrame) -> pl.DataFrame:
    r"""Return ``frame`` with control characters in text and column names shown as U+FFFD.

    XML 1.0 (inside every xlsx) cannot hold them: a workbook with one would not open. The importer
    refuses them in the data (``csm.ingest.validate``); this keeps any export valid regardless.

    Examples:
        >>> printable_frame(pl.DataFrame({"a\x1f": ["x\x00y"]})).rows(named=True)
        [{'a�': 'x�y'}]
    """
    text = [c for c, t in frame.schema.items() if t == pl.String]
    out = frame.with_columns(pl.col(c).str.replace_all(_CONTROL, "\ufffd") for c in text)
    return out.rename({c: re.sub(_CONTROL, "\ufffd", c) for c in out.columns if re.search(_CONTROL, c)})


def to_csv(frame: pl.DataFrame) -> str:
    """Return ``frame`` as CSV text in which no field can run as a formula.

    Examples:
        >>> print(to_csv(pl.DataFrame({"agent": ["@SUM(A1)", "Ann"]})), end="")
        agent
        '@SUM(A1)
        Ann
    """
    return inert_frame(frame).write_csv()


def inert_chart_data():
    """Return an empty python-pptx ``CategoryChartData`` whose embedded workbook holds no formula.

    python-pptx writes a chart's data into a workbook inside the deck (what "Edit data" opens in
    PowerPoint) with XlsxWriter's defaults, under which a category named ``=...`` is a formula.
    """
    from pptx.chart.data import CategoryChartData
    from pptx.chart.xlsx import CategoryWorkbookWriter
    from xlsxwriter import Workbook

    class _InertWriter(CategoryWorkbookWriter):
        @contextmanager
        def _open_worksheet(self, xlsx_file):
            workbook = Workbook(xlsx_file, {"in_memory": True, **WORKBOOK_OPTIONS})
            worksheet = workbook.add_worksheet()
            yield workbook, worksheet
            workbook.close()

    class _InertChartData(CategoryChartData):
        @property
        def _workbook_writer(self):
            writer = self.__dict__.get("_inert_writer")
            if writer is None:
                writer = self.__dict__["_inert_writer"] = _InertWriter(self)
            return writer

    return _InertChartData()
