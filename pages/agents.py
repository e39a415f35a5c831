"""Agents: every agent's KPIs with their uncertainty, and who truly differs from their team."""

import streamlit as st

from csm.agents import SCORECARD_KPIS
from csm.charts import build_ramp_figure
from csm.formatting import format_agent_scorecard, to_excel
from csm.kpis import load_catalogue
from csm.periods import describe_period
from csm.stats import MIN_SAMPLE
from csm.ui.filters import get_selection
from csm.ui.loaders import load_agents, load_ramp

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
