"""Customer service dashboard: page frame, navigation and the shared sidebar filters."""

import streamlit as st

from csm.ui import filters, loaders
from csm.ui.navigation import PAGES

st.set_page_config(page_title="Customer Service Dashboard", page_icon="🎧", layout="wide")

loaders.get_connection()
sections: dict[str, list] = {}
for spec in PAGES:
    sections.setdefault(spec.section, []).append(
        st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=spec is PAGES[0])
    )
page = st.navigation(sections)

if next(s for s in PAGES if s.title == page.title).uses_filters:
    first_day, last_day, contacts = loaders.load_data_range()
    if contacts == 0:
        st.warning("The database holds no contacts yet. Import a file on the Data page, or build the demo data "
                   "with `python -m csm demo`.")
        st.stop()
    filters.store_selection(filters.render_sidebar_filters(loaders.load_filter_options(), first_day, last_day))
page.run()
