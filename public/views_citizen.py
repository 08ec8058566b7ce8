"""Citizens sign in with ACM/IDM (``/burger/…``) to see their own cases; pages in the citizen's language."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from cases.selectors import public_language
from midoffice import oidc

from . import selectors
from .citizen_auth import STATES_SESSION_KEY, citizen_sign_in, citizen_sign_out, request_citizen
from .services_citizen import citizen_party_for


def _callback_uri(request) -> str:
    return request.build_absolute_uri(reverse("citizen-callback"))


def _language(request) -> str:
    return public_language(request.headers.get("Accept-Language", ""))


@require_GET
def sign_in(request):
    if not oidc.enabled():
        raise Http404
    return oidc.authorization_redirect(request, session_key=STATES_SESSION_KEY, redirect_uri=_callback_uri(request))


@require_GET
def callback(request):
    """The provider's answer: a verified INSZ at the required level becomes the citizen's session; anything else
    is refused and nothing is written."""
    if not oidc.enabled():
        raise Http404
    try:
        claims = oidc.callback_claims(request, session_key=STATES_SESSION_KEY, redirect_uri=_callback_uri(request))
        if not claims.get("rrn"):
            raise oidc.OidcRefused(oidc.UNVERIFIED)
        party = citizen_party_for(
            national_number=str(claims["rrn"]),
            given_name=str(claims.get("given_name") or ""),
            family_name=str(claims.get("family_name") or ""),
        )
    except oidc.OidcRefused as exc:
        with translation.override(_language(request)):
            return render(request, "public/citizen_refused.html", {"message": exc.message}, status=403)
    citizen_sign_in(request, party_id=party.pk, acr=claims["acr"])
    return redirect("citizen-cases")


@require_POST
def sign_out(request):
    """Ends the citizen's session here and at the provider, which sends them back to the status page."""
    signed_in = request_citizen(request) is not None
    citizen_sign_out(request)
    if signed_in and oidc.enabled():
        lookup = request.build_absolute_uri(reverse("status-lookup"))
        return redirect(oidc.end_session_url(post_logout_redirect_uri=lookup))
    return redirect("status-lookup")


@require_GET
def my_cases(request):
    """The signed-in citizen's cases, newest first (at most 50; the API pages through all of them)."""
    citizen = request_citizen(request)
    if citizen is None:
        return redirect("citizen-sign-in" if oidc.enabled() else "status-lookup")
    language = _language(request)
    cases = [selectors.case_public_status(case, language) for case in selectors.cases_of_party(citizen.party_id)[:50]]
    with translation.override(language):
        return render(request, "public/citizen_cases.html", {"cases": cases})


urlpatterns = [
    path("aanmelden/", sign_in, name="citizen-sign-in"),
    path("callback/", callback, name="citizen-callback"),
    path("afmelden/", sign_out, name="citizen-sign-out"),
    path("dossiers/", my_cases, name="citizen-cases"),
]
