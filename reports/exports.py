"""Exports of the reports: a KPI table or one KPI's breakdown as rows (``midoffice.csv.csv_lines`` streams them)."""

from collections.abc import Iterator

from .kpis import Filters
from .periods import Period
from .presentation import BREAKDOWN_NAMES
from .selectors import kpi_report, kpi_reports

KPI_COLUMNS = (
    "code",
    "name",
    "period",
    "value",
    "unit",
    "norm",
    "norm_relative",
    "status",
    "numerator",
    "denominator",
    "year_earlier_period",
    "year_earlier_value",
)
BREAKDOWN_COLUMNS = (
    "code",
    "name",
    "period",
    "breakdown",
    "key",
    "value",
    "unit",
    "norm",
    "status",
    "numerator",
    "denominator",
)


def kpi_table_rows(period: Period, filters: Filters) -> Iterator[tuple]:
    """The header and one row per KPI (the dashboard's table)."""
    yield KPI_COLUMNS
    reports, _left_out = kpi_reports(period, filters)
    for report in reports:
        earlier = report["year_earlier"]
        yield (
            report["code"],
            report["name"],
            period.label,
            report["value"],
            report["unit"],
            report["norm"],
            report["norm_relative"],
            report["status"],
            report["numerator"],
            report["denominator"],
            earlier["period"]["label"],
            earlier["value"],
        )


def kpi_breakdown_rows(code: str, period: Period, filters: Filters, breakdown: str) -> Iterator[tuple]:
    """The header and one row per key of one KPI's breakdown."""
    yield BREAKDOWN_COLUMNS
    report = kpi_report(code, period, filters, breakdown)
    name = str(BREAKDOWN_NAMES.get(breakdown, breakdown))
    for row in report["breakdown"]["rows"]:
        yield (
            code,
            report["name"],
            period.label,
            name,
            row["key"],
            row["value"],
            report["unit"],
            row["norm"],
            row["status"],
            row["numerator"],
            row["denominator"],
        )
