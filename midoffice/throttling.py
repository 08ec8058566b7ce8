"""Who the client is, for brute-force protection (django-axes) and DRF's throttles alike.

The address comes from ``TRUSTED_PROXY_COUNT``: with 0 it is the socket's peer (``REMOTE_ADDR``) and
``X-Forwarded-For`` is ignored, since any client can send one; with N it is the address the outermost of
the N trusted proxies saw, i.e. the N-th entry from the right of ``X-Forwarded-For`` (the entries left of
it are the client's word). DRF's throttles apply the same rule through ``NUM_PROXIES``.
"""

import ipaddress

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions


def client_ip(request) -> str | None:
    """The client's address by the trusted-proxy rule; a malformed header falls back to ``REMOTE_ADDR``."""
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [address.strip() for address in forwarded.split(",")]
        candidate = addresses[-min(proxies, len(addresses))]
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            # Axes stores the address in an inet column: a forged value must not reach it.
            return remote_addr
    return remote_addr


class LoginLockedOut(exceptions.Throttled):
    """429 with ``Retry-After`` (the cool-off): too many failed logins for this username or from this address."""

    default_detail = _("Too many failed login attempts.")
    default_code = "login_locked_out"

    def __init__(self):
        super().__init__(wait=settings.AXES_COOLOFF_TIME.total_seconds())
