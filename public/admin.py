from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contacts.models import Channel, Source
from midoffice.admin import ReadOnlyAdmin

from .models import AssistantSession, Attachment, Scope, ServiceClient, StatusLookup, UnansweredQuestion
from .services import service_client_create, service_client_revoke


class ServiceClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    channels = forms.MultipleChoiceField(
        label=_("channels"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    sources = forms.MultipleChoiceField(
        label=_("sources"),
        choices=[(v, label) for v, label in Source.choices if v != Source.STAFF],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ServiceClient
        fields = ["name", "scopes", "channels", "sources"]


@admin.register(ServiceClient)
class ServiceClientAdmin(admin.ModelAdmin):
    """Made here with its key shown once; revoked, never changed: a client that needs other rights gets a new key."""

    form = ServiceClientForm
    list_display = ("name", "scopes", "channels", "sources", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name",)
    readonly_fields = ("created_by", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        # Shown read-only once made; the add form needs the permission to add only.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        client, key = service_client_create(actor=request.user, **form.cleaned_data)
        obj.pk = client.pk
        obj.refresh_from_db()
        self.message_user(
            request,
            _("The key of %(name)s, shown only now: ServiceClient %(key)s") % {"name": client.name, "key": key},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected clients' keys"), permissions=["change"])
    def revoke(self, request, queryset):
        for client in queryset:
            service_client_revoke(actor=request.user, client=client)
        count = len(queryset)
        self.message_user(request, ngettext("%d client revoked.", "%d clients revoked.", count) % count)


@admin.register(StatusLookup)
class StatusLookupAdmin(ReadOnlyAdmin):
    list_display = ("answered_at", "channel", "source", "client", "found")
    list_filter = ("channel", "source", "found")
    list_select_related = ("client",)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("name", "content_type", "size", "case", "contact", "created_at")
    list_select_related = ("case",)
    raw_id_fields = ("contact", "case")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UnansweredQuestionInline(admin.TabularInline):
    model = UnansweredQuestion
    fields = ("text", "normalised_text", "handled_at", "handled_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AssistantSession)
class AssistantSessionAdmin(ReadOnlyAdmin):
    """Reported by the assistant, read here only."""

    list_display = ("session_id", "client", "channel", "ended_at", "outcome", "signed_in", "automated_actions")
    list_filter = ("channel", "outcome", "signed_in")
    list_select_related = ("client",)
    search_fields = ("session_id",)
    inlines = [UnansweredQuestionInline]


@admin.register(UnansweredQuestion)
class UnansweredQuestionAdmin(ReadOnlyAdmin):
    """The web editors handle these in the staff application (``/assistent/vragen/``); here they are read only."""

    list_display = ("text", "asked_at", "handled_at", "handled_by")
    list_filter = ("handled_at",)
    list_select_related = ("handled_by",)
    search_fields = ("normalised_text",)
