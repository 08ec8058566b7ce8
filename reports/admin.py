import csv
from datetime import timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from midoffice.admin import ReadOnlyAdmin

# Imported here also to register the import task in the web process, which enqueues it.
from . import tasks
from .forms import ImportUploadForm, KpiNormForm
from .kpis import REGISTRY
from .models import (
    CallRecord,
    CounterCluster,
    CounterVisit,
    ImportJob,
    KpiNorm,
    OpeningInterval,
    Queue,
    TelephonyEvent,
)
from .services import import_job_create

# The bad rows shown on a job's page; all of them are in its CSV of errors.
ERRORS_SHOWN = 200
# A job still running after the task's hard time limit lost its worker: nothing was imported.
STALLED_AFTER = timedelta(seconds=tasks.IMPORT_TIME_LIMIT)
REFRESH_SECONDS = 2


class OpeningIntervalInline(admin.TabularInline):
    model = OpeningInterval
    fields = ("weekday", "opens", "closes")
    extra = 1


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    """A queue and its weekly opening hours (``opens`` ≤ time < ``closes``, Brussels time); public holidays and
    closing days are closed whatever they say."""

    list_display = ("name", "code", "schedule")
    search_fields = ("code", "name")
    inlines = [OpeningIntervalInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("opening_intervals")

    @admin.display(description=_("opening hours"))
    def schedule(self, queue):
        return ", ".join(str(interval) for interval in queue.opening_intervals.all())


@admin.register(CounterCluster)
class CounterClusterAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "norm_minutes")
    search_fields = ("code", "name")


@admin.register(KpiNorm)
class KpiNormAdmin(admin.ModelAdmin):
    """The installation's norm of a KPI, instead of the catalogue's (in the KPI's unit: percent for shares)."""

    form = KpiNormForm
    list_display = ("code", "kpi_name", "value", "note", "updated_at")
    search_fields = ("code", "note")

    @admin.display(description=_("name"))
    def kpi_name(self, norm):
        kpi = REGISTRY.get(norm.code)
        return kpi.name if kpi else "—"


class ImportLinkMixin:
    """The change list offers the CSV import of its records to those who may upload one."""

    change_list_template = "admin/reports/import_change_list.html"
    import_kind: str

    def changelist_view(self, request, extra_context=None):
        may_import = request.user.has_perm("reports.add_importjob")
        context = {"import_kind": self.import_kind if may_import else None, **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)


@admin.register(CallRecord)
class CallRecordAdmin(ImportLinkMixin, ReadOnlyAdmin):
    """Written by the telephony system (API, events) and the CSV import; whether inside the opening hours and the
    wait are derived then."""

    import_kind = ImportJob.Kind.CALLS
    list_display = (
        "key",
        "queue",
        "offered_at",
        "answered_at",
        "ended_at",
        "abandoned",
        "inside_hours",
        "wait_seconds",
        "agent",
    )
    list_filter = ("queue", "inside_hours", "abandoned")
    list_select_related = ("queue",)
    search_fields = ("=key", "caller_number", "agent")
    date_hierarchy = "offered_at"
    ordering = ("-offered_at", "-pk")
    show_full_result_count = False
    raw_id_fields = ("contact",)


@admin.register(CounterVisit)
class CounterVisitAdmin(ImportLinkMixin, ReadOnlyAdmin):
    """Written by the appointment system (API) and the CSV import; the wait and the lead time are derived then."""

    import_kind = ImportJob.Kind.VISITS
    list_display = (
        "key",
        "cluster",
        "booked_at",
        "scheduled_start",
        "called_at",
        "wait_seconds",
        "lead_working_days",
        "booking_channel",
        "booking_source",
    )
    list_filter = ("cluster", "booking_channel", "booking_source")
    list_select_related = ("cluster",)
    search_fields = ("=key",)
    date_hierarchy = "scheduled_start"
    ordering = ("-scheduled_start", "-pk")
    show_full_result_count = False


@admin.register(TelephonyEvent)
class TelephonyEventAdmin(ReadOnlyAdmin):
    """The telephony system's live events as received; they build the call record of their call id."""

    list_display = ("call_id", "kind", "at", "queue", "agent", "received_at")
    list_filter = ("kind", "queue")
    list_select_related = ("queue",)
    search_fields = ("=call_id",)
    date_hierarchy = "at"
    ordering = ("-at", "-pk")
    show_full_result_count = False


def job_stalled(job: ImportJob) -> bool:
    return not job.finished and job.started_at is not None and timezone.now() - job.started_at > STALLED_AFTER


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Uploading a CSV (add) starts its import: call records, counter visits, or the previous system's cases or
    contacts (its history: the cases first). The job's page shows its progress, refreshing until it is done, and
    every bad row. All or nothing, idempotent by key: a file can be uploaded again once corrected."""

    form = ImportUploadForm
    change_form_template = "admin/reports/importjob/change_form.html"
    list_display = ("created_at", "kind", "file_name", "status_text", "created", "duplicates", "bad_rows", "created_by")
    list_filter = ("kind", "status")
    list_select_related = ("created_by",)
    readonly_fields = (
        "kind",
        "file_name",
        "status_text",
        "progress",
        "created",
        "duplicates",
        "message",
        "bad_rows",
        "errors_table",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    )

    def get_fields(self, request, obj=None):
        return ["kind", "file"] if obj is None else list(self.readonly_fields)

    def get_form(self, request, obj=None, **kwargs):
        # The upload form adds; a job's page only shows it.
        return super().get_form(request, obj, **({"form": forms.ModelForm} if obj else {}), **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        job = import_job_create(actor=request.user, kind=form.cleaned_data["kind"], file=form.cleaned_data["file"])
        obj.pk = job.pk
        obj.refresh_from_db()

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:reports_importjob_change", args=[obj.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        refresh = job is not None and not job.finished and not job_stalled(job)
        context = {"refresh_seconds": REFRESH_SECONDS if refresh else None, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=context)

    def get_urls(self):
        errors_csv = self.admin_site.admin_view(self.errors_csv)
        return [path("<int:pk>/errors.csv", errors_csv, name="reports_importjob_errors"), *super().get_urls()]

    def errors_csv(self, request, pk):
        """Every bad row of a job: line, field, message."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob, pk=pk)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
        writer = csv.writer(response)
        writer.writerow(["line", "field", "message"])
        for row in job.errors:
            for name, messages in row["errors"].items():
                writer.writerows([row["line"], name, message] for message in messages)
        return response

    @admin.display(description=_("status"), ordering="status")
    def status_text(self, job):
        if job_stalled(job):
            return gettext("Stopped without finishing (the worker was lost): nothing imported")
        return job.get_status_display()

    @admin.display(description=_("progress"))
    def progress(self, job):
        if job.rows_total is None:
            return "—"
        return format_html(
            '<progress max="{}" value="{}"></progress> {}',
            job.rows_total,
            job.rows_checked,
            gettext("%(checked)d of %(total)d rows checked") % {"checked": job.rows_checked, "total": job.rows_total},
        )

    @admin.display(description=_("bad rows"))
    def bad_rows(self, job):
        return len(job.errors)

    @admin.display(description=_("what is wrong"))
    def errors_table(self, job):
        if not job.errors:
            return "—"
        rows = [
            (row["line"], name, " ".join(messages))
            for row in job.errors[:ERRORS_SHOWN]
            for name, messages in row["errors"].items()
        ]
        table = format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("line"),
            gettext("column"),
            gettext("message"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )
        link = format_html(
            '<p><a href="{}">{}</a></p>',
            reverse("admin:reports_importjob_errors", args=[job.pk]),
            gettext("Every bad row as CSV (%(count)d)") % {"count": len(job.errors)},
        )
        return format_html("{}{}", table, link)
