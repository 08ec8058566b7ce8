"""Corrections the KCC makes to a case: another case type, a duplicate merged into the case that continues."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.access import may_manage, may_reassign, visible_cases
from cases.deadlines import days_between, deadlines_for, resolution_days, shift_due
from cases.errors import CaseActionForbidden, CaseFinal
from cases.models import Case, CaseEvent, CaseType, EventKind
from cases.workflow import FINAL_STATES

from .cases import _check_version, _lock, case_transition
from .events import case_event_add
from .routing import route

logger = logging.getLogger(__name__)


def _paused_days_in(case_type: CaseType, case: Case) -> int:
    """The days ``case`` waited for the citizen (finished pauses), counted in ``case_type``'s unit.

    In the same unit that is ``paused_days``; in another, the pauses are counted again from the timeline's suspend
    and resume events (a case whose timeline does not account for its paused days keeps the number it has).
    """
    if case_type.norm_unit == case.case_type.norm_unit or not case.paused_days:
        return case.paused_days
    pauses = (
        CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION, transition__in=("suspend", "resume"))
        .order_by("created_at", "id")
        .values_list("transition", "created_at")
    )
    total, found, since = 0, False, None
    for transition, at in pauses:
        if transition == "suspend":
            since = at
        elif since is not None:
            total += days_between(case_type, since, at)
            found, since = True, None
    return total if found else case.paused_days


@transaction.atomic
def case_change_type(
    *,
    actor,
    case: Case,
    case_type: CaseType,
    reason: str = "",
    reroute: bool = False,
    version: int | None = None,
) -> Case:
    """Correct a misclassified case (KCC and supervisors): the due date is counted again from the registration by
    the new type's norm, the days waited for the citizen still added; confidentiality follows the type. With
    ``reroute`` the routing rules choose the handler group again (a new group starts without an assignee)."""
    if not may_reassign(actor):
        raise CaseActionForbidden(_("Only the KCC and supervisors may change the type of a case."))
    case = _lock(case)
    _check_version(case, version)
    if case.state in FINAL_STATES:
        raise CaseFinal(state=case.state)
    if not case_type.active:
        raise ValidationError({"case_type": [_("This case type is no longer in use.")]})
    if case_type.pk == case.case_type_id:
        raise ValidationError({"case_type": [_("The case already has this type.")]})
    now = timezone.now()
    from_type, from_group, from_due = case.case_type, case.handler_group, case.due_at
    paused_days = _paused_days_in(case_type, case)
    due_at = deadlines_for(case_type, case.registered_at)[0]
    case.due_at, case.warn_at = shift_due(case_type, due_at, paused_days)
    case.paused_days = paused_days
    case.case_type, case.confidential = case_type, case_type.confidential
    if case.resolved_at is not None:
        # A resolved case (not yet closed): its stored duration in the new type's unit.
        case.resolution_days = resolution_days(case, case.resolved_at)
    case.forget_uncrossed_escalation(now)
    if reroute:
        group = route(
            case_type=case_type, postal_code=case.postal_code, description=case.description, channel=case.channel
        )
        if group.pk != from_group.pk:
            case.handler_group, case.assignee, case.misdispatched = group, None, False
    case.version += 1
    case.save(
        update_fields=[
            "case_type",
            "confidential",
            "due_at",
            "warn_at",
            "paused_days",
            "resolution_days",
            "escalation",
            "handler_group",
            "assignee",
            "misdispatched",
            "version",
            "updated_at",
        ]
    )
    data = {
        "from_type": from_type.pk,
        "from_type_name": from_type.name,
        "to_type": case_type.pk,
        "to_type_name": case_type.name,
        "from_due_at": timezone.localtime(from_due).isoformat(),
        "to_due_at": timezone.localtime(case.due_at).isoformat(),
    }
    if case.handler_group_id != from_group.pk:
        data.update(
            from_group=from_group.pk,
            from_group_name=from_group.name,
            to_group=case.handler_group_id,
            to_group_name=case.handler_group.name,
        )
    case_event_add(
        case_id=case.pk, kind=EventKind.TYPE_CHANGE, text=reason.strip(), data=data, actor=actor, created_at=now
    )
    logger.info(
        "case.change_type",
        extra={
            "case": case.reference,
            "from_type": from_type.code,
            "to_type": case_type.code,
            "handler_group": case.handler_group_id,
            "actor": actor.get_username() if actor is not None else None,
        },
    )
    return case


@transaction.atomic
def case_merge_duplicate(
    *, actor, survivor: Case, duplicate: Case, reason: str = "", version: int | None = None
) -> Case:
    """Cancel ``duplicate`` as a duplicate of ``survivor`` (the workflow's cancel, which tells the citizen where their
    request is followed up, links the duplicate's contacts to the survivor and notes the merge on its timeline).

    Both rows are locked in id order; ``version`` is the survivor's. Refused for a case itself, a final survivor,
    and cases the actor may not see or act on.
    """
    if survivor.pk == duplicate.pk:
        raise ValidationError({"duplicate": [_("A case cannot be merged into itself.")]})
    if not Case.objects.filter(visible_cases(actor), pk=duplicate.pk).exists():
        raise ValidationError(
            {"duplicate": [_("There is no case %(reference)s.") % {"reference": duplicate.reference}]}
        )
    locked = {case.pk: _lock(case) for case in sorted((survivor, duplicate), key=lambda c: c.pk)}
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    _check_version(survivor, version)
    if survivor.state in FINAL_STATES:
        raise CaseFinal(state=survivor.state)
    if not may_manage(survivor, actor):
        raise CaseActionForbidden(
            _("Only members of the case's handler group, the KCC and supervisors may merge into it.")
        )
    reason = reason.strip() or _("Duplicate of case %(reference)s.") % {"reference": survivor.reference}
    case_transition(actor=actor, case=duplicate, transition="cancel", reason=reason, duplicate_of=survivor)
    logger.info(
        "case.merge_duplicate",
        extra={
            "case": survivor.reference,
            "duplicate": duplicate.reference,
            "actor": actor.get_username() if actor is not None else None,
        },
    )
    return survivor
