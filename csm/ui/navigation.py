"""The page registry: ``app.py`` builds the navigation from it and the smoke tests walk it.

Every ``url_path`` differs from its file's name on purpose. Because the app keeps its pages in
``pages/``, Streamlit 1.67 also registers each file there as a page of the old multipage
mechanism, under the file's name; when the two names are equal, a rerun can execute the page
file alone, skipping ``app.py`` and its shared sidebar filters. ``tests/test_pages.py`` guards it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """One page of the app."""

    path: str
    title: str
    icon: str
    section: str
    url_path: str
    uses_filters: bool = True  # shows the shared sidebar filters


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "Overview", "📊", "Team performance", "home"),
    PageSpec("pages/volume.py", "Volume and queues", "📈", "Team performance", "volumes"),
    PageSpec("pages/staffing.py", "Staffing", "🧮", "Team performance", "staffing-plan"),
    PageSpec("pages/agents.py", "Agents", "👥", "Team performance", "agent-scorecard"),
    PageSpec("pages/topics.py", "Customer topics", "💬", "Team performance", "customer-topics"),
    PageSpec("pages/budget.py", "Budget and headcount", "💰", "Team performance", "budget-headcount"),
    PageSpec("pages/review.py", "Business review", "📋", "Team performance", "business-review"),
    PageSpec("pages/kpi_definitions.py", "KPI definitions", "📖", "Reference", "kpi-definitions"),
    PageSpec("pages/data.py", "Data", "🗂️", "Reference", "import", uses_filters=False),
)
