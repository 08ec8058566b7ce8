"""The party admin: search on names and identifiers as people type them, merge action, access log, history."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contacts import selectors, services
from contacts.errors import MergeRefused
from contacts.models import (
    AccessLog,
    ContactPoint,
    Party,
    PartyKind,
    Representative,
    normalise_name,
)
from contacts.services.parties import (
    PARTY_FIELDS,
)

from .forms import (
    ContactPointInline,
    PartyForm,
    RecentContactsInline,
    RepresentativeInline,
    ServiceErrorsAdminMixin,
    adopt,
    contact_point_data,
    identifier_search,
    new_rows,
    representative_data,
    save_contact_points,
    save_representatives,
)


class MergedFilter(admin.SimpleListFilter):
    title = _("merged")
    parameter_name = "merged"

    def lookups(self, request, model_admin):
        return [("no", _("Active record")), ("yes", _("Merged into another party"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(merged_into__isnull=self.value() == "no")
        return queryset


HISTORY_PER_PAGE = 25


@admin.register(Party)
class PartyAdmin(ServiceErrorsAdminMixin, admin.ModelAdmin):
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

    def get_search_results(self, request, queryset, search_term):
        match = request.resolver_match
        if match is not None and match.url_name == "autocomplete":
            # Contacts and representatives link to live records only; a representative is a person.
            queryset = queryset.filter(merged_into__isnull=True)
            if request.GET.get("model_name") == "representative":
                queryset = queryset.filter(kind=PartyKind.PERSON)
        term = search_term.strip()
        # search_name holds the names without accents: "Gerard" finds "Gérard".
        found, may_have_duplicates = super().get_search_results(request, queryset, normalise_name(term))
        identifier = identifier_search(term) if term else None
        if identifier is not None:
            found |= queryset.filter(identifier)
        return found, may_have_duplicates

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

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if request.method == "GET" and response.status_code == 200 and changelist is not None:
            services.access_log_record_shown(
                user=request.user,
                party_ids=[party.pk for party in changelist.result_list],
                via=AccessLog.Via.ADMIN_LIST,
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None) or {}
        party = context.get("original")
        if request.method == "GET" and response.status_code == 200 and party is not None:
            # The page shows the persons representing the party too (read from its inline, no query).
            persons = [
                form.instance.person_id
                for inline in context.get("inline_admin_formsets", ())
                if inline.formset.model is Representative
                for form in inline.formset.initial_forms
            ]
            services.access_log_record_shown(user=request.user, party_ids=[party.pk, *persons], via=AccessLog.Via.ADMIN)
        return response

    def history_view(self, request, object_id, extra_context=None):
        """The party's change history (django-auditlog): its rows and those of the parties merged into it."""
        if not request.user.has_perm("contacts.view_party_history"):
            raise PermissionDenied
        party = self.get_object(request, unquote(object_id))
        if party is None:
            raise Http404
        page = self.get_paginator(request, selectors.party_history(party), HISTORY_PER_PAGE).get_page(
            request.GET.get("p")
        )
        services.access_log_record_shown(user=request.user, party_ids=[party.pk], via=AccessLog.Via.ADMIN_HISTORY)
        rows = []
        for entry in page:
            model = entry.content_type.model_class()
            changes = [
                (capfirst(_field_label(model, field)), values[0], values[1])
                for field, values in (entry.changes or {}).items()
            ]
            rows.append({"entry": entry, "model": capfirst(model._meta.verbose_name), "changes": changes})
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change history: %(party)s") % {"party": party},
            "subtitle": None,
            "opts": self.model._meta,
            "object": party,
            "page": page,
            "rows": rows,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/contacts/party/change_history.html", context)

    def save_model(self, request, obj, form, change):
        # The party is written in save_related: party_create needs the inline contact points to know
        # the party can be identified, and the services write the inline rows they have a function for.
        pass

    def save_related(self, request, form, formsets, change):
        party, cleaned = form.instance, form.cleaned_data
        if change:
            changes = {field: cleaned[field] for field in form.changed_data if field in PARTY_FIELDS}
            if changes:
                adopt(party, services.party_update(actor=request.user, party=party, **changes))
        else:
            rows = {formset.model: new_rows(formset) for formset in formsets}
            created = services.party_create(
                actor=request.user,
                **{field: cleaned[field] for field in PARTY_FIELDS},
                contact_points=[contact_point_data(row) for row in rows.get(ContactPoint, [])],
                representatives=[representative_data(row) for row in rows.get(Representative, [])],
            )
            adopt(party, created)
        super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        save_rows = {ContactPoint: save_contact_points, Representative: save_representatives}.get(formset.model)
        if save_rows is None:
            formset.save()
            return
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if change:
            save_rows(request.user, form.instance, formset)
        else:
            # party_create wrote them with the party.
            formset.new_objects = list(formset.model._default_manager.filter(**{formset.fk.name: form.instance}))

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
            services.party_merge_all(actor=request.user, survivor=survivor, duplicates=duplicates)
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


def _field_label(model, field: str) -> str:
    try:
        return str(model._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        # A field removed since: its name is the best label left.
        return field
