"""A citizen signed in with ACM/IDM is not a Django user: the session keeps their party, the authentication
level and when the sign-in ends, under a key of its own."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission

SESSION_KEY = "midoffice_citizen"
# The pending sign-ins (state → nonce and PKCE verifier) of the citizens' flow, apart from the staff's.
STATES_SESSION_KEY = "midoffice_citizen_oidc_states"


@dataclass(frozen=True)
class Citizen:
    party_id: int
    acr: str
    expires_at: float


def citizen_sign_in(request, *, party_id: int, acr: str) -> Citizen:
    """Start the citizen's session (a new session key: no fixation)."""
    citizen = Citizen(party_id, acr, time.time() + settings.MIDOFFICE_OIDC_CITIZEN_SESSION_SECONDS)
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"party": citizen.party_id, "acr": citizen.acr, "expires_at": citizen.expires_at}
    return citizen


def citizen_sign_out(request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(STATES_SESSION_KEY, None)
    request.session.cycle_key()


def request_citizen(request) -> Citizen | None:
    """The signed-in citizen of this request; None when nobody is or the sign-in has expired."""
    data = request.session.get(SESSION_KEY)
    if not data or data["expires_at"] <= time.time():
        return None
    return Citizen(data["party"], data["acr"], data["expires_at"])


class CitizenSessionAuthentication(SessionAuthentication):
    """The citizen's session as ``request.auth`` (the user stays anonymous); a write needs the CSRF token, as
    Django's session authentication does (another site could otherwise submit in the citizen's name)."""

    def authenticate(self, request):
        citizen = request_citizen(request._request)
        if citizen is None:
            return None
        self.enforce_csrf(request)
        return AnonymousUser(), citizen

    def authenticate_header(self, request):
        return "Session"


class IsCitizen(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, Citizen)


class CitizenSessionScheme(OpenApiAuthenticationExtension):
    target_class = CitizenSessionAuthentication
    name = "citizenSession"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "A citizen's session after signing in with ACM/IDM at /burger/aanmelden/.",
        }
