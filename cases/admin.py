from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from midoffice.admin import ReadOnlyAdmin

from .access import visible_cases
from .models import (
    Callback,
    Case,
    CaseChange,
    CaseEvent,
    CaseType,
    ClosingDay,
    GroupMessage,
    HandlerGroup,
    RoutingRule,
)
from .selectors import visible_callbacks
from .workflow import due_soon_q, is_overdue, overdue_q


@admin.register(ClosingDay)
class ClosingDayAdmin(admin.ModelAdmin):
    list_display = ("date", "reason")
    date_hierarchy = "date"
    search_fields = ("reason",)


@admin.register(HandlerGroup)
class HandlerGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "public_name", "email", "is_kcc", "active")
    list_filter = ("is_kcc", "active")
    search_fields = ("name", "public_name", "email")
    filter_horizontal = ("members",)


class CaseTypeForm(forms.ModelForm):
    notify_kinds = forms.MultipleChoiceField(
        label=_("notify the citizen of"),
        choices=CaseChange.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = CaseType
        fields = [
            "code",
            "name",
            "kind",
            "default_group",
            "norm_days",
            "norm_unit",
            "admissibility_step",
            "warning_days",
            "survey_enabled",
            "notify_kinds",
            "ipdc_product_id",
            "confidential",
            "active",
            "public",
            "name_fr",
            "name_en",
            "location_required",
            "resume_on_citizen_reply",
            "about_unanswered_question",
        ]


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    form = CaseTypeForm
    list_display = (
        "code",
        "name",
        "kind",
        "default_group",
        "norm_days",
        "norm_unit",
        "confidential",
        "public",
        "active",
    )
    list_filter = ("kind", "norm_unit", "confidential", "public", "active", "default_group")
    list_select_related = ("default_group",)
    search_fields = ("code", "name", "ipdc_product_id")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "order",
        "case_type",
        "postal_code",
        "keyword",
        "ipdc_product_id",
        "channel",
        "handler_group",
        "active",
    )
    list_display_links = ("handler_group",)
    list_editable = ("order", "active")
    list_filter = ("active", "handler_group", "channel")
    list_select_related = ("case_type", "handler_group")
    search_fields = ("keyword", "postal_code", "case_type__code")


class DeadlineFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("due_soon", _("Due soon"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(overdue_q(now))
        if self.value() == "due_soon":
            return queryset.filter(due_soon_q(now))
        return queryset


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("created_at", "kind", "transition", "from_state", "to_state", "text", "public", "actor")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Cases, read-only: they change through the workflow (API), which checks and records every step."""

    list_display = (
        "reference",
        "case_type",
        "party",
        "handler_group",
        "state",
        "registered_at",
        "due_at",
        "is_overdue",
        "misdispatched",
    )
    list_filter = (
        DeadlineFilter,
        "state",
        "handler_group",
        "case_type",
        "misdispatched",
        "channel",
        "priority",
        "imported",
    )
    list_select_related = ("case_type", "party", "handler_group")
    search_fields = ("=reference", "description", "party__search_name", "location", "postal_code")
    date_hierarchy = "registered_at"
    ordering = ("-registered_at", "-pk")
    show_full_result_count = False
    inlines = [CaseEventInline]
    fieldsets = [
        (None, {"fields": ("reference", "tracking_code", "case_type", "party", "channel", "priority", "description")}),
        (_("Location"), {"fields": ("postal_code", "location", "latitude", "longitude")}),
        (_("Handling"), {"fields": ("handler_group", "assignee", "state", "misdispatched", "escalation", "version")}),
        (
            _("Time"),
            {
                "fields": (
                    "registered_at",
                    "due_at",
                    "warn_at",
                    "paused_at",
                    "paused_days",
                    "admissibility_decided_at",
                    "resolved_at",
                    "closed_at",
                )
            },
        ),
        (_("Outcome"), {"fields": ("public_message", "duplicate_of", "contacts", "confidential")}),
        (_("Previous system"), {"fields": ("imported", "imported_key")}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(visible_cases(request.user))

    @admin.display(boolean=True, description=_("overdue"))
    def is_overdue(self, case):
        return is_overdue(case, timezone.now())


@admin.register(GroupMessage)
class GroupMessageAdmin(ReadOnlyAdmin):
    """The e-mails to handler groups, read-only: sent and retried by the worker as citizen notifications are."""

    list_display = ("created_at", "handler_group", "subject", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "handler_group")
    list_select_related = ("handler_group",)
    search_fields = ("subject",)
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "handler_group",
        "recipient",
        "subject",
        "body",
        "status",
        "created_at",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_error",
        "sent_at",
    )
    readonly_fields = fields


class CallbackOpenFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("overdue", _("Overdue")), ("done", _("Done"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(done_at__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(done_at__isnull=True, due_by__lt=timezone.now())
        if self.value() == "done":
            return queryset.filter(done_at__isnull=False)
        return queryset


@admin.register(Callback)
class CallbackAdmin(ReadOnlyAdmin):
    """Call-back requests, read-only: noted and marked done through the API, which checks every step."""

    list_display = ("due_by", "handler_group", "party", "name", "phone", "topic", "created_by", "done_at")
    list_filter = (CallbackOpenFilter, "handler_group")
    list_select_related = ("handler_group", "party", "created_by")
    search_fields = ("phone", "name", "topic", "party__search_name")
    date_hierarchy = "due_by"
    ordering = ("due_by", "pk")
    show_full_result_count = False
    fields = (
        "party",
        "name",
        "phone",
        "topic",
        "due_by",
        "handler_group",
        "contact",
        "created_by",
        "created_at",
        "done_at",
        "done_by",
        "outcome",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(visible_callbacks(request.user))
