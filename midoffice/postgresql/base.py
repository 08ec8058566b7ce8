"""Django's PostgreSQL backend with a health check that costs no round trip.

With ``CONN_HEALTH_CHECKS`` Django checks a persistent connection before the first query of every request with a
``SELECT 1``: one round trip more per request, about a twelfth of the CPU of a create request
(docs/performance.md). A connection the server closed (a restart, ``pg_terminate_backend``, an idle timeout) is
told so by the server: its socket turns readable, with the termination notice or the end of the stream. An idle
connection that has nothing to read is sound; one that has is closed and Django opens a new one, as after a failed
``SELECT 1``.
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.pool or self.connection is None or not self.health_check_enabled or self.health_check_done:
            return super().close_if_health_check_failed()
        if not self._idle_and_sound():
            self.close()
        self.health_check_done = True

    def _idle_and_sound(self) -> bool:
        connection = self.connection
        if connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            # Not between transactions (never so at the start of a request): ask the server.
            return self.is_usable()
        poll = select.poll()
        try:
            poll.register(connection.fileno(), select.POLLIN)
        except (OSError, ValueError):
            return False
        return not poll.poll(0)
