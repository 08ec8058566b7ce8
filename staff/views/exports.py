"""Excel exports (``/exporten/``): the reports' KPI table or one KPI's breakdown, and the inbox's cases, built by a
task (``staff.exports``) while the job's page shows the progress, then downloaded. A user sees and downloads only
the exports they asked for; anyone else's answer 404."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports.kpis import REGISTRY, Filters

from ..access import has_permission, staff_page
from ..exports import EXPORT_TIME_LIMIT, XLSX_CONTENT_TYPE, export_job_create
from ..forms_cases import InboxFilterForm
from ..forms_reports import ReportFilterForm, quick_periods
from ..models import ExportJob
from .cases.common import is_fragment
from .reports import PERMISSION as REPORTS_PERMISSION

CASES_PERMISSION = "cases.view_case"
PERMISSIONS = {
    ExportJob.Kind.KPIS: REPORTS_PERMISSION,
    ExportJob.Kind.KPI_BREAKDOWN: REPORTS_PERMISSION,
    ExportJob.Kind.CASES: CASES_PERMISSION,
}
# The exports listed at /exporten/ (a user's jobs are removed after a week: staff.exports.KEEP).
LIST_SIZE = 20
REFRESH_SECONDS = 2
# A query string longer than this is not the page's.
QUERY_MAX_LENGTH = 2000
# The reports' query parameters of each filter (staff.views.reports.ReportFilterForm).
FILTER_PARAMETERS = (("behandelgroep", "handler_group"), ("dossiertype", "case_type"), ("kanaal", "channel"))
# Waiting or running for longer than the task may run: its worker was lost (or never came).
STALLED_AFTER = timedelta(seconds=EXPORT_TIME_LIMIT)


@staff_page(permission=REPORTS_PERMISSION)
@require_POST
def report_export_start(request):
    """The dashboard's KPI table (the page's ``query``), or with ``kpi`` and ``uitsplitsing`` one KPI's breakdown
    as its page shows it: filters the KPI cannot take are left out, as there."""
    data = QueryDict(request.POST.get("query", "")[:QUERY_MAX_LENGTH])
    form = ReportFilterForm(data)
    if not form.is_valid():
        context = {"form": form, "quick_periods": quick_periods()}
        return render(request, "staff/reports/dashboard.html", context, status=400)
    period, filters = form.cleaned_data["period"], form.cleaned_data["filters"]
    code = request.POST.get("kpi", "")
    if code:
        kpi = REGISTRY.get(code)
        breakdown = request.POST.get("uitsplitsing", "")
        if kpi is None or breakdown not in kpi.breakdowns:
            raise Http404
        if filters.given() - kpi.filters:
            filters = Filters()
        kind, extra = ExportJob.Kind.KPI_BREAKDOWN, [("kpi", code), ("uitsplitsing", breakdown)]
    else:
        kind, extra = ExportJob.Kind.KPIS, []
    given = [(name, getattr(filters, attribute)) for name, attribute in FILTER_PARAMETERS]
    pairs = [("periode", period.label), *((name, value) for name, value in given if value is not None), *extra]
    job = export_job_create(user=request.user, kind=kind, query=urlencode(pairs), language=get_language())
    return redirect("staff:export", pk=job.pk)


@staff_page(permission=CASES_PERMISSION)
@require_POST
def cases_export_start(request):
    """Every case the inbox's filters (``query``) select for the user; only its valid filters are kept."""
    data = QueryDict(request.POST.get("query", "")[:QUERY_MAX_LENGTH])
    query = InboxFilterForm(data, user=request.user).query_string()
    job = export_job_create(user=request.user, kind=ExportJob.Kind.CASES, query=query, language=get_language())
    return redirect("staff:export", pk=job.pk)


def _own_job(request, pk: int) -> ExportJob:
    """The user's own job (404 for anyone else's), if they still may see what it holds (403)."""
    job = get_object_or_404(ExportJob, pk=pk, user=request.user)
    if not has_permission(request.user, PERMISSIONS[job.kind]):
        raise PermissionDenied
    return job


def job_stalled(job: ExportJob) -> bool:
    since = job.started_at or job.created_at
    return not job.finished and timezone.now() - since > STALLED_AFTER


@staff_page
@require_GET
def export_page(request, pk: int):
    """The job's progress, polled by htmx every two seconds (the fragment) until it is done; then its download."""
    job = _own_job(request, pk)
    stalled = job_stalled(job)
    context = {"job": job, "stalled": stalled, "polling": not job.finished and not stalled, "back": _back(job)}
    template = "staff/exports/_progress.html" if is_fragment(request) else "staff/exports/job.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    response["Cache-Control"] = "no-store"
    return response


def _back(job: ExportJob) -> tuple[str, str]:
    """The page the export was asked from, and the words of the link back to it."""
    query = job.parameters.get("query", "")
    suffix = f"?{query}" if query else ""
    if job.kind == ExportJob.Kind.CASES:
        return reverse("staff:inbox") + suffix, _("Back to the cases")
    code = QueryDict(query).get("kpi", "")
    if job.kind == ExportJob.Kind.KPI_BREAKDOWN and code in REGISTRY:
        return reverse("staff:report-kpi", args=[code]) + suffix, _("Back to the report")
    return reverse("staff:reports") + suffix, _("Back to the reports")


@staff_page
@require_GET
def export_download(request, pk: int):
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    try:
        stream = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(stream, as_attachment=True, filename=job.file_name, content_type=XLSX_CONTENT_TYPE)


@staff_page
@require_GET
def export_list(request):
    """The user's recent exports, newest first."""
    jobs = list(ExportJob.objects.filter(user=request.user).order_by("-created_at", "-pk")[:LIST_SIZE])
    stalled = {job.pk for job in jobs if job_stalled(job)}
    return render(request, "staff/exports/list.html", {"jobs": jobs, "stalled": stalled})


urlpatterns = [
    path("rapporten/xlsx/", report_export_start, name="reports-xlsx"),
    path("dossiers/xlsx/", cases_export_start, name="inbox-xlsx"),
    path("exporten/", export_list, name="exports"),
    path("exporten/<id:pk>/", export_page, name="export"),
    path("exporten/<id:pk>/download/", export_download, name="export-download"),
]
