"""The admin of the contacts domain: thin, validating like the API and writing through the services."""

import json
import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .errors import DuplicateIdentifier, MergeRefused
from .identifiers import clean_phone
from .models import (
    AccessLog,
    Contact,
    ContactPoint,
    ContactPointKind,
    Party,
    PartyKind,
    PartyMerge,
    Representative,
    normalise_name,
)
from .services.contacts import _validate as validate_contact_values
from .services.parties import (
    ADDRESS_FIELDS,
    IDENTIFIER_CLEANERS,
    PARTY_FIELDS,
    _check_identifiers_free,
    _check_kind,
    _clean_contact_point,
    _require_something_to_know_them_by,
    clean_identifiers,
)

admin.site.site_header = _("Midoffice administration")
admin.site.site_title = _("Midoffice")
admin.site.index_title = _("Contact follow-up")

RECENT_CONTACTS = 10
# What people type between the digits of an INSZ, KBO number or phone number.
SEPARATORS = re.compile(r"[\s.\-/]")
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


def _adopt(target, source) -> None:
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


def _new_rows(formset) -> list[dict]:
    return [
        form.cleaned_data
        for form in formset.extra_forms
        if form.has_changed() and not form.cleaned_data.get("DELETE")
    ]


def _contact_point_data(data: dict) -> dict:
    point = {"kind": data["kind"], "preferred": data.get("preferred", False), "label": data.get("label", "")}
    if data["kind"] == ContactPointKind.ADDRESS:
        point["address"] = {field: data.get(field) or "" for field in ADDRESS_FIELDS}
    else:
        point["value"] = data["value"]
    return point


def _representative_data(data: dict) -> dict:
    return {field: data.get(field) for field in ("person", "role", "valid_from", "valid_until")}


def _identifier_search(term: str) -> Q | None:
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
        # Part of a number: 0470 12 34 56 is stored as +32470123456.
        national_part = digits.lstrip("0") or digits
        condition |= Q(pk__in=phones.filter(value__contains=national_part).values("party_id"))
    return condition


# Parties


class IdentifierField(forms.CharField):
    """Wide enough for the notations people type; the form stores the compact form."""

    def __init__(self, model_field: str, **kwargs):
        label = Party._meta.get_field(model_field).verbose_name
        super().__init__(label=label, max_length=32, required=False, empty_value=None, **kwargs)


class PartyForm(forms.ModelForm):
    national_number = IdentifierField("national_number", help_text=_("e.g. 85.07.30-033.28"))
    enterprise_number = IdentifierField("enterprise_number", help_text=_("e.g. 0403.170.701"))
    association_code = IdentifierField("association_code", help_text=_("e.g. V0000123"))

    # Whether this form checks that the party can be identified at all; the admin leaves that to the
    # contact point inline when it is shown, because a contact point alone identifies a party too.
    checks_identity = True

    class Meta:
        model = Party
        fields = PARTY_FIELDS

    def clean(self):
        """The checks of party_create / party_update, as form errors instead of exceptions."""
        cleaned = super().clean()
        try:
            cleaned.update(clean_identifiers({f: cleaned[f] for f in IDENTIFIER_CLEANERS if f in cleaned}))
        except ValidationError as exc:
            self.add_error(None, exc)
            return cleaned
        if "kind" not in cleaned:
            return cleaned
        values = {field: cleaned.get(field) for field in PARTY_FIELDS}
        try:
            _check_kind(cleaned["kind"], values)
        except ValidationError as exc:
            self.add_error(None, exc)
            return cleaned
        try:
            _check_identifiers_free(values, exclude_id=self.instance.pk)
        except DuplicateIdentifier as exc:
            existing = exc.extra["existing_party"]
            link = format_html(
                '<a href="{}">{}</a>',
                reverse("admin:contacts_party_change", args=[existing]),
                _("party #%(id)s") % {"id": existing},
            )
            self.add_error(exc.extra["field"], format_html("{} {}", exc.detail, link))
            return cleaned
        if self.checks_identity:
            points = list(self.instance.contact_points.all()) if self.instance.pk else []
            try:
                _require_something_to_know_them_by(values, points)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


class ContactPointForm(forms.ModelForm):
    class Meta:
        model = ContactPoint
        fields = ("kind", "value", "street", "house_number", "box", "postal_code", "city", "country", "label")
        fields += ("preferred",)

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
            parts = _clean_contact_point(kind, cleaned.get("value") or "", address)
        except ValidationError as exc:
            self.add_error(None if kind == ContactPointKind.ADDRESS else "value", exc)
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
        preferred = [form.cleaned_data.get("preferred", form.instance.preferred) and form.instance.kind for form in kept]
        for kind in {k for k in preferred if k}:
            if preferred.count(kind) > 1:
                raise ValidationError(
                    _("Only one %(kind)s can be the preferred one.") % {"kind": ContactPointKind(kind).label}
                )
        party = self.instance
        values = {field: getattr(party, field) for field in PARTY_FIELDS}
        _require_something_to_know_them_by(values, kept)


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    form = ContactPointForm
    formset = ContactPointFormSet
    extra = 0


class RepresentativeForm(forms.ModelForm):
    class Meta:
        model = Representative
        fields = ("person", "role", "valid_from", "valid_until")

    def clean(self):
        """The checks of representative_add."""
        cleaned = super().clean()
        person = cleaned.get("person")
        if person is not None and person.kind != PartyKind.PERSON:
            self.add_error("person", _("A representative must be a person."))
        elif person is not None and person.is_tombstone:
            self.add_error("person", _("Party %(id)s was merged into another party.") % {"id": person.pk})
        valid_from, valid_until = cleaned.get("valid_from"), cleaned.get("valid_until")
        if valid_from and valid_until and valid_until < valid_from:
            self.add_error("valid_until", _("The end of the period lies before its start."))
        return cleaned


class RepresentativeFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.instance.kind == PartyKind.PERSON and _kept_forms(self):
            raise ValidationError(_("Only an organisation or association has representatives."))


class RepresentativeInline(admin.TabularInline):
    model = Representative
    fk_name = "organisation"
    form = RepresentativeForm
    formset = RepresentativeFormSet
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
        return super().get_queryset(request).select_related("handled_by").order_by("-occurred_at", "-pk")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MergedFilter(admin.SimpleListFilter):
    title = _("merged")
    parameter_name = "merged"

    def lookups(self, request, model_admin):
        return [("no", _("Active record")), ("yes", _("Merged into another party"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(merged_into__isnull=self.value() == "no")
        return queryset


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    form = PartyForm
    list_display = ("id", "name_column", "kind", "identifiers_column", "merged_into", "created_at")
    list_display_links = ("id", "name_column")
    list_filter = ("kind", "language", MergedFilter)
    list_select_related = ("merged_into",)
    search_fields = (
        "given_name",
        "family_name",
        "name",
        "search_name",
        "national_number",
        "enterprise_number",
        "association_code",
        "contact_points__value",
    )
    search_help_text = _("Name, INSZ, KBO number, vCode, e-mail address or phone number.")
    readonly_fields = ("merged_into", "merged_at", "created_at", "updated_at")
    ordering = ("-pk",)
    actions = ("merge_into_oldest",)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ("kind", "language", "preferred_channel")}),
            (_("Person"), {"fields": ("given_name", "family_name", "birth_date", "national_number")}),
            (_("Organisation or association"), {"fields": ("name", "enterprise_number", "association_code")}),
        ]
        if obj is not None:
            fieldsets.append((_("Record"), {"fields": self.readonly_fields}))
        return fieldsets

    def get_inlines(self, request, obj):
        inlines = [ContactPointInline]
        if obj is None or obj.kind != PartyKind.PERSON:
            inlines.append(RepresentativeInline)
        if obj is not None:
            inlines.append(RecentContactsInline)
        return inlines

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.checks_identity = not any(
            isinstance(inline, ContactPointInline) for inline in self.get_inline_instances(request, obj)
        )
        return form

    def get_search_results(self, request, queryset, search_term):
        match = request.resolver_match
        if match is not None and match.url_name == "autocomplete":
            # Contacts and representatives link to live records only; a representative is a person.
            queryset = queryset.filter(merged_into__isnull=True)
            if request.GET.get("model_name") == "representative":
                queryset = queryset.filter(kind=PartyKind.PERSON)
        term = search_term.strip()
        identifier = _identifier_search(term) if term else None
        if identifier is not None:
            return queryset.filter(identifier), False
        # search_name holds the names without accents: "Gerard" finds "Gérard".
        return super().get_search_results(request, queryset, normalise_name(term))

    def has_change_permission(self, request, obj=None):
        # A tombstone only points at its survivor: change the survivor instead.
        if obj is not None and obj.is_tombstone:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Parties are merged or anonymised, never deleted: contacts and cases keep pointing at them.
        return False

    def has_merge_permission(self, request):
        return request.user.has_perm("contacts.merge_party")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        party = getattr(response, "context_data", {}).get("original")
        if request.method == "GET" and response.status_code == 200 and party is not None:
            services.access_log_record(user=request.user, party=party, via=AccessLog.Via.ADMIN)
        return response

    def save_model(self, request, obj, form, change):
        # The party is written in save_related: party_create needs the inline contact points to know
        # the party can be identified, and the services write the inline rows they have a function for.
        pass

    def save_related(self, request, form, formsets, change):
        party, cleaned = form.instance, form.cleaned_data
        if change:
            changes = {field: cleaned[field] for field in form.changed_data if field in PARTY_FIELDS}
            if changes:
                _adopt(party, services.party_update(actor=request.user, party=party, **changes))
        else:
            rows = {formset.model: _new_rows(formset) for formset in formsets}
            created = services.party_create(
                actor=request.user,
                **{field: cleaned[field] for field in PARTY_FIELDS},
                contact_points=[_contact_point_data(row) for row in rows.get(ContactPoint, [])],
                representatives=[_representative_data(row) for row in rows.get(Representative, [])],
            )
            _adopt(party, created)
        super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        party = form.instance
        add_row = {
            ContactPoint: lambda row: services.contact_point_add(party=party, **_contact_point_data(row)),
            Representative: lambda row: services.representative_add(organisation=party, **_representative_data(row)),
        }.get(formset.model)
        if add_row is None:
            formset.save()
            return
        # No service edits or removes a single contact point or representative yet: the formset
        # saves those, after the checks of contact_point_add / representative_add in its forms.
        formset.save_existing_objects()
        if change:
            formset.new_objects = [add_row(row) for row in _new_rows(formset)]
        else:
            # party_create wrote them already.
            formset.new_objects = list(formset.model._default_manager.filter(**{formset.fk.name: party}))

    @admin.display(description=_("name"), ordering="search_name")
    def name_column(self, party):
        return party.display_name

    @admin.display(description=_("identifiers"))
    def identifiers_column(self, party):
        return " · ".join(
            value
            for value in (
                party.national_number_formatted,
                party.enterprise_number_formatted,
                party.association_code or "",
            )
            if value
        )

    @admin.action(description=_("Merge selected parties into the oldest"), permissions=["merge"])
    def merge_into_oldest(self, request, queryset):
        parties = list(queryset.order_by("created_at", "pk"))
        if len(parties) < 2:
            self.message_user(request, _("Select at least two parties to merge."), messages.WARNING)
            return
        survivor, duplicates = parties[0], parties[1:]
        try:
            # All or nothing: one refusal leaves every selected party as it was.
            with transaction.atomic():
                for duplicate in duplicates:
                    services.party_merge(actor=request.user, survivor=survivor, duplicate=duplicate)
        except MergeRefused as exc:
            self.message_user(request, _("Nothing was merged: %(reason)s") % {"reason": exc.detail}, messages.ERROR)
            return
        for duplicate in duplicates:
            self.log_change(request, duplicate, _("Merged into party #%(id)s.") % {"id": survivor.pk})
        self.message_user(
            request,
            ngettext(
                "Merged %(count)d party into party #%(id)s.",
                "Merged %(count)d parties into party #%(id)s.",
                len(duplicates),
            )
            % {"count": len(duplicates), "id": survivor.pk},
            messages.SUCCESS,
        )


# Contacts


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
            validate_contact_values(values)
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
        _adopt(obj, contact)


# Audit trails: read-only for everybody, superusers too.


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("accessed_at", "username", "party", "via")
    list_filter = ("via", ("accessed_at", admin.DateFieldListFilter))
    list_select_related = ("party",)
    search_fields = ("username", "party__id__exact")
    search_help_text = _("User name or party number.")
    show_full_result_count = False


@admin.register(PartyMerge)
class PartyMergeAdmin(ReadOnlyAdmin):
    list_display = ("merged_at", "duplicate", "survivor", "actor")
    list_filter = (("merged_at", admin.DateFieldListFilter),)
    list_select_related = ("duplicate", "survivor", "actor")
    search_fields = ("survivor__id__exact", "duplicate__id__exact")
    search_help_text = _("Party number of the survivor or of the duplicate.")
    fields = ("merged_at", "duplicate", "survivor", "actor", "moved_formatted")
    readonly_fields = fields

    @admin.display(description=_("what moved"))
    def moved_formatted(self, merge):
        return format_html(
            "<pre>{}</pre>", json.dumps(merge.moved, indent=2, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
        )
