"""API tokens (django-rest-knox: only a hash of each key is stored, and every token expires) and the
brute-force guard of every password login (django-axes)."""

from axes.backends import AxesStandaloneBackend
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out username or client address before any password is hashed.

    A login over HTTP (the admin, ``POST /api/v1/auth/token/``) always passes its request; code that calls
    ``authenticate()`` without one (a shell, a management command) has no client to lock out.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class TokenAuthentication(KnoxTokenAuthentication):
    """``Authorization: Token <key>``, checked against the stored hash; an expired token is deleted and refused."""

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        return super().authenticate_credentials(token)

    def _cleanup_token(self, auth_token) -> bool:
        # Knox also sweeps the user's other expired tokens here, a query on every request; token_create does
        # that once per login instead.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


def token_create(*, user) -> tuple[AuthToken, str]:
    """A new token with the configured lifetime (``REST_KNOX["TOKEN_TTL"]``) and its key, which is shown once."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return AuthToken.objects.create(user=user)
