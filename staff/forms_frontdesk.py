"""The forms of the front desk ("Nieuw contact") and the call-back list: shape and field-level checks only; the rules
stay with the services, whose ``ValidationError`` lands next to the field through ``errors_into_form``."""

import secrets
from collections import Counter
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.configuration import configuration
from cases.models import Callback, Case, CaseType
from cases.selectors import handler_group_list
from contacts.identifiers import (
    clean_association_code,
    clean_email,
    clean_enterprise_number,
    clean_national_number,
    clean_phone,
)
from contacts.models import Channel, Contact, ContactPoint, Outcome, Party, PartyKind
from midoffice.text import REASON_MAX_LENGTH, TEXT_MAX_LENGTH

from .forms import StaffForm


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def new_form_token() -> str:
    """The one-time key of a contact form: a second submit of the same form writes nothing (see views)."""
    return secrets.token_urlsafe(16)


class _Cleaned:
    """``clean_<field>`` methods that run an identifier cleaner of the contacts app on an optional field."""

    cleaners: dict = {}

    def _clean_with(self, field: str):
        value = self.cleaned_data.get(field, "")
        if not value:
            return ""
        return self.cleaners[field](value)


class PersonForm(_Cleaned, StaffForm):
    """A new person: a name, optionally the INSZ and birth date, and the preferred e-mail, phone and address."""

    prefix = "person"
    cleaners = {"national_number": clean_national_number, "email": clean_email, "phone": clean_phone}

    given_name = forms.CharField(label=_("Given name"), max_length=_max_length(Party, "given_name"))
    family_name = forms.CharField(label=_("Family name"), max_length=_max_length(Party, "family_name"))
    national_number = forms.CharField(
        label=_("National number (INSZ)"),
        required=False,
        max_length=20,
        help_text=_("Optional; e.g. 85.07.30-033.28."),
    )
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    phone = forms.CharField(label=_("Phone number"), required=False, max_length=32)
    email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        max_length=_max_length(ContactPoint, "value"),
        widget=forms.EmailInput,
    )
    street = forms.CharField(label=_("Street"), required=False, max_length=_max_length(ContactPoint, "street"))
    house_number = forms.CharField(
        label=_("House number"), required=False, max_length=_max_length(ContactPoint, "house_number")
    )
    postal_code = forms.CharField(
        label=_("Postal code"), required=False, max_length=_max_length(ContactPoint, "postal_code")
    )
    city = forms.CharField(label=_("Municipality"), required=False, max_length=_max_length(ContactPoint, "city"))

    def clean_national_number(self):
        return self._clean_with("national_number")

    def clean_email(self):
        return self._clean_with("email")

    def clean_phone(self):
        return self._clean_with("phone")

    def clean(self):
        data = super().clean()
        address = {f: data.get(f, "") for f in ("street", "house_number", "postal_code", "city")}
        if any(address.values()) and not (address["street"] and address["city"]):
            field = "street" if not address["street"] else "city"
            if field not in self.errors:
                self.add_error(field, _("A postal address needs at least a street and a municipality."))
        return data

    def service_arguments(self) -> dict:
        """The arguments of ``contacts.services.party_create``."""
        data = self.cleaned_data
        arguments = {"kind": PartyKind.PERSON, "email": data["email"] or None, "phone": data["phone"] or None}
        if data["street"]:
            arguments["address"] = {f: data[f] for f in ("street", "house_number", "postal_code", "city")}
        for field in self.party_fields:
            if data.get(field):
                arguments[field] = data[field]
        return arguments

    party_fields = ("given_name", "family_name", "national_number", "birth_date")


class OrganisationForm(PersonForm):
    """A new organisation or association: its name and KBO number or vCode, and how to reach it."""

    prefix = "organisation"
    cleaners = {
        "enterprise_number": clean_enterprise_number,
        "association_code": clean_association_code,
        "email": clean_email,
        "phone": clean_phone,
    }
    party_fields = ("kind", "name", "enterprise_number", "association_code")

    given_name = None
    family_name = None
    national_number = None
    birth_date = None
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (PartyKind.ORGANISATION, PartyKind.ORGANISATION.label),
            (PartyKind.ASSOCIATION, PartyKind.ASSOCIATION.label),
        ],
    )
    name = forms.CharField(label=_("Name"), max_length=_max_length(Party, "name"))
    enterprise_number = forms.CharField(
        label=_("Enterprise number (KBO)"), required=False, max_length=20, help_text=_("Optional; e.g. 0207.451.227.")
    )
    association_code = forms.CharField(
        label=_("Association code (vCode)"),
        required=False,
        max_length=12,
        help_text=_("Associations only; e.g. V0001234."),
    )
    field_order = ["kind", "name", "enterprise_number", "association_code"]

    def clean_enterprise_number(self):
        return self._clean_with("enterprise_number")

    def clean_association_code(self):
        return self._clean_with("association_code")


CASE_TYPE_LIST_ID = "dossiertypes"


def case_type_labels() -> dict[str, CaseType]:
    """The active case types by the label the clerk picks: the name, or "name (code)" where names repeat. From the
    configuration each process keeps (no query)."""
    types = sorted(configuration().case_types.values(), key=lambda t: (t.name.casefold(), t.code))
    names = Counter(t.name.casefold() for t in types)
    return {(t.name if names[t.name.casefold()] == 1 else f"{t.name} ({t.code})"): t for t in types}


class CaseTypeSearchField(forms.CharField):
    """An active case type, searched by typing part of its name: a text field with the page's list of names (the
    browser narrows the list as one types). Its code is accepted too."""

    def __init__(self, **kwargs):
        super().__init__(max_length=300, **kwargs)
        self.widget.attrs.update(list=CASE_TYPE_LIST_ID, autocomplete="off")

    def clean(self, value) -> CaseType | None:
        value = super().clean(value).strip()
        if not value:
            return None
        labels = case_type_labels()
        by_label = {label.casefold(): case_type for label, case_type in labels.items()}
        found = by_label.get(value.casefold()) or configuration().case_types.get(value)
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found


class ForChosenParty(StaffForm):
    """A form of the screen about the party chosen (a hidden field: its id; none for an anonymous contact). The
    view gives ``parties``, which finds a party that can still be chosen; the party found is ``party_obj``."""

    party = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.party_obj: Party | None = None
        self._parties = parties

    def clean_party(self):
        pk = self.cleaned_data.get("party")
        if pk is None:
            return None
        party = self._parties(pk) if self._parties else None
        if party is None:
            raise ValidationError(_("This party does not exist (any more); search again."))
        self.party_obj = party
        return pk


class ContactForm(ForChosenParty):
    """One contact, for the party chosen (or anonymous), and optionally the case it opens."""

    prefix = "contact"

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    subject = forms.CharField(label=_("Subject"), max_length=_max_length(Contact, "subject"))
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, initial=Outcome.ANSWERED)
    guided = forms.BooleanField(label=_("Guided with a digital application"), required=False)
    case_type = CaseTypeSearchField(
        label=_("Case type"),
        required=False,
        help_text=_("Type part of its name and pick it to open a case from this contact; leave empty for none."),
        error_messages={"invalid_choice": _("This case type does not exist or is no longer in use.")},
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )
    location = forms.CharField(label=_("Location"), required=False, max_length=_max_length(Case, "location"))
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=_max_length(Case, "postal_code"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The channel is chosen at the top of the screen, outside the form, and sent with it.
        self.fields["channel"].widget.attrs["form"] = "contact-form"

    case_type_list_id = CASE_TYPE_LIST_ID

    @property
    def case_type_labels(self) -> list[str]:
        """What the case type field offers as one types (the form's template lists them)."""
        return list(case_type_labels())

    def clean(self):
        data = super().clean()
        if "case_type" in self.errors:
            return data
        if data.get("case_type"):
            if not (data.get("description") or "").strip() and "description" not in self.errors:
                self.add_error("description", _("Describe the question or report."))
        elif any((data.get(f) or "").strip() for f in ("description", "location", "postal_code")):
            self.add_error("case_type", _("Choose the case type to open a case, or leave the case fields empty."))
        elif data.get("outcome") == Outcome.CASE_CREATED:
            self.add_error("outcome", _("A contact whose outcome is a new case must open one: choose the case type."))
        return data

    def service_arguments(self) -> dict:
        """The arguments of ``cases.services.contact_log_with_case`` (less the actor)."""
        data = self.cleaned_data
        case = None
        if data["case_type"]:
            case = {
                "case_type": data["case_type"],
                "description": data["description"],
                "location": data["location"],
                "postal_code": data["postal_code"],
            }
        return {
            "case": case,
            "party": self.party_obj,
            "anonymous": self.party_obj is None,
            "channel": data["channel"],
            "subject": data["subject"],
            "summary": data["summary"],
            "outcome": data["outcome"],
            "guided": data["guided"],
        }


def default_callback_due(now=None):
    """Tomorrow at noon, Brussels time: a call-back is for today's or tomorrow's work."""
    local = timezone.localtime(now)
    return (local + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)


class CallbackForm(ForChosenParty):
    """A call-back request: who to ask for at which number, about what, by when, by which handler group."""

    prefix = "callback"

    name = forms.CharField(
        label=_("Ask for"),
        required=False,
        max_length=_max_length(Callback, "name"),
        help_text=_("Needed when no party is chosen."),
    )
    phone = forms.CharField(label=_("Phone number to call"), max_length=32)
    topic = forms.CharField(
        label=_("What about"), max_length=_max_length(Callback, "topic"), widget=forms.Textarea(attrs={"rows": 2})
    )
    due_by = forms.DateTimeField(
        label=_("Call back by"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    handler_group = forms.ModelChoiceField(
        label=_("Handler group"),
        queryset=handler_group_list().filter(active=True),
        empty_label=_("— choose a handler group —"),
        error_messages={"invalid_choice": _("This handler group does not exist or is inactive.")},
    )

    def clean_phone(self):
        return clean_phone(self.cleaned_data["phone"])

    def clean_due_by(self):
        due_by = self.cleaned_data["due_by"]
        if due_by < timezone.now():
            raise ValidationError(_("A call-back cannot be due in the past."))
        return due_by

    def clean(self):
        data = super().clean()
        if not self._parties_chosen() and not (data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", _("Say whom to ask for, or choose the party."))
        return data

    def _parties_chosen(self) -> bool:
        return self.party_obj is not None or "party" in self.errors

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "party": self.party_obj,
            "name": data["name"],
            "phone": data["phone"],
            "topic": data["topic"],
            "due_by": data["due_by"],
            "handler_group": data["handler_group"],
        }


class CallbackDoneForm(StaffForm):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Optional: what came of it."),
    )
