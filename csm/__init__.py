"""Customer service analytics: data model, KPI catalogue and queries behind the dashboard."""

__version__ = "0.1.0"
