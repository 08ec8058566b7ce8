"""Reads of the cases domain, already limited to what the user may see."""

from dataclasses import dataclass
from datetime import datetime
from hmac import compare_digest

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import RowNumber
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation.trans_real import parse_accept_lang_header

from contacts.models import Contact, Party, display_name
from contacts.selectors import TimelineEntry

from .access import handler_group_ids, may_reassign, may_view_all, visible_cases
from .models import OPEN_STATES, Callback, Case, CaseEvent, CaseType, HandlerGroup
from .services.cases import TRACKING_LENGTH
from .workflow import RUNNING_STATES, due_soon_q, overdue_q

ORDERINGS = {
    "due_at": ("due_at", "pk"),
    "-due_at": ("-due_at", "-pk"),
    "registered_at": ("registered_at", "pk"),
    "-registered_at": ("-registered_at", "-pk"),
    "-priority": ("-priority", "due_at", "pk"),
}
# The languages citizens read their case in (the case type's public names, the status page).
PUBLIC_LANGUAGES = ("nl", "fr", "en")
# Compared with the code given when there is no case, so that a missing case costs what a wrong code does.
_NO_CODE = "-" * TRACKING_LENGTH


def public_language(accept_language: str) -> str:
    """nl, fr or en, the first the caller accepts (Accept-Language); Dutch otherwise."""
    for code, _quality in parse_accept_lang_header(accept_language or ""):
        if code[:2].lower() in PUBLIC_LANGUAGES:
            return code[:2].lower()
    return "nl"


def case_for_citizen(reference: str, code: str) -> Case | None:
    """The case with this reference if ``code`` is its tracking code (read case-insensitively); None otherwise,
    a missing case and a wrong code alike (one query and one constant-time comparison either way)."""
    case = Case.objects.select_related("case_type", "handler_group").filter(reference=reference.strip()[:20]).first()
    matches = compare_digest(code.strip().upper().encode(), (case.tracking_code if case else _NO_CODE).encode())
    return case if case is not None and matches else None


def case_queryset_for_user(user) -> QuerySet[Case]:
    return Case.objects.filter(visible_cases(user)).select_related("case_type", "handler_group", "assignee", "party")


def contacts_as_seen_by(user, contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """The rule contacts.selectors.contact_queryset_for_user applies: a contact that opened a confidential case
    ``user`` may not see is ``restricted`` (subject and summary withheld); ``visible_cases`` lists the cases of
    each contact they may see, so a case they may not see is never named."""
    if user.is_superuser:
        restricted = Value(False)
    else:
        hidden = Case.objects.filter(contacts=OuterRef("pk"), confidential=True).exclude(visible_cases(user))
        # A scalar subquery, not EXISTS: PostgreSQL may plan an EXISTS in the select list as a hash of the contacts
        # of every hidden case, built before the page's few rows are looked at (220–350 ms a page on 2 M cases);
        # this one is looked up for each row shown (an index scan of the case–contact link).
        restricted = IsNull(Subquery(hidden.values("pk")[:1]), False)
    return contacts.annotate(restricted=restricted).prefetch_related(
        Prefetch(
            "cases",
            queryset=Case.objects.filter(visible_cases(user)).only("id", "reference").order_by("pk"),
            to_attr="visible_cases",
        )
    )


def case_get(pk: int) -> Case:
    return Case.objects.select_related("case_type", "handler_group", "assignee", "party").get(pk=pk)


def case_get_for_user(user, reference: str) -> Case:
    """The case with ``reference`` if ``user`` may see it; ``Case.DoesNotExist`` either way otherwise."""
    return case_queryset_for_user(user).get(reference=reference)


def case_list_for_user(
    user,
    *,
    state: list[str] | None = None,
    open: bool | None = None,
    handler_group: int | None = None,
    case_type: str | None = None,
    party: int | None = None,
    assignee: str | None = None,
    overdue: bool | None = None,
    due_soon: bool | None = None,
    misdispatched: bool | None = None,
    ordering: str = "due_at",
    now: datetime | None = None,
) -> QuerySet[Case]:
    now = now or timezone.now()
    cases = case_queryset_for_user(user)
    if state:
        cases = cases.filter(state__in=state)
    if open is not None:
        cases = cases.filter(state__in=OPEN_STATES) if open else cases.exclude(state__in=OPEN_STATES)
    if handler_group is not None:
        cases = cases.filter(handler_group_id=handler_group)
    if case_type:
        cases = cases.filter(case_type__code=case_type)
    if party is not None:
        cases = cases.filter(party_id=party)
    if assignee == "me":
        cases = cases.filter(assignee=user)
    elif assignee == "none":
        cases = cases.filter(assignee__isnull=True, state__in=OPEN_STATES)
    elif assignee:
        cases = cases.filter(assignee__username=assignee)
    if overdue is not None:
        cases = cases.filter(overdue_q(now)) if overdue else cases.exclude(overdue_q(now))
    if due_soon is not None:
        cases = cases.filter(due_soon_q(now)) if due_soon else cases.exclude(due_soon_q(now))
    if misdispatched is not None:
        cases = cases.filter(misdispatched=misdispatched)
    return cases.order_by(*ORDERINGS[ordering])


# What a case list export holds: the case, never the citizen (an export is not access-logged per party).
EXPORT_COLUMNS = (
    "reference",
    "case_type__code",
    "case_type__name",
    "state",
    "priority",
    "channel",
    "handler_group__name",
    "assignee__username",
    "registered_at",
    "due_at",
    "admissibility_decided_at",
    "resolved_at",
    "closed_at",
    "paused_days",
    "misdispatched",
)


def case_export_rows(cases: QuerySet[Case], *, chunk_size: int = 2000):
    """``cases`` as rows of ``EXPORT_COLUMNS``, read in chunks (a server-side cursor on PostgreSQL): constant
    memory however many there are."""
    return cases.values_list(*EXPORT_COLUMNS).iterator(chunk_size=chunk_size)


def case_rows(ids: list[int]) -> list[Case]:
    """The cases with ``ids``, in that order, with what the list shows joined.

    Lists page through ids only — an index-only scan even over thousands of open cases — and then load
    the page's rows: sorting full rows of a busy inbox would read every one of them from the table.
    """
    by_id = Case.objects.select_related("case_type", "handler_group", "assignee", "party").in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def case_assignee_choices(user, case: Case) -> QuerySet:
    """Whom ``user`` may give ``case`` to: the active members of its handler group, by name; nobody when ``user`` may
    not assign it (members of the group, the KCC and supervisors may)."""
    users = get_user_model().objects.filter(is_active=True, handler_groups=case.handler_group_id)
    if not (case.handler_group_id in handler_group_ids(user) or may_reassign(user)):
        users = users.none()
    return users.order_by("first_name", "last_name", "username")


def cases_for_user_by_reference(user, references: list[str]) -> tuple[list[Case], list[str]]:
    """The cases with ``references`` that ``user`` may see, in that order, and the references not found (missing and
    not visible alike)."""
    found = {case.reference: case for case in case_queryset_for_user(user).filter(reference__in=references)}
    return [found[r] for r in references if r in found], [r for r in references if r not in found]


def visible_callbacks(user) -> Q:
    """Handler groups see their call-backs; the KCC, front desk and supervisors (``view_all_cases``) every one."""
    if user.is_superuser or may_view_all(user):
        return Q()
    return Q(handler_group_id__in=handler_group_ids(user))


def callback_list_for_user(
    user, *, open_only: bool = True, overdue: bool | None = None, handler_group: int | None = None, now=None
) -> QuerySet[Callback]:
    """The call-backs ``user`` may see, soonest due first; ``overdue``: open and past ``due_by`` (or not)."""
    now = now or timezone.now()
    callbacks = Callback.objects.filter(visible_callbacks(user)).select_related(
        "party", "handler_group", "created_by", "done_by"
    )
    if open_only:
        callbacks = callbacks.filter(done_at__isnull=True)
    if handler_group is not None:
        callbacks = callbacks.filter(handler_group_id=handler_group)
    if overdue is not None:
        late = Q(done_at__isnull=True, due_by__lt=now)
        callbacks = callbacks.filter(late) if overdue else callbacks.exclude(late)
    return callbacks.order_by("due_by", "pk")


def callback_get_for_user(user, pk: int) -> Callback:
    """The call-back if ``user`` may see it; ``Callback.DoesNotExist`` either way otherwise."""
    return (
        Callback.objects.filter(visible_callbacks(user))
        .select_related("party", "handler_group", "created_by", "done_by")
        .get(pk=pk)
    )


def case_events(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("-created_at", "-id")


def handler_group_list() -> QuerySet[HandlerGroup]:
    return HandlerGroup.objects.annotate(member_count=Count("members")).order_by("name")


def case_type_list(*, active: bool | None = True) -> QuerySet[CaseType]:
    types = CaseType.objects.select_related("default_group").order_by("name")
    return types if active is None else types.filter(active=active)


# What the chase list shows of each case, read as plain rows: for a few hundred groups, building model
# instances would cost more than the SQL.
CHASE_COLUMNS = (
    "handler_group_id",
    "reference",
    "case_type__code",
    "state",
    "assignee__username",
    "registered_at",
    "due_at",
    "party_id",
    "party__kind",
    "party__given_name",
    "party__family_name",
    "party__name",
)


@dataclass
class ChaseItem:
    reference: str
    case_type: str
    state: str
    assignee: str | None
    registered_at: datetime
    due_at: datetime
    party_display_name: str | None
    party_id: int | None = None  # who was shown: for the access log


@dataclass
class GroupChase:
    handler_group: HandlerGroup
    overdue: int
    due_soon: int
    oldest: list[ChaseItem]


def _oldest_per_group(overdue: QuerySet[Case], group_ids: list[int], limit: int) -> list[int]:
    """Ids of the ``limit`` most overdue cases of each group.

    On PostgreSQL one short index probe per group (an array subquery per handler group, LIMIT ``limit``)
    instead of ranking every overdue case; elsewhere a window function.
    """
    if connection.vendor == "postgresql":
        per_group = HandlerGroup.objects.filter(pk__in=group_ids).annotate(
            oldest=ArraySubquery(
                overdue.filter(handler_group=OuterRef("pk")).order_by("due_at", "pk").values("pk")[:limit]
            )
        )
        return [pk for ids in per_group.values_list("oldest", flat=True) for pk in ids]
    ranked = overdue.annotate(
        rank=Window(RowNumber(), partition_by=[F("handler_group_id")], order_by=[F("due_at"), F("pk")])
    )
    return list(ranked.filter(rank__lte=limit).values_list("pk", flat=True))


def overdue_summary(user, *, now: datetime | None = None, oldest: int = 3) -> list[GroupChase]:
    """Per handler group: how many of its running cases are overdue and due soon, and the most overdue ones.

    Counts come from one index-only scan over the running cases; then the ``oldest`` cases of each group.
    """
    now = now or timezone.now()
    running = Case.objects.filter(visible_cases(user)).filter(state__in=RUNNING_STATES, warn_at__lte=now)
    counts = running.values("handler_group").annotate(
        overdue=Count("pk", filter=Q(due_at__lt=now)), due_soon=Count("pk", filter=Q(due_at__gte=now))
    )
    counts = {row["handler_group"]: row for row in counts}
    overdue = running.filter(due_at__lt=now)
    oldest_ids = _oldest_per_group(overdue, [pk for pk, row in counts.items() if row["overdue"]], oldest)
    rows = Case.objects.filter(pk__in=oldest_ids).order_by("due_at", "pk").values_list(*CHASE_COLUMNS)
    oldest_by_group: dict[int, list[ChaseItem]] = {}
    for group, reference, code, state, assignee, registered, due, party, *names in rows:
        name = None if party is None else display_name(party, *names)
        item = ChaseItem(reference, code, state, assignee, registered, due, name, party)
        oldest_by_group.setdefault(group, []).append(item)
    groups = HandlerGroup.objects.in_bulk(list(counts))
    summary = [
        GroupChase(
            handler_group=groups[pk],
            overdue=row["overdue"],
            due_soon=row["due_soon"],
            oldest=oldest_by_group.get(pk, []),
        )
        for pk, row in counts.items()
    ]
    summary.sort(key=lambda g: (-g.overdue, -g.due_soon, g.handler_group.name))
    return summary


def party_case_entries(party: Party, limit: int, user) -> tuple[int, list[TimelineEntry]]:
    """The party's cases the user may see, for the 360° timeline."""
    cases = (
        Case.objects.filter(party=party)
        .filter(visible_cases(user))
        .select_related("case_type", "handler_group")
        .order_by("-registered_at", "-pk")
    )
    entries = [
        TimelineEntry(
            kind="case",
            id=c.pk,
            at=c.registered_at,
            title=f"{c.reference} {c.case_type.name}",
            detail={
                "reference": c.reference,
                "case_type": c.case_type.code,
                "state": c.state,
                "handler_group": c.handler_group.name,
                "due_at": c.due_at.isoformat(),
                "resolved_at": c.resolved_at.isoformat() if c.resolved_at else None,
            },
        )
        for c in cases[:limit]
    ]
    return cases.count(), entries
