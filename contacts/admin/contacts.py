"""The contact admin."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contacts import services
from contacts.models import (
    Contact,
)
from contacts.services.contacts import validate_contact

from .forms import adopt

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

    def clean(self):
        """The checks of contact_log."""
        cleaned = super().clean()
        party, anonymous = cleaned.get("party"), cleaned.get("anonymous")
        if anonymous and party is not None:
            self.add_error("anonymous", _("An anonymous contact cannot be linked to a party."))
        elif not anonymous and party is None and "party" not in self.errors:
            self.add_error("party", _("Link the contact to a party or set anonymous explicitly."))
        if party is not None and party.is_tombstone:
            self.add_error(
                "party",
                _("Party %(id)s was merged into party %(survivor)s.")
                % {"id": party.pk, "survivor": party.merged_into_id},
            )
        values = {field: cleaned.get(field) for field in ("channel", "source", "direction", "outcome", "subject")}
        values |= {"occurred_at": cleaned.get("occurred_at"), "started_at": cleaned.get("started_at")}
        try:
            validate_contact(values)
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
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

    def has_delete_permission(self, request, obj=None):
        # Contacts are KPI data: retention anonymises them, nobody deletes them one by one.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            # No service changes a logged contact yet; the form applied contact_log's checks.
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
