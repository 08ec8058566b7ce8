"""Delivery backends. Each sends one notification or raises: ``TransientError`` is retried with back-off,
``PermanentError`` (and anything a retry cannot fix) makes the notification dead at once."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .models import Backend, Notification


class TransientError(Exception):
    """Worth another attempt later: the network, a timeout, a 5xx or 429."""


class PermanentError(Exception):
    """A retry will not help: a 4xx, an address the mail server refuses."""


def email_send(notification: Notification) -> None:
    context = {**notification.payload, "kind": notification.kind}
    with translation.override(notification.language):
        subject = render_to_string("notifications/email/subject.txt", context).strip()
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[notification.recipient],
        headers={"X-Midoffice-Idempotency-Key": str(notification.idempotency_key)},
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentError(f"recipient refused: {exc.recipients}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(str(exc) or exc.__class__.__name__) from exc


SENDERS = {Backend.EMAIL: email_send}


def enabled_backends() -> list[str]:
    """Backends switched on in the settings; a backend that is off creates no notifications at all."""
    return [backend for backend in settings.MIDOFFICE_NOTIFICATION_BACKENDS if backend in SENDERS]
