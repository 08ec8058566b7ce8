"""The reports ("Rapporten", ``/rapporten/``): every KPI for a period with a traffic light against its norm and the
figure of a year earlier, grouped as the cities' plans group them; one KPI's page with its definition, its trend
over the last twelve months and its breakdowns, each chart with its table. Supervisors and functional
administrators (``reports.view_reports``). The figures come from ``reports.selectors``; nothing is computed here."""

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from midoffice.csv import csv_lines
from reports.charts import bar_chart, data_uri
from reports.exports import kpi_breakdown_rows, kpi_table_rows
from reports.kpis import REGISTRY, Filters
from reports.kpis.base import TIME_BREAKDOWNS
from reports.pdf import PdfUnavailable, report_pdf
from reports.periods import Period, parse_period
from reports.presentation import BREAKDOWN_NAMES, by_section, display, shown, shown_breakdown, trend
from reports.selectors import kpi_breakdown, kpi_report, kpi_reports

from ..access import staff_page
from ..forms_reports import ReportFilterForm, current_quarter, quick_periods
from ..navigation import NavItem, register

PERMISSION = "reports.view_reports"
register(NavItem("staff:reports", gettext_lazy("Reports"), permission=PERMISSION, order=60))


def _form(request) -> ReportFilterForm:
    return ReportFilterForm(request.GET or None, initial={"periode": current_quarter()})


def _query(form: ReportFilterForm) -> tuple[Period | None, Filters]:
    if not form.is_bound:
        return parse_period(current_quarter()), Filters()
    if not form.is_valid():
        return None, Filters()
    return form.cleaned_data["period"], form.cleaned_data["filters"]


@require_GET
@staff_page(permission=PERMISSION)
def dashboard(request):
    form = _form(request)
    period, filters = _query(form)
    context = {"form": form, "quick_periods": quick_periods(), "period": period, "sections": [], "left_out": []}
    if period is None:
        return render(request, "staff/reports/dashboard.html", context, status=400)
    reports, left_out = kpi_reports(period, filters)
    context["sections"] = by_section([shown(report) for report in reports])
    context["left_out"] = [REGISTRY[code].name for code in left_out]
    context["charts"] = _dashboard_charts({report["code"]: report for report in reports}, period, filters)
    return render(request, "staff/reports/dashboard.html", context)


def _dashboard_charts(reports: dict[str, dict], period: Period, filters: Filters) -> list[dict]:
    """The charts the plans look at first, each with its table: the call waits over the six buckets, the counter
    wait per cluster against its norm, the share of the intakes per channel and per source (the virtual assistant
    or another)."""
    charts = []
    buckets = reports.get("call_wait_buckets", {}).get("buckets")
    if buckets and reports["call_wait_buckets"]["denominator"]:
        charts.append(_bucket_chart(buckets))
    for code, breakdown in (("counter_wait", "cluster"), ("channel_share", "channel"), ("channel_share", "source")):
        if code in reports and breakdown in REGISTRY[code].breakdowns:
            report = reports[code]
            rows = shown_breakdown(kpi_breakdown(report, period, filters, breakdown), report["unit"])
            if rows["rows"]:
                charts.append(_breakdown_chart(report["name"], rows))
    return charts


def _bucket_chart(buckets: list[dict]) -> dict:
    title = _("Answered calls by wait (seconds)")
    labels = [bucket["label"] for bucket in buckets]
    rows = [(bucket["label"], display(bucket["share"], "percent"), bucket["count"]) for bucket in buckets]
    image = data_uri(bar_chart(title, labels, [bucket["share"] for bucket in buckets], series=_("Share")))
    return {"title": title, "image": image, "columns": (_("Wait"), _("Share"), _("Calls")), "rows": rows}


def _breakdown_chart(name: str, breakdown: dict) -> dict:
    rows = breakdown["rows"]
    title = f"{name} — {breakdown['name']}"
    image = data_uri(
        bar_chart(
            title,
            [row["label"] for row in rows],
            [row["value"] for row in rows],
            norms=[row["norm"] for row in rows],
            series=name,
        )
    )
    table = [(row["label"], row["shown"], row["norm_shown"]) for row in rows]
    return {
        "title": title,
        "image": image,
        "columns": (breakdown["name"], _("Value"), _("Norm")),
        "rows": table,
    }


@require_GET
@staff_page(permission=PERMISSION)
def kpi_page(request, code: str):
    kpi = REGISTRY.get(code)
    if kpi is None:
        raise Http404
    form = _form(request)
    period, filters = _query(form)
    context = {"form": form, "quick_periods": quick_periods(), "period": period, "kpi": kpi}
    if period is None:
        return render(request, "staff/reports/kpi.html", context, status=400)
    unsupported = filters.given() - kpi.filters
    if unsupported:
        form.add_error(None, _("This KPI cannot be filtered that way; the filters were left out."))
        filters = Filters()
    chosen = request.GET.get("uitsplitsing", "")
    breakdowns = [name for name in kpi.breakdowns if name not in TIME_BREAKDOWNS]
    breakdown = chosen if chosen in breakdowns else (breakdowns[0] if breakdowns else None)
    report = shown(kpi_report(code, period, filters, breakdown))
    choices = [(name, BREAKDOWN_NAMES.get(name, name)) for name in breakdowns]
    context.update(report=report, breakdowns=choices, breakdown=breakdown)
    months = trend(report, period, filters)
    if months is not None:
        context["trend"], context["trend_chart"] = months["rows"], months["chart"]
    if report.get("buckets") and report["denominator"]:
        context["bucket_chart"] = _bucket_chart(report["buckets"])
    if breakdown is not None and report["breakdown"]["rows"]:
        rows = report["breakdown"]["rows"]
        context["breakdown_chart"] = data_uri(
            bar_chart(
                str(kpi.name),
                [row["label"] for row in rows],
                [row["value"] for row in rows],
                norms=[row["norm"] for row in rows],
            )
        )
    return render(request, "staff/reports/kpi.html", context)


@require_GET
@staff_page(permission=PERMISSION)
def export_csv(request):
    """The dashboard's table, or with ``?kpi=…&uitsplitsing=…`` one KPI's breakdown, as CSV."""
    form = _form(request)
    period, filters = _query(form)
    if period is None:
        return _refused(request, form, status=400)
    code, breakdown = request.GET.get("kpi", ""), request.GET.get("uitsplitsing", "")
    if code:
        kpi = REGISTRY.get(code)
        if kpi is None or breakdown not in kpi.breakdowns:
            raise Http404
        if filters.given() - kpi.filters:
            filters = Filters()  # as the KPI's page shows it: without the filters it cannot take
        rows, name = kpi_breakdown_rows(code, period, filters, breakdown), f"{code}-{breakdown}"
    else:
        rows, name = kpi_table_rows(period, filters), "kpis"
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{period.file_label}.csv"'
    return response


@require_GET
@staff_page(permission=PERMISSION)
def export_pdf(request):
    """The report for the period as PDF, in the language of the page."""
    form = _form(request)
    period, _filters = _query(form)
    if period is None:
        return _refused(request, form, status=400)
    try:
        pdf = report_pdf(period)
    except PdfUnavailable:
        return _refused(request, form, status=503, pdf_unavailable=True)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rapport-{period.file_label}.pdf"'
    return response


def _refused(request, form: ReportFilterForm, *, status: int, **context):
    """A download that cannot be made: the dashboard's form with what is wrong."""
    context = {"form": form, "quick_periods": quick_periods(), **context}
    return render(request, "staff/reports/dashboard.html", context, status=status)


urlpatterns = [
    path("rapporten/", dashboard, name="reports"),
    path("rapporten/export.csv", export_csv, name="reports-csv"),
    path("rapporten/rapport.pdf", export_pdf, name="reports-pdf"),
    path("rapporten/<slug:code>/", kpi_page, name="report-kpi"),
]
