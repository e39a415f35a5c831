"""Budget: spend against plan, the year's projection, overtime and short weeks, headcount and unit costs."""

import streamlit as st

from csm import exports
from csm.budget import OVER_PLAN_TOLERANCE, RUN_RATE_MONTHS, describe_over_plan
from csm.charts import build_budget_figure, build_fte_figure, build_overtime_figure, build_unit_cost_figure
from csm.formatting import (
    escape_markdown,
    format_budget_months,
    format_channel_costs,
    format_headcount,
    format_money,
    format_unit_costs,
    format_year_summary,
)
from csm.metrics import SPEND_BLIND_DIMENSIONS
from csm.periods import describe_period
from csm.ui.filters import get_selection
from csm.ui.loaders import load_budget_view
from csm.ui.plan_editor import render_plan_editor

sel = get_selection()
st.header("Budget and headcount")
view = load_budget_view(sel.start, sel.end, sel.filters)
months = f"{view.months[0]:%b %Y}" + (f" – {view.months[-1]:%b %Y}" if len(view.months) > 1 else "")
st.caption(f"{describe_period(sel.start, sel.end)}. Budget and headcount are monthly: this page shows the whole "
           f"months {months}" + (f" for {escape_markdown(', '.join(sel.filters.team))}" if sel.filters.team else
                                 ", every team and the shared costs") + ".")
if any(d in sel.filters.active() for d in SPEND_BLIND_DIMENSIONS):
    st.info("Spend and headcount are not recorded by channel, agent, topic or priority: those filters change the "
            "contact counts only, and the costs per contact are n/a.")

money = st.column_config.NumberColumn(format="euro")
percent = st.column_config.NumberColumn(format="%.1f%%")
st.subheader(f"{view.year.year} so far")
summary = view.year.table
total = summary.filter(category="Total")
if total.is_empty() or total["ytd_actual"][0] is None:
    st.info(f"No spend is booked for {view.year.year} up to {sel.end:%d %b %Y}.")
else:
    t = total.row(0, named=True)
    a, b, c = st.columns(3)
    a.metric(f"Spent to date ({len(view.year.booked)} booked months)", format_money(t["ytd_actual"]),
             format_money(t["variance"], signed=True, suffix=" against plan"), delta_color="inverse")
    b.metric("Projected for the year", format_money(t["projection"]) or "n/a",
             format_money(t["projected_variance"], signed=True, suffix=" against the year's plan"),
             delta_color="inverse")
    c.metric("Year plan", format_money(t["full_year_plan"]) or "n/a",
             f"{t['plan_months']} of 12 months planned" if t["plan_months"] < 12 else None, delta_color="off")
    for line in describe_over_plan(view.year):
        st.warning(line)
    st.dataframe(format_year_summary(summary), hide_index=True,
                 column_config={c: money for c in ("Plan to date", "Spend to date", "Variance", "Run rate per month",
                                                   "Projected year", "Year plan", "Projected against plan")}
                 | {"Variance (%)": percent})
    st.caption(f"To date: the booked months of {view.year.year} up to the period's end, against the plan of the same "
               f"months. Run rate: the average of the last {RUN_RATE_MONTHS} booked months. Projected year: spend to "
               "date plus the run rate for each month not booked yet. Over plan: more than "
               f"{OVER_PLAN_TOLERANCE:.0%} above the plan to date. Definitions: docs/budget.md.")

st.subheader("Spend against plan by month")
st.plotly_chart(build_budget_figure(view.by_month), key="budget__months")
st.dataframe(format_budget_months(view.by_month), hide_index=True,
             column_config={c: money for c in ("Plan", "Spend", "Variance")} | {"Variance (%)": percent})
st.caption("Variance = spend − plan, only where a month has both; empty where it is not booked yet or has no plan.")

st.subheader("Overtime and short-staffed weeks")
overtime = view.by_month.filter(category="overtime")
st.plotly_chart(build_overtime_figure(overtime, view.weeks, target=view.sl_target), key="budget__overtime")
short = view.weeks.filter("short")
st.caption(f"{short.height} of {view.weeks.height} weeks below the service level target of {view.sl_target:.0%}. "
           "The staffing model plans a coming week from a forecast; past weeks have no schedules to compare with, "
           "so a week counts as short-staffed when its queues missed the service level target.")

st.subheader("Headcount")
st.plotly_chart(build_fte_figure(view.headcount), key="budget__fte")
st.dataframe(format_headcount(view.headcount_summary), hide_index=True,
             column_config={"Attrition, annualised (%)": percent,
                            "Contacts per FTE per month": st.column_config.NumberColumn(format="localized")})
st.caption("FTE: the average over the months with actual FTE. Attrition, annualised: leavers / average actual FTE "
           "× 12 / months. Contacts per FTE: contacts created in those months / their actual FTE, per month.")

st.subheader("Unit costs")
st.plotly_chart(build_unit_cost_figure(view.unit_costs, target=view.cost_target), key="budget__unit")
left, right = st.columns(2)
left.dataframe(format_unit_costs(view.unit_costs), hide_index=True,
               column_config={c: money for c in ("Spend", "Cost per contact", "Cost per resolved contact")}
               | {c: st.column_config.NumberColumn(format="localized") for c in ("Contacts", "Resolved")})
right.dataframe(format_channel_costs(view.by_channel), hide_index=True,
                column_config={c: money for c in ("Allocated spend", "Cost per contact")}
                | {"Share of handle time (%)": percent, "Contacts": st.column_config.NumberColumn(format="localized")})
st.caption("Cost per contact: booked spend / contacts created in the month; per resolved contact: / those of "
           "them that are resolved. By channel, each month's spend is split by the handle time each channel took "
           "(the agents' time is what the money buys), then divided by the channel's contacts.")

a, b = st.columns(2)
name = f"budget_{view.months[0]:%Y-%m}_{view.months[-1]:%Y-%m}"
a.download_button("Spend by month (CSV)", exports.budget_csv(view), file_name=f"{name}.csv", mime="text/csv",
                  key="budget__csv")
b.download_button("Budget, headcount and unit costs (Excel)",
                  exports.budget_xlsx(view),
                  file_name=f"{name}.xlsx",
                  mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="budget__xlsx")

st.subheader("Edit the plan")
render_plan_editor()
