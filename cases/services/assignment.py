"""Who in the handler group works on a case: taking it, handing it to a colleague, giving it back."""

import logging
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cases.access import may_manage
from cases.errors import AssignmentUnchanged, CaseActionForbidden, CaseFinal
from cases.models import Case, EventKind, HandlerGroup
from cases.workflow import FINAL_STATES

from .cases import _check_version, _lock
from .chase import group_message_queue, mail_case_line
from .events import case_event_new, case_events_write

logger = logging.getLogger(__name__)

# Cases listed in one assignment e-mail; the rest are counted.
MAIL_LIST_LIMIT = 50


def user_display_name(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def is_active_member(user, group_id: int) -> bool:
    return (
        user.is_active
        and HandlerGroup.members.through.objects.filter(handlergroup_id=group_id, user_id=user.pk).exists()
    )


def _assign_locked(*, actor, case: Case, assignee) -> bool:
    """Check and change one locked case; False when it already has that assignee. The caller writes the event."""
    if case.state in FINAL_STATES:
        raise CaseFinal(state=case.state)
    if not may_manage(case, actor):
        raise CaseActionForbidden(_("Only members of the case's handler group, the KCC and supervisors may assign it."))
    if assignee is not None and not is_active_member(assignee, case.handler_group_id):
        raise ValidationError(
            {
                "assignee": [
                    _("%(name)s is not an active member of the handler group %(group)s.")
                    % {"name": user_display_name(assignee), "group": case.handler_group.name}
                ]
            }
        )
    return case.assignee_id != (assignee.pk if assignee is not None else None)


def _event(*, actor, case: Case, previous, assignee, now):
    return case_event_new(
        case_id=case.pk,
        kind=EventKind.ASSIGNMENT,
        data={
            "from_user": previous.pk if previous is not None else None,
            "from_user_name": user_display_name(previous) if previous is not None else None,
            "to_user": assignee.pk if assignee is not None else None,
            "to_user_name": user_display_name(assignee) if assignee is not None else None,
        },
        actor=actor,
        created_at=now,
    )


def _save(case: Case, assignee) -> None:
    case.assignee = assignee
    case.version += 1
    case.save(update_fields=["assignee", "version", "updated_at"])


def _tell_assignee(*, actor, assignee, cases: list[Case]) -> None:
    """An e-mail to whoever someone else gave cases to (after commit, through the group messages' outbox); none
    for taking a case oneself, nor for a user without an address."""
    if assignee is None or not assignee.email or (actor is not None and actor.pk == assignee.pk):
        return
    by_group = defaultdict(list)
    for case in cases:
        by_group[case.handler_group].append(case)
    who = user_display_name(actor) if actor is not None else _("the system")
    with override(settings.LANGUAGE_CODE):
        for group, group_cases in by_group.items():
            if len(group_cases) == 1:
                subject = _("Case %(reference)s was assigned to you") % {"reference": group_cases[0].reference}
            else:
                subject = _("%(count)d cases were assigned to you") % {"count": len(group_cases)}
            lines = [_("%(name)s assigned you, in %(group)s:") % {"name": who, "group": group.public_name}, ""]
            lines.extend(mail_case_line(case) for case in group_cases[:MAIL_LIST_LIMIT])
            if len(group_cases) > MAIL_LIST_LIMIT:
                lines.append("  " + _("and %(n)d more") % {"n": len(group_cases) - MAIL_LIST_LIMIT})
            group_message_queue(handler_group=group, recipient=assignee, subject=subject, body="\n".join(lines))


@transaction.atomic
def case_assign(*, actor, case: Case, assignee, version: int | None = None) -> Case:
    """Give ``case`` to ``assignee`` (the actor: taking it; None: nobody), an active member of its handler group.

    For members of the group, the KCC and supervisors; under a row lock, with the caller's ``version`` checked.
    Someone given a case by a colleague is told by e-mail after commit.
    """
    now = timezone.now()
    case = _lock(case)
    _check_version(case, version)
    if not _assign_locked(actor=actor, case=case, assignee=assignee):
        raise AssignmentUnchanged(assignee_id=case.assignee_id)
    previous = case.assignee
    _save(case, assignee)
    case_events_write([_event(actor=actor, case=case, previous=previous, assignee=assignee, now=now)])
    _tell_assignee(actor=actor, assignee=assignee, cases=[case])
    logger.info(
        "case.assign",
        extra={
            "case": case.reference,
            "from_user": previous.pk if previous is not None else None,
            "to_user": assignee.pk if assignee is not None else None,
            "actor": actor.get_username() if actor is not None else None,
        },
    )
    return case


@transaction.atomic
def cases_assign_bulk(*, actor, cases: list[Case], assignee) -> list[Case]:
    """Give every case of ``cases`` to ``assignee`` (or nobody), all or none: one refusal refuses them all.

    Rows are locked in id order, so two bulk assignments over overlapping cases wait for each other instead of
    deadlocking. Cases that already have that assignee are left as they are. Returns the cases in the order given.
    """
    if not cases:
        raise ValidationError({"cases": [_("Choose at least one case.")]})
    now = timezone.now()
    locked: dict[int, Case] = {}
    errors = {}
    for case in sorted({case.pk: case for case in cases}.values(), key=lambda c: c.pk):
        locked[case.pk] = _lock(case)
        try:
            _assign_locked(actor=actor, case=locked[case.pk], assignee=assignee)
        except ValidationError as exc:
            errors.setdefault(locked[case.pk].reference, []).extend(exc.messages)
    if errors:
        raise ValidationError(
            {"cases": [f"{reference}: {message}" for reference, messages in errors.items() for message in messages]}
        )
    changed, events = [], []
    for case in locked.values():
        if case.assignee_id == (assignee.pk if assignee is not None else None):
            continue
        previous = case.assignee
        _save(case, assignee)
        events.append(_event(actor=actor, case=case, previous=previous, assignee=assignee, now=now))
        changed.append(case)
    case_events_write(events)
    _tell_assignee(actor=actor, assignee=assignee, cases=changed)
    logger.info(
        "case.assign_bulk",
        extra={
            "cases": [case.reference for case in changed],
            "to_user": assignee.pk if assignee is not None else None,
            "actor": actor.get_username() if actor is not None else None,
        },
    )
    return [locked[case.pk] for case in cases]
