"""Overview: the manager's home page."""

import streamlit as st

from csm.charts import build_channel_volume_figure, build_kpi_trend_figure
from csm.formatting import format_scorecard
from csm.kpis import load_catalogue
from csm.metrics import HEADLINE_KPIS, select_off_target
from csm.periods import describe_comparison
from csm.ui.cards import render_kpi_cards
from csm.ui.filters import get_selection
from csm.ui.loaders import load_overview

catalogue = load_catalogue()
sel = get_selection()
data = load_overview(sel.start, sel.end, sel.comparison, sel.filters)
caption, compared_with = describe_comparison(data.windows, sel.comparison, outside_data=data.comparison_outside_data)

st.header("Overview")
st.caption(caption)
if data.totals.filter(window="current")["contacts"].item() == 0:
    st.info("No contacts match this period and these filters. Widen the period or clear a filter.")

render_kpi_cards(data.scorecard, HEADLINE_KPIS, catalogue=catalogue, series=data.series, compared_with=compared_with)

trend_keys = [k for k in data.series.columns if k in catalogue.kpis]
picker, _ = st.columns([1, 2])
key = picker.selectbox(
    "Trend of", trend_keys, format_func=lambda k: catalogue[k].label, key="overview__trend_kpi",
    help="The definition of the chosen KPI is shown under the chart.",
)
left, right = st.columns(2)
left.plotly_chart(
    build_kpi_trend_figure(data.series, kpi=catalogue[key], target=data.targets.get(key), grain=data.grain),
    key="overview__trend_chart",
)
left.caption(catalogue[key].definition)
right.plotly_chart(build_channel_volume_figure(data.channel_series, grain=data.grain), key="overview__channel_chart")

st.subheader("Off target, worst first")
off = select_off_target(data.scorecard)
if off.height:
    st.caption("Ranked by the distance from target relative to the target.")
    st.dataframe(format_scorecard(off, catalogue=catalogue), hide_index=True)
elif (data.scorecard["status"] == "on_target").any():
    st.success("Every KPI with a target and data is on target for this selection.")
else:
    st.info("No KPI with a target has data for this selection.")

with st.expander("All KPIs with definitions"):
    st.dataframe(format_scorecard(data.scorecard, catalogue=catalogue, with_definition=True), hide_index=True)
