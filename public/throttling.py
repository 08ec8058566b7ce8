"""The public endpoints' throttles: a service client by its id, an anonymous caller by its address (the
trusted-proxy rule of midoffice.throttling). Rates are settings (docs/configuration.md), read on each request."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from midoffice.throttling import client_ip

from .auth import request_client
from .citizen_auth import Citizen


class ClientThrottle(SimpleRateThrottle):
    """Per service client and endpoint group (``scope``): ``throttle_classes = [ClientThrottle("…", "SETTING")]``."""

    def __init__(self, scope: str, rate_setting: str):
        # The rate is read per request rather than once at import, so that a changed setting takes effect.
        self.scope, self.rate_setting = scope, rate_setting

    def __call__(self):
        # DRF instantiates each entry of throttle_classes per request: a fresh one, as it keeps per-request state.
        return type(self)(self.scope, self.rate_setting)

    def allow_request(self, request, view):
        self.rate = getattr(settings, self.rate_setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        client = request_client(request)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}


class AddressThrottle(ClientThrottle):
    """Per client address, for callers without a service client."""

    def get_cache_key(self, request, view):
        if request_client(request) is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


class CitizenThrottle(ClientThrottle):
    """Per signed-in citizen (their party), for what they do themselves."""

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, Citizen):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.party_id}
