"""Customer topics: what customers contact about, what grows, and what is emerging."""

import io

import polars as pl
import streamlit as st

from csm.periods import describe_period
from csm.topics import BASELINE_MONTHS, MIN_CONTACTS, MIN_LIFT
from csm.ui.filters import get_selection
from csm.ui.loaders import load_topics

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
    for row in emerging.iter_rows(named=True):
        was = f"{row['baseline_share']:.1%}" if row["baseline_share"] else "nothing"
        st.warning(f"**{row['category']}** in {row['month']:%B %Y}: {row['contacts']:,} contacts, "
                   f"{row['share']:.1%} of the month against {was} over the {BASELINE_MONTHS} months before.")
st.caption(f"A topic is emerging when its share of a month's contacts is higher than its share over the "
           f"{BASELINE_MONTHS} months before by more than chance explains (binomial z-test, Benjamini-Hochberg at 5% "
           f"over all topics and months), at least {MIN_LIFT:g} times that share, with at least {MIN_CONTACTS} "
           "contacts. Months without six months of history before them are not judged.")

st.subheader("Topics by volume")
percent = st.column_config.NumberColumn(format="%.1f%%")  # values in percent
ranking = view.ranking.with_columns(pl.col("growth", "csat", "fcr_rate") * 100).rename({"category": "Topic", "contacts": "Contacts", "previous": "Previous period",
                               "growth": "Growth", "csat": "CSAT", "fcr_rate": "First-contact resolution"})
st.dataframe(ranking, hide_index=True, column_config={"Growth": percent, "CSAT": percent,
                                                      "First-contact resolution": percent,
                                                      "Contacts": st.column_config.NumberColumn(format="localized"),
                                                      "Previous period": st.column_config.NumberColumn(
                                                          format="localized")})
st.caption("Previous period: the same number of days just before. Empty cells have no data (no CSAT answers, "
           "no contacts before).")

st.subheader("By topic and channel")
kpi = st.radio("Show", ["CSAT", "First-contact resolution"], horizontal=True, key="topics__kpi")
column = "csat" if kpi == "CSAT" else "fcr_rate"
grid = (view.by_channel.with_columns(pl.col(column) * 100, pl.col("channel").str.replace("_", " "))
        .pivot(on="channel", index="category", values=column).sort("category").rename({"category": "Topic"}))
st.dataframe(grid, hide_index=True, column_config={c: percent for c in grid.columns if c != "Topic"})

a, b = st.columns(2)
a.download_button("Topics (CSV)", view.ranking.write_csv(), file_name=f"topics_{sel.start}_{sel.end}.csv",
                  mime="text/csv", key="topics__csv")
book = io.BytesIO()
view.ranking.write_excel(book, worksheet="Topics")
view.emerging.write_excel(book, worksheet="Emerging")
view.by_channel.write_excel(book, worksheet="By channel")
b.download_button("Topics (Excel)", book.getvalue(), file_name=f"topics_{sel.start}_{sel.end}.xlsx",
                  mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="topics__xlsx")
