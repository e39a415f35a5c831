"""The page registry: ``app.py`` builds the navigation from it and the smoke tests walk it."""

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


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/overview.py", "Overview", "📊", "Team performance", "overview"),
    PageSpec("pages/kpi_definitions.py", "KPI definitions", "📖", "Reference", "kpi-definitions"),
)
