"""The citizen's status link in every notification: a signed token of the notification, valid for
``MIDOFFICE_STATUS_LINK_MAX_AGE_DAYS``, on this installation's public address. A citizen who looks their case up
by reference and tracking code gets a link of the same kind that signs the case and the language they chose."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from cases.models import Case
from midoffice.embedded import public_base_url

from .errors import StatusLinkExpired, StatusLinkInvalid
from .models import Notification

STATUS_SALT = "notifications.status-page"


def status_token(notification: Notification) -> str:
    """The signed token of a notification's status link: who opens it, read it."""
    return signing.dumps(notification.pk, salt=STATUS_SALT, compress=True)


def status_url(notification: Notification) -> str:
    return public_base_url() + reverse("status-page", args=[status_token(notification)])


def case_status_token(case: Case, language: str) -> str:
    """The signed token of the status page reached by a look-up: no notification to mark read."""
    return signing.dumps(["case", case.pk, language], salt=STATUS_SALT, compress=True)


@dataclass(frozen=True)
class StatusLink:
    case: Case
    language: str
    notification: Notification | None = None


def _load(token: str):
    try:
        return signing.loads(
            token, salt=STATUS_SALT, max_age=timedelta(days=settings.MIDOFFICE_STATUS_LINK_MAX_AGE_DAYS)
        )
    except signing.SignatureExpired as exc:
        raise StatusLinkExpired from exc
    except signing.BadSignature as exc:
        raise StatusLinkInvalid from exc


def notification_from_token(token: str) -> Notification:
    """The notification behind a status link; ``StatusLinkInvalid`` (404) for a tampered link, a notification
    that is gone or a look-up's link, ``StatusLinkExpired`` (410) for a genuine one older than
    MIDOFFICE_STATUS_LINK_MAX_AGE_DAYS."""
    return _notification(_load(token))


def _notification(pk) -> Notification:
    if not isinstance(pk, int):
        raise StatusLinkInvalid
    notification = Notification.objects.select_related("case__case_type", "case__handler_group").filter(pk=pk).first()
    if notification is None:
        raise StatusLinkInvalid
    return notification


def status_from_token(token: str) -> StatusLink:
    """The case behind either kind of status link, in its language; the refusals of ``notification_from_token``."""
    payload = _load(token)
    if isinstance(payload, int):
        notification = _notification(payload)
        return StatusLink(case=notification.case, language=notification.language or "nl", notification=notification)
    if not (isinstance(payload, list) and len(payload) == 3 and payload[0] == "case"):
        raise StatusLinkInvalid
    case = Case.objects.select_related("case_type", "handler_group").filter(pk=payload[1]).first()
    if case is None:
        raise StatusLinkInvalid
    return StatusLink(case=case, language=payload[2])
