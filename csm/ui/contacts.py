"""Drill-through: the contacts behind a chart's time bucket, as a table and a CSV download."""

from __future__ import annotations

from datetime import date

import streamlit as st

from csm.compile import Filters
from csm.ui.loaders import load_contacts
from csm.volume import bucket_days

SHOWN = 5000


def render_contacts(buckets: list[date], *, grain: str, start: date, end: date, filters: Filters) -> None:
    """Let the user pick one of ``buckets`` and show the contacts created in it under the filters."""
    if not buckets:
        st.info("No contacts match this period and these filters.")
        return
    bucket = st.selectbox("Contacts created in the " + grain + " of", buckets[::-1], key=f"volume__drill_{grain}",
                          format_func=lambda d: f"{d:%a %d %b %Y}")
    first, last = bucket_days(bucket, grain=grain, start=start, end=end)
    rows, total = load_contacts(first, last, filters, SHOWN)
    shown = f"the {SHOWN:,} newest of " if total > SHOWN else ""
    st.caption(f"{first:%d %b} – {last:%d %b %Y}: {shown}{total:,} contacts under the current filters.")
    st.dataframe(rows, hide_index=True)
    st.download_button("These contacts (CSV)", rows.write_csv(), file_name=f"contacts_{first}_{last}.csv",
                       mime="text/csv", key="volume__drill_csv")
