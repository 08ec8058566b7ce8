"""The case workflow, described once: states, what each transition needs, who may perform it and what
it tells the citizen. The model's django-fsm transitions and ``cases.services.case_transition`` are both
driven by ``WORKFLOW``; the overdue and due-soon rules live here too, as SQL conditions and as tests on
a loaded case, side by side.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .access import is_member, may_cancel


class CaseState(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for the citizen")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


# The clock runs in these states: they can be overdue or due soon.
RUNNING_STATES = (CaseState.NEW, CaseState.ACCEPTED, CaseState.IN_PROGRESS)
FINAL_STATES = (CaseState.CLOSED, CaseState.REJECTED, CaseState.CANCELLED)
OPEN_STATES = (*RUNNING_STATES, CaseState.WAITING)


class CaseChange(models.TextChoices):
    """The case changes a citizen can be told about (a reassignment is not one of them)."""

    CASE_CREATED = "case_created", _("Case registered")
    CASE_ACCEPTED = "case_accepted", _("Case accepted")
    CASE_REJECTED = "case_rejected", _("Case rejected")
    CASE_STARTED = "case_started", _("Case in progress")
    CASE_SUSPENDED = "case_suspended", _("Question to the citizen")
    CASE_RESOLVED = "case_resolved", _("Case resolved")
    CASE_REOPENED = "case_reopened", _("Case reopened")
    CASE_CANCELLED = "case_cancelled", _("Case cancelled")


def _awaits_admissibility(case) -> bool:
    return case.case_type.admissibility_step and case.admissibility_decided_at is None


def _outside_kcc(case) -> bool:
    return not case.handler_group.is_kcc


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    source: tuple[str, ...]
    target: str
    # The transition as a past participle, for messages: "a case … cannot be ‘closed’".
    participle: str = ""
    # Who may: called with (case, user) by django-fsm.
    permission: Callable = is_member
    conditions: tuple[Callable, ...] = ()
    requires_reason: bool = False
    # The message the citizen reads (the answer, the reason of a refusal).
    requires_public_message: bool = False
    # What the citizen is told (None: nothing).
    notifies: str | None = None
    # May carry another handler group (only for callers who may reassign).
    moves_group: bool = False

    @property
    def fsm(self) -> dict:
        """The keyword arguments of ``django_fsm.transition`` for this transition."""
        return {
            "source": list(self.source),
            "target": self.target,
            "conditions": list(self.conditions),
            "permission": self.permission,
        }


_ADMITTABLE = (CaseState.NEW, CaseState.ACCEPTED)

WORKFLOW: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "accept",
            _("Accept"),
            (CaseState.NEW,),
            CaseState.ACCEPTED,
            participle=pgettext_lazy("transition", "accepted"),
            conditions=(_awaits_admissibility,),
            notifies=CaseChange.CASE_ACCEPTED,
        ),
        Transition(
            "reject",
            _("Reject"),
            _ADMITTABLE,
            CaseState.REJECTED,
            participle=pgettext_lazy("transition", "rejected"),
            requires_reason=True,
            requires_public_message=True,
            notifies=CaseChange.CASE_REJECTED,
        ),
        Transition(
            "start",
            _("Start"),
            _ADMITTABLE,
            CaseState.IN_PROGRESS,
            participle=pgettext_lazy("transition", "started"),
            notifies=CaseChange.CASE_STARTED,
        ),
        Transition(
            "suspend",
            _("Ask the citizen"),
            (CaseState.ACCEPTED, CaseState.IN_PROGRESS),
            CaseState.WAITING,
            participle=pgettext_lazy("transition", "put on hold"),
            requires_reason=True,
            notifies=CaseChange.CASE_SUSPENDED,
        ),
        Transition(
            "resume",
            _("Resume"),
            (CaseState.WAITING,),
            CaseState.IN_PROGRESS,
            participle=pgettext_lazy("transition", "resumed"),
        ),
        Transition(
            "resolve",
            _("Resolve"),
            RUNNING_STATES,
            CaseState.RESOLVED,
            participle=pgettext_lazy("transition", "resolved"),
            requires_public_message=True,
            notifies=CaseChange.CASE_RESOLVED,
        ),
        Transition(
            "close",
            _("Close"),
            (CaseState.RESOLVED,),
            CaseState.CLOSED,
            participle=pgettext_lazy("transition", "closed"),
        ),
        Transition(
            "reopen",
            _("Reopen"),
            (CaseState.RESOLVED, CaseState.CLOSED),
            CaseState.IN_PROGRESS,
            participle=pgettext_lazy("transition", "reopened"),
            requires_reason=True,
            notifies=CaseChange.CASE_REOPENED,
            moves_group=True,
        ),
        Transition(
            "cancel",
            _("Cancel"),
            (*OPEN_STATES, CaseState.RESOLVED),
            CaseState.CANCELLED,
            participle=pgettext_lazy("transition", "cancelled"),
            permission=may_cancel,
            requires_reason=True,
            notifies=CaseChange.CASE_CANCELLED,
        ),
        Transition(
            "return_to_kcc",
            _("Return to the KCC"),
            RUNNING_STATES,
            CaseState.NEW,
            participle=pgettext_lazy("transition", "returned to the KCC"),
            conditions=(_outside_kcc,),
            requires_reason=True,
        ),
    )
}


# Overdue and due soon, as SQL conditions (lists, the chase, the admin) and on a loaded case (serializers).


def overdue_q(now: datetime) -> Q:
    return Q(state__in=RUNNING_STATES, due_at__lt=now)


def due_soon_q(now: datetime) -> Q:
    return Q(state__in=RUNNING_STATES, warn_at__lte=now, due_at__gte=now)


def is_overdue(case, now: datetime) -> bool:
    return case.state in RUNNING_STATES and now > case.due_at


def is_due_soon(case, now: datetime) -> bool:
    return case.state in RUNNING_STATES and case.warn_at <= now <= case.due_at
