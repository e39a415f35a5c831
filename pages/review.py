"""Business review: a month or a quarter against target and against before, why it moved, in words, to forward."""

import streamlit as st

from csm.formatting import escape_markdown
from csm.report import DIMENSION_WORDS, Why, export_pack, find_chromium, why_figure, why_table
from csm.review import (
    EXPLAINS,
    MATERIAL_POINTS,
    MATERIAL_RELATIVE,
    WHY_DIMENSIONS,
    parse_period,
    review_periods,
    save_notes,
)
from csm.ui.filters import get_selection
from csm.ui.loaders import load_data_range, load_review, open_writer

sel = get_selection()
st.header("Business review")
first, last, _ = load_data_range()
periods = review_periods(first, last)
if not periods:
    st.info("There is no data to review yet.")
    st.stop()
complete = [p for p in periods if "Q" not in p and parse_period(p).end <= last]  # whole months with data
period = st.selectbox("Review of", periods, index=periods.index(complete[0]) if complete else 0, key="review__period",
                      format_func=lambda p: parse_period(p).name,
                      help="A month or a quarter. The sidebar's period does not apply; its filters do.")
review, pack = load_review(period, sel.filters)
st.caption(f"{escape_markdown(pack.subtitle)}. Targets in force on {review.period.end:%d %b %Y}.")

st.subheader("Summary")
st.markdown("\n".join(f"- {escape_markdown(line)}" for line in pack.narrative))
st.caption(f"Written from the figures below by fixed rules. A KPI *moved* when it changed by {MATERIAL_POINTS * 100:.0f} "
           f"points or more (rates) or {MATERIAL_RELATIVE:.0%} or more (anything else) on {review.previous.name}. "
           "\"Most of it comes from\" names the segment whose part of the change most exceeds its share of the "
           f"contacts, when it carries at least {EXPLAINS:.0%} of the change. Method: docs/review.md.")

st.subheader("KPIs")
st.dataframe(pack.kpis, hide_index=True)
moved = review.table.filter("moved")
if moved.height:
    st.markdown("**Top movers**")
    shown = pack.kpis.filter(pack.kpis["KPI"].is_in(moved["label"].to_list())).head(4)
    for column, row in zip(st.columns(shown.height), shown.iter_rows(named=True), strict=True):
        column.metric(row["KPI"], row["Actual"], f"{row['Change']} on {review.previous.name}", delta_color="off")

st.subheader("Why it moved")
if not review.why:
    st.info("No KPI that splits into segments (rates, averages and counts) moved materially.")
for key, by_dimension in review.why.items():
    label = review.table.filter(key=key)["label"][0]
    driver = next((w.dimension for w in pack.whys if w.key == key), WHY_DIMENSIONS[0])
    dimension = st.radio(f"{label} by", WHY_DIMENSIONS, index=WHY_DIMENSIONS.index(driver), horizontal=True,
                         format_func=DIMENSION_WORDS.get, key=f"review__why_{key}")
    why = Why(key, label, dimension, by_dimension[dimension].head(8))
    left, right = st.columns([3, 2])
    left.plotly_chart(why_figure(why), key=f"review__why_chart_{key}")
    right.dataframe(why_table(why), hide_index=True)
    if key == "service_level" and pack.queue_drivers is not None:
        right.markdown("**Volume, handle time and staffing** (Erlang C model of the queues)")
        right.dataframe(pack.queue_drivers, hide_index=True)
st.caption("Mix: the segment's share of the contacts the KPI counts moved (a growing segment with a worse rate "
           "pulls the KPI down). Rate: the KPI moved within the segment. Per segment they add up to its part of "
           "the change, and all segments add up to the whole change. Medians and the backlog do not split this way.")

if review.headcount.height:
    st.markdown(f"**People**: hires and leavers in {review.period.name} (headcount table)")
    st.dataframe(review.headcount.rename({"team": "Team", "hires": "Hires", "leavers": "Leavers"}), hide_index=True)

st.subheader("Commentary and recommendations")
notes = st.text_area("Your commentary for this review (saved with the period and teams; goes into every export)",
                     value=review.notes, height=160, key=f"review__notes_{period}_{sel.filters.team}")
if st.button("Save the commentary", key="review__save"):
    with open_writer() as con:
        save_notes(con, period=review.period, filters=sel.filters, notes=notes)
    st.session_state["review__saved"] = True
    st.rerun()
if st.session_state.pop("review__saved", False):
    st.success("Commentary saved.")

st.subheader("Export")
name = f"business_review_{review.period.label}"
pdf_note = ("printed by Chromium, with the charts" if find_chromium() else
            "this machine has no Chromium, so the PDF holds the text and tables without the charts")
st.caption(f"Each file has the summary, your commentary, the KPI table and a section per KPI that moved. HTML opens "
           f"offline in any browser; PDF: {pdf_note}; PowerPoint: one slide per section with editable charts; Excel: "
           "the tables with their raw numbers.")
buttons = st.columns(4)
for column, (fmt, label, mime) in zip(buttons, (
        ("html", "HTML", "text/html"), ("pdf", "PDF", "application/pdf"),
        ("pptx", "PowerPoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ("xlsx", "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")), strict=True):
    column.download_button(f"Review ({label})", lambda fmt=fmt: export_pack(pack, fmt)[0], file_name=f"{name}.{fmt}",
                           mime=mime, key=f"review__{fmt}")
