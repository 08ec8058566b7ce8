"""Publishing the tasks that deliver outbox rows (``enqueue``), and kombu's Redis transport with one client per
channel for the commands it sends.

kombu makes a new ``redis.Redis`` client for every command it sends on a channel (a publish is one ``LPUSH``):
building one registers some 170 response callbacks, about a fifth of the CPU of publishing a task
(docs/performance.md). A client is only a front for the channel's connection pool, safe to share, so each channel
keeps one for as long as it keeps that pool. Used for ``redis://`` broker URLs (midoffice/settings.py).
"""

import logging
from collections.abc import Iterable

from celery import current_app
from kombu.transport import redis

logger = logging.getLogger(__name__)


def enqueue(task_name: str, ids: Iterable[int], *, countdown: float = 0, what: str) -> None:
    """Publish the task ``task_name`` for each row id in ``ids``. The rows are written first (the outbox): if the
    broker is down, each stays pending and the relay of its kind enqueues it once the broker is back.

    The arguments' representation that workers log is given, not worked out by Celery (``saferepr``, a seventh of
    a publish's CPU). On Redis the queue is not declared again: kombu delivers to its list either way, and checking
    on every publish that it was declared cost a fifth of the CPU. Other brokers declare it as Celery does.
    """
    task = current_app.tasks[task_name]
    declare = [] if (current_app.conf.broker_url or "").startswith(("redis://", "rediss://")) else None
    for pk in ids:
        try:
            task.apply_async((pk,), countdown=countdown, argsrepr=f"({pk},)", kwargsrepr="{}", declare=declare)
        except Exception:
            logger.warning("Could not enqueue %s %s; the relay will", what, pk, exc_info=True)


class Channel(redis.Channel):
    _client_for_pool = None  # (the pool, the client in front of it)

    def _create_client(self, asynchronous=False):
        if asynchronous:
            return super()._create_client(asynchronous=True)
        pool = self.pool
        if self._client_for_pool is None or self._client_for_pool[0] is not pool:
            self._client_for_pool = (pool, super()._create_client())
        return self._client_for_pool[1]


class Transport(redis.Transport):
    Channel = Channel
