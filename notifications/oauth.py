"""OAuth2 client credentials against the Flemish authorisation server, shared by DOSIS and Mijn
Burgerprofiel: the city authenticates with a JWT it signs itself, and access tokens are cached per
scope until shortly before they expire."""

import time
import uuid

import jwt
import requests
from django.conf import settings
from django.core.cache import cache

from .backends import PermanentError, TransientError

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Seconds before a token's own expiry that a new one is fetched.
TOKEN_MARGIN = 60


def _cache_key(scope: str) -> str:
    return f"notifications:oauth:{scope}"


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
    token = cache.get(_cache_key(scope))
    if token:
        return token
    try:
        response = requests.post(
            settings.MIDOFFICE_OAUTH_TOKEN_URL,
            data={
                "grant_type": "client_credentials",
                "scope": scope,
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": client_assertion(),
            },
            timeout=settings.MIDOFFICE_HTTP_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        raise TransientError(f"token: {exc.__class__.__name__}: {exc}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientError(f"token: HTTP {response.status_code}")
    if not response.ok:
        # A wrong client id or key: a configuration error no retry fixes.
        raise PermanentError(f"token: HTTP {response.status_code}: {response.text[:300]}")
    body = response.json()
    token = body["access_token"]
    cache.set(_cache_key(scope), token, max(1, int(body.get("expires_in", 3600)) - TOKEN_MARGIN))
    return token


def forget_token(scope: str) -> None:
    cache.delete(_cache_key(scope))
