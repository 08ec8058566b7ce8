"""The report as a PDF in the style of a policy report (WeasyPrint): a title page with the city's name and the
period, then per section and per KPI its definition, norm, value, status, the same period a year earlier and the
chart of the last twelve months with its figures."""

import importlib
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from .kpis import NO_FILTERS
from .periods import Period
from .presentation import by_section, shown, trend
from .selectors import kpi_reports

# WeasyPrint loads the system's Pango when it is imported: half a second at the start of every process, and an
# OSError where Pango is missing. It is loaded when the first PDF is made.
WEASYPRINT = "weasyprint"


class PdfUnavailable(Exception):
    """This installation cannot make PDFs (WeasyPrint cannot find the system's Pango)."""


def _with_trend(report: dict, period: Period) -> dict:
    months = trend(report, period, NO_FILTERS)
    return report if months is None else {**report, "trend": months["rows"], "chart": months["chart"]}


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
    try:
        weasyprint = importlib.import_module(WEASYPRINT)
    except (ImportError, OSError) as exc:
        raise PdfUnavailable from exc
    return weasyprint.HTML(string=report_html(period)).write_pdf()
