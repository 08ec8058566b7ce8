"""The report as a PDF in the style of a policy report (WeasyPrint): a title page with the city's name and the
period, then per section and per KPI its definition, norm, value, status, the same period a year earlier and the
chart of the last twelve months with its figures."""

import logging
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from .charts import data_uri, line_chart
from .kpis import NO_FILTERS, REGISTRY
from .periods import Period
from .presentation import by_section, shown, trend_period
from .selectors import kpi_report, kpi_reports

logger = logging.getLogger(__name__)

try:
    from weasyprint import HTML
except OSError:  # WeasyPrint loads the system's Pango when imported; without it there is no PDF.
    HTML = None


class PdfUnavailable(Exception):
    """This installation cannot make PDFs (WeasyPrint cannot find the system's Pango)."""


def _with_trend(report: dict, period: Period) -> dict:
    if "month" not in REGISTRY[report["code"]].breakdowns:
        return report
    months = shown(kpi_report(report["code"], trend_period(period), NO_FILTERS, "month"))
    rows = months["breakdown"]["rows"]
    norm = None if report["norm_relative"] else report["norm"]
    chart = line_chart(report["name"], [row["key"] for row in rows], [row["value"] for row in rows], norm=norm)
    return {**report, "trend": rows, "chart": data_uri(chart)}


def report_html(period: Period) -> str:
    """The report as HTML (what the PDF is printed from)."""
    reports, _left_out = kpi_reports(period)
    reports = [_with_trend(shown(report), period) for report in reports]
    logo = finders.find(settings.MIDOFFICE_CITY_LOGO)
    context = {
        "city": settings.MIDOFFICE_CITY_NAME,
        "colour": settings.MIDOFFICE_CITY_COLOUR,
        "logo": Path(logo).as_uri() if logo else "",
        "period": period,
        "made_at": timezone.localtime(),
        "sections": by_section(reports),
    }
    return render_to_string("reports/report.html", context)


def report_pdf(period: Period) -> bytes:
    if HTML is None:
        raise PdfUnavailable
    return HTML(string=report_html(period)).write_pdf()
