"""The writes of the Excel (XLSX) exports, built by a Celery task (``staff.tasks``) while the page shows their
progress: the KPI table of a period, one KPI's breakdown, or the inbox's cases (``ExportJob``).

A job is created by the page's POST and its task enqueued once that is committed. Without a broker (the embedded
default) the task runs eagerly, so the job is done when the request returns; with one, a worker builds it and the
job's page polls until it is done. The workbook is written row by row in constant memory (XlsxWriter's
``constant_memory``) into a temporary directory, then stored through Django's storage API. A failure marks the job
failed with a message; nothing else is written.
"""

import logging
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from cases.selectors import EXPORT_COLUMNS, case_export_rows
from reports.exports import kpi_breakdown_rows, kpi_table_rows
from reports.kpis import REGISTRY

from .forms_cases import InboxFilterForm
from .forms_reports import ReportFilterForm
from .models import ExportJob

logger = logging.getLogger(__name__)

# Rows between two updates of the job's progress.
PROGRESS_EVERY = 1000
# Excel's rows per sheet, the header included: more rows go on to a next sheet, with the header again.
MAX_SHEET_ROWS = 1_048_576
# Column widths (in characters) are fitted to what was written, within these bounds.
MIN_WIDTH, MAX_WIDTH = 8, 60
# A user's jobs older than this are removed (their files with them) when they start a new one.
KEEP = timedelta(days=7)
# A million cases are written in a few minutes; the default limits are for short tasks.
EXPORT_SOFT_TIME_LIMIT = 1800
EXPORT_TIME_LIMIT = 1860
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_TASK = "staff.tasks.export_job_run"


# The case export's column names (CSV and Excel), in the language of the request.
EXPORT_HEADERS = {
    "reference": gettext_lazy("Case"),
    "case_type__code": gettext_lazy("Case type code"),
    "case_type__name": gettext_lazy("Case type"),
    "state": gettext_lazy("State"),
    "priority": gettext_lazy("Priority"),
    "channel": gettext_lazy("Channel"),
    "handler_group__name": gettext_lazy("Handler group"),
    "assignee__username": gettext_lazy("Assigned to"),
    "registered_at": gettext_lazy("Registered"),
    "due_at": gettext_lazy("Deadline"),
    "admissibility_decided_at": gettext_lazy("Admissibility decided"),
    "resolved_at": gettext_lazy("Resolved"),
    "closed_at": gettext_lazy("Closed"),
    "paused_days": gettext_lazy("Days waited for the citizen"),
    "misdispatched": gettext_lazy("Misdispatched"),
}


class ExportRefused(Exception):
    """The job's parameters do not make an export (a period or KPI that is no longer valid): its message says why."""


# --- The writes -------------------------------------------------------------------------------------------------


def export_job_create(*, user, kind: str, query: str, language: str) -> ExportJob:
    """A job for ``user`` with the page's (checked) query string, built in ``language`` by a task once this
    transaction is committed. The user's jobs older than ``KEEP`` are removed first."""
    ExportJob.objects.filter(user=user, created_at__lt=timezone.now() - KEEP).delete()
    job = ExportJob.objects.create(user=user, kind=kind, parameters={"query": query, "language": language})
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    try:
        current_app.tasks[EXPORT_TASK].apply_async((job_id,))
    except Exception:
        # The broker is down: the job says so rather than wait for ever.
        logger.warning("Could not start Excel export %s", job_id, exc_info=True)
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
            status=ExportJob.Status.FAILED,
            message=_("The export could not be started: try again later."),
            finished_at=timezone.now(),
        )


def export_job_build(job_id: int) -> None:
    """Write the job's workbook and store it. Runs once: a job that is not waiting any more is left alone."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    jobs = ExportJob.objects.filter(pk=job_id)
    with translation.override(job.parameters.get("language") or settings.LANGUAGE_CODE):
        try:
            file_name, title, header, rows, total = _content(job)
            jobs.update(rows_total=total)
            with tempfile.TemporaryDirectory(prefix="midoffice-export-") as directory:
                path = Path(directory) / "export.xlsx"
                written = write_xlsx(path, title, header, rows, progress=lambda n: jobs.update(rows_written=n))
                with path.open("rb") as stream:
                    job.file.save(file_name, File(stream), save=False)
            jobs.update(
                status=ExportJob.Status.DONE,
                file=job.file.name,
                file_name=file_name,
                rows_written=written,
                rows_total=written,
                finished_at=timezone.now(),
            )
            return
        except ExportRefused as exc:
            message = str(exc)
        except SoftTimeLimitExceeded:
            logger.warning("Excel export %s took too long", job_id)
            message = _("The export took too long and was stopped: narrow the filters and try again.")
        except Exception:
            logger.exception("Excel export %s failed", job_id)
            message = _("The export stopped on an unexpected error.")
        if job.file:
            job.file.delete(save=False)
        jobs.update(status=ExportJob.Status.FAILED, file="", message=message, finished_at=timezone.now())


# --- What each kind holds -------------------------------------------------------------------------------------

Content = tuple[str, str, Sequence[str], Iterable[Sequence], int | None]


def _content(job: ExportJob) -> Content:
    """The download's file name, the sheet's title, the header, the rows and how many there are."""
    query = QueryDict(job.parameters.get("query", ""))
    if job.kind == ExportJob.Kind.CASES:
        return _cases(job, query)
    return _report(job, query)


def _cases(job: ExportJob, query: QueryDict) -> Content:
    """The inbox's cases as the user filtered them, every one, with what the user may see (the CSV's selection)."""
    cases = InboxFilterForm(query, user=job.user).cases(timezone.now())
    header = [str(EXPORT_HEADERS.get(column, column)) for column in EXPORT_COLUMNS]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"dossiers-{stamp}.xlsx", _("Cases"), header, case_export_rows(cases), cases.count()


def _report(job: ExportJob, query: QueryDict) -> Content:
    """The KPI table or one KPI's breakdown: a few dozen rows, computed here at once."""
    form = ReportFilterForm(query)
    if not form.is_valid():
        raise ExportRefused(" ".join(error for errors in form.errors.values() for error in errors))
    period, filters = form.cleaned_data["period"], form.cleaned_data["filters"]
    label = period.file_label
    try:
        if job.kind == ExportJob.Kind.KPI_BREAKDOWN:
            code, breakdown = query.get("kpi", ""), query.get("uitsplitsing", "")
            if code not in REGISTRY:
                raise ExportRefused(_("There is no KPI %(code)s.") % {"code": code})
            header, *rows = kpi_breakdown_rows(code, period, filters, breakdown)
            name, title = f"{code}-{breakdown}-{label}.xlsx", code
        else:
            header, *rows = kpi_table_rows(period, filters)
            name, title = f"kpis-{label}.xlsx", "KPI"
    except ValidationError as exc:
        raise ExportRefused(" ".join(exc.messages)) from exc
    return name, title, header, rows, len(rows)


# --- The workbook -----------------------------------------------------------------------------------------------


def write_xlsx(
    path: Path,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """The rows under a bold header, one by one in constant memory; numbers as numbers, moments as Brussels dates
    and times, the header frozen with a filter, columns as wide as what they hold. Past Excel's rows per sheet the
    rows go on to a next sheet. ``progress`` is told the rows written every ``PROGRESS_EVERY`` rows; the count of
    rows written is returned."""
    with Workbook(str(path), {"constant_memory": True, "tmpdir": str(path.parent)}) as workbook:
        sheets = _Sheets(workbook, title, header)
        written = 0
        for row in rows:
            sheets.write(row)
            written += 1
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written)
        sheets.finish()
    return written


class _Sheets:
    def __init__(self, workbook: Workbook, title: str, header: Sequence[str]):
        self.workbook, self.title, self.header = workbook, _sheet_title(title), [str(name) for name in header]
        self.formats = {
            "header": workbook.add_format({"bold": True}),
            "moment": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "decimal": workbook.add_format({"num_format": "0.00"}),
        }
        self.sheet: Worksheet | None = None
        self.count = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        if self.sheet is not None:
            self._close_sheet()
        self.count += 1
        name = self.title if self.count == 1 else f"{self.title[:25]} ({self.count})"
        self.sheet = self.workbook.add_worksheet(name)
        self.widths = [len(name) for name in self.header]
        for column, name in enumerate(self.header):
            self.sheet.write_string(0, column, name, self.formats["header"])
        self.sheet.freeze_panes(1, 0)
        self.row = 1

    def write(self, values: Sequence) -> None:
        if self.row >= MAX_SHEET_ROWS:
            self._new_sheet()
        for column, value in enumerate(values):
            width = self._cell(column, value)
            if column < len(self.widths):
                self.widths[column] = max(self.widths[column], width)
        self.row += 1

    def _cell(self, column: int, value) -> int:
        """Write one value with its Excel type; returns the characters it shows."""
        sheet, row = self.sheet, self.row
        if value is None:
            return 0
        if isinstance(value, bool):
            sheet.write_boolean(row, column, value)
            return 5
        if isinstance(value, datetime):
            moment = timezone.localtime(value) if timezone.is_aware(value) else value
            sheet.write_datetime(row, column, moment.replace(tzinfo=None), self.formats["moment"])
            return 16
        if isinstance(value, date):
            sheet.write_datetime(row, column, value, self.formats["date"])
            return 10
        if isinstance(value, int):
            sheet.write_number(row, column, value)
            return len(str(value))
        if isinstance(value, Decimal | float):
            sheet.write_number(row, column, float(value), self.formats["decimal"])
            return len(f"{value:.2f}")
        text = str(value)
        sheet.write_string(row, column, text)  # never a formula, whatever the text starts with
        return len(text)

    def _close_sheet(self) -> None:
        for column, width in enumerate(self.widths):
            self.sheet.set_column(column, column, min(max(width, MIN_WIDTH), MAX_WIDTH) + 2)
        self.sheet.autofilter(0, 0, self.row - 1, len(self.header) - 1)

    def finish(self) -> None:
        self._close_sheet()


def _sheet_title(title: str) -> str:
    """Excel's rules for a sheet's name: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if character in "[]:*?/\\" else character for character in title).strip()
    return cleaned[:31] or "Export"
