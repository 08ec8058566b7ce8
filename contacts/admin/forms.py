"""Forms, formsets and inlines of the party admin.

The forms call the services' own checks (``clean_*``, ``check_*``, ``validate_*``) to show their errors beside
the fields, and the admin saves through the services with the user as actor: the admin and the API refuse
the same things with the same messages.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from contacts import services
from contacts.errors import DuplicateIdentifier
from contacts.identifiers import clean_name, clean_phone, format_enterprise_number, format_national_number
from contacts.models import (
    Contact,
    ContactPoint,
    ContactPointKind,
    Party,
    Representative,
)
from contacts.selectors import contact_queryset_for_user
from contacts.services.parties import (
    ADDRESS_FIELDS,
    IDENTIFIER_CLEANERS,
    NAME_FIELDS,
    PARTY_FIELDS,
    check_identifiers_free,
    check_party,
    clean_contact_point,
    clean_party_values,
    require_something_to_know_them_by,
    validate_representative,
)
from midoffice.errors import DomainError

RECENT_CONTACTS = 10
# What people type between the digits of an INSZ, KBO number or phone number.
SEPARATORS = re.compile(r"[\s.\-/]")


def add_errors(form, exc: ValidationError) -> None:
    """A service's errors on the form: beside the field they name, above the form otherwise."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class NameFormField(forms.CharField):
    """A name as ``clean_name`` stores it, cleaned before its length is checked (as the API does)."""

    def to_python(self, value):
        return clean_name(super().to_python(value))


class ServiceErrorsAdminMixin:
    """A service refusing at save time what the form had accepted (a row removed or merged meanwhile) is
    reported above the page, with nothing saved, instead of an error page."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, DomainError) as exc:
            detail = exc.detail if isinstance(exc, DomainError) else " ".join(exc.messages)
            self.message_user(request, _("Nothing was saved: %(reason)s") % {"reason": detail}, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def adopt(target, source) -> None:
    """Make the admin's form instance the row a service wrote, for the admin's logging and redirect."""
    for field in type(source)._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False
    target._state.db = source._state.db


def _kept_forms(formset) -> list:
    """The forms of an inline formset that stand for a row after saving: existing or filled in, not deleted."""
    return [
        form
        for form in formset.forms
        if hasattr(form, "cleaned_data")
        and not form.cleaned_data.get("DELETE")
        and (form.instance.pk is not None or form.has_changed())
    ]


def new_rows(formset) -> list[dict]:
    return [
        form.cleaned_data for form in formset.extra_forms if form.has_changed() and not form.cleaned_data.get("DELETE")
    ]


def contact_point_data(data: dict) -> dict:
    point = {"kind": data["kind"], "preferred": data.get("preferred", False), "label": data.get("label") or ""}
    if data["kind"] == ContactPointKind.ADDRESS:
        point["address"] = {field: data.get(field) or "" for field in ADDRESS_FIELDS}
    else:
        point["value"] = data["value"]
    return point


def representative_data(data: dict) -> dict:
    return {field: data.get(field) for field in ("person", "role", "valid_from", "valid_until")}


def identifier_search(term: str) -> Q | None:
    """INSZ, KBO, vCode and phone numbers as people type them ("85.07.30-033.28", "BE 0403.170.701")."""
    compact = SEPARATORS.sub("", term).upper()
    if re.fullmatch(r"V\d+", compact):
        return Q(association_code__contains=compact)
    digits = compact.removeprefix("BE").removeprefix("+")
    if not digits.isdigit():
        return None
    condition = Q(national_number__contains=digits) | Q(enterprise_number__contains=digits)
    phones = ContactPoint.objects.filter(kind=ContactPointKind.PHONE)
    try:
        condition |= Q(pk__in=phones.filter(value=clean_phone(term)).values("party_id"))
    except ValidationError:
        # Not a whole phone number: look for its digits inside the stored ones (+32470123456).
        national_part = digits.lstrip("0") or digits
        condition |= Q(pk__in=phones.filter(value__contains=national_part).values("party_id"))
    return condition


def _deleted_and_changed(formset) -> tuple[list, list]:
    forms = [form for form in formset.initial_forms if form.instance.pk is not None]
    deleted = [form for form in forms if formset.can_delete and form.cleaned_data.get("DELETE")]
    return deleted, [form for form in forms if form not in deleted and form.has_changed()]


def save_contact_points(actor, party: Party, formset) -> None:
    """Removals, corrections and additions, each through its service."""
    deleted, changed = _deleted_and_changed(formset)
    for form in deleted:
        services.contact_point_remove(actor=actor, point=form.instance)
        formset.deleted_objects.append(form.instance)
    for form in changed:
        point = services.contact_point_update(actor=actor, point=form.instance, **contact_point_data(form.cleaned_data))
        formset.changed_objects.append((point, form.changed_data))
    formset.new_objects = [
        services.contact_point_add(actor=actor, party=party, **contact_point_data(row)) for row in new_rows(formset)
    ]


def save_representatives(actor, party: Party, formset) -> None:
    deleted, changed = _deleted_and_changed(formset)
    for form in deleted:
        services.representative_remove(actor=actor, representative=form.instance)
        formset.deleted_objects.append(form.instance)
    for form in changed:
        data = representative_data(form.cleaned_data)
        if "person" in form.changed_data:
            # A representative is one person's mandate: another person is another row.
            services.representative_remove(actor=actor, representative=form.instance)
            representative = services.representative_add(actor=actor, organisation=party, **data)
        else:
            data.pop("person")
            representative = services.representative_update(actor=actor, representative=form.instance, **data)
        formset.changed_objects.append((representative, form.changed_data))
    formset.new_objects = [
        services.representative_add(actor=actor, organisation=party, **representative_data(row))
        for row in new_rows(formset)
    ]


class IdentifierField(forms.CharField):
    """Shown formatted, wide enough for the notations people type; the form stores the compact form."""

    def __init__(self, model_field: str, formatter=None, **kwargs):
        label = capfirst(Party._meta.get_field(model_field).verbose_name)
        self.formatter = formatter
        super().__init__(label=label, max_length=32, required=False, empty_value=None, **kwargs)

    def prepare_value(self, value):
        if value and self.formatter is not None:
            try:
                return self.formatter(value)
            except (TypeError, ValueError, IndexError):
                return value
        return value


class PartyForm(forms.ModelForm):
    given_name = NameFormField(
        label=capfirst(Party._meta.get_field("given_name").verbose_name), max_length=100, required=False
    )
    family_name = NameFormField(
        label=capfirst(Party._meta.get_field("family_name").verbose_name), max_length=100, required=False
    )
    name = NameFormField(
        label=capfirst(Party._meta.get_field("name").verbose_name),
        max_length=200,
        required=False,
        help_text=Party._meta.get_field("name").help_text,
    )
    national_number = IdentifierField(
        "national_number", formatter=format_national_number, help_text=_("e.g. 85.07.30-033.28")
    )
    enterprise_number = IdentifierField(
        "enterprise_number", formatter=format_enterprise_number, help_text=_("e.g. 0403.170.701")
    )
    association_code = IdentifierField("association_code", help_text=_("e.g. V0000123"))

    class Meta:
        model = Party
        fields = PARTY_FIELDS

    def clean(self):
        """The checks of party_create / party_update, as form errors instead of exceptions."""
        cleaned = super().clean()
        try:
            cleaned.update(
                clean_party_values({f: cleaned[f] for f in (*NAME_FIELDS, *IDENTIFIER_CLEANERS) if f in cleaned})
            )
        except ValidationError as exc:
            add_errors(self, exc)
            return cleaned
        if "kind" not in cleaned:
            return cleaned
        values = {field: cleaned.get(field) for field in PARTY_FIELDS}
        try:
            check_identifiers_free(values, exclude_id=self.instance.pk)
        except DuplicateIdentifier as exc:
            existing = exc.extra["existing_party"]
            link = format_html(
                '<a href="{}">{}</a>',
                reverse("admin:contacts_party_change", args=[existing]),
                _("party #%(id)s") % {"id": existing},
            )
            self.add_error(exc.extra["field"], format_html("{} {} {}", exc.detail, _("Existing record:"), link))
            return cleaned
        try:
            check_party(cleaned["kind"], values, changed=self.changed_data if self.instance.pk else None)
        except ValidationError as exc:
            add_errors(self, exc)
        # Whether the party can be identified at all is checked with its contact points, by their formset.
        return cleaned


class ContactPointForm(forms.ModelForm):
    label = NameFormField(
        label=capfirst(ContactPoint._meta.get_field("label").verbose_name), max_length=50, required=False
    )

    class Meta:
        model = ContactPoint
        fields = (
            "kind",
            "value",
            "street",
            "house_number",
            "box",
            "postal_code",
            "city",
            "country",
            "label",
            "preferred",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An address's value is derived from its parts.
        self.fields["value"].required = False

    def clean(self):
        """The checks of contact_point_add: e-mail and phone cleaned, an address needs a street and a city."""
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if not kind:
            return cleaned
        address = {field: cleaned.get(field) or "" for field in ADDRESS_FIELDS}
        try:
            parts = clean_contact_point(kind, cleaned.get("value") or "", address, cleaned.get("label") or "")
        except ValidationError as exc:
            add_errors(self, exc)
            return cleaned
        cleaned.update(parts)
        if kind == ContactPointKind.ADDRESS:
            cleaned["value"] = ContactPoint(kind=kind, **parts).address_line()
        return cleaned

    def _get_validation_exclusions(self):
        # "One preferred per kind" is checked over the whole formset: a form alone would refuse
        # moving the preference from one row to another in a single save.
        return super()._get_validation_exclusions() | {"preferred"}


class ContactPointFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = _kept_forms(self)
        preferred = [form.instance.kind for form in kept if form.instance.preferred]
        for kind in sorted(set(preferred)):
            if preferred.count(kind) > 1:
                raise ValidationError(
                    _("Only one %(kind)s can be the preferred one.") % {"kind": ContactPointKind(kind).label}
                )
        values = {field: getattr(self.instance, field) for field in PARTY_FIELDS}
        require_something_to_know_them_by(values, kept)


class PartOfPartyInline(admin.TabularInline):
    """Contact points and representatives are part of the party's record, as in the API: whoever may
    change the party may change them, whoever may see it sees them."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("contacts.view_party")

    def has_add_permission(self, request, obj=None):
        if obj is None:
            return request.user.has_perm("contacts.add_party")
        return not obj.is_tombstone and request.user.has_perm("contacts.change_party")

    def has_change_permission(self, request, obj=None):
        return obj is not None and self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is not None and self.has_add_permission(request, obj)


class ContactPointInline(PartOfPartyInline):
    model = ContactPoint
    form = ContactPointForm
    formset = ContactPointFormSet
    extra = 0


class RepresentativeForm(forms.ModelForm):
    role = NameFormField(label=capfirst(Representative._meta.get_field("role").verbose_name), max_length=100)

    class Meta:
        model = Representative
        fields = ("person", "role", "valid_from", "valid_until")

    def clean(self):
        """The checks of representative_add (the organisation is the party of the page)."""
        cleaned = super().clean()
        if self.errors or cleaned.get("DELETE"):
            return cleaned
        try:
            validate_representative(
                organisation=cleaned.get("organisation"),
                person=cleaned.get("person"),
                role=cleaned.get("role"),
                valid_from=cleaned.get("valid_from"),
                valid_until=cleaned.get("valid_until"),
            )
        except ValidationError as exc:
            add_errors(self, exc)
        return cleaned


class RepresentativeInline(PartOfPartyInline):
    model = Representative
    fk_name = "organisation"
    form = RepresentativeForm
    autocomplete_fields = ("person",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class RecentContactsFormSet(BaseInlineFormSet):
    def get_queryset(self):
        if not hasattr(self, "_recent"):
            self._recent = super().get_queryset()[:RECENT_CONTACTS]
        return self._recent


class RecentContactsInline(admin.TabularInline):
    """The party's newest contacts, to read; contacts are logged through the API or the contact admin."""

    model = Contact
    fk_name = "party"
    formset = RecentContactsFormSet
    fields = ("occurred_at", "channel", "source", "subject", "outcome", "handled_by")
    readonly_fields = fields
    verbose_name_plural = _("most recent contacts")
    show_change_link = True
    can_delete = False
    extra = 0
    max_num = 0

    def get_queryset(self, request):
        # Like the contact admin: contacts of confidential cases the user may not see are left out.
        contacts = contact_queryset_for_user(request.user).filter(restricted=False).prefetch_related(None)
        return contacts.order_by("-occurred_at", "-pk")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
