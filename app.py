"""Customer service dashboard: page frame, navigation and the shared sidebar filters."""

import duckdb
import streamlit as st

from csm.db import DatabaseError, describe_database_error
from csm.ui import filters, loaders
from csm.ui.navigation import PAGES

st.set_page_config(page_title="Customer Service Dashboard", page_icon="🎧", layout="wide")

sections: dict[str, list] = {}
for spec in PAGES:
    sections.setdefault(spec.section, []).append(
        st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=spec is PAGES[0])
    )
page = st.navigation(sections)
db_path = loaders.get_settings()["db_path"]
try:
    loaders.get_connection()
except DatabaseError as exc:  # one clear message on every page, never a traceback
    st.error(f"The dashboard cannot open its database: {exc}", icon="🛑")
    st.stop()
if loaders.load_is_demo():
    st.sidebar.warning("**Demo data**: generated contacts, not your own. Import an export on the Data page.")

try:
    if next(s for s in PAGES if s.title == page.title).uses_filters:
        first_day, last_day, contacts = loaders.load_data_range()
        if contacts == 0:
            st.warning("The database holds no contacts yet. Import a file on the Data page, or build the demo data "
                       "with `python -m csm demo`.")
            st.stop()
        filters.store_selection(filters.render_sidebar_filters(loaders.load_filter_options(), first_day, last_day))
    page.run()
except duckdb.Error as exc:  # a damaged file can open and still fail on the rows a page reads
    st.error(f"The database could not be read: {describe_database_error(db_path, exc, opening=False)} If this "
             "persists, the file may be damaged: restore it from a backup.", icon="🛑")
