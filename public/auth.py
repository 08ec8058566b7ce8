"""Service clients' tokens: ``Authorization: ServiceClient <key>``, distinct from the staff's ``Token`` (knox).

Only a SHA-512 digest of each key is stored, found through the key's first characters (an indexed prefix) and
compared in constant time, as knox does for staff tokens.
"""

import secrets
from datetime import timedelta
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.crypto import hash_token
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from .models import ServiceClient

KEYWORD = "ServiceClient"
PREFIX_LENGTH = 12
# last_used_at is a hint for the admin, not an audit: one write a minute per client, not one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def new_key() -> tuple[str, str, str]:
    """A new key with its prefix and digest: the key is shown once, the rest is stored."""
    key = secrets.token_urlsafe(40)
    return key, key[:PREFIX_LENGTH], hash_token(key)


def client_for_key(key: str) -> ServiceClient | None:
    """The client whose key this is (revoked or not), or None."""
    if "\x00" in key:
        return None  # No key has one, and PostgreSQL would refuse it in the look-up.
    candidates = ServiceClient.objects.select_related("user").filter(key_prefix=key[:PREFIX_LENGTH])
    digest = hash_token(key)
    found = None
    for client in candidates:
        if compare_digest(digest, client.key_digest):
            found = client
    return found


class ServiceClientAuthentication(BaseAuthentication):
    """``Authorization: ServiceClient <key>``: the request acts as the client's account, ``request.auth`` is the
    client. An unknown or revoked key answers 401; a request without this header is left to the view."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].decode("latin-1") != KEYWORD:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Authorization: ServiceClient <key>."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid service client key.")) from exc
        client = client_for_key(key)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid service client key."))
        if not client.active:
            raise exceptions.AuthenticationFailed(_("This service client's key was revoked."))
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at >= LAST_USED_RESOLUTION:
            ServiceClient.objects.filter(pk=client.pk).update(last_used_at=now)
            client.last_used_at = now
        return client.user, client

    def authenticate_header(self, request):
        return KEYWORD


def request_client(request) -> ServiceClient | None:
    return request.auth if isinstance(request.auth, ServiceClient) else None


class HasScope(BasePermission):
    """``permission_classes = [HasScope("intake")]``: a service client whose scopes include it (403 without)."""

    def __init__(self, scope: str, *, anonymous: bool = False):
        self.scope = scope
        self.anonymous = anonymous

    def __call__(self):
        # DRF instantiates each entry of permission_classes per request: a fresh one, as ``message`` may change.
        return type(self)(self.scope, anonymous=self.anonymous)

    def has_permission(self, request, view):
        client = request_client(request)
        if client is None:
            if self.anonymous and not request.user.is_authenticated:
                return True
            raise exceptions.NotAuthenticated(_("Send Authorization: ServiceClient <key>."))
        if self.scope not in client.scopes:
            self.message = _("This service client may not use the scope %(scope)s.") % {"scope": self.scope}
            return False
        return True


class ServiceClientScheme(OpenApiAuthenticationExtension):
    target_class = "public.auth.ServiceClientAuthentication"
    name = "serviceClientAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A service client\'s key, prefixed with "ServiceClient ": `Authorization: ServiceClient '
            "<key>`. Keys are made in the admin (Service clients) and shown once.",
        }
