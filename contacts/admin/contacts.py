"""The contact admin."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from contacts import services
from contacts.history import history_actor
from contacts.models import Contact, Outcome
from contacts.selectors import contact_queryset_for_user
from contacts.services.contacts import validate_contact, validate_contact_link

from .forms import ServiceErrorsAdminMixin, add_errors, adopt

CONTACT_FIELDS = (
    "channel",
    "source",
    "direction",
    "occurred_at",
    "started_at",
    "subject",
    "summary",
    "outcome",
    "guided",
    "handled_by",
)


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ("party", "anonymous", *CONTACT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A case is opened through the API or from the case admin, not here: no "case created" outcome.
            self.fields["outcome"].choices = [
                choice for choice in self.fields["outcome"].choices if choice[0] != Outcome.CASE_CREATED
            ]

    def clean(self):
        """The checks of contact_log, from the service (a contact for a merged party goes to its survivor)."""
        cleaned = super().clean()
        if "party" not in self.errors:
            try:
                validate_contact_link(party=cleaned.get("party"), party_data=None, anonymous=cleaned.get("anonymous"))
            except ValidationError as exc:
                add_errors(self, exc)
        values = {field: cleaned.get(field) for field in ("channel", "source", "direction", "outcome", "subject")}
        values |= {"occurred_at": cleaned.get("occurred_at"), "started_at": cleaned.get("started_at")}
        try:
            validate_contact(values)
        except ValidationError as exc:
            add_errors(self, exc)
        return cleaned


@admin.register(Contact)
class ContactAdmin(ServiceErrorsAdminMixin, admin.ModelAdmin):
    form = ContactForm
    list_display = ("occurred_at", "channel", "source", "subject", "party", "outcome", "handled_by")
    list_filter = ("channel", "source", "outcome", "direction", "guided", "anonymous")
    list_select_related = ("party", "handled_by")
    search_fields = ("subject", "party__search_name", "party__given_name", "party__family_name", "party__name")
    date_hierarchy = "occurred_at"
    autocomplete_fields = ("party", "handled_by")
    readonly_fields = ("matched_on", "created_at")
    ordering = ("-occurred_at", "-pk")
    # Counting millions of contacts on every page costs more than the number is worth.
    show_full_result_count = False

    def get_queryset(self, request):
        # A contact that opened a confidential case the user may not see is not shown at all here (the API
        # shows it with its subject and summary withheld).
        return contact_queryset_for_user(request.user).filter(restricted=False).prefetch_related(None)

    def has_delete_permission(self, request, obj=None):
        # Contacts are KPI data: retention anonymises them, nobody deletes them one by one.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            # No service changes a logged contact yet; the form applied contact_log's checks.
            with history_actor(request.user):
                super().save_model(request, obj, form, change)
            return
        cleaned = form.cleaned_data
        contact = services.contact_log(
            actor=request.user,
            party=cleaned["party"],
            anonymous=cleaned["anonymous"],
            **{field: cleaned[field] for field in CONTACT_FIELDS},
        )
        adopt(obj, contact)
