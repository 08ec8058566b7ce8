"""The citizen's status link in every notification: a signed token of the notification, valid for
``MIDOFFICE_STATUS_LINK_MAX_AGE_DAYS``, on this installation's public address."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from midoffice.embedded import public_base_url

from .errors import StatusLinkExpired, StatusLinkInvalid
from .models import Notification

STATUS_SALT = "notifications.status-page"


def status_token(notification: Notification) -> str:
    """The signed token of a notification's status link: who opens it, read it."""
    return signing.dumps(notification.pk, salt=STATUS_SALT, compress=True)


def status_url(notification: Notification) -> str:
    return public_base_url() + reverse("status-page", args=[status_token(notification)])


def notification_from_token(token: str) -> Notification:
    """The notification behind a status link; ``StatusLinkInvalid`` (404) for a tampered link or a notification
    that is gone, ``StatusLinkExpired`` (410) for a genuine one older than MIDOFFICE_STATUS_LINK_MAX_AGE_DAYS."""
    try:
        pk = signing.loads(token, salt=STATUS_SALT, max_age=timedelta(days=settings.MIDOFFICE_STATUS_LINK_MAX_AGE_DAYS))
    except signing.SignatureExpired as exc:
        raise StatusLinkExpired from exc
    except signing.BadSignature as exc:
        raise StatusLinkInvalid from exc
    notification = Notification.objects.select_related("case__case_type", "case__handler_group").filter(pk=pk).first()
    if notification is None:
        raise StatusLinkInvalid
    return notification
