"""Pure Plotly figure builders: a polars frame and catalogue objects in, a Figure out."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from csm.formatting import format_value
from csm.kpis import Kpi

CHANNEL_COLOURS = {
    "phone": "#1f77b4",
    "chat": "#2ca02c",
    "email": "#ff7f0e",
    "social": "#9467bd",
    "web_form": "#8c564b",
    "bot": "#17becf",
}
TARGET_COLOUR = "#d62728"
GRAIN_NAMES = {"day": "day", "week": "week (starting Monday)", "month": "month", "quarter": "quarter"}
_LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 40, "b": 30},
    "height": 360,
    "template": "plotly_white",
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0},
    "hovermode": "x unified",
}


def choose_duration_scale(max_seconds: float | None) -> tuple[float, str]:
    """Return the divisor and unit name that make durations readable on an axis.

    Examples:
        >>> choose_duration_scale(90)
        (1.0, 'seconds')
        >>> choose_duration_scale(600)
        (60.0, 'minutes')
        >>> choose_duration_scale(30000)
        (3600.0, 'hours')
    """
    if max_seconds is None or max_seconds < 120:
        return 1.0, "seconds"
    if max_seconds < 3 * 3600:
        return 60.0, "minutes"
    return 3600.0, "hours"


def _axis(kpi: Kpi, values: list[float | None]) -> tuple[float, dict]:
    """Return the divisor for ``values`` and the y-axis settings for the KPI's unit."""
    if kpi.unit == "ratio":
        return 1.0, {"tickformat": ".0%", "title": f"{kpi.label} (%)"}
    if kpi.unit == "seconds":
        present = [v for v in values if v is not None]
        scale, unit = choose_duration_scale(max(present) if present else None)
        return scale, {"title": f"{kpi.label} ({unit})"}
    if kpi.unit == "currency":
        return 1.0, {"tickprefix": "€", "title": kpi.label}
    return 1.0, {"title": kpi.label, "tickformat": ",~r" if kpi.unit == "count" else ""}


def build_kpi_trend_figure(frame: pl.DataFrame, *, kpi: Kpi, target: float | None = None, grain: str = "day") -> go.Figure:
    """Return a line chart of one KPI per time bucket, with a dashed target line.

    Args:
        frame: ``compute_kpis`` output with a ``bucket`` column and a column named ``kpi.key``.
        kpi: the KPI to draw.
        target: target value in the KPI's unit, drawn as a horizontal line when given.
        grain: the bucket size, for the x-axis title.

    Returns:
        The figure; an empty frame gives a figure with a "No data" note.
    """
    frame = frame.sort("bucket")
    values = frame[kpi.key].to_list() if frame.height else []
    scale, yaxis = _axis(kpi, values + ([target] if target is not None else []))
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=frame["bucket"].to_list() if frame.height else [],
            y=[None if v is None else v / scale for v in values],
            mode="lines+markers",
            name=kpi.label,
            line={"width": 2.5, "color": "#1f77b4"},
            marker={"size": 5},
            customdata=[format_value(kpi, v) for v in values],
            hovertemplate="%{customdata}<extra>" + kpi.label + "</extra>",
            connectgaps=False,
        )
    )
    if target is not None:
        fig.add_hline(
            y=target / scale, line={"dash": "dash", "color": TARGET_COLOUR, "width": 1.5},
            annotation_text=f"Target {format_value(kpi, target)}", annotation_position="top left",
        )
    fig.update_layout(**_LAYOUT, title={"text": f"{kpi.label} by {GRAIN_NAMES.get(grain, grain)}", "x": 0}, showlegend=False)
    fig.update_yaxes(**yaxis, rangemode="tozero")
    if not frame.height or all(v is None for v in values):
        _add_empty_note(fig)
    return fig


def build_channel_volume_figure(frame: pl.DataFrame, *, grain: str = "day") -> go.Figure:
    """Return stacked bars of contacts per time bucket, one colour per channel.

    Args:
        frame: ``compute_kpis`` output with ``bucket``, ``channel`` and ``contacts`` columns.
        grain: the bucket size, for the x-axis title.
    """
    fig = go.Figure()
    totals = frame.group_by("channel").agg(pl.col("contacts").sum()).sort("contacts", descending=True) if frame.height else frame
    for channel in totals["channel"].to_list() if frame.height else []:
        part = frame.filter(pl.col("channel") == channel).sort("bucket")
        fig.add_trace(
            go.Bar(
                x=part["bucket"].to_list(), y=part["contacts"].to_list(),
                name=channel.replace("_", " "), marker_color=CHANNEL_COLOURS.get(channel),
                hovertemplate="%{y:,}<extra>" + channel.replace("_", " ") + "</extra>",
            )
        )
    fig.update_layout(**_LAYOUT, barmode="stack", title={"text": f"Contacts by channel per {GRAIN_NAMES.get(grain, grain)}", "x": 0})
    fig.update_yaxes(title="Contacts", tickformat=",~r")
    if not frame.height:
        _add_empty_note(fig)
    return fig


def _add_empty_note(fig: go.Figure) -> None:
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(
        text="No data for this selection", showarrow=False, xref="paper", yref="paper", x=.5, y=.5,
        font={"size": 16, "color": "#666"},
    )
