"""Cached loaders: the only place that holds ``st.cache_*``. Arguments are plain values."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import duckdb
import polars as pl
import streamlit as st

from csm import agents, budget, metrics, one_on_one, plan, report, review, topics, volume, workforce
from csm.compile import Filters
from csm.db import DatabaseError, describe_database_error, open_database, refresh_aggregates
from csm.drill import Drill
from csm.drill import load_drill as load_drill_rows
from csm.settings import load_settings

TTL = int(load_settings()["cache_ttl_s"])


@st.cache_resource(show_spinner="Opening the database…")
def get_connection() -> duckdb.DuckDBPyConnection:
    """Return the process-wide read-only connection to the configured database.

    The file must exist: a mistyped ``CSM_DB_PATH`` is an error, never a new demo database (the
    demo is built on request: ``make run`` or ``python -m csm demo``). Stale stored aggregates
    (another version, other settings) are rebuilt. Read-only afterwards, so several app
    processes and the CLI can read the same file at once.

    Raises:
        csm.db.DatabaseError: the file is missing, damaged, locked or unreadable.
    """
    settings = get_settings()
    path, threads = settings["db_path"], int(settings["duckdb_threads"])
    open_database(path, threads=threads).close()  # one clear message when the file cannot be used
    try:
        refresh_aggregates(path, settings=settings)
    except (duckdb.Error, OSError) as exc:
        raise DatabaseError(describe_database_error(path, exc)) from None
    return open_database(path, threads=threads)


@st.cache_data(ttl=TTL, show_spinner=False)
def load_is_demo() -> bool:
    """Return True when the database holds the generated demo contacts."""
    return metrics.load_is_demo(get_connection())


@st.cache_resource
def get_settings() -> dict[str, object]:
    """Return the settings, read from the environment once per process."""
    return load_settings()


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
        get_connection(), start=start, end=end, comparison=comparison, filters=filters, settings=get_settings(),
        use_rollup=True,  # get_connection refreshed them; a read-only connection sees no writes
        data_range=load_data_range()[:2],
    )


@st.cache_data(ttl=TTL, show_spinner="Loading volumes…")
def load_volume(start: date, end: date, filters: Filters, grain: str, by: str) -> volume.VolumeView:
    """Return the Volume page's frames for the selection."""
    return volume.compute_volume_view(get_connection(), start=start, end=end, filters=filters, grain=grain, by=by,
                                      threshold_s=float(get_settings()["service_level_threshold_s"]))


@st.cache_data(ttl=TTL, show_spinner=False)
def load_drill(drill: Drill, filters: Filters, limit: int) -> tuple[pl.DataFrame, int]:
    """Return the contacts behind a chart point under the filters (at most ``limit``) and their count."""
    return load_drill_rows(
        get_connection(),
        drill,
        filters=filters,
        limit=limit,
        settings=get_settings(),
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def load_service(start: date, end: date, filters: Filters, grain: str, by: str) -> pl.DataFrame:
    """Return service level and SLA met over time by channel or priority."""
    return volume.compute_service(get_connection(), start=start, end=end, filters=filters, grain=grain, by=by)


@st.cache_data(ttl=TTL, show_spinner="Forecasting…")
def load_forecast(filters: Filters, weeks: int, grain: str) -> volume.ForecastView:
    """Return the forecast of the selection's contacts after the data's last day."""
    first_day, last_day, _ = load_data_range()
    return volume.compute_forecast_view(get_connection(), first_day=first_day, last_day=last_day, filters=filters,
                                        weeks=weeks, grain=grain)


@st.cache_data(ttl=TTL, show_spinner="Planning the week…")
def load_staffing(filters: Filters, weeks_ahead: int, slot_minutes: int, target_sl: float | None, threshold_s: float,
                  max_occupancy: float, shrinkage: float, productive_hours: float,
                  aht_s: float | None, target_asa_s: float | None = None) -> workforce.StaffingView:
    """Return the staffing plan of a coming week for the selection."""
    return workforce.compute_staffing_view(
        get_connection(), last_day=load_data_range()[1], filters=filters, weeks_ahead=weeks_ahead,
        slot_minutes=slot_minutes, target_sl=target_sl, threshold_s=threshold_s, max_occupancy=max_occupancy,
        shrinkage=shrinkage, productive_hours=productive_hours, aht_s=aht_s, target_asa_s=target_asa_s)


@st.cache_data(ttl=TTL, show_spinner="Scoring the agents…")
def load_agents(start: date, end: date, filters: Filters) -> agents.Scorecard:
    """Return the agent scorecard of the selection."""
    return agents.compute_agents_view(get_connection(), start=start, end=end, filters=filters)


@st.cache_data(ttl=TTL, show_spinner=False)
def load_agent_detail(agent_id: str, start: date, end: date, filters: Filters) -> one_on_one.AgentDetail:
    """Return one agent's period: trends against the team, handle times, mix, lowest-rated contacts."""
    return one_on_one.compute_agent_detail(get_connection(), agent_id=agent_id, start=start, end=end, filters=filters)


@st.cache_data(ttl=TTL, show_spinner=False)
def load_ramp(filters: Filters) -> pl.DataFrame:
    """Return the new-hire ramp of the last twelve months under the filters."""
    return agents.compute_ramp(get_connection(), end=load_data_range()[1], filters=filters)


@st.cache_data(ttl=TTL, show_spinner="Finding the topics…")
def load_topics(start: date, end: date, filters: Filters) -> topics.TopicsView:
    """Return the customer topics of the selection."""
    return topics.compute_topics_view(get_connection(), start=start, end=end, filters=filters)


@st.cache_data(ttl=TTL, show_spinner=False)
def load_budget_view(start: date, end: date, filters: Filters) -> budget.BudgetView:
    """Return the Budget page's figures for the whole months overlapping the period."""
    con = get_connection()
    targets = metrics.load_targets(con, on=end, teams=filters.team)
    return budget.compute_budget_view(con, start=start, end=end, filters=filters, targets=targets)


@st.cache_data(ttl=TTL, show_spinner=False)
def load_plan_grid(kind: str, year: int) -> pl.DataFrame:
    """Return the stored budget or headcount plan of ``year`` as an editable grid."""
    return plan.load_grid(get_connection(), kind, year=year)


@st.cache_data(ttl=TTL, show_spinner="Writing the review…")
def load_review(period: str, filters: Filters) -> tuple[review.Review, report.Pack]:
    """Return the business review of a month or quarter, and its pack for the exports."""
    result = review.compute_review(get_connection(), period=review.parse_period(period), filters=filters,
                                   settings=get_settings())
    return result, report.build_pack(result, teams=filters.team)


def clear_caches() -> None:
    """Forget every cached query result (call after the data changes)."""
    st.cache_data.clear()


@contextmanager
def open_writer() -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a writable connection to the configured database, then reopen the app's and clear the caches.

    DuckDB lets one process hold a file either read-only or writable, so the app's shared
    read-only connection is closed first; every page's cached results are dropped afterwards.

    Raises:
        csm.db.DatabaseError: another process (the CLI) holds the file, or it cannot be opened.
    """
    settings = get_settings()
    get_connection().close()
    get_connection.clear()
    try:
        con = open_database(settings["db_path"], read_only=False, threads=int(settings["duckdb_threads"]))
        try:
            yield con
        finally:
            con.close()
    finally:
        clear_caches()


__all__ = [
    "clear_caches",
    "load_agent_detail",
    "load_agents",
    "get_connection",
    "load_drill",
    "load_data_range",
    "load_filter_options",
    "load_is_demo",
    "load_forecast",
    "load_overview",
    "load_ramp",
    "load_service",
    "load_topics",
    "load_staffing",
    "load_volume",
    "open_writer",
]
