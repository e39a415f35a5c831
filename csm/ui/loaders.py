"""Cached loaders: the only place that holds ``st.cache_*``. Arguments are plain values."""

from __future__ import annotations

from datetime import date

import duckdb
import streamlit as st

from csm import metrics
from csm.db import connect, create_schema
from csm.demo import build_demo_database
from csm.kpis import Filters
from csm.settings import load_settings

SETTINGS = load_settings()
TTL = int(SETTINGS["cache_ttl_s"])


def has_tickets(con: duckdb.DuckDBPyConnection) -> bool:
    """Return True when the database holds a ``tickets`` table."""
    tables = {r[0] for r in con.cursor().execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    return "tickets" in tables


@st.cache_resource(show_spinner="Opening the database (the first run builds the demo data, ~15 s)…")
def get_connection() -> duckdb.DuckDBPyConnection:
    """Return the process-wide connection; build the demo database if the file has no data."""
    con = connect(SETTINGS["db_path"], threads=int(SETTINGS["duckdb_threads"]))
    if not has_tickets(con):
        create_schema(con)
        build_demo_database(con, seed=int(SETTINGS["demo_seed"]))
    return con


@st.cache_data(ttl=TTL, show_spinner=False)
def load_data_range() -> tuple[date | None, date | None, int]:
    """Return the first and last day with data and the number of contacts."""
    return metrics.load_data_range(get_connection())


@st.cache_data(ttl=TTL, show_spinner=False)
def load_filter_options() -> dict[str, dict[str, str]]:
    """Return the values on offer per filter dimension, with display labels."""
    return metrics.load_filter_options(get_connection())


@st.cache_data(ttl=TTL, show_spinner="Computing KPIs…")
def load_overview(start: date, end: date, comparison: str, filters: Filters) -> metrics.Overview:
    """Return the Overview page's data for the selection."""
    return metrics.compute_overview(
        get_connection(), start=start, end=end, comparison=comparison, filters=filters, settings=SETTINGS
    )


def clear_caches() -> None:
    """Forget every cached query result (call after the data changes)."""
    st.cache_data.clear()


__all__ = ["clear_caches", "get_connection", "load_data_range", "load_filter_options", "load_overview"]
