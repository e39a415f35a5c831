"""Agents: every agent's KPIs with their uncertainty, and who truly differs from their team."""

import streamlit as st

from csm.agents import SCORECARD_KPIS
from csm.charts import build_handle_time_figure, build_kpi_by_group_figure, build_ramp_figure
from csm.formatting import agent_trend_frame, format_agent_scorecard, format_mix, to_excel
from csm.kpis import load_catalogue
from csm.one_on_one import TREND_KPIS, render_one_on_one
from csm.periods import describe_period
from csm.stats import MIN_SAMPLE
from csm.ui.filters import get_selection
from csm.ui.loaders import load_agent_detail, load_agents, load_ramp

sel = get_selection()
st.header("Agents")
st.caption(describe_period(sel.start, sel.end))
card = load_agents(sel.start, sel.end, sel.filters)
if card.table.is_empty():
    st.info("No contacts handled by an agent match this period and these filters.")
    st.stop()
catalogue = load_catalogue()
coach = card.cells.filter(flag="coach")["agent_id"].n_unique()
recognise = card.cells.filter(flag="recognise")["agent_id"].n_unique()
st.markdown(f"**{card.table.height:,}** agents in the selection: **{coach}** to coach on at least one KPI, "
            f"**{recognise}** to recognise.")
sort_by = st.selectbox("Sort by", SCORECARD_KPIS, format_func=lambda k: catalogue[k].label, key="agents__sort",
                       help="Best first; cells with too few contacts last.")
columns = {"Contacts": st.column_config.NumberColumn(format="localized"),
           "Coach on": st.column_config.TextColumn(width="large"),
           "Recognise for": st.column_config.TextColumn(width="large")}
st.dataframe(format_agent_scorecard(card.table, keys=SCORECARD_KPIS, sort_by=sort_by), hide_index=True, height=560,
             column_config=columns)
st.caption(f"Each cell: the value and its 95% interval. \"too few (n)\": fewer than {MIN_SAMPLE} contacts count "
           "towards that KPI, so no interval and no flag. Each agent is compared with the rest of their own team; "
           "a flag needs a difference that is both statistically clear (Benjamini-Hochberg, 5% false discoveries) "
           "and material (5 points for a rate, 10% for a time or score). Method: docs/statistics.md.")

st.subheader("One agent")
people = card.table.select("agent_id", "agent").unique(subset="agent_id", keep="first").sort("agent")
names = dict(people.iter_rows())
chosen = st.selectbox("Agent", list(names), format_func=names.get, key="agents__one")
detail = load_agent_detail(chosen, sel.start, sel.end, sel.filters)
trend_kpi = st.radio("Week by week", TREND_KPIS, format_func=lambda k: catalogue[k].label, horizontal=True,
                     key="agents__trend_kpi")
left, right = st.columns(2)
left.plotly_chart(build_kpi_by_group_figure(agent_trend_frame(detail.trend, trend_kpi, name=names[chosen]),
                                            kpi=catalogue[trend_kpi], by="who", target=catalogue[trend_kpi].target,
                                            grain="week", title=f"{catalogue[trend_kpi].label} per week: "
                                                                f"{names[chosen]} and the team"),
                  key="agents__trend")
right.plotly_chart(build_handle_time_figure(detail.handle_minutes), key="agents__handle")
st.caption(f"The team line is {detail.team or 'the selection'} as a whole (for contacts: per agent who worked "
           "that week).")
mix, low = st.columns(2)
mix.markdown("**Work mix** against the team")
low.markdown("**Lowest-rated contacts** (CSAT 1 or 2, worst and newest first, at most 20)")
mix.dataframe(format_mix(detail.mix), hide_index=True)
if detail.lowest.is_empty():
    low.info("No contact rated 1 or 2 in the period.")
else:
    low.dataframe(detail.lowest, hide_index=True)
st.download_button("One-on-one summary (HTML, printable)",
                   render_one_on_one(detail, name=names[chosen], start=sel.start, end=sel.end,
                                     scorecard=card.cells.filter(agent_id=chosen, team_name=detail.team)),
                   file_name=f"one_on_one_{chosen}_{sel.start}_{sel.end}.html", mime="text/html",
                   key="agents__one_on_one")

st.subheader("Teams side by side")
st.dataframe(format_agent_scorecard(card.teams, keys=SCORECARD_KPIS, sort_by=sort_by), hide_index=True,
             column_config=columns)
st.caption("The same rules, each team against all the other teams of the selection together.")

st.subheader("New-hire ramp")
ramp = load_ramp(sel.filters)
if ramp.is_empty():
    st.info("Nobody was hired in the twelve months before the data's last day (or the filters leave out their work).")
else:
    ramp_kpi = st.radio("Ramp of", ["aht_s", "fcr_rate", "qa_score"], format_func=lambda k: catalogue[k].label,
                        horizontal=True, key="agents__ramp_kpi")
    st.plotly_chart(build_ramp_figure(ramp.filter(kpi=ramp_kpi), kpi=catalogue[ramp_kpi]), key="agents__ramp")
    st.caption("Agents hired in the last twelve months, by the month they started (how many in brackets), week by week "
               "of their first 16, against the median agent with over 26 weeks' tenure on the same calendar days. "
               "The period filter does not apply; the others do.")

a, b = st.columns(2)
a.download_button("Scorecard (CSV)", card.table.write_csv(), file_name=f"agents_{sel.start}_{sel.end}.csv",
                  mime="text/csv", key="agents__csv")
b.download_button("Scorecard and teams (Excel)", to_excel({"Agents": card.table, "Teams": card.teams}),
                  file_name=f"agents_{sel.start}_{sel.end}.xlsx",
                  mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="agents__xlsx")
