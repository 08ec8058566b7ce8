"""Delivery backends. Each sends one notification or raises: ``TransientError`` is retried with back-off,
``PermanentError`` (and anything a retry cannot fix) makes the notification dead at once."""

import functools
import hashlib
import hmac
import json
import smtplib
import time
import urllib.request
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .models import Backend, EmailText, Notification


class TransientError(Exception):
    """Worth another attempt later: the network, a timeout, a 5xx or 429 (with the Retry-After it gave)."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """A retry will not help: a 4xx, an address the mail server refuses."""


def email_send(notification: Notification) -> None:
    from .services import status_url

    context = {**notification.payload, "kind": notification.kind, "status_url": status_url(notification)}
    own = EmailText.objects.filter(kind=notification.kind, language=notification.language).first()
    with translation.override(notification.language):
        if own is not None:
            subject, text = own.render(context)
            html = render_to_string("notifications/email/own_text.html", {"text": text})
        else:
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


# One pool manager per process, shared by the worker's threads: connections to a receiver are kept alive.
POOL_SIZE = 16  # per host, above the worker's default thread count
_direct = urllib3.PoolManager(maxsize=POOL_SIZE, retries=False)
# HTTP(S)_PROXY and NO_PROXY are read once at start-up; reading the environment on every request
# (as requests does) cost more CPU than the request itself.
_proxies = urllib.request.getproxies_environment()


@functools.cache
def _proxy_manager(proxy: str) -> urllib3.ProxyManager:
    return urllib3.ProxyManager(proxy, maxsize=POOL_SIZE, retries=False)


@functools.cache
def _manager(scheme: str, host: str) -> urllib3.PoolManager:
    proxy = _proxies.get(scheme)
    if proxy and not urllib.request.proxy_bypass_environment(host, _proxies):
        return _proxy_manager(proxy)
    return _direct


def http_post(url: str, body: bytes, headers: dict) -> urllib3.BaseHTTPResponse:
    """POST, no redirects followed; a network error or timeout is transient."""
    parts = urlsplit(url)
    try:
        return _manager(parts.scheme, parts.hostname or "").request(
            "POST", url, body=body, headers=headers, timeout=settings.MIDOFFICE_HTTP_TIMEOUT_SECONDS
        )
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise TransientError(f"{exc.__class__.__name__}: {exc}") from exc


def post_json(url: str, body: bytes, headers: dict) -> urllib3.BaseHTTPResponse:
    """POST and sort the outcome: 2xx returns; 429, 5xx and network errors are transient; anything else permanent."""
    response = http_post(url, body, headers)
    if 200 <= response.status < 300:
        return response
    error = f"HTTP {response.status}: {response.data[:500].decode(errors='replace')}"
    if response.status == 429 or response.status >= 500:
        raise TransientError(error, retry_after=_retry_after(response))
    raise PermanentError(error)


def _retry_after(response: urllib3.BaseHTTPResponse) -> float | None:
    value = response.headers.get("Retry-After", "")
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def dosis_send(notification: Notification) -> None:
    from . import dosis

    dosis.send(notification)


def burgerprofiel_send(notification: Notification) -> None:
    from . import burgerprofiel

    burgerprofiel.send(notification)


SENDERS = {
    Backend.EMAIL: email_send,
    Backend.WEBHOOK: webhook_send,
    Backend.DOSIS: dosis_send,
    Backend.BURGERPROFIEL: burgerprofiel_send,
}
# Backends that are off, whatever MIDOFFICE_NOTIFICATION_BACKENDS says, until their URL is set.
URL_SETTINGS = {Backend.DOSIS: "MIDOFFICE_DOSIS_URL", Backend.BURGERPROFIEL: "MIDOFFICE_BURGERPROFIEL_URL"}


def enabled_backends() -> list[str]:
    """Backends switched on in the settings; a backend that is off creates no notifications at all.

    DOSIS and Mijn Burgerprofiel also need their URL: without one they are off, whatever the list says.
    """
    listed = [backend for backend in settings.MIDOFFICE_NOTIFICATION_BACKENDS if backend in SENDERS]
    return [b for b in listed if b not in URL_SETTINGS or getattr(settings, URL_SETTINGS[b])]
