"""The Streamlit-aware part of ``csm``: cached loaders, shared filters, KPI cards, navigation."""
