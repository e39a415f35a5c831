"""Customer topics: what customers contact about, what grows, and what is emerging."""

import streamlit as st

from csm import exports
from csm.drill import drill_row, drill_topic_cell, drill_topic_month
from csm.formatting import escape_markdown, format_topic_grid, format_topic_ranking
from csm.periods import describe_period
from csm.topics import BASELINE_MONTHS, MIN_CONTACTS, MIN_LIFT
from csm.ui.drill import drill_button, drillable_table, render_drill
from csm.ui.filters import get_selection
from csm.ui.loaders import load_topics

PAGE = "topics"

sel = get_selection()
st.header("Customer topics")
st.caption(describe_period(sel.start, sel.end))
view = load_topics(sel.start, sel.end, sel.filters)
if view.ranking.is_empty():
    st.info("No contacts match this period and these filters.")
    st.stop()

st.subheader("Emerging topics")
emerging = view.emerging.filter("emerging").sort("month", "lift", descending=[False, True])
if emerging.is_empty():
    st.success("No topic grew beyond normal variation in the months of this period.")
else:
    for i, row in enumerate(emerging.iter_rows(named=True)):
        was = f"{row['baseline_share']:.1%}" if row["baseline_share"] else "nothing"
        st.warning(f"**{escape_markdown(row['category'])}** in {row['month']:%B %Y}: {row['contacts']:,} contacts, "
                   f"{row['share']:.1%} of the month against {was} over the {BASELINE_MONTHS} months before.")
        drill_button(f"List the {row['category']} contacts of {row['month']:%B %Y}",
                     drill_topic_month(row["category"], row["month"], end=sel.end), page=PAGE, key=f"topics__emerging_{i}")
st.caption(f"A topic is emerging when its share of a month's contacts is higher than its share over the "
           f"{BASELINE_MONTHS} months before by more than chance explains (binomial z-test, Benjamini-Hochberg at 5% "
           f"over all topics and months), at least {MIN_LIFT:g} times that share, with at least {MIN_CONTACTS} "
           "contacts. Months without six months of history before them are not judged.")

st.subheader("Topics by volume")
percent = st.column_config.NumberColumn(format="%.1f%%")  # values in percent
ranking = format_topic_ranking(view.ranking)
st.caption("Tick a row, or click a cell of the grid below, to list its contacts at the bottom of the page.")
drillable_table(ranking, page=PAGE, key="topics__ranking", hide_index=True,
                to_drill=lambda row, _: drill_row(ranking, row, dims={"Topic": "category"}, start=sel.start,
                                                  end=sel.end),
                column_config={"Growth": percent, "CSAT": percent,
                                                      "First-contact resolution": percent, "Bot resolution": percent,
                                                      "Bot handed to an agent": percent,
                                                      "Contacts": st.column_config.NumberColumn(format="localized"),
                                                      "Previous period": st.column_config.NumberColumn(
                                                          format="localized")})
st.caption("Previous period: the same number of days just before. Bot resolution: of the contacts a bot took, the "
           "share it resolved without an agent; the rest were handed to an agent. Empty cells have no data (no CSAT "
           "answers, no contacts before, no bot).")

st.subheader("By topic and channel")
kpi = st.radio("Show", ["CSAT", "First-contact resolution"], horizontal=True, key="topics__kpi")
column = "csat" if kpi == "CSAT" else "fcr_rate"
grid = format_topic_grid(view.by_channel, column)
drillable_table(grid, page=PAGE, key=f"topics__grid_{column}", hide_index=True, cells=True,
                column_config={c: percent for c in grid.columns if c != "Topic"},
                to_drill=lambda row, col: drill_topic_cell(view.by_channel, grid, row, col, kpi_key=column,
                                                           start=sel.start, end=sel.end))

a, b = st.columns(2)
a.download_button("Topics (CSV)", exports.topics_csv(view), file_name=f"topics_{sel.start}_{sel.end}.csv",
                  mime="text/csv", key="topics__csv")
b.download_button("Topics (Excel)", exports.topics_xlsx(view), file_name=f"topics_{sel.start}_{sel.end}.xlsx",
                  mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="topics__xlsx")

render_drill(PAGE)
