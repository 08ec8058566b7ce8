"""KPIs: see docs/reports.md."""
