"""A case's timeline in words, each notification with its delivery status as it is now."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, EventKind
from cases.selectors import case_events
from cases.workflow import WORKFLOW, CaseState
from notifications.models import Backend, Notification, NotificationKind
from notifications.models import Status as NotificationStatus

from ...forms_cases import user_label
from .common import TIMELINE_LIMIT


@dataclass
class TimelineEntry:
    at: datetime
    title: str
    actor: str = ""
    text: str = ""
    public: bool = False
    details: list[str] = field(default_factory=list)
    css: str = ""


def _state_label(value: str) -> str:
    return CaseState(value).label if value in CaseState.values else value


def _local(moment: str) -> str:
    try:
        return timezone.localtime(datetime.fromisoformat(moment)).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return ""


def case_timeline(case: Case) -> tuple[list[TimelineEntry], bool]:
    """The events in words, newest first, with each notification's delivery status as it is now."""
    events = list(case_events(case)[: TIMELINE_LIMIT + 1])
    notification_ids = [e.data.get("notification") for e in events if e.kind == EventKind.NOTIFICATION_QUEUED]
    notifications = (
        Notification.objects.only("id", "status").in_bulk([pk for pk in notification_ids if pk])
        if notification_ids
        else {}
    )
    return [_entry(event, notifications) for event in events[:TIMELINE_LIMIT]], len(events) > TIMELINE_LIMIT


def _entry(event: CaseEvent, notifications: dict[int, Notification]) -> TimelineEntry:
    data = event.data or {}
    entry = TimelineEntry(
        at=event.created_at,
        title=event.get_kind_display(),
        actor=user_label(event.actor) if event.actor else _("the system"),
        text=event.text,
        public=event.public,
        css=event.kind,
    )
    if event.kind == EventKind.CREATED:
        entry.title = _("Registered and routed to %(group)s") % {"group": data.get("handler_group_name", "")}
    elif event.kind == EventKind.TRANSITION:
        spec = WORKFLOW.get(event.transition)
        entry.title = _("%(transition)s: %(from)s → %(to)s") % {
            "transition": spec.label if spec else event.transition,
            "from": _state_label(event.from_state),
            "to": _state_label(event.to_state),
        }
        entry.text = ""
        if event.text:
            entry.details.append(_("Reason: %(text)s") % {"text": event.text})
        if data.get("public_message"):
            entry.details.append(_("To the citizen: %(text)s") % {"text": data["public_message"]})
        if data.get("duplicate_of"):
            entry.details.append(_("Duplicate of case %(reference)s") % {"reference": data["duplicate_of"]})
    elif event.kind == EventKind.NOTE:
        entry.title = _("Public note (the citizen reads it)") if event.public else _("Internal note")
    elif event.kind == EventKind.REASSIGNMENT:
        entry.title = _("Handed from %(from)s to %(to)s") % {
            "from": data.get("from_group_name", ""),
            "to": data.get("to_group_name", ""),
        }
    elif event.kind == EventKind.ASSIGNMENT:
        to_name, from_name = data.get("to_user_name"), data.get("from_user_name")
        if to_name is None:
            entry.title = _("Given back by %(from)s: nobody is assigned") % {"from": from_name or ""}
        elif event.actor_id is not None and event.actor_id == data.get("to_user"):
            entry.title = _("Taken by %(name)s") % {"name": to_name}
        else:
            entry.title = _("Assigned to %(name)s") % {"name": to_name}
        if to_name is not None and from_name:
            entry.details.append(_("Before: %(name)s") % {"name": from_name})
    elif event.kind == EventKind.TYPE_CHANGE:
        entry.title = _("Case type changed from %(from)s to %(to)s") % {
            "from": data.get("from_type_name", ""),
            "to": data.get("to_type_name", ""),
        }
        entry.details.append(
            _("Due date %(from)s → %(to)s")
            % {"from": _local(data.get("from_due_at")), "to": _local(data.get("to_due_at"))}
        )
        if data.get("to_group_name"):
            entry.details.append(_("Routed again to %(group)s") % {"group": data["to_group_name"]})
        if event.text:
            entry.details.append(_("Reason: %(text)s") % {"text": event.text})
        entry.text = ""
    elif event.kind == EventKind.ESCALATION:
        entry.title = (
            _("Overdue: the handler group was told")
            if event.text == "overdue"
            else _("Due soon: the handler group was told")
        )
        entry.text = ""
    elif event.kind == EventKind.NOTIFICATION_QUEUED:
        notification = notifications.get(data.get("notification"))
        entry.title = _("Message to the citizen: %(kind)s") % {"kind": _notification_kind_label(event.text)}
        entry.details.append(
            _("Through %(backend)s to %(recipient)s")
            % {
                "backend": _backend_label(data.get("backend", "")),
                "recipient": data.get("recipient", ""),
            }
        )
        if notification is not None:
            entry.details.append(_("Delivery: %(status)s") % {"status": notification.get_status_display()})
            entry.css += f" delivery-{notification.status}"
        entry.text = ""
    elif event.kind in (EventKind.NOTIFICATION_SENT, EventKind.NOTIFICATION_FAILED):
        backend = _backend_label(data.get("backend", ""))
        if event.kind == EventKind.NOTIFICATION_SENT:
            entry.title = _("Delivered through %(backend)s") % {"backend": backend}
        elif data.get("status") == NotificationStatus.DEAD:
            entry.title = _("Delivery through %(backend)s failed for good") % {"backend": backend}
        else:
            entry.title = _("Delivery through %(backend)s failed, will be retried") % {"backend": backend}
        if event.text:
            entry.details.append(event.text)
        entry.text = ""
    elif event.kind == EventKind.SURVEY_ANSWER:
        entry.title = _("The citizen answered the survey")
        entry.details.append(
            _("Answer %(answer)s/5, speed %(speed)s/5, service %(service)s/5")
            % {
                "answer": data.get("answer_score", "?"),
                "speed": data.get("speed_score", "?"),
                "service": data.get("service_score", "?"),
            }
        )
        if data.get("reopen_requested"):
            entry.details.append(_("The citizen asked to reopen the case."))
    return entry


def _notification_kind_label(kind: str) -> str:
    return NotificationKind(kind).label if kind in NotificationKind.values else kind


def _backend_label(backend: str) -> str:
    return Backend(backend).label if backend in Backend.values else backend


# The citizen e-mail a transition will send, rendered as notifications.backends.email_send renders it.
