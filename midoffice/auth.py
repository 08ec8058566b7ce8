"""API tokens (django-rest-knox: only a hash of each key is stored, and every token expires) and the
brute-force guard of every password login (django-axes)."""

from hmac import compare_digest

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework import exceptions

from midoffice.db import row_reader, select_list, statement_cursor
from midoffice.permissions import access_column, remember_access


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out username or client address before any password is hashed.

    A login over HTTP (the admin, ``POST /api/v1/auth/token/``) always passes its request; code that calls
    ``authenticate()`` without one (a shell, a management command) has no client to lock out.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


_User = get_user_model()
# Every API request runs this: one precompiled statement for the tokens with the key's prefix, their users and
# the users' roles and permissions (compiling knox's ORM query cost more CPU than PostgreSQL spent on it).
_TOKENS_SQL = (
    f"SELECT {select_list(AuthToken, 't')}, {select_list(_User, 'u')}, {access_column('u.id')}"
    f" FROM {AuthToken._meta.db_table} t JOIN {_User._meta.db_table} u ON u.id = t.user_id WHERE t.token_key = %s"
)
_TOKEN_COLUMNS = len(AuthToken._meta.concrete_fields)
_ACCESS_COLUMN = _TOKEN_COLUMNS + len(_User._meta.concrete_fields)


class TokenAuthentication(KnoxTokenAuthentication):
    """``Authorization: Token <key>``, checked against the stored hash; an expired token is deleted and refused."""

    def authenticate_credentials(self, token: bytes):
        """Knox's check (every token with the key's prefix, its digest compared in constant time), read in one
        precompiled query with the user's roles and permissions (``midoffice.permissions``)."""
        try:
            key = token.decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        if "\x00" in key:  # No token has one, and PostgreSQL would refuse it in the look-up.
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        cursor = statement_cursor()
        cursor.execute(_TOKENS_SQL, [key[: CONSTANTS.TOKEN_KEY_LENGTH]])
        rows = cursor.fetchall()
        for row in rows:
            auth_token = row_reader(AuthToken)(row)
            auth_token.user = row_reader(_User)(row[_TOKEN_COLUMNS:])
            if self._cleanup_token(auth_token):
                continue
            if compare_digest(hash_token(key), auth_token.digest):
                remember_access(auth_token.user, row[_ACCESS_COLUMN])
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(_("Invalid token."))

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
