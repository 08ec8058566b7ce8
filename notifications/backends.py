"""Delivery backends. Each sends one notification or raises ``notifications.transport``'s
``TransientError`` (retried with back-off) or ``PermanentError`` (dead at once)."""

import functools
import hashlib
import hmac
import json
import re
import smtplib
import time
import uuid
from email.utils import parseaddr
from time import monotonic

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import burgerprofiel, dosis
from .emails import email_content
from .links import status_url
from .models import Backend, EmailText, Notification
from .transport import PermanentError, TransientError, post_json

# Our e-mails' Message-ID names the notification, so that a citizen's reply (In-Reply-To, References) finds it.
MESSAGE_ID_PATTERN = re.compile(r"<?notification-([0-9a-fA-F-]{32,36})@[^<>@\s]+>?")


def email_message_id(notification: Notification) -> str:
    """``<notification-{idempotency key}@{host of DEFAULT_FROM_EMAIL}>``: the same on every attempt."""
    return f"<notification-{notification.idempotency_key}@{_message_id_domain(settings.DEFAULT_FROM_EMAIL)}>"


@functools.cache
def _message_id_domain(from_email: str) -> str:
    _local, at, host = parseaddr(from_email)[1].rpartition("@")
    return host.strip() if at and host.strip() else "midoffice.invalid"


def notification_key_from_message_id(value: str) -> uuid.UUID | None:
    """The idempotency key in a Message-ID that ``email_message_id`` built, else None."""
    match = MESSAGE_ID_PATTERN.fullmatch(value.strip())
    if match is None:
        return None
    try:
        return uuid.UUID(match.group(1))
    except ValueError:
        return None


# The city's own e-mail texts: a short table edited in the admin now and then, read by every e-mail sent. Each
# process keeps it for EMAIL_TEXTS_TTL seconds; a change saved in this process clears it at once (signals below),
# other processes see it within EMAIL_TEXTS_TTL.
EMAIL_TEXTS_TTL = 60.0
_email_texts: tuple[float, dict[tuple[str, str], EmailText]] | None = None


def email_texts() -> dict[tuple[str, str], EmailText]:
    """The city's own texts by (kind, language); shared by the process: read them, never change them."""
    global _email_texts
    if _email_texts is None or monotonic() - _email_texts[0] > EMAIL_TEXTS_TTL:
        _email_texts = (monotonic(), {(text.kind, text.language): text for text in EmailText.objects.all()})
    return _email_texts[1]


@receiver([post_save, post_delete], sender=EmailText)
def forget_email_texts(**kwargs):
    global _email_texts
    _email_texts = None


def email_send(notification: Notification) -> None:
    context = {**notification.payload, "kind": notification.kind, "status_url": status_url(notification)}
    own = email_texts().get((notification.kind, notification.language))
    subject, text, html = email_content(context, language=notification.language, own=own)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[notification.recipient],
        headers={
            "X-Midoffice-Idempotency-Key": str(notification.idempotency_key),
            "Message-ID": email_message_id(notification),
        },
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError(f"recipient refused: {exc.recipients}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(str(exc) or exc.__class__.__name__) from exc


def webhook_body(notification: Notification) -> bytes:
    document = {"delivery": str(notification.idempotency_key), "event": notification.kind, **notification.payload}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``<timestamp>.<body>``: the receiver recomputes it."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_send(notification: Notification) -> None:
    body = webhook_body(notification)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Midoffice-Webhook/1",
        "X-Midoffice-Delivery": str(notification.idempotency_key),
        "X-Midoffice-Event": notification.kind,
        "X-Midoffice-Timestamp": timestamp,
        "X-Midoffice-Signature": webhook_signature(notification.webhook.secret, timestamp, body),
    }
    post_json(notification.webhook.url, body, headers)


SENDERS = {
    Backend.EMAIL: email_send,
    Backend.WEBHOOK: webhook_send,
    Backend.DOSIS: dosis.send,
    Backend.BURGERPROFIEL: burgerprofiel.send,
}
# Backends that are off, whatever MIDOFFICE_NOTIFICATION_BACKENDS says, until their URL is set.
URL_SETTINGS = {Backend.DOSIS: "MIDOFFICE_DOSIS_URL", Backend.BURGERPROFIEL: "MIDOFFICE_BURGERPROFIEL_URL"}


def enabled_backends() -> list[str]:
    """Backends switched on in the settings; a backend that is off creates no notifications at all.

    DOSIS and Mijn Burgerprofiel also need their URL: without one they are off, whatever the list says.
    """
    listed = [backend for backend in settings.MIDOFFICE_NOTIFICATION_BACKENDS if backend in SENDERS]
    return [b for b in listed if b not in URL_SETTINGS or getattr(settings, URL_SETTINGS[b])]
