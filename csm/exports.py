"""Every file the pages offer for download, built from the pages' views: one place, all inert.

Pages call these instead of assembling workbooks themselves, so a test can check every export
(``tests/csm/test_exports.py``) for formulas and scripts: text from the data is written as text
(``csm.inert``).
"""

from __future__ import annotations

import polars as pl

from csm.agents import Scorecard
from csm.budget import BudgetView
from csm.formatting import to_excel
from csm.inert import to_csv
from csm.topics import TopicsView

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def agents_csv(card: Scorecard) -> str:
    """Return the agent scorecard as CSV."""
    return to_csv(card.table)


def agents_xlsx(card: Scorecard) -> bytes:
    """Return the agent scorecard and the teams side by side as an Excel workbook."""
    return to_excel({"Agents": card.table, "Teams": card.teams})


def topics_csv(view: TopicsView) -> str:
    """Return the topic ranking as CSV."""
    return to_csv(view.ranking)


def topics_xlsx(view: TopicsView) -> bytes:
    """Return the topic ranking, the emerging topics and topics by channel as an Excel workbook."""
    return to_excel({"Topics": view.ranking, "Emerging": view.emerging, "By channel": view.by_channel})


def budget_csv(view: BudgetView) -> str:
    """Return spend against plan by month as CSV."""
    return to_csv(view.by_month)


def budget_xlsx(view: BudgetView) -> bytes:
    """Return the Budget page's tables as an Excel workbook, one sheet each."""
    return to_excel({"Year": view.year.table, "Spend by month": view.by_month, "Headcount": view.headcount,
                     "Headcount summary": view.headcount_summary, "Unit costs": view.unit_costs,
                     "By channel": view.by_channel, "Weeks": view.weeks})


def frame_csv(frame: pl.DataFrame) -> str:
    """Return any listed frame (a drill's contacts, a forecast) as CSV."""
    return to_csv(frame)
