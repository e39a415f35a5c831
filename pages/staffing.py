"""Staffing: how many people a coming week needs, interval by interval, and where the team falls short."""

import streamlit as st

from csm.charts import build_staffing_heatmap
from csm.formatting import format_staffing_channels
from csm.ui.filters import get_selection
from csm.ui.loaders import load_staffing

sel = get_selection()
st.header("Staffing")
st.caption("Forecast volume, Erlang C for the queue channels (phone, chat) and workload for the others. The shared "
           "filters choose the teams and channels; the period does not apply: the plan is for a coming week.")
kind = st.radio("Staff the queues for", ["service level", "average speed of answer"], horizontal=True,
                key="staffing__kind")
a, b, c, d = st.columns(4)
weeks_ahead = a.slider("Week ahead", 1, 12, 1, key="staffing__week")
slot = b.radio("Interval (minutes)", [30, 60], index=1, horizontal=True, key="staffing__slot")
if kind == "service level":
    target = c.slider("Service level target (%)", 50, 99, 80, key="staffing__target")
    threshold = d.number_input("answered within (s)", 5, 600, 20, step=5, key="staffing__threshold")
    asa = None
else:
    asa = c.number_input("Average speed of answer at most (s)", 1, 600, 30, step=5, key="staffing__asa")
    target, threshold = None, 20
e, f, g, h = st.columns(4)
occupancy = e.slider("Maximum occupancy (%)", 50, 100, 85, key="staffing__occupancy")
shrinkage = f.slider("Shrinkage (%)", 0, 60, 30, key="staffing__shrinkage",
                     help="Paid time not spent on contacts: breaks, training, meetings, absence.")
hours = g.number_input("Productive hours per FTE a week", 10.0, 48.0, 37.5, step=0.5, key="staffing__hours")
aht = h.number_input("Handle time (s), 0 for the data's", 0, 3600, 0, step=10, key="staffing__aht",
                     help="Leave 0 to use each channel's average handle time of the last four weeks.")
plan = load_staffing(sel.filters, weeks_ahead, slot, target / 100 if target else None, float(threshold),
                     occupancy / 100, shrinkage / 100, float(hours), float(aht) or None, float(asa) if asa else None)
if plan.problem:
    st.info(f"No plan for this selection: {plan.problem}.")
    st.stop()
st.subheader(f"Week from {plan.week_start:%a %d %b %Y}")
st.dataframe(format_staffing_channels(plan.channels), hide_index=True)
st.caption(f"In all {plan.channels['fte'].sum():,.1f} FTE, after {shrinkage}% shrinkage and {hours:g} productive hours "
           "per FTE a week.")
left, right = st.columns(2)
left.plotly_chart(build_staffing_heatmap(plan.intervals, value="agents", slot_minutes=slot), key="staffing__need")
right.plotly_chart(build_staffing_heatmap(plan.intervals, value="gap", slot_minutes=slot), key="staffing__gap")
st.caption("Agents required on the phone and chat queues, each channel staffed for its own target. The gap compares "
           "them with the agents seen handling queue contacts at the same weekday and hour over the last four weeks "
           "(there are no schedules in the data): red means fewer agents were working than the week will need.")
