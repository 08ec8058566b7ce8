"""Our citizen e-mails carry a Message-ID naming the notification, so that replies find their case."""

import uuid

import pytest
from django.core import mail

from notifications.backends import email_message_id, notification_key_from_message_id
from notifications.models import Notification
from tests.factories import EmailFactory, PersonFactory, open_case

pytestmark = pytest.mark.django_db


def test_the_email_sent_carries_the_notifications_message_id(melding, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "Stad Gent <midoffice@stad.example>"
    party = PersonFactory(language="en")
    EmailFactory(party=party, value="an.peeters@example.be")
    with django_capture_on_commit_callbacks(execute=True):
        open_case(case_type=melding, party=party)

    notification = Notification.objects.get()
    [message] = mail.outbox
    expected = f"<notification-{notification.idempotency_key}@stad.example>"
    assert message.extra_headers["Message-ID"] == expected
    assert message.message()["Message-ID"] == expected


def test_without_a_host_in_the_sender_the_domain_is_midoffice_invalid(settings):
    settings.DEFAULT_FROM_EMAIL = "midoffice"
    notification = Notification(idempotency_key=uuid.UUID("12345678-1234-5678-1234-567812345678"))
    assert email_message_id(notification) == "<notification-12345678-1234-5678-1234-567812345678@midoffice.invalid>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<notification-12345678-1234-5678-1234-567812345678@stad.example>", "12345678-1234-5678-1234-567812345678"),
        (" <notification-12345678123456781234567812345678@other.example> ", "12345678-1234-5678-1234-567812345678"),
        ("<notification-not-a-uuid@stad.example>", None),
        ("<12345678-1234-5678-1234-567812345678@stad.example>", None),
        ("<CAF=abc@mail.gmail.com>", None),
        ("", None),
    ],
)
def test_the_key_is_read_back_only_from_our_own_form(value, expected):
    key = notification_key_from_message_id(value)
    assert (str(key) if key else None) == expected
