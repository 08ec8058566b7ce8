"""The overdue chase and the automatic close, run by Celery beat (DESIGN §6)."""

import logging
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

from cases.models import RUNNING_STATES, Case, CaseEvent, CaseState, Escalation, EventKind, GroupMessage

from .cases import case_transition

logger = logging.getLogger(__name__)

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
                    CaseEvent(
                        case=case,
                        kind=EventKind.ESCALATION,
                        text=threshold,
                        data={"threshold": threshold, "due_at": case.due_at.isoformat()},
                        created_at=now,
                    )
                )
                per_group[case.handler_group].append((threshold, case))
            Case.objects.bulk_update([e.case for e in events], ["escalation"])
            CaseEvent.objects.bulk_create(events)
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
            for case in cases[:MAIL_LIST_LIMIT]:
                due = timezone.localtime(case.due_at).strftime("%d/%m/%Y")
                lines.append(f"  {case.reference}  {case.case_type.name}  ({_('due')} {due})")
            if len(cases) > MAIL_LIST_LIMIT:
                lines.append("  " + _("and %(n)d more") % {"n": len(cases) - MAIL_LIST_LIMIT})
    return GroupMessage(handler_group=group, subject=subject[:200], body="\n".join(lines), created_at=now)


def _enqueue_messages(ids: list[int]) -> None:
    from cases.tasks import send_group_message

    for pk in ids:
        try:
            send_group_message.delay(pk)
        except Exception:
            # The broker is down: the message stays unsent and the next chase run sends it.
            logger.warning("Could not enqueue group message %s; the chase will retry it", pk, exc_info=True)


def group_message_queue(*, handler_group, subject: str, body: str) -> GroupMessage:
    """An e-mail to a handler group, sent after commit (and by the next chase run if the broker refused it)."""
    message = GroupMessage.objects.create(handler_group=handler_group, subject=subject[:200], body=body)
    transaction.on_commit(lambda: _enqueue_messages([message.pk]))
    return message


def group_message_send(*, message_id: int) -> bool:
    """Send one message to a handler group's address (or its members'); idempotent."""
    with transaction.atomic():
        message = (
            GroupMessage.objects.select_for_update(skip_locked=True)
            .select_related("handler_group")
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        group = message.handler_group
        recipients = (
            [group.email]
            if group.email
            else list(
                get_user_model()
                .objects.filter(handler_groups=group, is_active=True)
                .exclude(email="")
                .values_list("email", flat=True)
            )
        )
        message.attempts += 1
        try:
            if recipients:
                send_mail(message.subject, message.body, None, recipients)
        except Exception as exc:
            message.last_error = str(exc)[:2000]
            message.save(update_fields=["attempts", "last_error"])
            raise
        message.sent_at = timezone.now()
        message.last_error = "" if recipients else _("The group has no e-mail address and no members with one.")
        message.save(update_fields=["attempts", "sent_at", "last_error"])
    return True


def group_messages_relay(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Enqueue messages that are still unsent (the broker was down or a worker died)."""
    ids = list(
        GroupMessage.objects.filter(sent_at__isnull=True, created_at__lte=timezone.now() - older_than)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
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
