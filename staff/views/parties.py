"""The 360° page of a party (``/klanten/<id>/``): the record, its timeline, duplicate suggestions with the merge,
and the change history; every page that shows a party writes the access log."""

from datetime import datetime

from auditlog.models import LogEntry
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case
from cases.workflow import CaseState
from contacts import selectors, services
from contacts.errors import MergeRefused
from contacts.models import (
    AccessLog,
    Channel,
    Contact,
    ContactPoint,
    Direction,
    Outcome,
    Party,
    PartyKind,
    Representative,
)
from notifications.models import Backend, NotificationKind, Status
from notifications.selectors import party_answered_surveys

from ..access import has_permission, staff_page
from ..forms_parties import MergeForm

# How the access log names these pages (AccessLog.via); contacts.models.AccessLog.Via has no choice for the staff
# application yet, so the admin shows these values as they are.
VIA_RECORD = AccessLog.Via.STAFF_RECORD
VIA_TIMELINE = AccessLog.Via.STAFF_TIMELINE
VIA_MERGE = AccessLog.Via.STAFF_MERGE

TIMELINE_PAGE_SIZE = 20
HISTORY_SHOWN = 20
SURVEYS_SHOWN = 10

DUPLICATE_REASONS = {
    "same_email": gettext_lazy("Same e-mail address"),
    "same_phone": gettext_lazy("Same phone number"),
    "similar_name_same_birth_date": gettext_lazy("Similar name and the same birth date"),
    "similar_name": gettext_lazy("Similar name"),
}


def _party_or_404(pk: int) -> Party:
    try:
        return selectors.party_get(pk)
    except Party.DoesNotExist as exc:
        raise Http404 from exc


def case_url(reference: str) -> str:
    return reverse("staff:case", args=[reference])


def _label(choices, value) -> str:
    """A stored code in words; a code the choices no longer know as it is."""
    return choices(value).label if value in choices.values else (value or "")


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _timeline_row(entry) -> dict:
    """A timeline entry as the page shows it: codes in words, links to cases."""
    detail = entry.detail
    row = {"kind": entry.kind, "id": entry.id, "at": entry.at, "title": entry.title}
    if entry.kind == "contact":
        row |= {
            "label": _("Contact"),
            "restricted": detail["restricted"],
            "channel": _label(Channel, detail["channel"]),
            "direction": _label(Direction, detail["direction"]),
            "outcome": _label(Outcome, detail["outcome"]),
            "summary": detail["summary"],
            "handled_by": detail["handled_by"],
        }
    elif entry.kind == "case":
        reference = detail["reference"]
        row |= {
            "label": _("Case"),
            "reference": reference,
            "url": case_url(reference),
            "case_type": entry.title.removeprefix(reference).strip(),
            "state": _label(CaseState, detail["state"]),
            "handler_group": detail["handler_group"],
            "due_at": _moment(detail["due_at"]),
        }
    elif entry.kind == "notification":
        row |= {
            "label": _("Notification"),
            "reference": detail["case"],
            "url": case_url(detail["case"]),
            "notification_kind": _label(NotificationKind, detail["kind"]),
            "backend": _label(Backend, detail["backend"]),
            "status": _label(Status, detail["status"]),
            "status_code": detail["status"],
            "sent_at": _moment(detail["sent_at"]),
            "read_at": _moment(detail["read_at"]),
        }
    elif entry.kind == "merge":
        row |= {"label": _("Merge"), "duplicate": detail["duplicate"], "actor": detail["actor"]}
    else:
        row["label"] = entry.kind
    return row


def _timeline(request, party: Party, offset: int) -> dict:
    total, entries = selectors.party_timeline(party, user=request.user, offset=offset, limit=TIMELINE_PAGE_SIZE)
    next_offset = offset + TIMELINE_PAGE_SIZE
    return {
        "timeline": [_timeline_row(entry) for entry in entries],
        "timeline_total": total,
        "timeline_offset": offset,
        "timeline_next": next_offset if next_offset < total else None,
    }


def _offset(request) -> int:
    try:
        return max(int(request.GET.get("offset", 0)), 0)
    except ValueError:
        return 0


HISTORY_ACTIONS = {
    LogEntry.Action.CREATE: gettext_lazy("added"),
    LogEntry.Action.UPDATE: gettext_lazy("changed"),
    LogEntry.Action.DELETE: gettext_lazy("removed"),
}


def _change_value(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.is_relation:
        return f"#{value}"
    return str(value)


def _history_row(entry: LogEntry) -> dict:
    """One change in words: the field's name and old → new, without a query per foreign key (auditlog's display
    dictionary looks each one up)."""
    model = entry.content_type.model_class()
    changes = []
    for name, values in (entry.changes_dict or {}).items():
        try:
            field = model._meta.get_field(name) if model is not None else None
        except FieldDoesNotExist:
            field = None
        old, new = [*values, None, None][:2]
        changes.append(
            {
                "field": str(getattr(field, "verbose_name", name)),
                "old": _change_value(field, old),
                "new": _change_value(field, new),
            }
        )
    return {
        "at": entry.timestamp,
        "actor": entry.actor.get_username() if entry.actor else None,
        "action": HISTORY_ACTIONS.get(entry.action, ""),
        "object": str(model._meta.verbose_name) if model is not None else entry.content_type.model,
        "object_repr": entry.object_repr,
        "changes": changes,
    }


def _history(party: Party) -> tuple[list[dict], bool]:
    entries = list(selectors.party_history(party)[: HISTORY_SHOWN + 1])
    return [_history_row(entry) for entry in entries[:HISTORY_SHOWN]], len(entries) > HISTORY_SHOWN


def _suggestion_rows(party: Party) -> list[dict]:
    return [
        {
            "party": suggestion.party,
            "reasons": [
                {"label": DUPLICATE_REASONS.get(reason["code"], reason["code"]), "value": reason.get("value", "")}
                for reason in suggestion.reasons
            ],
        }
        for suggestion in selectors.party_duplicate_suggestions(party)
    ]


@staff_page(permission="contacts.view_party")
def party_page(request, pk: int):
    """The record, the timeline (``offset`` for a browser without scripts), suggested duplicates, the history."""
    party = _party_or_404(pk)
    if party.is_tombstone:
        survivor = party.survivor()
        messages.info(
            request,
            _("Party #%(id)s was merged into this party; this is the record to use.") % {"id": party.pk},
        )
        return redirect("staff:party", pk=survivor.pk)
    user = request.user
    context = {
        "party": party,
        "contact_points": list(party.contact_points.all()),
        "representatives": list(party.representatives.all()) if party.kind != PartyKind.PERSON else [],
        # Without scripts on request (?dubbels=1); else the page asks for them once shown (party_duplicates).
        "suggestions": _suggestion_rows(party) if request.GET.get("dubbels") else None,
        "may_merge": has_permission(user, "contacts.merge_party"),
        "may_see_timeline": has_permission(user, "contacts.view_contact"),
        "surveys": party_answered_surveys(party, user, limit=SURVEYS_SHOWN),
    }
    if context["may_see_timeline"]:
        context |= _timeline(request, party, _offset(request))
    if has_permission(user, "contacts.view_party_history"):
        context["history"], context["history_more"] = _history(party)
    shown = selectors.party_ids_shown([party, *(row["party"] for row in context["suggestions"] or [])])
    services.access_log_record_shown(user=user, party_ids=shown, via=VIA_RECORD)
    return render(request, "staff/parties/party.html", context)


@staff_page(permission="contacts.view_party")
def party_duplicates(request, pk: int):
    """The suggested duplicates of the party, for the page once it is shown (htmx)."""
    party = _party_or_404(pk)
    if not request.htmx:
        return redirect(reverse("staff:party", args=[party.pk]) + "?dubbels=1#dubbels-titel")
    suggestions = _suggestion_rows(party)
    shown = selectors.party_ids_shown([row["party"] for row in suggestions])
    services.access_log_record_shown(user=request.user, party_ids=shown, via=VIA_RECORD)
    context = {
        "party": party,
        "suggestions": suggestions,
        "may_merge": has_permission(request.user, "contacts.merge_party"),
    }
    return render(request, "staff/parties/duplicates.html", context)


@staff_page(permission="contacts.view_party")
def party_timeline(request, pk: int):
    """The next entries of the timeline, for the page's "load more" (htmx)."""
    if not has_permission(request.user, "contacts.view_contact"):
        raise PermissionDenied
    party = get_object_or_404(Party, pk=pk)
    context = {"party": party, **_timeline(request, party, _offset(request))}
    services.access_log_record(user=request.user, party=party, via=VIA_TIMELINE)
    return render(request, "staff/parties/timeline_entries.html", context)


def _what_moves(duplicate: Party) -> list[tuple[str, int]]:
    """What of the duplicate moves to the survivor, counted as it is now; the merge itself decides what moves and
    what is dropped as a double."""
    return [
        (_("Contacts"), Contact.objects.filter(party=duplicate).count()),
        (_("Cases"), Case.objects.filter(party=duplicate).count()),
        (_("Contact points"), ContactPoint.objects.filter(party=duplicate).count()),
        (
            _("Representatives"),
            Representative.objects.filter(Q(organisation=duplicate) | Q(person=duplicate)).count(),
        ),
    ]


@staff_page(permission="contacts.merge_party")
def party_merge(request, pk: int, duplicate_pk: int):
    """The merge preview: both records and what will move; confirming it merges the duplicate into this party."""
    survivor, duplicate = _party_or_404(pk), _party_or_404(duplicate_pk)
    form = MergeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.party_merge(actor=request.user, survivor=survivor, duplicate=duplicate)
        except MergeRefused as exc:
            form.add_error(None, exc.detail)
            status = 409
        else:
            messages.success(
                request,
                _("%(duplicate)s (#%(id)s) was merged into this party.")
                % {"duplicate": duplicate.display_name, "id": duplicate.pk},
            )
            return redirect("staff:party", pk=survivor.pk)
    context = {
        "survivor": survivor,
        "duplicate": duplicate,
        "moves": _what_moves(duplicate),
        "form": form,
    }
    services.access_log_record_shown(
        user=request.user, party_ids=selectors.party_ids_shown([survivor, duplicate]), via=VIA_MERGE
    )
    return render(request, "staff/parties/merge.html", context, status=status)


urlpatterns = [
    path("klanten/<id:pk>/", party_page, name="party"),
    path("klanten/<id:pk>/tijdlijn/", party_timeline, name="party-timeline"),
    path("klanten/<id:pk>/dubbels/", party_duplicates, name="party-duplicates"),
    path("klanten/<id:pk>/samenvoegen/<id:duplicate_pk>/", party_merge, name="party-merge"),
]
