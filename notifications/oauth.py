"""OAuth2 client credentials against the Flemish authorisation server, shared by DOSIS and Mijn
Burgerprofiel: the city authenticates with a JWT it signs itself, and access tokens are cached per
scope until shortly before they expire, in the cache all processes share (CACHE_URL)."""

import json
import logging
import time
import uuid
from urllib.parse import urlencode

import jwt
from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from .transport import PermanentError, TransientError, http_post

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Seconds before a token's own expiry that a new one is fetched.
TOKEN_MARGIN = 60

logger = logging.getLogger(__name__)


def _cache_key(scope: str) -> str:
    return f"notifications:oauth:{scope}"


def _cache(operation: str, *args):
    """The cache is an optimisation here: with Redis down a delivery fetches its own token instead of failing."""
    try:
        return getattr(cache, operation)(*args)
    except RedisError:
        logger.warning("OAuth token cache unavailable (%s); going without", operation, exc_info=True)
        return None


def client_assertion() -> str:
    now = int(time.time())
    claims = {
        "iss": settings.MIDOFFICE_OAUTH_CLIENT_ID,
        "sub": settings.MIDOFFICE_OAUTH_CLIENT_ID,
        "aud": settings.MIDOFFICE_OAUTH_TOKEN_URL,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 300,
    }
    return jwt.encode(claims, settings.MIDOFFICE_OAUTH_PRIVATE_KEY, algorithm=settings.MIDOFFICE_OAUTH_JWT_ALGORITHM)


def access_token(scope: str) -> str:
    token = _cache("get", _cache_key(scope))
    if token:
        return token
    form = {
        "grant_type": "client_credentials",
        "scope": scope,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(),
    }
    try:
        response = http_post(
            settings.MIDOFFICE_OAUTH_TOKEN_URL,
            urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
    except TransientError as exc:
        raise TransientError(f"token: {exc}") from exc
    if response.status >= 500 or response.status == 429:
        raise TransientError(f"token: HTTP {response.status}")
    if not 200 <= response.status < 300:
        # A wrong client id or key: a configuration error no retry fixes.
        raise PermanentError(f"token: HTTP {response.status}: {response.data[:300].decode(errors='replace')}")
    body = json.loads(response.data)
    token = body["access_token"]
    _cache("set", _cache_key(scope), token, max(1, int(body.get("expires_in", 3600)) - TOKEN_MARGIN))
    return token


def forget_token(scope: str) -> None:
    _cache("delete", _cache_key(scope))
