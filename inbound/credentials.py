"""A mailbox's secrets: kept encrypted, and the OAuth2 token (client credentials) behind XOAUTH2."""

import base64
import hashlib
import json
import threading
import time
from urllib.parse import urlencode

import urllib3
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

# A token is used until this many seconds before it expires.
TOKEN_MARGIN_SECONDS = 60

_pool = urllib3.PoolManager(retries=False)
_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


class CredentialError(Exception):
    """The mailbox cannot sign in: a secret that no key decrypts, a token endpoint that refuses or fails."""


def _fernet() -> MultiFernet:
    """Keys derived from SECRET_KEY (encrypting) and SECRET_KEY_FALLBACKS (still decrypting after a rotation)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"inbound.mailbox:{key}".encode()).digest())) for key in keys]
    )


def secret_encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def secret_decrypt(value: str) -> str:
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken as exc:
        raise CredentialError("The stored secret cannot be decrypted (SECRET_KEY changed?): enter it again.") from exc


def xoauth2_string(username: str, token: str) -> bytes:
    """The SASL XOAUTH2 initial response (before base64, which imaplib adds)."""
    return f"user={username}\x01auth=Bearer {token}\x01\x01".encode()


def oauth_token(*, token_url: str, client_id: str, client_secret: str, scope: str) -> str:
    """An access token by the client-credentials grant, cached per client and scope until shortly before it expires."""
    key = (token_url, client_id, scope)
    with _tokens_lock:
        cached = _tokens.get(key)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
    body = urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret, "scope": scope}
    )
    try:
        response = _pool.request(
            "POST",
            token_url,
            body=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            timeout=settings.MIDOFFICE_INBOUND_IMAP_TIMEOUT_SECONDS,
        )
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise CredentialError(f"Token endpoint unreachable: {exc.__class__.__name__}: {exc}") from exc
    try:
        document = json.loads(response.data)
    except ValueError:
        document = {}
    if response.status != 200 or not isinstance(document, dict) or not document.get("access_token"):
        detail = document.get("error_description") or document.get("error") if isinstance(document, dict) else ""
        raise CredentialError(f"Token endpoint answered HTTP {response.status}: {detail or 'no access token'}"[:500])
    token = document["access_token"]
    lifetime = float(document.get("expires_in") or 0)
    with _tokens_lock:
        _tokens[key] = (token, time.monotonic() + max(0.0, lifetime - TOKEN_MARGIN_SECONDS))
    return token


def forget_tokens() -> None:
    with _tokens_lock:
        _tokens.clear()
