"""ACM/IDM, the Flemish government's login (OpenID Connect), as staff and citizens share it: the authorization
code flow with PKCE (S256), RS256 ID tokens checked on issuer, audience, nonce and authentication level, and
the provider's end-session URL. The endpoints come from the settings (docs/acm-idm.md)."""

from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import generate_code_challenge

# The authentication mechanisms the ID token's acr names, weakest first; higher is stronger.
ACR_PREFIX = "urn:be:vlaanderen:authmech:"
ACR_LEVELS = {
    f"{ACR_PREFIX}csampassword": 5,
    f"{ACR_PREFIX}csamselfreg": 5,
    f"{ACR_PREFIX}csamsms": 25,
    f"{ACR_PREFIX}csamtotp": 26,
    f"{ACR_PREFIX}itsme": 27,
    f"{ACR_PREFIX}eid": 35,
}
CANCELLED = _("The sign-in was cancelled or has expired. Please try again.")
UNVERIFIED = _("The sign-in could not be verified. Please try again.")
TOO_WEAK = _("This way of signing in is not secure enough here: choose a stronger one, such as itsme or your eID.")
# Pending sign-ins kept per session (a few open tabs), the oldest dropped first.
MAX_PENDING_STATES = 5


class OidcRefused(Exception):
    """A sign-in the provider's answer does not allow; ``message`` is for the person signing in."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def enabled() -> bool:
    return bool(settings.MIDOFFICE_OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def acr_level(acr: str | None) -> int:
    """The level of an authentication mechanism; 0 for one we do not know."""
    return ACR_LEVELS.get(acr or "", 0)


class AcmIdmClient(OIDCAuthenticationBackend):
    """mozilla-django-oidc's token exchange, with the checks ACM/IDM's ID tokens need on top of its signature and
    nonce check: the issuer, our client id as audience, the expiry and the minimum authentication level."""

    def verify_token(self, token, **kwargs):
        try:
            payload = super().verify_token(token, **kwargs)
            jwt.decode(
                token,
                options={
                    "verify_signature": False,  # mozilla-django-oidc checked it against the JWKS
                    "verify_aud": True,
                    "verify_iss": True,
                    "verify_exp": True,
                    "require": ["iss", "aud", "exp", "sub"],
                },
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.MIDOFFICE_OIDC_ISSUER,
            )
        except (SuspiciousOperation, jwt.InvalidTokenError) as exc:
            raise OidcRefused(UNVERIFIED) from exc
        if acr_level(payload.get("acr")) < acr_level(settings.MIDOFFICE_OIDC_ACR_MINIMUM):
            raise OidcRefused(TOO_WEAK)
        return payload

    def claims(self, *, code: str, code_verifier: str, nonce: str, redirect_uri: str) -> dict:
        """The verified claims of a sign-in: the ID token's, with the userinfo's of the same ``sub`` added."""
        payload = {
            "client_id": self.OIDC_RP_CLIENT_ID,
            "client_secret": self.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        try:
            tokens = self.get_token(payload)
        except (requests.RequestException, ValueError) as exc:
            raise OidcRefused(UNVERIFIED) from exc
        id_claims = self.verify_token(tokens.get("id_token") or "", nonce=nonce)
        try:
            userinfo = self.get_userinfo(tokens.get("access_token"), tokens.get("id_token"), id_claims)
        except (requests.RequestException, ValueError) as exc:
            raise OidcRefused(UNVERIFIED) from exc
        if userinfo.get("sub") != id_claims["sub"]:
            raise OidcRefused(UNVERIFIED)
        return {**userinfo, **id_claims}


def authorization_redirect(request: HttpRequest, *, session_key: str, redirect_uri: str) -> HttpResponseRedirect:
    """Send the browser to the provider; the state, nonce and PKCE verifier wait in the session under
    ``session_key`` until the callback."""
    state, nonce, verifier = get_random_string(32), get_random_string(32), get_random_string(64)
    pending = dict(request.session.get(session_key, {}))
    while len(pending) >= MAX_PENDING_STATES:
        pending.pop(next(iter(pending)))
    pending[state] = {"nonce": nonce, "code_verifier": verifier}
    request.session[session_key] = pending
    params = {
        "response_type": "code",
        "scope": settings.OIDC_RP_SCOPES,
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "state": state,
        "nonce": nonce,
        "code_challenge": generate_code_challenge(verifier, "S256"),
        "code_challenge_method": "S256",
        **settings.OIDC_AUTH_REQUEST_EXTRA_PARAMS,
    }
    return HttpResponseRedirect(f"{settings.OIDC_OP_AUTHORIZATION_ENDPOINT}?{urlencode(params)}")


def callback_claims(request: HttpRequest, *, session_key: str, redirect_uri: str) -> dict:
    """The verified claims of the provider's answer on the callback. The state is used once, whatever the
    outcome: a replayed, tampered or unknown state, an error from the provider or a bad token is refused."""
    pending = dict(request.session.get(session_key, {}))
    expected = pending.pop(request.GET.get("state", ""), None)
    request.session[session_key] = pending
    request.session.save()
    if expected is None or request.GET.get("error") or not request.GET.get("code"):
        raise OidcRefused(CANCELLED)
    return AcmIdmClient().claims(
        code=request.GET["code"],
        code_verifier=expected["code_verifier"],
        nonce=expected["nonce"],
        redirect_uri=redirect_uri,
    )


def end_session_url(*, post_logout_redirect_uri: str) -> str:
    """The provider's end-session endpoint, which sends the browser back to ``post_logout_redirect_uri``."""
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": post_logout_redirect_uri,
        "state": get_random_string(32),
    }
    return f"{settings.MIDOFFICE_OIDC_LOGOUT_ENDPOINT}?{urlencode(params)}"
