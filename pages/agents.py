"""Agents: every agent's KPIs with their uncertainty, and who truly differs from their team."""

import streamlit as st

from csm import exports
from csm.agents import EXPERIENCED_WEEKS, RAMP_WEEKS, SCORECARD_KPIS
from csm.charts import build_handle_time_figure, build_kpi_by_group_figure, build_ramp_figure
from csm.drill import drill_agent_trend, drill_handle_time, drill_mix_row, drill_ramp, drill_row
from csm.formatting import agent_trend_frame, escape_markdown, format_agent_scorecard, format_mix
from csm.kpis import load_catalogue
from csm.one_on_one import TREND_KPIS, render_one_on_one
from csm.periods import describe_period
from csm.stats import MIN_SAMPLE
from csm.ui.drill import drillable_chart, drillable_table, render_drill
from csm.ui.filters import get_selection
from csm.ui.loaders import load_agent_detail, load_agents, load_ramp

PAGE = "agents"
NO_AGENT = (("agent_id", ("(none)",)),)  # the tables count only contacts an agent handled

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
st.caption("Tick a row, or click a point or bar in a chart below, to list its contacts at the bottom of the page.")
agents_shown = format_agent_scorecard(card.table, keys=SCORECARD_KPIS, sort_by=sort_by)
drillable_table(agents_shown, page=PAGE, key="agents__scorecard", hide_index=True, height=560, column_config=columns,
                column_order=[c for c in agents_shown.columns if c != "ID"],
                to_drill=lambda row, _: drill_row(agents_shown, row, dims={"Team": "team", "ID": "agent_id"},
                                                  shown={"agent_id": "Agent"}, start=sel.start, end=sel.end))
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
drillable_chart(build_kpi_by_group_figure(agent_trend_frame(detail.trend, trend_kpi, name=names[chosen]),
                                          kpi=catalogue[trend_kpi], by="who", target=catalogue[trend_kpi].target,
                                          grain="week", title=f"{catalogue[trend_kpi].label} per week: "
                                                              f"{names[chosen]} and the team"),
                page=PAGE, key="agents__trend", container=left,
                to_drill=lambda p: drill_agent_trend(p, kpi_key=trend_kpi, kpi_label=catalogue[trend_kpi].label,
                                                     agent_id=chosen, name=names[chosen], team=detail.team,
                                                     start=sel.start, end=sel.end))
drillable_chart(build_handle_time_figure(detail.handle_minutes), page=PAGE, key="agents__handle", container=right,
                to_drill=lambda p: drill_handle_time(p, agent_id=chosen, name=names[chosen], start=sel.start,
                                                     end=sel.end))
st.caption(f"The team line is {escape_markdown(detail.team) if detail.team else 'the selection'} as a whole (for contacts: per agent who worked "
           "that week).")
mix, low = st.columns(2)
mix.markdown("**Work mix** against the team")
low.markdown("**Lowest-rated contacts** (CSAT 1 or 2, worst and newest first, at most 20)")
drillable_table(format_mix(detail.mix), page=PAGE, key="agents__mix", container=mix, hide_index=True,
                to_drill=lambda row, _: drill_mix_row(detail.mix, row, agent_id=chosen, name=names[chosen],
                                                      start=sel.start, end=sel.end))
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
teams_shown = format_agent_scorecard(card.teams, keys=SCORECARD_KPIS, sort_by=sort_by)
drillable_table(teams_shown, page=PAGE, key="agents__teams", hide_index=True, column_config=columns,
                to_drill=lambda row, _: drill_row(teams_shown, row, dims={"Team": "team"}, drop=NO_AGENT,
                                                  start=sel.start, end=sel.end))
st.caption("The same rules, each team against all the other teams of the selection together.")

st.subheader("New-hire ramp")
ramp = load_ramp(sel.filters)
if ramp.is_empty():
    st.info("Nobody was hired in the twelve months before the data's last day (or the filters leave out their work).")
else:
    ramp_kpi = st.radio("Ramp of", ["aht_s", "fcr_rate", "qa_score"], format_func=lambda k: catalogue[k].label,
                        horizontal=True, key="agents__ramp_kpi")
    drillable_chart(build_ramp_figure(ramp.filter(kpi=ramp_kpi), kpi=catalogue[ramp_kpi]), page=PAGE,
                    key="agents__ramp",
                    to_drill=lambda p: drill_ramp(p, kpi_key=ramp_kpi, kpi_label=catalogue[ramp_kpi].label,
                                                  weeks=RAMP_WEEKS, experienced=EXPERIENCED_WEEKS))
    st.caption("Agents hired in the last twelve months, by the month they started (how many in brackets), week by week "
               "of their first 16, against the median agent with over 26 weeks' tenure on the same calendar days. "
               "The period filter does not apply; the others do.")

a, b = st.columns(2)
a.download_button("Scorecard (CSV)", exports.agents_csv(card), file_name=f"agents_{sel.start}_{sel.end}.csv",
                  mime="text/csv", key="agents__csv")
b.download_button("Scorecard and teams (Excel)", exports.agents_xlsx(card),
                  file_name=f"agents_{sel.start}_{sel.end}.xlsx",
                  mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="agents__xlsx")

render_drill(PAGE)
