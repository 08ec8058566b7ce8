"""The overdue chase and the automatic close, run by Celery beat."""

import smtplib
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cases.models import (
    GROUP_MESSAGE_DELIVERABLE,
    RUNNING_STATES,
    Case,
    CaseState,
    Escalation,
    EventKind,
    GroupMessage,
    GroupMessageStatus,
)
from midoffice.backoff import backoff
from midoffice.broker import enqueue

from .cases import case_transition
from .events import case_event_new, case_events_write

BATCH = 500
# Cases listed in one escalation e-mail; the rest are counted.
MAIL_LIST_LIMIT = 50


def _candidates(now: datetime):
    """Running cases that crossed a threshold they were not escalated for yet: read through the chase index.

    ``due_at >= warn_at``, so both conditions lie inside the index's ``warn_at <= now`` range.
    """
    return (
        Case.objects.filter(state__in=RUNNING_STATES, escalation__lt=Escalation.OVERDUE, warn_at__lte=now)
        .filter(Q(escalation__lt=Escalation.DUE_SOON) | Q(due_at__lt=now))
        .order_by("warn_at", "pk")
    )


def mail_case_line(case: Case) -> str:
    """A case in a list e-mailed to staff: its reference, its type and its due date (in the active language)."""
    due = timezone.localtime(case.due_at).strftime("%d/%m/%Y")
    return "  " + _("%(reference)s  %(type)s  (due %(date)s)") % {
        "reference": case.reference,
        "type": case.case_type.name,
        "date": due,
    }


def cases_escalate(*, now: datetime | None = None) -> dict[str, int]:
    """Escalate each case once per threshold crossing: an event, and one e-mail per handler group per run.

    Safe to run twice at once: rows another run holds are skipped, and a case's ``escalation`` level is
    raised in the transaction that writes its event, so no crossing is escalated twice.
    """
    now = now or timezone.now()
    counts = {"due_soon": 0, "overdue": 0}
    while True:
        with transaction.atomic():
            batch = list(
                _candidates(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("case_type", "handler_group")[:BATCH]
            )
            if not batch:
                break
            events, per_group = [], defaultdict(list)
            for case in batch:
                level = Escalation.OVERDUE if case.due_at < now else Escalation.DUE_SOON
                case.escalation = level
                threshold = "overdue" if level == Escalation.OVERDUE else "due_soon"
                counts[threshold] += 1
                events.append(
                    case_event_new(
                        case_id=case.pk,
                        kind=EventKind.ESCALATION,
                        text=threshold,
                        data={"threshold": threshold, "due_at": case.due_at.isoformat()},
                        created_at=now,
                    )
                )
                per_group[case.handler_group].append((threshold, case))
            Case.objects.bulk_update(batch, ["escalation"])
            case_events_write(events)
            messages = [_group_message(group, items, now) for group, items in per_group.items()]
            messages = GroupMessage.objects.bulk_create(messages)
            ids = [m.pk for m in messages]
            transaction.on_commit(lambda ids=ids: _enqueue_messages(ids))
    return counts


def _group_message(group, items, now) -> GroupMessage:
    overdue = [c for t, c in items if t == "overdue"]
    due_soon = [c for t, c in items if t == "due_soon"]
    with override(settings.LANGUAGE_CODE):
        subject = _("%(overdue)d overdue and %(due_soon)d due-soon cases for %(group)s") % {
            "overdue": len(overdue),
            "due_soon": len(due_soon),
            "group": group.public_name,
        }
        lines = []
        for title, cases in ((_("Overdue"), overdue), (_("Due soon"), due_soon)):
            if not cases:
                continue
            lines.append(f"{title}:")
            lines.extend(mail_case_line(case) for case in cases[:MAIL_LIST_LIMIT])
            if len(cases) > MAIL_LIST_LIMIT:
                lines.append("  " + _("and %(n)d more") % {"n": len(cases) - MAIL_LIST_LIMIT})
    return GroupMessage(handler_group=group, subject=subject[:200], body="\n".join(lines), created_at=now)


# The sending task by name: the tasks module calls these services, so they do not import it.
SEND_TASK = "cases.tasks.send_group_message"


def _enqueue_messages(ids: list[int], countdown: float = 0) -> None:
    enqueue(SEND_TASK, ids, countdown=countdown, what="group message")


def group_message_queue(*, handler_group, subject: str, body: str, recipient=None) -> GroupMessage:
    """An e-mail to a handler group, or to one of its members (``recipient``), sent after commit (and by the relay
    if the broker refused it)."""
    message = GroupMessage.objects.create(
        handler_group=handler_group, recipient=recipient, subject=subject[:200], body=body
    )
    transaction.on_commit(lambda: _enqueue_messages([message.pk]))
    return message


class NoRecipient(Exception):
    """The group has no address and no member with one (or the one recipient has none, or left): a gap a retry
    does not fix."""


def _recipients(message: GroupMessage) -> list[str]:
    """The recipient's address when the message is for one member; else the group's address, else its active
    members' addresses."""
    if message.recipient_id is not None:
        user = message.recipient
        return [user.email] if user.is_active and user.email else []
    group = message.handler_group
    if group.email:
        return [group.email]
    return list(
        get_user_model()
        .objects.filter(handler_groups=group, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def group_message_send(*, message_id: int, now: datetime | None = None) -> str | None:
    """One delivery attempt, by the rules of the citizen notifications; idempotent: a message that is sent, dead,
    not due or being sent by another worker is left alone. Returns the new status, or None when nothing was
    attempted.

    A connection or server problem is retried with back-off and is dead after
    ``MIDOFFICE_NOTIFICATION_MAX_ATTEMPTS``; a refused recipient, a group nobody can be e-mailed at, or any other
    error (a retry will not help) is dead at once.
    """
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            GroupMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("handler_group", "recipient")
            .filter(pk=message_id, status__in=GROUP_MESSAGE_DELIVERABLE, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        message.last_attempt_at = now
        retry_in = None
        recipients = _recipients(message)
        try:
            if not recipients:
                raise NoRecipient(
                    _("The recipient has no e-mail address or is no longer active.")
                    if message.recipient_id is not None
                    else _("The group has no e-mail address and no members with one.")
                )
            send_mail(message.subject, message.body, None, recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            message.status, message.last_error = GroupMessageStatus.DEAD, f"recipient refused: {exc.recipients}"
        except (smtplib.SMTPException, OSError) as exc:
            message.last_error = str(exc)[:2000] or exc.__class__.__name__
            if message.attempts >= settings.MIDOFFICE_NOTIFICATION_MAX_ATTEMPTS:
                message.status = GroupMessageStatus.DEAD
            else:
                message.status = GroupMessageStatus.FAILED
                retry_in = backoff(message.attempts)
                message.next_attempt_at = now + retry_in
        except Exception as exc:  # NoRecipient, and any bug in the mail backend: retrying will not help
            message.status, message.last_error = GroupMessageStatus.DEAD, str(exc)[:2000] or exc.__class__.__name__
        else:
            message.status, message.sent_at, message.last_error = GroupMessageStatus.SENT, now, ""
        message.save(
            update_fields=["status", "attempts", "last_attempt_at", "next_attempt_at", "last_error", "sent_at"]
        )
        if retry_in is not None:
            transaction.on_commit(lambda: _enqueue_messages([message.pk], countdown=retry_in.total_seconds()))
    return message.status


def group_messages_relay(*, now: datetime | None = None) -> int:
    """Enqueue every message whose time has come and that no task took: after a broker outage, a worker crash or
    a lost message (the citizen notifications' grace period and batch)."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.MIDOFFICE_NOTIFICATION_RELAY_GRACE_SECONDS)
    ids = list(
        GroupMessage.objects.filter(status__in=GROUP_MESSAGE_DELIVERABLE, next_attempt_at__lte=now - grace)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: settings.MIDOFFICE_NOTIFICATION_RELAY_BATCH]
    )
    _enqueue_messages(ids)
    return len(ids)


def cases_close_expired(*, now: datetime | None = None) -> int:
    """Close resolved cases whose reopen window has passed (actor: the system)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.MIDOFFICE_REOPEN_WINDOW_DAYS)
    closed = 0
    ids = Case.objects.filter(state=CaseState.RESOLVED, resolved_at__lte=cutoff).values_list("pk", flat=True)
    for case in Case.objects.filter(pk__in=list(ids[:5000])):
        case_transition(
            actor=None,
            case=case,
            transition="close",
            reason=_("Closed automatically: the reopen window passed."),
            now=now,
        )
        closed += 1
    return closed
