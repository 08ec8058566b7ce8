"""Celery tasks of the reports: the admin's CSV imports (calls, visits, the previous system's cases and contacts),
and the report e-mailed each month and quarter."""

import logging
from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import ImportJob
from .pdf import PdfUnavailable, report_pdf
from .periods import Period, parse_period
from .rollups import refresh
from .services import import_job_run as run
from .services.counter import VisitImporter
from .services.history import CaseHistoryImporter, ContactHistoryImporter
from .services.telephony import CallImporter

logger = logging.getLogger(__name__)

IMPORTERS = {
    ImportJob.Kind.CALLS: CallImporter,
    ImportJob.Kind.VISITS: VisitImporter,
    ImportJob.Kind.HISTORY_CASES: CaseHistoryImporter,
    ImportJob.Kind.HISTORY_CONTACTS: ContactHistoryImporter,
}
# A million rows are checked and then written in a few minutes; the default limits are for short tasks.
IMPORT_SOFT_TIME_LIMIT = 3600
IMPORT_TIME_LIMIT = 3660


@shared_task(ignore_result=True, soft_time_limit=IMPORT_SOFT_TIME_LIMIT, time_limit=IMPORT_TIME_LIMIT)
def import_job_run(job_id: int) -> None:
    """Import an uploaded CSV; a job already taken or done is left alone (safe to run twice)."""
    run(job_id=job_id, importers=IMPORTERS)


@shared_task(ignore_result=True)
def rollups_refresh() -> None:
    """Beat, every minute: the KPIs' daily rollups of the days written since the last refresh."""
    days = refresh()
    if days:
        logger.info("Rollups of %d day(s) computed again", days)


# --- The report by e-mail (Celery beat: monthly and quarterly) --------------------------------------------------

REPORT_MAIL_KINDS = ("month", "quarter")
# Making the PDF computes every KPI of the period and its twelve-month trend: longer than the default limits.
REPORT_MAIL_SOFT_TIME_LIMIT = 900
REPORT_MAIL_TIME_LIMIT = 960


def previous_period(kind: str, today: date) -> Period:
    """The month or quarter that ended before ``today`` (a Brussels date): on 1 January 2027 that is 2026-12 or
    2026-Q4."""
    if kind == "month":
        last_day = today.replace(day=1) - timedelta(days=1)
        return parse_period(f"{last_day.year}-{last_day.month:02d}")
    if kind == "quarter":
        quarter = (today.month - 1) // 3 + 1
        year, quarter = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
        return parse_period(f"{year}-Q{quarter}")
    raise ValueError(f"Unknown report period kind {kind!r}: one of {', '.join(REPORT_MAIL_KINDS)}")


@shared_task(ignore_result=True, soft_time_limit=REPORT_MAIL_SOFT_TIME_LIMIT, time_limit=REPORT_MAIL_TIME_LIMIT)
def report_mail_send(kind: str) -> None:
    """Beat, on the first day of each month (``month``) and of each quarter (``quarter``): the report of the period
    that just ended, as PDF in the product's language (Dutch), e-mailed to ``MIDOFFICE_REPORT_RECIPIENTS``. Without
    recipients, or when this installation cannot make PDFs, nothing is sent (and the log says why)."""
    period = previous_period(kind, timezone.localdate())
    recipients = list(settings.MIDOFFICE_REPORT_RECIPIENTS)
    if not recipients:
        logger.info("Report %s not e-mailed: MIDOFFICE_REPORT_RECIPIENTS is empty", period.label)
        return
    with translation.override(settings.LANGUAGE_CODE):
        try:
            pdf = report_pdf(period)
        except PdfUnavailable:
            logger.error(
                "Report %s not e-mailed: this installation cannot make PDFs (WeasyPrint needs the system's Pango)",
                period.label,
            )
            return
        city = settings.MIDOFFICE_CITY_NAME
        subject = _("Customer service report %(city)s %(period)s") % {"city": city, "period": period.label}
        body = _(
            "Attached is the customer service report of %(city)s for %(period)s, from %(first)s to %(last)s.\n\n"
            "The midoffice sends this e-mail at the start of every month and every quarter."
        ) % {
            "city": city,
            "period": period.label,
            "first": date_format(period.first, "DATE_FORMAT"),
            "last": date_format(period.last, "DATE_FORMAT"),
        }
    message = EmailMessage(subject, body, to=recipients)
    message.attach(f"rapport-{period.label}.pdf", pdf, "application/pdf")
    message.send()
    logger.info("Report %s e-mailed to %d recipient(s)", period.label, len(recipients))
