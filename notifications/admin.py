from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.access import visible_cases
from cases.models import Case
from midoffice.admin import ReadOnlyAdmin

from .models import (
    DeadLetterDigest,
    DosisStatus,
    EmailText,
    Notification,
    NotificationKind,
    Survey,
    WebhookSubscription,
)


class OfVisibleCasesAdmin(admin.ModelAdmin):
    """Rows that belong to a case are listed for the staff who may see that case, as in the API."""

    def get_queryset(self, request):
        return super().get_queryset(request).filter(case__in=Case.objects.filter(visible_cases(request.user)))


@admin.register(Notification)
class NotificationAdmin(OfVisibleCasesAdmin, ReadOnlyAdmin):
    """Read-only: notifications are written with the case change and retried through the API."""

    list_display = ("created_at", "case", "kind", "backend", "recipient", "status", "attempts", "sent_at")
    list_filter = ("status", "backend", "kind")
    list_select_related = ("case", "party")
    search_fields = ("=case__reference", "recipient")
    date_hierarchy = "created_at"
    show_full_result_count = False


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    kinds = forms.MultipleChoiceField(
        label=_("case changes"),
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every change that notifies."),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "secret", "kinds", "case_types", "active"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ("name", "url", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "url")
    filter_horizontal = ("case_types",)


@admin.register(DeadLetterDigest)
class DeadLetterDigestAdmin(admin.ModelAdmin):
    list_display = ("day", "count", "sent_at")
    readonly_fields = ("day", "count", "recipients", "sent_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(OfVisibleCasesAdmin):
    list_display = ("created_at", "case", "answered_at", "answer_score", "speed_score", "service_score")
    list_filter = ("reopen_requested",)
    list_select_related = ("case",)
    search_fields = ("=case__reference",)
    readonly_fields = (
        "case",
        "party",
        "created_at",
        "expires_at",
        "answered_at",
        "answer_score",
        "speed_score",
        "service_score",
        "comment",
        "reopen_requested",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DosisStatus)
class DosisStatusAdmin(admin.ModelAdmin):
    """How each case state is shown in DOSIS; the values DOSIS expects are not fixed publicly."""

    list_display = ("state", "phase", "code", "action_needed")
    list_editable = ("phase", "code", "action_needed")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EmailText)
class EmailTextAdmin(admin.ModelAdmin):
    """The city's own wording of citizen e-mails; kinds and languages without one use the built-in text."""

    list_display = ("kind", "language", "subject")
    list_filter = ("kind", "language")
