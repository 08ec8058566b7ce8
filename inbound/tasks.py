"""Thin Celery tasks of inbound e-mail; both are safe to run twice (a mail is recorded once per mailbox)."""

import contextlib
import logging

from celery import shared_task
from django.conf import settings

from . import services
from .imap import MailServerError

logger = logging.getLogger(__name__)

# A poll handles at most MIDOFFICE_INBOUND_BATCH mails, each within the IMAP timeout.
POLL_SOFT_TIME_LIMIT = 240
POLL_TIME_LIMIT = 300


@shared_task(ignore_result=True)
def poll_mailboxes() -> int:
    """Beat, every MIDOFFICE_INBOUND_POLL_INTERVAL_SECONDS: one poll task per mailbox that is due."""
    ids = services.mailboxes_due()
    # A poll still waiting in the queue at the next beat is dropped: that beat enqueues a fresh one.
    expires = settings.CELERY_BEAT_SCHEDULE["inbound-mail-poll"]["schedule"]
    for mailbox_id in ids:
        try:
            poll_mailbox.apply_async((mailbox_id,), expires=expires)
        except Exception:
            # The broker is down: the mail waits on the server, and the next beat asks again.
            logger.warning("Could not enqueue the poll of mailbox %s", mailbox_id, exc_info=True)
    return len(ids)


@shared_task(ignore_result=True, soft_time_limit=POLL_SOFT_TIME_LIMIT, time_limit=POLL_TIME_LIMIT)
def poll_mailbox(mailbox_id: int) -> None:
    """One poll. A server failure is not retried by Celery: the mailbox records it and the beat polls it again after
    a back-off (``Mailbox.next_poll_at``), which works the same with a worker and in-process."""
    with contextlib.suppress(MailServerError):
        services.mailbox_poll(mailbox_id=mailbox_id)
