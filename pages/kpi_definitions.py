"""KPI definitions: the catalogue every number on the dashboard comes from."""

import streamlit as st

from csm.formatting import format_catalogue
from csm.kpis import load_catalogue

catalogue = load_catalogue()
st.header("KPI definitions")
st.caption(
    "Every KPI on the dashboard is defined once, here. Ratios are the sum of the numerator over the "
    "sum of the denominator for the whole selection, never an average of daily or team rates. "
    "A KPI without data shows n/a, never 0. All KPIs except the backlog describe the contacts "
    "created in the selected period."
)
st.table(format_catalogue(catalogue))
st.caption(
    f"{len(catalogue.kpis)} KPIs, from csm/kpis.yaml. Targets set in the database's targets table "
    "override the defaults shown here."
)
