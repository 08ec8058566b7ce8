"""E-mails to handler groups follow the outbox rules of the citizen notifications: attempts, back-off, dead after
too many attempts or a refusal, a relay for what no task took, and the supervisors' daily digest."""

import smtplib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import tasks
from cases.models import GroupMessage
from cases.services import group_message_queue, group_message_send, group_messages_relay
from notifications.services import dead_letters_report
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


class FailingSMTPBackend(EmailBackend):
    """A mail server that raises ``errors`` in turn for the next messages, then delivers to ``mail.outbox``."""

    errors: list[Exception] = []

    def send_messages(self, messages):
        if FailingSMTPBackend.errors:
            raise FailingSMTPBackend.errors.pop(0)
        return super().send_messages(messages)


DISCONNECTED = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
REFUSED = smtplib.SMTPRecipientsRefused({"openbaar.domein@stad.example": (550, b"No such user")})


@pytest.fixture(autouse=True)
def failing_smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingSMTPBackend"
    settings.MIDOFFICE_NOTIFICATION_BACKOFF_SECONDS = 30
    FailingSMTPBackend.errors = []
    yield FailingSMTPBackend.errors
    FailingSMTPBackend.errors = []


@pytest.fixture
def queue(group, django_capture_on_commit_callbacks):
    """Queue a message to ``group`` and run what its commit enqueues (Celery is eager in tests)."""

    def run(subject="3 overdue cases"):
        with django_capture_on_commit_callbacks(execute=True):
            message = group_message_queue(handler_group=group, subject=subject, body="1234  Melding")
        message.refresh_from_db()
        return message

    return run


def attempt_when_due(message, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(message.next_attempt_at + timedelta(seconds=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        status = group_message_send(message_id=message.pk)
    message.refresh_from_db()
    return status


def test_a_success_is_sent_once(queue, group, django_capture_on_commit_callbacks):
    message = queue()

    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert message.sent_at is not None
    [sent] = mail.outbox
    assert (sent.to, sent.subject) == ([group.email], "3 overdue cases")

    assert group_message_send(message_id=message.pk) is None  # sent stays sent
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert group_messages_relay() == 0
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_is_retried_with_back_off(
    queue, failing_smtp, django_capture_on_commit_callbacks, settings
):
    failing_smtp += [DISCONNECTED, DISCONNECTED]
    message = queue()

    assert (message.status, message.attempts, message.sent_at) == ("failed", 1, None)
    assert "Connection unexpectedly closed" in message.last_error
    # The first back-off is the base, 30 s, give or take half.
    assert timedelta(seconds=15) <= message.next_attempt_at - message.last_attempt_at <= timedelta(seconds=45)
    assert group_message_send(message_id=message.pk) is None  # not due yet: no attempt
    message.refresh_from_db()
    assert message.attempts == 1

    assert attempt_when_due(message, django_capture_on_commit_callbacks) == "failed"
    assert message.attempts == 2
    assert timedelta(seconds=30) <= message.next_attempt_at - message.last_attempt_at <= timedelta(seconds=90)

    assert attempt_when_due(message, django_capture_on_commit_callbacks) == "sent"
    assert (message.attempts, message.last_error) == (3, "")
    assert len(mail.outbox) == 1


def test_dead_after_the_notifications_maximum_and_in_the_supervisors_digest(
    queue, group, failing_smtp, settings, django_capture_on_commit_callbacks
):
    settings.MIDOFFICE_NOTIFICATION_MAX_ATTEMPTS = 3
    supervisor = UserFactory(role="supervisor", email="sara@stad.example")
    failing_smtp += [DISCONNECTED] * 3
    with time_machine.travel(datetime(2026, 11, 19, 15, tzinfo=BRUSSELS), tick=False):
        message = queue("2 overdue and 1 due-soon cases")
    for _ in range(2):
        attempt_when_due(message, django_capture_on_commit_callbacks)

    assert (message.status, message.attempts, message.sent_at) == ("dead", 3, None)
    assert attempt_when_due(message, django_capture_on_commit_callbacks) is None  # dead stays dead
    assert message.attempts == 3
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert group_messages_relay() == 0

    with (
        time_machine.travel(datetime(2026, 11, 20, 7, tzinfo=BRUSSELS)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        digest = dead_letters_report()
    assert (digest.count, digest.recipients) == (1, [supervisor.email])
    [report] = mail.outbox
    assert report.to == [supervisor.email]
    assert report.subject == "1 e-mail to handler groups failed for good on 2026-11-19"
    assert "Openbaar Domein  2 overdue and 1 due-soon cases: Connection unexpectedly closed" in report.body


def test_a_refused_recipient_is_dead_at_once(queue, failing_smtp):
    failing_smtp.append(REFUSED)
    message = queue()
    assert (message.status, message.attempts) == ("dead", 1)
    assert "recipient refused" in message.last_error and "No such user" in message.last_error
    assert mail.outbox == []


def test_a_group_nobody_can_be_mailed_at_is_dead_at_once(group, django_capture_on_commit_callbacks):
    group.email = ""
    group.save()
    group.members.update(email="")
    with django_capture_on_commit_callbacks(execute=True):
        message = group_message_queue(handler_group=group, subject="1 overdue case", body="1234")
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("dead", 1)
    assert message.last_error == "The group has no e-mail address and no members with one."


def test_the_relay_retries_what_is_due_and_what_the_broker_never_took(
    group, other_group, failing_smtp, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.MIDOFFICE_NOTIFICATION_RELAY_GRACE_SECONDS = 60

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.send_group_message, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        never_taken = group_message_queue(handler_group=group, subject="never taken", body="")
    monkeypatch.undo()
    never_taken.refresh_from_db()
    failing_smtp.append(DISCONNECTED)
    with django_capture_on_commit_callbacks(execute=True):
        failed = group_message_queue(handler_group=other_group, subject="failed once", body="")
    failed.refresh_from_db()
    assert (never_taken.status, failed.status) == ("pending", "failed")

    assert group_messages_relay() == 0  # within the grace period and the back-off
    with time_machine.travel(failed.next_attempt_at + timedelta(seconds=61)):
        assert group_messages_relay() == 2

    assert sorted(m.subject for m in mail.outbox) == ["failed once", "never taken"]
    assert set(GroupMessage.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks of another connection")
def test_a_message_another_worker_holds_is_left_alone(group):
    message = GroupMessage.objects.create(handler_group=group, subject="1 overdue case", body="1234")
    db = connection.settings_dict
    with psycopg.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432) as other:
        other.execute("SELECT id FROM cases_groupmessage WHERE id = %s FOR UPDATE", [message.pk])
        assert group_message_send(message_id=message.pk) is None
        assert mail.outbox == []
        other.rollback()
    assert group_message_send(message_id=message.pk) == "sent"
    assert len(mail.outbox) == 1


def test_read_only_in_the_admin(client, queue, failing_smtp):
    failing_smtp.append(REFUSED)
    message = queue()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get(reverse("admin:cases_groupmessage_changelist"), {"status__exact": "dead"})
    assert list(listing.context["cl"].result_list) == [message]
    page = client.get(reverse("admin:cases_groupmessage_change", args=[message.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "recipient refused" in html and 'name="_save"' not in html
    assert client.get(reverse("admin:cases_groupmessage_add")).status_code == 403
    delete = reverse("admin:cases_groupmessage_delete", args=[message.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert GroupMessage.objects.filter(pk=message.pk).exists()


def test_a_supervisor_sees_them(client, queue):
    message = queue()
    client.force_login(UserFactory(role="supervisor", is_staff=True))
    assert client.get(reverse("admin:cases_groupmessage_change", args=[message.pk])).status_code == 200
