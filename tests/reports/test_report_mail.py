"""The report by e-mail: Celery beat asks on the first day of each month and of each quarter for the report (PDF) of
the period that just ended — in Brussels time, so also right after midnight on New Year's night — made in Dutch and
sent to MIDOFFICE_REPORT_RECIPIENTS; nothing without recipients or without a way to make PDFs."""

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery import current_app
from django.conf import settings as django_settings
from django.core import mail
from django.utils import translation

from reports import tasks
from reports.tasks import previous_period, report_mail_send
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = ZoneInfo("UTC")


@pytest.fixture
def recipients(settings):
    settings.MIDOFFICE_REPORT_RECIPIENTS = ["directie@stad.example", "kcc-hoofd@stad.example"]
    settings.MIDOFFICE_CITY_NAME = "Stad Gent"
    return settings.MIDOFFICE_REPORT_RECIPIENTS


@pytest.fixture
def made(monkeypatch):
    """Stands in for WeasyPrint: records the period of each PDF asked for and the language it was made in."""
    calls = []

    def fake_pdf(period):
        calls.append((period.label, period.first, period.last, translation.get_language()))
        return b"%PDF-1.7 fake"

    monkeypatch.setattr(tasks, "report_pdf", fake_pdf)
    return calls


def test_the_monthly_report_is_mailed_in_dutch_with_its_pdf(recipients, settings):
    """On 1 October 2026 at 06:00 the report of September 2026, made by WeasyPrint, in the product's language."""
    settings.LANGUAGE_CODE = "nl-be"
    for outcome in ("answered", "answered", "referred"):
        ContactFactory(channel="phone", outcome=outcome, occurred_at=datetime(2026, 9, 14, 10, tzinfo=BRUSSELS))
    with time_machine.travel(datetime(2026, 10, 1, 6, tzinfo=BRUSSELS), tick=False):
        report_mail_send.delay("month")
    [message] = mail.outbox
    assert message.to == recipients
    assert message.from_email == django_settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Rapport klantendienst Stad Gent 2026-09"
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("rapport-2026-09.pdf", "application/pdf")
    assert content.startswith(b"%PDF-") and len(content) > 10_000


def test_the_pdf_is_made_in_the_products_language_whatever_the_caller_speaks(recipients, made, settings):
    settings.LANGUAGE_CODE = "nl-be"
    with translation.override("en"), time_machine.travel(datetime(2026, 7, 1, 6, 15, tzinfo=BRUSSELS), tick=False):
        report_mail_send("quarter")
        assert translation.get_language() == "en"  # and the caller's language is back
    assert made == [("2026-Q2", date(2026, 4, 1), date(2026, 6, 30), "nl-be")]
    assert mail.outbox[0].subject == "Rapport klantendienst Stad Gent 2026-Q2"


@pytest.mark.parametrize(
    ("moment", "kind", "period"),
    [
        # New Year's night, just after midnight in Brussels: still 31 December in UTC.
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "month", ("2026-12", date(2026, 12, 1), date(2026, 12, 31))),
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "quarter", ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))),
        (datetime(2027, 1, 1, 6, tzinfo=BRUSSELS), "month", ("2026-12", date(2026, 12, 1), date(2026, 12, 31))),
        (datetime(2027, 1, 1, 6, 15, tzinfo=BRUSSELS), "quarter", ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))),
        # 1 April, summer time: 00:30 in Brussels is 22:30 on 31 March in UTC.
        (datetime(2026, 3, 31, 22, 30, tzinfo=UTC), "quarter", ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31))),
        (datetime(2026, 3, 1, 6, tzinfo=BRUSSELS), "month", ("2026-02", date(2026, 2, 1), date(2026, 2, 28))),
    ],
)
def test_the_period_that_just_ended_in_brussels(recipients, made, moment, kind, period):
    with time_machine.travel(moment, tick=False):
        report_mail_send(kind)
    assert made == [(*period, "en")]
    [message] = mail.outbox
    assert message.subject == f"Customer service report Stad Gent {period[0]}"
    assert message.attachments[0][0] == f"rapport-{period[0]}.pdf"
    assert f"for {period[0]}," in message.body


def test_previous_period_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="month, quarter"):
        previous_period("week", date(2026, 1, 1))


def test_nothing_is_sent_without_recipients(settings, made, caplog):
    settings.MIDOFFICE_REPORT_RECIPIENTS = []
    moment = datetime(2026, 10, 1, 6, tzinfo=BRUSSELS)
    with caplog.at_level(logging.INFO, logger="reports.tasks"), time_machine.travel(moment, tick=False):
        report_mail_send("month")
    assert mail.outbox == [] and made == []
    assert "Report 2026-09 not e-mailed: MIDOFFICE_REPORT_RECIPIENTS is empty" in caplog.text


def test_nothing_is_sent_and_an_error_logged_without_pdf(recipients, monkeypatch, caplog):
    monkeypatch.setattr("reports.pdf.WEASYPRINT", "weasyprint_not_installed")  # WeasyPrint could not load Pango
    with time_machine.travel(datetime(2026, 10, 1, 6, 15, tzinfo=BRUSSELS), tick=False):
        report_mail_send("quarter")
    assert mail.outbox == []
    [record] = [record for record in caplog.records if record.name == "reports.tasks"]
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith("Report 2026-Q3 not e-mailed: this installation cannot make PDFs")


def test_beat_asks_on_the_first_of_each_month_and_quarter():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    month, quarter = schedule["mail-monthly-report"], schedule["mail-quarterly-report"]
    assert month["task"] == quarter["task"] == "reports.tasks.report_mail_send"
    assert (month["args"], quarter["args"]) == (("month",), ("quarter",))
    assert month["task"] in current_app.tasks
    every_month = month["schedule"]
    assert (every_month.day_of_month, every_month.hour, every_month.minute) == ({1}, {6}, {0})
    assert every_month.month_of_year == set(range(1, 13))
    every_quarter = quarter["schedule"]
    assert (every_quarter.day_of_month, every_quarter.hour, every_quarter.minute) == ({1}, {6}, {15})
    assert every_quarter.month_of_year == {1, 4, 7, 10}
