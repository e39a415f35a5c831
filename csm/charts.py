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


SPLIT_NAMES = {"channel": "channel", "category": "category", "team": "team", "priority": "priority"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def build_kpi_by_group_figure(
    frame: pl.DataFrame, *, kpi: Kpi, by: str, target: float | None = None, grain: str = "day",
    title: str | None = None,
) -> go.Figure:
    """Return one line per value of ``by`` (channel, priority ...) of a ratio KPI per time bucket, with its target.

    Args:
        frame: ``compute_kpis`` output with ``bucket``, ``by`` and ``kpi.key`` columns.
        kpi: the KPI drawn.
        by: the grouping dimension.
        target: the KPI's target, drawn dashed when given.
        grain: the bucket size, for the title.
        title: the chart's title instead of "<KPI> by <by> per <grain>".
    """
    fig = go.Figure()
    values = frame[kpi.key].to_list() if frame.height else []
    scale, yaxis = _axis(kpi, values + ([target] if target is not None else []))
    groups = sorted(v for v in frame[by].unique().to_list() if v is not None) if frame.height else []
    for value in groups:
        part = frame.filter(pl.col(by) == value).sort("bucket")
        if part[kpi.key].is_null().all():
            continue  # a channel without this KPI (service level of email) draws no line
        name = str(value).replace("_", " ")
        fig.add_trace(
            go.Scatter(
                x=part["bucket"].to_list(),
                y=[None if v is None else v / scale for v in part[kpi.key].to_list()],
                mode="lines+markers",
                name=name,
                legendgroup=str(value),
                marker={"size": 5},
                line={"color": CHANNEL_COLOURS.get(value)} if by == "channel" else {},
                text=[format_value(kpi, v) for v in part[kpi.key].to_list()],
                customdata=_iso(part["bucket"]),
                hovertemplate="%{text}<extra>" + name + "</extra>",
            )
        )
    if target is not None:
        fig.add_hline(y=target / scale, line={"dash": "dash", "color": TARGET_COLOUR, "width": 1.5},
                      annotation_text=f"Target {format_value(kpi, target)}", annotation_position="top left")
    title = title or f"{kpi.label} by {by} per {GRAIN_NAMES.get(grain, grain)}"
    fig.update_layout(**_LAYOUT, title={"text": title, "x": 0})
    fig.update_yaxes(**yaxis, rangemode="tozero")
    _align_week_ticks(fig, frame["bucket"].to_list() if frame.height else [], grain)
    if not fig.data:
        _add_empty_note(fig)
    return fig


def build_split_volume_figure(frame: pl.DataFrame, *, by: str, grain: str = "day") -> go.Figure:
    """Return stacked bars of contacts per time bucket, one colour per value of ``by``.

    Args:
        frame: ``csm.volume.compute_split`` output (bucket, value, contacts).
        by: the dimension split on, for the title and the channel colours.
        grain: the bucket size, for the title.
    """
    fig = go.Figure()
    order = (frame.group_by("value").agg(pl.col("contacts").sum()).sort("contacts", descending=True)["value"].to_list()
             if frame.height else [])
    for value in [v for v in order if v != "other"] + (["other"] if "other" in order else []):
        part = frame.filter(pl.col("value") == value).sort("bucket")
        name = value.replace("_", " ")
        fig.add_trace(
            go.Bar(
                x=part["bucket"].to_list(),
                y=part["contacts"].to_list(),
                name=name,
                legendgroup=value,
                customdata=_iso(part["bucket"]),
                marker_color=CHANNEL_COLOURS.get(value)
                if by == "channel"
                else ("#bbbbbb" if value == "other" else None),
                hovertemplate="%{y:,}<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(
        **_LAYOUT,
        barmode="stack",
        title={"text": f"Contacts by {SPLIT_NAMES[by]} per {GRAIN_NAMES.get(grain, grain)}", "x": 0},
    )
    fig.update_yaxes(title="Contacts", tickformat=",~r")
    _align_week_ticks(fig, frame["bucket"].to_list() if frame.height else [], grain)
    if not frame.height:
        _add_empty_note(fig)
    return fig


def build_flow_figure(flow: pl.DataFrame, *, grain: str = "day") -> go.Figure:
    """Return created and resolved contacts as bars and the backlog at each bucket's end as a line.

    Args:
        flow: ``csm.volume.rollup_flow`` output (bucket, created, resolved, backlog).
        grain: the bucket size, for the title.
    """
    fig = go.Figure()
    x, days = flow["bucket"].to_list(), _iso(flow["bucket"])
    for series, colour in (("created", "#1f77b4"), ("resolved", "#2ca02c")):
        fig.add_trace(go.Bar(x=x, y=flow[series].to_list(), name=series, legendgroup=series, customdata=days,
                             marker_color=colour, hovertemplate="%{y:,}<extra>" + series + "</extra>"))
    fig.add_trace(
        go.Scatter(
            x=x,
            y=flow["backlog"].to_list(),
            name="open at the end (backlog)",
            yaxis="y2",
            legendgroup="backlog",
            customdata=days,
            mode="lines+markers",
            marker={"size": 5},
            line={"color": "#d62728", "width": 2},
            hovertemplate="%{y:,}<extra>backlog</extra>",
        )
    )
    fig.update_layout(
        **_LAYOUT,
        barmode="group",
        title={"text": f"Created, resolved and backlog per {GRAIN_NAMES.get(grain, grain)}", "x": 0},
        yaxis={"title": "Contacts created or resolved", "tickformat": ",.0f"},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "title": "Open contacts",
            "rangemode": "tozero",
            "tickformat": ",.0f",
            "showgrid": False,
        },
    )
    _align_week_ticks(fig, x, grain)
    if not flow.height or not (flow["created"].sum() or flow["backlog"].max()):
        _add_empty_note(fig)
    return fig


def build_arrivals_heatmap(frame: pl.DataFrame, *, value: str = "per_day") -> go.Figure:
    """Return a weekday x hour heatmap of arrivals per day (``per_day``) or of the ``service_level``.

    Args:
        frame: ``csm.volume.compute_arrivals`` output.
        value: ``per_day`` or ``service_level``.
    """
    z = [[None] * 24 for _ in WEEKDAYS]
    for row in frame.iter_rows(named=True):
        z[row["weekday"] - 1][row["hour"]] = row[value]
    is_sl = value == "service_level"
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(24)),
            y=list(WEEKDAYS),
            colorscale="RdYlGn" if is_sl else "Blues",
            zmin=0 if is_sl else None,
            zmax=1 if is_sl else None,
            xgap=1,
            ygap=1,
            colorbar={
                "tickformat": ".0%" if is_sl else ",.0f",
                "title": {"text": "service level" if is_sl else "per day"},
            },
            hoverinfo="skip",
        )
    )
    cells = [(r["weekday"], r["hour"], r[value]) for r in frame.iter_rows(named=True) if r[value] is not None]
    _add_cell_targets(
        fig,
        x=[c[1] for c in cells],
        y=[WEEKDAYS[c[0] - 1] for c in cells],
        keys=[[c[0], c[1]] for c in cells],
        hovertemplate="%{y} %{x}:00: %{text}<extra></extra>",
        text=[f"{c[2]:.0%}" if is_sl else f"{c[2]:,.1f} a day" for c in cells],
    )
    fig.update_xaxes(title="Hour of arrival", dtick=2, ticksuffix=":00", range=[-0.5, 23.5])
    title = (
        "Service level by weekday and hour of arrival" if is_sl else "Contacts arriving per day, by weekday and hour"
    )
    fig.update_layout(**{**_LAYOUT, "hovermode": "closest"}, title={"text": title, "x": 0})
    fig.update_yaxes(autorange="reversed")
    if not frame.height:
        _add_empty_note(fig)
    return fig


def build_aging_figure(frame: pl.DataFrame) -> go.Figure:
    """Return stacked bars of open contacts by age, one colour per channel (``csm.volume.compute_aging``)."""
    from csm.volume import AGE_BUCKETS

    ages = [b[2] for b in AGE_BUCKETS]
    fig = go.Figure()
    for channel in sorted(frame["channel"].unique().to_list()) if frame.height else []:
        part = dict(frame.filter(pl.col("channel") == channel).select("age", "open").iter_rows())
        fig.add_trace(
            go.Bar(
                x=ages,
                y=[part.get(a, 0) for a in ages],
                name=channel.replace("_", " "),
                legendgroup=channel,
                marker_color=CHANNEL_COLOURS.get(channel),
                hovertemplate="%{y:,}<extra>" + channel.replace("_", " ") + "</extra>",
            )
        )
    fig.update_layout(**_LAYOUT, barmode="stack", title={"text": "Open contacts by age", "x": 0})
    fig.update_yaxes(title="Open contacts", tickformat=",~r")
    if not frame.height:
        _add_empty_note(fig)
    return fig


def build_forecast_figure(history: pl.DataFrame, forecast: pl.DataFrame, *, grain: str = "day") -> go.Figure:
    """Return recent actual volume and the forecast with its 80% prediction interval.

    Args:
        history: (period_start, contacts) of the recent past.
        forecast: ``csm.forecast.compute_forecast`` output (period_start, forecast, low, high).
        grain: ``day`` or ``week``.
    """
    fig = go.Figure()
    x = forecast["period_start"].to_list()
    if forecast["low"].is_not_null().all():
        fig.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=forecast["high"].to_list() + forecast["low"].to_list()[::-1],
                fill="toself",
                fillcolor="rgba(31,119,180,0.15)",
                line={"width": 0},
                mode="lines",
                name="80% prediction interval",
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=history["period_start"].to_list(),
            y=history["contacts"].to_list(),
            name="actual",
            legendgroup="actual",
            mode="lines+markers",
            marker={"size": 4},
            line={"color": "#444"},
            hovertemplate="%{y:,.0f}<extra>actual</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=forecast["forecast"].to_list(),
            name="forecast",
            legendgroup="forecast",
            mode="lines+markers",
            line={"color": "#1f77b4", "dash": "dash"},
            hovertemplate="%{y:,.0f}<extra>forecast</extra>",
        )
    )
    per = "day" if grain == "day" else "week (ending on the weekday of the data's last day)"
    fig.update_layout(**_LAYOUT, title={"text": f"Contacts per {per}: actual and forecast", "x": 0})
    fig.update_yaxes(title="Contacts", tickformat=",~r", rangemode="tozero")
    return fig


def build_staffing_heatmap(frame: pl.DataFrame, *, value: str, slot_minutes: int, on_books: bool = True) -> go.Figure:
    """Return a weekday x interval heatmap of agents required (``agents``) or of the ``gap`` to agents on hand.

    Args:
        frame: ``csm.workforce.StaffingView.intervals`` (weekday, slot, agents, seen, gap).
        value: ``agents`` or ``gap``.
        slot_minutes: the interval length, for the x axis.
        on_books: the gap is against the headcount on the books (else against the agents seen working).
    """
    slots = list(range(0, 24 * 60, slot_minutes))
    z = [[None] * len(slots) for _ in WEEKDAYS]
    for row in frame.iter_rows(named=True):
        z[row["weekday"] - 1][slots.index(row["slot"])] = row[value]
    labels = [f"{s // 60}:{s % 60:02d}" for s in slots]
    is_gap = value == "gap"
    peak = max((abs(v) for r in z for v in r if v is not None), default=1) or 1
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=labels,
            y=list(WEEKDAYS),
            xgap=1,
            ygap=1,
            colorscale=[[0, "#1a9850"], [0.5, "#f7f7f7"], [1, "#d73027"]] if is_gap else "Blues",
            zmin=-peak if is_gap else 0,
            zmax=peak if is_gap else None,
            colorbar={"title": {"text": "short (+) / spare (-)" if is_gap else "agents"}},
            hoverinfo="skip",
        )
    )
    cells = [(r["weekday"], r["slot"], r[value]) for r in frame.iter_rows(named=True) if r[value] is not None]
    _add_cell_targets(
        fig,
        x=[labels[slots.index(c[1])] for c in cells],
        y=[WEEKDAYS[c[0] - 1] for c in cells],
        keys=[[c[0], c[1]] for c in cells],
        hovertemplate="%{y} %{x}: %{text}<extra></extra>",
        text=[
            f"{c[2]:.1f} agents short"
            if is_gap and c[2] >= 0
            else f"{-c[2]:.1f} agents spare"
            if is_gap
            else f"{c[2]:.1f} agents"
            for c in cells
        ],
    )
    title = (
        "Agents required (phone and chat)"
        if not is_gap
        else "Agents short of those on the books"
        if on_books
        else "Agents short of those seen working"
    )
    fig.update_layout(**{**_LAYOUT, "hovermode": "closest"}, title={"text": title, "x": 0})
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Interval starting", nticks=12)
    if not frame.height:
        _add_empty_note(fig)
    return fig


def _align_week_ticks(fig: go.Figure, buckets: list, grain: str) -> None:
    """Put a week chart's ticks on the weeks' Mondays (Plotly's own date ticks fall on Sundays)."""
    weeks = sorted({b for b in buckets if b is not None})
    if grain == "week" and weeks:
        step = max(1, -(-len(weeks) // 12))  # at most about 12 ticks
        fig.update_xaxes(tick0=weeks[0].isoformat(), dtick=7 * step * 86_400_000, tickformat="%d %b")


def _iso(days: pl.Series) -> list[str]:
    """Return the days as ISO strings: a drillable point's ``customdata`` (a grouped bar's x is shifted)."""
    return [d.isoformat() for d in days.to_list()]


def _add_cell_targets(fig: go.Figure, *, x: list, y: list, keys: list, hovertemplate: str, text: list[str]) -> None:
    """Overlay a heatmap with one invisible marker per cell, carrying the cell's key as ``customdata``.

    Plotly cannot select heatmap cells; the markers make each cell clickable for drill-through
    (``st.plotly_chart(on_select=...)``) and carry its hover text.
    """
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            customdata=keys,
            text=text,
            mode="markers",
            showlegend=False,
            marker={"size": 14, "symbol": "square", "opacity": 0, "color": "#000"},
            hovertemplate=hovertemplate,
            name="cell",
            legendgroup="cell",
        )
    )


def _add_empty_note(fig: go.Figure) -> None:
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(
        text="No data for this selection", showarrow=False, xref="paper", yref="paper", x=.5, y=.5,
        font={"size": 16, "color": "#666"},
    )


def build_ramp_figure(frame: pl.DataFrame, *, kpi: Kpi) -> go.Figure:
    """Return one line per hiring cohort of ``kpi`` by week of tenure, and the experienced agents' median.

    Args:
        frame: ``csm.agents.compute_ramp`` output filtered to ``kpi``.
        kpi: the KPI drawn.
    """
    fig = go.Figure()
    values = frame["value"].to_list() + frame["experienced"].to_list() if frame.height else []
    scale, yaxis = _axis(kpi, [v for v in values if v is not None])
    for (cohort,), part in frame.sort("cohort", "week").group_by("cohort", maintain_order=True):
        name = f"hired {cohort:%b %Y} ({part['hires'][0]})"
        days = [cohort.isoformat(), part["first_day"][0].isoformat()]  # the drill-through reads them
        fig.add_trace(go.Scatter(x=part["week"].to_list(), y=[None if v is None else v / scale for v in part["value"]],
                                 mode="lines+markers", name=name, text=[format_value(kpi, v) for v in part["value"]],
                                 customdata=[[*days, "cohort"]] * part.height,
                                 hovertemplate="week %{x}: %{text}<extra>" + name + "</extra>"))
        experienced = part["experienced"][0]
        if experienced is not None:
            label = f"experienced median, {cohort:%b %Y}"
            fig.add_trace(go.Scatter(x=[0, part["week"].max()], y=[experienced / scale] * 2, mode="lines+markers",
                                     line={"dash": "dash", "color": TARGET_COLOUR, "width": 1.5},
                                     marker={"size": 6, "color": TARGET_COLOUR}, name=label,
                                     customdata=[[*days, "experienced"]] * 2,
                                     text=[format_value(kpi, experienced)] * 2,
                                     hovertemplate="%{text}<extra>" + label + "</extra>"))
    fig.update_layout(**{**_LAYOUT, "hovermode": "closest"},
                      title={"text": f"{kpi.label} of new hires by week since their start", "x": 0})
    fig.update_xaxes(title="Week of tenure (0 = first week)", dtick=1)
    fig.update_yaxes(**yaxis)
    if not frame.height:
        _add_empty_note(fig)
    return fig


def build_handle_time_figure(frame: pl.DataFrame) -> go.Figure:
    """Return the distribution of one agent's handle times in whole minutes (``csm.one_on_one`` handle_minutes).

    Every minute from 0 to the longest is a bar, with 0 contacts where there were none.
    """
    counts = dict(frame.select("minute", "contacts").iter_rows())
    minutes = list(range(max(counts) + 1)) if counts else []
    labels = [f"{m}+" if m >= 30 else str(m) for m in minutes]
    fig = go.Figure(go.Bar(x=labels, y=[counts.get(m, 0) for m in minutes], marker_color="#1f77b4",
                           hovertemplate="%{x} min: %{y:,} contacts<extra></extra>"))
    fig.update_layout(**{**_LAYOUT, "hovermode": "closest"}, title={"text": "Handle time of each contact", "x": 0})
    fig.update_xaxes(title="Minutes (30+ = half an hour or more)", type="category")
    fig.update_yaxes(title="Contacts", tickformat=",~r")
    if not frame.height:
        _add_empty_note(fig)
    return fig


CATEGORY_COLOURS = {"headcount": "#1f77b4", "tools": "#9467bd", "training": "#2ca02c", "overtime": "#ff7f0e",
                    "other": "#7f7f7f"}


def build_budget_figure(by_month: pl.DataFrame) -> go.Figure:
    """Return booked spend per month stacked by category, with the month's total plan as a line.

    Args:
        by_month: ``csm.budget.budget_by_month`` output.
    """
    fig = go.Figure()
    months = sorted(by_month["month"].unique().to_list()) if by_month.height else []
    for category in sorted(by_month["category"].unique().to_list()) if by_month.height else []:
        part = by_month.filter(category=category).sort("month")
        fig.add_trace(go.Bar(x=part["month"].to_list(), y=part["actual"].to_list(), name=category,
                             marker_color=CATEGORY_COLOURS.get(category), legendgroup=category,
                             hovertemplate=f"{category}: €%{{y:,.0f}}<extra></extra>"))
    plan = by_month.group_by("month").agg(pl.col("planned").sum()).sort("month") if by_month.height else None
    if plan is not None:
        fig.add_trace(go.Scatter(x=plan["month"].to_list(), y=plan["planned"].to_list(), name="plan (all categories)",
                                 mode="lines+markers", line={"color": TARGET_COLOUR, "dash": "dash"},
                                 hovertemplate="plan: €%{y:,.0f}<extra></extra>"))
    fig.update_layout(**_LAYOUT, barmode="stack", title={"text": "Spend per month against plan", "x": 0})
    fig.update_xaxes(tickformat="%b %Y", dtick="M1", tickvals=months or None)
    fig.update_yaxes(tickprefix="€", tickformat=",.0f", title="Spend")
    if not by_month.height or by_month["actual"].is_null().all():
        _add_empty_note(fig)
    return fig


def build_overtime_figure(overtime: pl.DataFrame, weeks: pl.DataFrame, *, target: float) -> go.Figure:
    """Return overtime spend per month (bars, with its plan) next to each week's service level against target.

    Args:
        overtime: ``csm.budget.budget_by_month`` rows of the overtime category.
        weeks: ``csm.budget.compute_short_weeks`` output; short weeks are drawn in red.
        target: the service level target.
    """
    fig = go.Figure()
    fig.add_trace(go.Bar(x=overtime["month"].to_list(), y=overtime["actual"].to_list(), name="overtime spend",
                         marker_color=CATEGORY_COLOURS["overtime"], opacity=.55, xperiod="M1", xperiodalignment="middle",
                         hovertemplate="overtime: €%{y:,.0f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=overtime["month"].to_list(), y=overtime["planned"].to_list(), name="overtime plan",
                             mode="markers", marker={"symbol": "line-ew-open", "size": 30, "color": "#333"},
                             xperiod="M1", xperiodalignment="middle",
                             hovertemplate="plan: €%{y:,.0f}<extra></extra>"))
    colours = ["#d62728" if s else "#2ca02c" for s in weeks["short"].to_list()]
    fig.add_trace(go.Scatter(x=weeks["week"].to_list(), y=weeks["service_level"].to_list(), yaxis="y2",
                             name="service level per week (red: below target)", mode="lines+markers",
                             line={"color": "#555", "width": 1}, marker={"color": colours, "size": 7},
                             hovertemplate="week of %{x|%d %b}: %{y:.0%}<extra></extra>"))
    if weeks.height:
        fig.add_trace(go.Scatter(x=[weeks["week"].min(), weeks["week"].max()], y=[target, target], yaxis="y2",
                                 mode="lines", name=f"service level target {target:.0%}", hoverinfo="skip",
                                 line={"color": TARGET_COLOUR, "dash": "dash", "width": 1.5}))
    fig.update_layout(**{**_LAYOUT, "hovermode": "closest"},
                      title={"text": "Overtime spend and the weeks the queues were short of staff", "x": 0},
                      yaxis={"title": "Overtime spend", "tickprefix": "€", "tickformat": ",.0f"},
                      yaxis2={"title": "Service level", "overlaying": "y", "side": "right", "tickformat": ".0%",
                              "range": [0, 1.05], "showgrid": False})
    if not overtime.height and not weeks.height:
        _add_empty_note(fig)
    return fig


def build_fte_figure(headcount: pl.DataFrame) -> go.Figure:
    """Return planned and actual FTE per month, summed over the teams shown, with hires and leavers as bars."""
    monthly = (headcount.group_by("month").agg(pl.col("planned_fte").sum(), pl.col("actual_fte").sum(),
                                               booked=pl.col("actual_fte").is_not_null().any(),
                                               hires=pl.col("hires").sum(), leavers=pl.col("leavers").sum())
               .sort("month")) if headcount.height else pl.DataFrame()
    fig = go.Figure()
    if monthly.height:
        x = monthly["month"].to_list()
        actual = [v if b else None for v, b in zip(monthly["actual_fte"], monthly["booked"], strict=True)]
        fig.add_trace(go.Bar(x=x, y=monthly["hires"].to_list(), name="hires", marker_color="#2ca02c", yaxis="y2",
                             opacity=.5, hovertemplate="hires: %{y}<extra></extra>"))
        fig.add_trace(go.Bar(x=x, y=[-v for v in monthly["leavers"].fill_null(0).to_list()], name="leavers",
                             marker_color="#d62728", yaxis="y2", opacity=.5,
                             customdata=monthly["leavers"].to_list(), hovertemplate="leavers: %{customdata}<extra></extra>"))
        fig.add_trace(go.Scatter(x=x, y=monthly["planned_fte"].to_list(), name="planned FTE", mode="lines+markers",
                                 line={"color": TARGET_COLOUR, "dash": "dash"},
                                 hovertemplate="planned: %{y:.1f} FTE<extra></extra>"))
        fig.add_trace(go.Scatter(x=x, y=actual, name="actual FTE", mode="lines+markers", line={"color": "#1f77b4"},
                                 hovertemplate="actual: %{y:.1f} FTE<extra></extra>"))
    moves = max([1, *monthly["hires"].fill_null(0), *monthly["leavers"].fill_null(0)]) if monthly.height else 1
    fig.update_layout(**_LAYOUT, barmode="relative", title={"text": "FTE against plan, hires and leavers", "x": 0},
                      yaxis={"title": "FTE", "rangemode": "tozero"},
                      yaxis2={"title": "Hires (up) and leavers (down)", "overlaying": "y", "side": "right",
                              "showgrid": False, "zeroline": True, "range": [-moves * 3, moves * 3],
                              "tickformat": "d", "dtick": max(1, moves // 2)})
    fig.update_xaxes(tickformat="%b %Y", dtick="M1")
    if not monthly.height:
        _add_empty_note(fig)
    return fig


def build_unit_cost_figure(monthly: pl.DataFrame, *, target: float | None) -> go.Figure:
    """Return cost per contact and per resolved contact by month, with the cost-per-contact target."""
    fig = go.Figure()
    x = monthly["month"].to_list()
    for column, name, colour in (("cost_per_contact", "per contact", "#1f77b4"),
                                 ("cost_per_resolved", "per resolved contact", "#9467bd")):
        fig.add_trace(go.Scatter(x=x, y=monthly[column].to_list(), name=name, mode="lines+markers",
                                 line={"color": colour}, hovertemplate=name + ": €%{y:,.2f}<extra></extra>"))
    if target is not None and x:
        fig.add_trace(go.Scatter(x=[x[0], x[-1]], y=[target, target], mode="lines", hoverinfo="skip",
                                 name=f"target per contact €{target:,.2f}",
                                 line={"color": TARGET_COLOUR, "dash": "dash", "width": 1.5}))
    fig.update_layout(**_LAYOUT, title={"text": "Cost per contact by month", "x": 0})
    fig.update_xaxes(tickformat="%b %Y", dtick="M1")
    fig.update_yaxes(tickprefix="€", tickformat=",.2f", title="Cost", rangemode="tozero")
    if monthly["cost_per_contact"].is_null().all():
        _add_empty_note(fig)
    return fig
