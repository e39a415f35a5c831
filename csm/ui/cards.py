"""KPI cards and KPI tables: value, change coloured by the KPI's direction, target, trend."""

from __future__ import annotations

import polars as pl
import streamlit as st

from csm.formatting import describe_status, format_change, format_value
from csm.kpis import Catalogue

_DELTA_COLOUR = {"higher_is_better": "normal", "lower_is_better": "inverse", "neutral": "off"}


def render_kpi_card(row: dict, *, catalogue: Catalogue, trend: list[float] | None, compared_with: str | None) -> None:
    """Render one KPI card from a scorecard row, with its definition as help text."""
    kpi = catalogue[row["key"]]
    target_text = f"Target: {format_value(kpi, row['target'])}." if row["target"] is not None else "No target set."
    with st.container(border=True):
        st.metric(
            kpi.label,
            format_value(kpi, row["value"]),
            delta=format_change(kpi, row["change"], row["change_pct"]),
            delta_color=_DELTA_COLOUR[kpi.direction],
            delta_arrow="off" if row["change"] == 0 else "auto",
            delta_description=f"vs {compared_with}" if compared_with and row["change"] is not None else None,
            help=f"{kpi.definition}\n\n{target_text}",
            chart_data=[v for v in (trend or []) if v is not None] or None,
            chart_type="line",
        )
        status = describe_status(row["status"])
        colour = {"on_target": "green", "off_target": "red"}.get(row["status"])
        status = f":{colour}[● {status}]" if colour else status
        if row["target"] is not None:
            status += f" · target {format_value(kpi, row['target'])}"
        st.caption(status)


def render_kpi_cards(
    scorecard: pl.DataFrame, keys: tuple[str, ...], *, catalogue: Catalogue, series: pl.DataFrame,
    compared_with: str | None, per_row: int = 4,
) -> None:
    """Render cards for ``keys`` in rows of ``per_row``."""
    rows = {r["key"]: r for r in scorecard.iter_rows(named=True)}
    for i in range(0, len(keys), per_row):
        for col, key in zip(st.columns(per_row), keys[i:i + per_row], strict=False):
            with col:
                trend = series[key].to_list() if key in series.columns else None
                render_kpi_card(rows[key], catalogue=catalogue, trend=trend, compared_with=compared_with)
