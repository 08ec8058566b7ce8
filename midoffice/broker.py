"""kombu's Redis transport with one client per channel for the commands it sends.

kombu makes a new ``redis.Redis`` client for every command it sends on a channel (a publish is one ``LPUSH``):
building one registers some 170 response callbacks, about a fifth of the CPU of publishing a task
(docs/performance.md). A client is only a front for the channel's connection pool, safe to share, so each channel
keeps one for as long as it keeps that pool. Used for ``redis://`` broker URLs (midoffice/settings.py).
"""

from kombu.transport import redis


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
