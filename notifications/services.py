"""The outbox: notifications are written in the transaction of the case change, delivered
after commit, retried with back-off, and relayed when a delivery task never ran."""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from time import monotonic

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Case, EventKind, GroupMessage, GroupMessageStatus
from cases.services import case_event_new, case_events_write
from contacts.selectors import preferred_email
from midoffice.backoff import backoff
from midoffice.broker import enqueue
from midoffice.db import NEW_ID, Dependent, insert_with
from midoffice.roles import SUPERVISOR

from . import burgerprofiel, dosis
from .backends import SENDERS, enabled_backends
from .errors import NotRetryable
from .models import (
    DELIVERABLE,
    Backend,
    DeadLetterDigest,
    Notification,
    NotificationKind,
    Status,
    WebhookSubscription,
)
from .surveys import survey_create, survey_url
from .transport import TransientError

logger = logging.getLogger(__name__)

# Any number, the same in every process: the relay's PostgreSQL advisory lock.
RELAY_LOCK = 74_520_011

_silenced: ContextVar[bool] = ContextVar("notifications_silenced", default=False)


@contextmanager
def notifications_silenced():
    """Replaying history (imports, the demo seed) must not message citizens about changes long past."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def _email_recipient(case: Case) -> str | None:
    return preferred_email(case.party)


def _payload(case: Case, public_message: str) -> dict:
    return {
        "reference": case.reference,
        # The citizen's own secret for the status look-up (public/), in their own mailbox.
        "tracking_code": case.tracking_code,
        "case_type": case.case_type.name,
        "state": case.state,
        "name": case.party.display_name,
        "handler": case.handler_group.public_name,
        "public_message": public_message,
        "sender": settings.MIDOFFICE_NOTIFICATION_SENDER,
    }


def _webhook_payload(case: Case, public_message: str) -> dict:
    """What internal systems receive: the case, without personal data."""
    return {
        "case": {
            "reference": case.reference,
            "case_type": case.case_type.code,
            "state": case.state,
            "handler_group": case.handler_group.name,
            "registered_at": case.registered_at.isoformat(),
            "due_at": case.due_at.isoformat(),
            "postal_code": case.postal_code,
            "location": case.location,
            "latitude": None if case.latitude is None else str(case.latitude),
            "longitude": None if case.longitude is None else str(case.longitude),
            "public_message": public_message,
        }
    }


def _survey_invitation(case: Case) -> list[Notification]:
    """The survey e-mail for a resolved case whose type asks for one, to a party we can e-mail."""
    recipient = _email_recipient(case) if case.party_id else None
    survey = survey_create(case=case) if recipient else None
    if survey is None:
        return []
    return [
        Notification(
            case=case,
            party=case.party,
            backend=Backend.EMAIL,
            kind=NotificationKind.SURVEY_INVITATION,
            recipient=recipient,
            language=case.party.language,
            payload={**_payload(case, ""), "survey_url": survey_url(survey)},
        )
    ]


# The active subscriptions are read by every case change: each process keeps them for a minute. A change saved in
# this process clears them at once (signals below); other processes see it within WEBHOOKS_TTL.
WEBHOOKS_TTL = 60.0
_subscriptions: tuple[float, list[tuple[WebhookSubscription, frozenset[int]]]] | None = None


def _active_subscriptions() -> list[tuple[WebhookSubscription, frozenset[int]]]:
    """Each active subscription with the case types it is limited to (empty: every type)."""
    global _subscriptions
    if _subscriptions is None or monotonic() - _subscriptions[0] > WEBHOOKS_TTL:
        subscriptions = WebhookSubscription.objects.filter(active=True).prefetch_related("case_types")
        _subscriptions = (monotonic(), [(s, frozenset(t.pk for t in s.case_types.all())) for s in subscriptions])
    return _subscriptions[1]


@receiver([post_save, post_delete], sender=WebhookSubscription)
@receiver(m2m_changed, sender=WebhookSubscription.case_types.through)
def forget_subscriptions(**kwargs):
    global _subscriptions
    _subscriptions = None


def _webhooks(case: Case, kind: str) -> list[WebhookSubscription]:
    return [
        subscription
        for subscription, case_types in _active_subscriptions()
        if (not case_types or case.case_type_id in case_types)
        and (not subscription.kinds or kind in subscription.kinds)
    ]


# Backends that reach the citizen: who the recipient is (None: this party cannot be reached there) and what
# is stored to send.
CITIZEN_BACKENDS = {
    Backend.EMAIL: (_email_recipient, _payload),
    Backend.DOSIS: (dosis.recipient, dosis.payload),
    Backend.BURGERPROFIEL: (burgerprofiel.recipient, burgerprofiel.payload),
}


def notifications_on_case_change(*, case: Case, change: str, public_message: str, **kwargs) -> None:
    """Receiver of ``cases.signals.case_changed``: the outbox rows go into the transaction of the change."""
    notifications_queue(case=case, kind=change, public_message=public_message)


# The queued event's data names its notification: set in the statement that writes both, and in Python from the id.
_NAMES_NOTIFICATION = {"data": f"jsonb_set(%s, '{{notification}}', to_jsonb({NEW_ID}))"}


def _name_notification(event, pk: int) -> None:
    event.data = {"notification": pk, **event.data}


def notifications_queue(*, case: Case, kind: str, public_message: str = "") -> list[Notification]:
    """Write the outbox rows for a case change; call inside the transaction that makes the change.

    The citizen is told through the backends that can reach them (no e-mail address, no e-mail) about
    the kinds the case type notifies; subscribed internal systems get every change they asked for, also
    of anonymous cases. A backend that is off writes nothing; neither does replayed history.
    """
    if _silenced.get():
        return []
    backends = enabled_backends()
    notifications = []
    if case.party_id is not None and kind in case.case_type.notify_kinds:
        for backend in backends:
            if backend not in CITIZEN_BACKENDS:
                continue
            recipient_of, payload_of = CITIZEN_BACKENDS[backend]
            recipient = recipient_of(case)
            if recipient:
                notifications.append(
                    Notification(
                        case=case,
                        party=case.party,
                        backend=backend,
                        kind=kind,
                        recipient=recipient,
                        language=case.party.language,
                        payload=payload_of(case, public_message),
                    )
                )
    if kind == NotificationKind.CASE_RESOLVED and Backend.EMAIL in backends:
        notifications += _survey_invitation(case)
    if Backend.WEBHOOK in backends:
        notifications += [
            Notification(
                case=case,
                party_id=case.party_id,
                webhook=subscription,
                backend=Backend.WEBHOOK,
                kind=kind,
                recipient=subscription.url[:254],
                language="",
                payload=_webhook_payload(case, public_message),
            )
            for subscription in _webhooks(case, kind)
        ]
    held = current_app.conf.task_always_eager
    if held:
        # No broker: this process makes the first attempt right after the commit (_deliver_held) and holds the
        # rows meanwhile; the relay takes one only if that attempt never happened (the process died).
        held_until = timezone.now() + HELD_FOR
    for notification in notifications:
        if held:
            notification.next_attempt_at = held_until
        # Each outbox row with its event on the case's timeline, which names it, in one statement: one citizen
        # notification (an e-mail) is the common case.
        queued = case_event_new(
            case_id=case.pk,
            kind=EventKind.NOTIFICATION_QUEUED,
            text=notification.kind,
            data={"backend": notification.backend, "recipient": notification.recipient},
        )
        insert_with(notification, dependents=[Dependent(queued, _NAMES_NOTIFICATION, _name_notification)])
    if not notifications:
        return []
    if held:
        transaction.on_commit(lambda: _deliver_held(notifications))
    else:
        ids = [n.pk for n in notifications]
        transaction.on_commit(lambda: _enqueue(ids))
    return notifications


def notification_mark_read(*, notification: Notification) -> bool:
    """Record that the citizen read the status page (KPI "statuses read"): called by the page's read receipt,
    which a person's browser sends and a link scanner's GET does not; later ones change nothing."""
    return bool(Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now()))


# The delivery task by name: the tasks module calls these services, so they do not import it.
DELIVER_TASK = "notifications.tasks.deliver_notification"


# How long the first attempt of a notification written without a broker holds it (far longer than a send may take:
# EMAIL_TIMEOUT, MIDOFFICE_HTTP_TIMEOUT_SECONDS); the relay leaves it alone until then, plus the grace period.
HELD_FOR = timedelta(minutes=5)


def _deliver_held(notifications: list[Notification]) -> None:
    """Without a broker (the embedded default), after the commit that wrote them: the first attempt at each
    notification, which this process holds (``HELD_FOR``) and so makes without a claim or a transaction of its
    own (the attempt is recorded in one statement). An error leaves the row to the relay, as a broker outage
    does."""
    for notification in notifications:
        try:
            notification.next_attempt_at = timezone.now()
            _attempt(notification, notification.next_attempt_at)
        except Exception:
            logger.warning("Could not deliver notification %s; the relay will", notification.pk, exc_info=True)


def _enqueue(ids: list[int], countdown: float = 0) -> None:
    enqueue(DELIVER_TASK, ids, countdown=countdown, what="notification")


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> str | None:
    """One delivery attempt; idempotent: a notification that is sent, dead, not due or being delivered
    by another worker is left alone. Returns the new status, or None when nothing was attempted."""
    now = now or timezone.now()
    with transaction.atomic():
        notification = _claim(notification_id, now)
        if notification is None:
            return None
        return _attempt(notification, now)


def _attempt(notification: Notification, now: datetime) -> str:
    """Send ``notification`` (claimed or held) once and record the outcome; returns its new status."""
    notification.attempts += 1
    notification.last_attempt_at = now
    event, retry_in = EventKind.NOTIFICATION_SENT, None
    try:
        SENDERS[notification.backend](notification)
    except TransientError as exc:
        notification.last_error = str(exc)[:2000]
        if notification.attempts >= settings.MIDOFFICE_NOTIFICATION_MAX_ATTEMPTS:
            notification.status = Status.DEAD
        else:
            notification.status = Status.FAILED
            retry_in = max(backoff(notification.attempts), timedelta(seconds=exc.retry_after or 0))
            notification.next_attempt_at = now + retry_in
        event = EventKind.NOTIFICATION_FAILED
    except Exception as exc:  # PermanentError, and any bug in a backend: retrying will not help
        notification.last_error = str(exc)[:2000] or exc.__class__.__name__
        notification.status = Status.DEAD
        event = EventKind.NOTIFICATION_FAILED
    else:
        notification.status, notification.sent_at, notification.last_error = Status.SENT, now, ""
    _record_attempt(notification, event, now)
    # Without a broker the relay (the embedded periodic jobs) makes the next attempt when it is due.
    if retry_in is not None and not current_app.conf.task_always_eager:
        transaction.on_commit(lambda: _enqueue([notification.pk], countdown=retry_in.total_seconds()))
    return notification.status


# The worker's hot path is plain SQL, one statement per step: compiling the equivalent ORM queries cost
# the worker more CPU than PostgreSQL spent running them (docs/performance.md, notifications).
_NOTIFICATIONS = Notification._meta.db_table
_CLAIM_SQL = (
    f"SELECT n.*, w.url AS webhook_url, w.secret AS webhook_secret FROM {_NOTIFICATIONS} n"
    f" LEFT JOIN {WebhookSubscription._meta.db_table} w ON w.id = n.webhook_id"
    f" WHERE n.id = %s AND n.status IN ({', '.join(repr(status.value) for status in DELIVERABLE)})"
    " AND n.next_attempt_at <= %s"
)
_ATTEMPT_SQL = (
    f"UPDATE {_NOTIFICATIONS} SET attempts = %s, last_attempt_at = %s, status = %s, next_attempt_at = %s,"
    " last_error = %s, sent_at = %s WHERE id = %s"
)


def _claim(notification_id: int, now: datetime) -> Notification | None:
    """The notification if it is due and no other worker holds it, locked until the attempt is recorded."""
    sql = _CLAIM_SQL
    if connection.features.has_select_for_update_skip_locked:
        sql += " FOR UPDATE OF n SKIP LOCKED"
    params = [notification_id, connection.ops.adapt_datetimefield_value(now)]
    notification = next(iter(Notification.objects.raw(sql, params)), None)
    if notification is not None and notification.webhook_id is not None:
        # What the webhook backend reads, without another query; other fields load if touched.
        notification.webhook = WebhookSubscription.from_db(
            connection.alias,
            ["id", "url", "secret"],
            [notification.webhook_id, notification.webhook_url, notification.webhook_secret],
        )
    return notification


def _record_attempt(notification: Notification, event: str, now: datetime) -> None:
    """The attempt on the notification and on the case timeline, in the delivery's transaction."""
    moment = connection.ops.adapt_datetimefield_value
    data = {
        "notification": notification.pk,
        "backend": notification.backend,
        "status": notification.status,
        "attempt": notification.attempts,
    }
    attempt = [
        notification.attempts,
        moment(notification.last_attempt_at),
        notification.status,
        moment(notification.next_attempt_at),
        notification.last_error,
        moment(notification.sent_at),
        notification.pk,
    ]
    # The notification's row and the case's event in one statement.
    case_events_write(
        [
            case_event_new(
                case_id=notification.case_id, kind=event, text=notification.last_error, data=data, created_at=now
            )
        ],
        preceded_by=(_ATTEMPT_SQL, attempt),
    )
    logger.info(
        "notification.attempt",
        extra={
            "notification": notification.pk,
            "case_id": notification.case_id,
            "backend": notification.backend,
            "kind": notification.kind,
            "status": notification.status,
            "attempt": notification.attempts,
            "error": notification.last_error[:200],
        },
    )


def notifications_relay(*, now: datetime | None = None) -> int:
    """Enqueue every notification whose time has come and that no task took: after a broker outage, a
    worker crash or a lost message. Two relays never run at once (PostgreSQL advisory lock)."""
    now = now or timezone.now()
    grace = timedelta(seconds=settings.MIDOFFICE_NOTIFICATION_RELAY_GRACE_SECONDS)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [RELAY_LOCK])
                if not cursor.fetchone()[0]:
                    return 0
        ids = list(
            Notification.objects.filter(status__in=DELIVERABLE, next_attempt_at__lte=now - grace)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[: settings.MIDOFFICE_NOTIFICATION_RELAY_BATCH]
        )
    _enqueue(ids)
    return len(ids)


@transaction.atomic
def notification_retry(*, actor, notification: Notification) -> Notification:
    """A supervisor sends a failed or dead notification again, now."""
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.status not in (Status.FAILED, Status.DEAD):
        raise NotRetryable(status=notification.status)
    notification.status, notification.next_attempt_at, notification.retried_by = Status.PENDING, timezone.now(), actor
    notification.save(update_fields=["status", "next_attempt_at", "retried_by"])
    transaction.on_commit(lambda: _enqueue([notification.pk]))
    return notification


def dead_letters_subject(*, notifications: int, messages: int, day) -> str:
    """ "1 citizen notification and 2 e-mails to handler groups failed for good on …", in the active language."""
    what = []
    if notifications:
        what.append(
            ngettext("%(count)d citizen notification", "%(count)d citizen notifications", notifications)
            % {"count": notifications}
        )
    if messages:
        what.append(
            ngettext("%(count)d e-mail to handler groups", "%(count)d e-mails to handler groups", messages)
            % {"count": messages}
        )
    if len(what) == 2:
        what = [_("%(first)s and %(second)s") % {"first": what[0], "second": what[1]}]
    return _("%(what)s failed for good on %(day)s") % {"what": what[0], "day": day}


def dead_letters_report(*, now: datetime | None = None) -> DeadLetterDigest | None:
    """E-mail the supervisors the notifications and the e-mails to handler groups that went dead on the previous
    day (Brussels time), once.

    Returns the digest written, or None when nothing went dead or the day was already reported.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    day = today - timedelta(days=1)
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    end = start + timedelta(days=1)
    dead = list(
        Notification.objects.filter(status=Status.DEAD, last_attempt_at__gte=start, last_attempt_at__lt=end)
        .select_related("case")
        .order_by("last_attempt_at")
    )
    dead_messages = list(
        GroupMessage.objects.filter(status=GroupMessageStatus.DEAD, last_attempt_at__gte=start, last_attempt_at__lt=end)
        .select_related("handler_group")
        .order_by("last_attempt_at")
    )
    if not dead and not dead_messages:
        return None
    recipients = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=SUPERVISOR)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    with transaction.atomic():
        digest, created = DeadLetterDigest.objects.get_or_create(
            day=day, defaults={"count": len(dead) + len(dead_messages), "recipients": recipients, "sent_at": now}
        )
        if not created:
            return None
        subject = dead_letters_subject(notifications=len(dead), messages=len(dead_messages), day=day)
        sections = []
        if dead:
            lines = [f"{n.case.reference}  {n.get_kind_display()}  {n.recipient}: {n.last_error[:200]}" for n in dead]
            retry = _("Retry them with POST /api/v1/notifications/{id}/retry/ or look at the admin.")
            sections.append("\n".join([retry, "", *lines[:200]]))
        if dead_messages:
            lines = [f"{m.handler_group.name}  {m.subject}: {m.last_error[:200]}" for m in dead_messages[:200]]
            title = _("E-mails to handler groups (admin: messages to handler groups; the last error says why):")
            sections.append("\n".join([title, "", *lines]))
        body = "\n\n".join(sections)
        if recipients:
            transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
    return digest
