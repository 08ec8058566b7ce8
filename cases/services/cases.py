"""Opening cases and moving them through the workflow: every write locks, checks and records."""

import logging
import secrets
from datetime import datetime
from decimal import Decimal

import django_fsm
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.access import handler_group_ids, may_reassign
from cases.configuration import configuration
from cases.deadlines import admissibility_working_days, days_between, deadlines_for, resolution_days, shift_due
from cases.errors import CaseActionForbidden, CaseFinal, IllegalTransition, RoutingNotConfigured, StaleCase
from cases.models import Case, CaseEvent, CaseType, EventKind, HandlerGroup, Priority
from cases.signals import case_changed
from cases.workflow import FINAL_STATES, WORKFLOW, CaseChange, CaseState
from contacts.history import history_actor, history_record_update
from contacts.models import Channel, Contact, Outcome, Party, Source
from midoffice.db import insert_with, refers_to
from midoffice.transactions import atomic_service

from .events import case_event_add, case_event_new
from .routing import route

logger = logging.getLogger(__name__)

# Unambiguous over the phone: no 0/O, 1/I/L.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_LENGTH = 10

TRANSITIONS = tuple(WORKFLOW)


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))


def _kcc() -> HandlerGroup:
    kcc = configuration().kcc
    if kcc is None:
        raise RoutingNotConfigured(case_type_code="-")
    return kcc


@atomic_service
def case_open(
    *,
    actor,
    case_type: CaseType,
    description: str,
    party: Party | None = None,
    contact: Contact | None = None,
    channel: str = "",
    registered_at: datetime | None = None,
    priority: int = Priority.NORMAL,
    postal_code: str = "",
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Case:
    """Open a case, routed to its handler group, due by its case type's norm from the moment of contact.

    With a ``contact`` the case belongs to the contact's party, comes in through its channel and is
    registered at the contact's time.
    """
    errors = {}
    if not case_type.active:
        errors["case_type"] = [_("This case type is no longer in use.")]
    if not description.strip():
        errors["description"] = [_("Describe the question or report.")]
    if contact is not None:
        if party is not None and contact.party_id is not None and party.survivor().pk != contact.party_id:
            errors["party"] = [_("The case and its contact belong to different parties.")]
        party = party or contact.party
        channel = channel or contact.channel
        registered_at = registered_at or contact.occurred_at
    if not channel:
        errors["channel"] = [_("Say through which channel the case came in.")]
    elif channel not in Channel:
        errors["channel"] = [_("Unknown channel %(value)s.") % {"value": channel}]
    if priority not in Priority:
        errors["priority"] = [_("Unknown priority %(value)s.") % {"value": priority}]
    now = timezone.now()
    registered_at = registered_at or now
    if registered_at > now:
        errors["registered_at"] = [_("A case cannot be registered in the future.")]
    elif timezone.localdate(registered_at) < settings.MIDOFFICE_MIN_DATE:
        errors["registered_at"] = [
            _("A case cannot be registered before %(date)s.") % {"date": settings.MIDOFFICE_MIN_DATE.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    if party is not None:
        party = party.survivor()
    group = route(case_type=case_type, postal_code=postal_code, description=description, channel=channel)
    due_at, warn_at = deadlines_for(case_type, registered_at)
    case = Case(
        tracking_code=new_tracking_code(),
        case_type=case_type,
        party=party,
        channel=channel,
        handler_group=group,
        priority=priority,
        description=description.strip(),
        postal_code=postal_code.strip(),
        location=location.strip(),
        latitude=latitude,
        longitude=longitude,
        confidential=case_type.confidential,
        registered_at=registered_at,
        due_at=due_at,
        warn_at=warn_at,
        intake_source=contact.source if contact is not None else Source.STAFF,
    )
    created = case_event_new(
        case_id=None,
        kind=EventKind.CREATED,
        to_state=case.state,
        actor=actor,
        data={"handler_group": group.pk, "handler_group_name": group.name},
    )
    link = [refers_to(Case.contacts.through(contact_id=contact.pk), "case_id")] if contact is not None else []
    # The reference is the case's number; the case, its link to the contact and its first event in one statement.
    insert_with(case, number_field="reference", dependents=[*link, refers_to(created, "case_id")])
    # What the response shows of the case's contacts, without reading them back.
    case.contact_ids = [contact.pk] if contact is not None else []
    if contact is not None and not contact.outcome:
        # A contact logged to open this case says so itself (contact_log_with_case); an older one learns it here.
        Contact.objects.filter(pk=contact.pk).update(outcome=Outcome.CASE_CREATED)
        with history_actor(actor):
            history_record_update([contact], {"outcome": ("", Outcome.CASE_CREATED)})
    case_changed.send(sender=Case, case=case, change=CaseChange.CASE_CREATED, public_message="")
    return case


def _user_or_none(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _lock(case: Case) -> Case:
    """The case, locked for this transaction, with its type and group as they are now.

    The lock is taken on the bare row: a join in the locking query makes PostgreSQL drop the row when a
    concurrent transaction changes the joined column (a reassignment), instead of returning it.
    """
    locked = Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True)
    if not locked:
        raise Case.DoesNotExist
    return Case.objects.select_related("case_type", "handler_group").get(pk=case.pk)


def allowed_transitions(case: Case, user) -> list[str]:
    """The transitions ``user`` may perform on ``case`` now (system: ``user`` None → all possible ones)."""
    if user is None:
        return [t.name for t in case.get_available_state_transitions()]
    return [t.name for t in case.get_available_user_state_transitions(user)]


def _check_version(case: Case, version: int | None) -> None:
    if version is not None and version != case.version:
        raise StaleCase(version=case.version)


@transaction.atomic
def case_transition(
    *,
    actor,
    case: Case,
    transition: str,
    reason: str = "",
    public_message: str = "",
    duplicate_of: Case | None = None,
    handler_group: HandlerGroup | None = None,
    version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Move ``case`` along ``transition`` for ``actor`` (None: the system), with its event, under a row lock."""
    if transition not in TRANSITIONS:
        raise ValidationError({"transition": [_("Unknown transition %(value)s.") % {"value": transition}]})
    now = now or timezone.now()
    case = _lock(case)
    _check_version(case, version)
    method = getattr(case, transition)
    if not django_fsm.can_proceed(method):
        raise IllegalTransition(
            transition=transition, state=case.state, allowed=allowed_transitions(case, _user_or_none(actor))
        )
    if actor is not None and not django_fsm.has_transition_perm(method, actor):
        raise CaseActionForbidden(
            _("This case cannot be ‘%(transition)s’ by you.") % {"transition": WORKFLOW[transition].participle}
        )
    spec = WORKFLOW[transition]
    if handler_group is not None and handler_group.pk != case.handler_group_id and not may_reassign(actor):
        raise CaseActionForbidden(_("Only the KCC and supervisors may hand a case to another handler group."))
    reason, public_message = reason.strip(), public_message.strip()
    errors = {}
    if spec.requires_reason and not reason:
        errors["reason"] = [_("Give a reason for this transition.")]
    if spec.requires_public_message and not public_message:
        errors["public_message"] = [_("Write the message the citizen will read.")]
    if duplicate_of is not None:
        if transition != "cancel":
            errors["duplicate_of"] = [_("Only a cancelled case can be a duplicate of another.")]
        elif duplicate_of.pk == case.pk:
            errors["duplicate_of"] = [_("A case cannot be a duplicate of itself.")]
        elif duplicate_of.state in FINAL_STATES and duplicate_of.state != CaseState.CLOSED:
            errors["duplicate_of"] = [_("The surviving case was itself rejected or cancelled.")]
    if handler_group is not None:
        if not spec.moves_group:
            errors["handler_group"] = [_("Only a reopened case can go to another handler group here; use reassign.")]
        elif not handler_group.active:
            errors["handler_group"] = [_("This handler group is inactive.")]
    if errors:
        raise ValidationError(errors)
    if duplicate_of is not None and not public_message:
        public_message = _("Your request is followed up in case %(reference)s.") % {"reference": duplicate_of.reference}

    from_state, from_group = case.state, case.handler_group
    if transition == "resume":
        # The due date moves on by the days the case waited, counted by the same rule as the norm.
        paused = days_between(case.case_type, case.paused_at, now)
        case.paused_days += paused
        case.due_at, case.warn_at = shift_due(case.case_type, case.due_at, paused)
    decided_before = case.admissibility_decided_at
    method(now=now)
    # The durations the KPIs average, counted when the milestone is stamped (cases.deadlines).
    if decided_before is None and case.admissibility_decided_at is not None:
        case.admissibility_working_days = admissibility_working_days(case, case.admissibility_decided_at)
    if transition == "resolve":
        case.resolution_days = resolution_days(case, case.resolved_at)
    if transition == "return_to_kcc":
        case.handler_group = _kcc()
    elif transition == "reopen" and handler_group is not None and handler_group != from_group:
        case.handler_group, case.assignee = handler_group, None
    elif transition == "start" and case.assignee_id is None and actor is not None:
        if case.handler_group_id in handler_group_ids(actor):
            case.assignee = actor
    elif transition == "cancel" and duplicate_of is not None:
        case.duplicate_of = duplicate_of
    if public_message:
        case.public_message = public_message
    case.version += 1
    case.save()

    data = {}
    if public_message:
        data["public_message"] = public_message
    if case.handler_group_id != from_group.pk:
        data.update(from_group=from_group.pk, to_group=case.handler_group_id)
    if duplicate_of is not None:
        data["duplicate_of"] = duplicate_of.reference
    case_event_add(
        case_id=case.pk,
        kind=EventKind.TRANSITION,
        transition=transition,
        from_state=from_state,
        to_state=case.state,
        text=reason,
        public=bool(public_message),
        data=data,
        actor=actor,
        created_at=now,
    )
    if spec.notifies:
        case_changed.send(sender=Case, case=case, change=spec.notifies, public_message=public_message)
    if duplicate_of is not None:
        duplicate_of.contacts.add(*case.contacts.all())
        case_event_add(
            case_id=duplicate_of.pk,
            kind=EventKind.NOTE,
            text=_("Case %(reference)s was merged into this one: %(reason)s")
            % {"reference": case.reference, "reason": reason},
            data={"duplicate": case.reference},
            actor=actor,
            created_at=now,
        )
    logger.info(
        "case.transition",
        extra={
            "case": case.reference,
            "transition": transition,
            "from_state": from_state,
            "to_state": case.state,
            "handler_group": case.handler_group_id,
            "actor": actor.get_username() if actor is not None else None,
        },
    )
    return case


@transaction.atomic
def case_reassign(
    *,
    actor,
    case: Case,
    handler_group: HandlerGroup,
    reason: str = "",
    version: int | None = None,
) -> Case:
    """Hand the case to another group without touching its state or its clock (KCC and supervisors)."""
    if not may_reassign(actor):
        raise CaseActionForbidden(_("Only the KCC and supervisors may reassign cases."))
    case = _lock(case)
    _check_version(case, version)
    if case.state in FINAL_STATES:
        raise CaseFinal(state=case.state)
    if not handler_group.active:
        raise ValidationError({"handler_group": [_("This handler group is inactive.")]})
    if handler_group.pk == case.handler_group_id:
        raise ValidationError({"handler_group": [_("The case is already with this handler group.")]})
    from_group = case.handler_group
    was_misdispatched = case.misdispatched
    case.handler_group, case.assignee, case.misdispatched = handler_group, None, False
    case.version += 1
    case.save(update_fields=["handler_group", "assignee", "misdispatched", "version", "updated_at"])
    case_event_add(
        case_id=case.pk,
        kind=EventKind.REASSIGNMENT,
        text=reason.strip(),
        data={
            "from_group": from_group.pk,
            "from_group_name": from_group.name,
            "to_group": handler_group.pk,
            "to_group_name": handler_group.name,
            "was_misdispatched": was_misdispatched,
        },
        actor=actor,
    )
    logger.info(
        "case.reassign",
        extra={
            "case": case.reference,
            "from_group": from_group.pk,
            "to_group": handler_group.pk,
            "actor": actor.get_username() if actor is not None else None,
        },
    )
    return case


def case_note_add(*, actor, case: Case, text: str, public: bool = False) -> CaseEvent:
    """An internal note for colleagues, or a public one the citizen will read (callers pass a case the actor sees)."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": [_("A note needs text.")]})
    return case_event_add(case_id=case.pk, kind=EventKind.NOTE, text=text, public=public, actor=actor)
