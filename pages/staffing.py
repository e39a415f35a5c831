"""Staffing: how many people a coming week needs, interval by interval, and where the team falls short."""

import streamlit as st

from csm.charts import build_staffing_heatmap
from csm.drill import drill_interval
from csm.formatting import STAFFING_COLUMNS, format_staffing_channels
from csm.staffing import QUEUE_CHANNELS
from csm.ui.drill import drillable_chart, render_drill
from csm.ui.filters import get_selection
from csm.ui.loaders import load_staffing

PAGE = "staffing"

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
st.dataframe(
    format_staffing_channels(plan.channels),
    hide_index=True,
    column_config={k: st.column_config.NumberColumn(**v) for k, v in STAFFING_COLUMNS.items()},
)
needed = plan.channels["fte"].sum()
if plan.books_fte is None:
    st.caption(
        f"In all {needed:,.1f} FTE, after {shrinkage}% shrinkage and {hours:g} productive hours per FTE a week. "
        "There is no headcount for these teams (import it on the Data page), so the gap below compares with "
        "the agents seen working instead."
    )
else:
    short = needed - plan.books_fte
    st.markdown(
        f"**{needed:,.1f} FTE needed** against **{plan.books_fte:,.1f} FTE on the books** "
        f"({plan.books_month:%B %Y} headcount): **{abs(short):,.1f} FTE {'short' if short > 0 else 'spare'}**."
    )
    st.caption(f"After {shrinkage}% shrinkage and {hours:g} productive hours per FTE a week.")
profile = plan.profile
queues = tuple(c for c in QUEUE_CHANNELS if c in plan.channels["channel"].to_list())


def to_drill(point: dict):
    return drill_interval(point, first=profile[0], last=profile[1], slot_minutes=slot, channels=queues)


left, right = st.columns(2)
drillable_chart(
    build_staffing_heatmap(plan.intervals, value="agents", slot_minutes=slot),
    page=PAGE,
    key="staffing__need",
    container=left,
    to_drill=to_drill,
)
drillable_chart(
    build_staffing_heatmap(plan.intervals, value="gap", slot_minutes=slot, on_books=plan.books_fte is not None),
    page=PAGE,
    key="staffing__gap",
    container=right,
    to_drill=to_drill,
)
if plan.books_fte is None:
    st.caption(
        "Agents required on the phone and chat queues, each channel staffed for its own target. The gap compares "
        "them with the agents seen handling queue contacts at the same weekday and hour over the last four "
        "weeks: red means fewer agents were working than the week will need."
    )
else:
    st.caption(
        f"Agents required on the phone and chat queues, each channel staffed for its own target. Agents on hand: "
        f"the {plan.books_fte:,.1f} FTE on the books, less {plan.books_fte - plan.queue_fte:,.1f} FTE of "
        f"non-queue work, after shrinkage, spread over the week like the agents seen working in the last four "
        f"weeks (there are no schedules in the data). Red means short. Headcount is per team: a channel "
        f"filter does not split it. Click a cell for the contacts of that interval in those four weeks."
    )

render_drill(PAGE)
