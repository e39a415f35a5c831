"""Volume and queues: when contacts arrive, whether the team keeps up, what is waiting, what is coming."""

import streamlit as st

from csm import exports
from csm.charts import (
    build_aging_figure,
    build_arrivals_heatmap,
    build_flow_figure,
    build_forecast_figure,
    build_kpi_by_group_figure,
    build_split_volume_figure,
)
from csm.drill import drill_aging, drill_arrivals, drill_flow, drill_forecast, drill_service, drill_split
from csm.kpis import load_catalogue
from csm.periods import describe_period
from csm.ui.drill import drillable_chart, render_drill
from csm.ui.filters import get_selection
from csm.ui.loaders import load_data_range, load_forecast, load_service, load_volume

PAGE = "volume"

sel = get_selection()
st.header("Volume and queues")
st.caption(describe_period(sel.start, sel.end))
left, right = st.columns(2)
grain = left.radio("Per", ["day", "week", "month"], index=1, horizontal=True, key="volume__grain")
by = right.radio("Split by", ["channel", "category", "team", "priority"], horizontal=True, key="volume__by")
data = load_volume(sel.start, sel.end, sel.filters, grain, by)

st.caption("Click any bar, point or cell to list its contacts at the bottom of the page.")
named = tuple(v for v in data.split["value"].unique().to_list() if v != "other")
drillable_chart(
    build_split_volume_figure(data.split, by=by, grain=grain),
    page=PAGE,
    key="volume__split",
    to_drill=lambda p: drill_split(p, grain=grain, by=by, start=sel.start, end=sel.end, named=named),
)
drillable_chart(
    build_flow_figure(data.flow, grain=grain),
    page=PAGE,
    key="volume__flow",
    to_drill=lambda p: drill_flow(p, grain=grain, start=sel.start, end=sel.end),
)
st.caption(
    "Resolved counts contacts on the day they were solved, whenever they were created. The backlog is "
    "rebuilt from the created and resolved times: contacts open at each day's end, abandoned calls excluded."
)

catalogue = load_catalogue()
kpi_pick, by_pick = st.columns(2)
kpi_key = kpi_pick.radio("Over time", ["service_level", "sla_rate"], format_func=lambda k: catalogue[k].label,
                         horizontal=True, key="volume__service_kpi")
by_service = by_pick.radio("by", ["channel", "priority"], horizontal=True, key="volume__service_by")
service = load_service(sel.start, sel.end, sel.filters, grain, by_service)
drillable_chart(
    build_kpi_by_group_figure(
        service, kpi=catalogue[kpi_key], by=by_service, target=catalogue[kpi_key].target, grain=grain
    ),
    page=PAGE,
    key="volume__service",
    to_drill=lambda p: drill_service(
        p, kpi_key=kpi_key, kpi_label=catalogue[kpi_key].label, by=by_service, grain=grain, start=sel.start, end=sel.end
    ),
)

heat, aging = st.columns(2)
shown = heat.radio("Heatmap of", ["arrivals", "service level"], horizontal=True, key="volume__heat")
drillable_chart(
    build_arrivals_heatmap(data.arrivals, value="per_day" if shown == "arrivals" else "service_level"),
    page=PAGE,
    key="volume__heatmap",
    container=heat,
    to_drill=lambda p: drill_arrivals(
        p, start=sel.start, end=sel.end, population=None if shown == "arrivals" else "service_level_offered"
    ),
)
drillable_chart(
    build_aging_figure(data.aging),
    page=PAGE,
    key="volume__aging",
    container=aging,
    to_drill=lambda p: drill_aging(p, as_of=data.as_of),
)
aging.caption(f"Open at the end of {data.as_of:%d %b %Y}, by days since the customer made contact.")

st.subheader("Forecast")
a, b = st.columns(2)
weeks = a.slider("Weeks ahead", 1, 12, 4, key="volume__weeks")
fgrain = b.radio("Forecast per", ["day", "week"], index=1, horizontal=True, key="volume__forecast_grain")
fc = load_forecast(sel.filters, weeks, fgrain)
if fc.problem:
    st.info(f"No forecast for this selection: {fc.problem}.")
else:
    drillable_chart(
        build_forecast_figure(fc.history, fc.forecast, grain=fgrain),
        page=PAGE,
        key="volume__forecast",
        to_drill=lambda p: drill_forecast(p, grain=fgrain, last_day=load_data_range()[1]),
    )
    (st.success if fc.beats_baseline else st.warning)(fc.verdict)
    st.caption(
        "From all the history of the selected teams, channels and other filters, whatever the period. "
        "Method and backtest: docs/forecast.md."
    )
    st.download_button(
        "Forecast (CSV)", exports.frame_csv(fc.forecast), file_name="forecast.csv", mime="text/csv", key="volume__forecast_csv"
    )

render_drill(PAGE)
