"""Names from the data never render as Markdown or HTML on any page, nor run as formulas in any export.

The demo's teams, topics and agent names are renamed to what a hostile or careless export could
hold: a Markdown image that would call out to a server, a link, emphasis, LaTeX, Streamlit's colour
directive, raw HTML and spreadsheet formulas. Every page (and the drills that put names in a
caption) must show them as typed.
"""

from __future__ import annotations

from datetime import date

import pytest
import streamlit as st

from csm.ui.navigation import PAGES
from tests.apptest import open_page, shown
from tests.hostile import FORMULA, IMAGE

# The payloads as they would render: unescaped. Escaped, they read "\\!\\[i\\]\\(..." and show as typed.
LIVE = ("![i](", "![c](", "[link](", "**bold**", ":red[r]", "$x^2$", "<img")


@pytest.fixture
def hostile_app(hostile_db, tmp_path, monkeypatch):
    monkeypatch.setenv("CSM_DB_PATH", str(hostile_db))
    monkeypatch.setenv("CSM_UPLOADS_DIR", str(tmp_path / "uploads"))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield hostile_db
    st.cache_resource.clear()
    st.cache_data.clear()


def rendered_texts(at) -> list[str]:
    """Return every text of the page that Streamlit renders as Markdown."""
    texts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "subheader", "header", "title"):
        texts += [e.value for e in getattr(at, kind)]
    texts += [m.label for m in at.metric]
    texts += [b.label for b in at.button] + [e.label for e in at.expander] + [t.label for t in at.tabs]
    for radio in at.radio:
        texts += [radio.label, *map(str, radio.options)]
    return texts


def assert_inert(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    live = [t for t in rendered_texts(at) if any(payload in t for payload in LIVE)]
    assert not live, live


@pytest.mark.parametrize("spec", PAGES, ids=lambda p: p.title)
def test_no_page_renders_a_name_from_the_data_as_markdown(hostile_app, spec):
    at = open_page(spec.path, period="last_quarter")
    assert_inert(at)


def test_the_agents_page_for_a_hostile_team_renders_nothing(hostile_app):
    at = open_page("pages/agents.py", period="last_90_days", team=IMAGE)
    assert_inert(at)
    at.selectbox(key="agents__one").set_value("A004").run()
    assert_inert(at)


def test_the_review_of_a_hostile_team_renders_nothing(hostile_app):
    at = open_page("pages/review.py", team=IMAGE)
    assert_inert(at)


def test_the_budget_of_a_hostile_team_renders_nothing(hostile_app):
    at = open_page("pages/budget.py", period="this_year", team=IMAGE)
    assert_inert(at)


def test_a_drill_caption_shows_a_hostile_topic_as_typed(hostile_app):
    at = open_page("pages/topics.py", period="last_quarter")
    at.button(key="topics__emerging_0").click().run()
    assert_inert(at)
    caption = next(c.value for c in at.caption if "under the current filters" in c.value)
    assert shown(caption) == ("Created 01 Jul – 31 Jul 2026, topic " + FORMULA
                              + ": 1,269 contacts under the current filters.")


def test_a_drill_of_a_hostile_team_row_renders_nothing(hostile_app):
    import polars as pl

    from csm.drill import drill_row

    at = open_page("pages/agents.py", period="last_90_days")
    shown = pl.from_pandas(at.dataframe[0].value)
    row = next(i for i, team in enumerate(shown["Team"]) if team == IMAGE)
    start, end = date(2026, 8, 3), date(2026, 10, 31)
    drill = drill_row(shown, row, dims={"Team": "team", "ID": "agent_id"}, shown={"agent_id": "Agent"},
                      start=start, end=end)
    at.session_state["agents__drill"] = (drill, (start, end))
    at.run()
    assert_inert(at)
