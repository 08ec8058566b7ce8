"""Outgoing HTTP of the notification backends and how its failures are sorted: ``TransientError`` is
retried with back-off, ``PermanentError`` (and anything a retry cannot fix) makes a notification dead."""

import functools
import urllib.request
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import urllib3
from django.conf import settings


class TransientError(Exception):
    """Worth another attempt later: the network, a timeout, a 5xx or 429 (with the Retry-After it gave)."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """A retry will not help: a 4xx, an address the mail server refuses."""


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
