"""The report as PDF: a title page with the city and the period, every KPI with its figures and chart."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from reports.kpis import REGISTRY
from reports.pdf import report_html, report_pdf
from reports.periods import parse_period
from tests.factories import ContactFactory

from .helpers import kpi_queries

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture
def contacts():
    for outcome in ("answered", "answered", "referred"):
        ContactFactory(channel="phone", outcome=outcome, occurred_at=datetime(2026, 8, 3, 10, tzinfo=BRUSSELS))


def test_the_report_holds_every_kpi_with_its_figures(contacts, settings):
    settings.MIDOFFICE_CITY_NAME = "Stad Gent"
    html = report_html(parse_period("2026-Q3"))
    assert "Stad Gent" in html and "2026-Q3" in html
    for kpi in REGISTRY.values():
        assert escape(str(kpi.name)) in html
    assert "66.7 %" in html  # first-line resolution: 2 of 3
    assert html.count('class="chart" src="data:image/svg+xml;base64,') == sum(
        "month" in kpi.breakdowns for kpi in REGISTRY.values()
    )


def test_the_pdf_is_made_in_dutch(contacts):
    with translation.override("nl-be"):
        html = report_html(parse_period("2026-Q3"))
        pdf = report_pdf(parse_period("2026-Q3"))
    assert "Rapport klantendienst" in html and "66,7 %" in html
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000


def test_each_kpi_is_computed_once_for_the_period_its_year_earlier_and_its_trend(contacts):
    """One query for the norms, then per KPI its period and its year earlier, and one for its twelve months: the
    trend asks for the monthly rows only, not the headline and year-earlier figures of those months again."""
    trends = sum("month" in kpi.breakdowns for kpi in REGISTRY.values())
    with CaptureQueriesContext(connection) as queries:
        report_html(parse_period("2026-Q3"))
    assert len(kpi_queries(queries)) == 1 + 2 * len(REGISTRY) + trends
