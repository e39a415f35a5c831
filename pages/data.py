"""Data: import helpdesk and call-center exports and reference tables; see and undo past imports."""

import streamlit as st

from csm.ui import importer

st.header("Data")
st.caption(
    "Import a helpdesk or call-center export, or a reference table (agents, budget, headcount plan, KPI "
    "targets). You see the proposed mapping and a validation report before anything is written; an import "
    "is all or nothing, and the latest one can be undone."
)
upload, history, templates = st.tabs(["Import a file", "Import history", "Templates"])
with upload:
    importer.render_import()
with history:
    importer.render_history()
with templates:
    importer.render_templates()
