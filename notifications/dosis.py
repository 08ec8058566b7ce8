"""DOSIS (Digitaal Vlaanderen): the dossier status shown in Mijn Burgerprofiel, the e-loket ondernemers
or the verenigingsloket (REFERENCE.md). Off unless ``MIDOFFICE_DOSIS_URL`` is set.

Authentication: OAuth2 client credentials with a JWT client assertion the city signs itself; the
access token is cached until shortly before it expires.
"""

import json
import time
import uuid

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from cases.models import Case
from contacts.models import PartyKind

from .backends import PermanentError, TransientError, post_json
from .models import DosisStatus, Notification

TOKEN_CACHE_KEY = "notifications:dosis:access-token"
# Seconds before the token's own expiry that a new one is fetched.
TOKEN_MARGIN = 60
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def enabled() -> bool:
    return bool(settings.MIDOFFICE_DOSIS_URL)


def agent(case: Case) -> dict | None:
    """Who may see the dossier: the citizen's INSZ, the company's KBO or the association's vCode."""
    party = case.party
    if party is None:
        return None
    identifier = {
        PartyKind.PERSON: party.national_number,
        PartyKind.ORGANISATION: party.enterprise_number,
        PartyKind.ASSOCIATION: party.association_code,
    }.get(party.kind)
    if not identifier:
        return None
    return {"Identificatie": identifier, "Toegangsrechten": [{"Code": settings.MIDOFFICE_DOSIS_ACCESS_CODE}]}


def payload(case: Case, public_message: str) -> dict | None:
    """The dossier as DOSIS wants it, or None for a party DOSIS cannot show it to."""
    agent_ = agent(case)
    if agent_ is None:
        return None
    status = DosisStatus.objects.filter(state=case.state).first()
    if status is None:
        raise PermanentError(f"no DOSIS status is configured for the case state {case.state}")
    group = case.handler_group
    document = {
        "Identificatie": {"Bron": settings.MIDOFFICE_DOSIS_SOURCE_URI, "DossierNummer": case.reference},
        "Naam": f"{case.case_type.name} {case.reference}",
        "WijzigingsDatum": timezone.now().isoformat(),
        "Status": {
            "VlaamsCode": status.code,
            "VlaamsFase": status.phase,
            "Detail1": public_message,
            "Actie": {"ActieNodig": status.action_needed, "Actie": public_message if status.action_needed else ""},
        },
        "TypeDossierCode": "DossierStatus",
        "DossierBeheerder": {
            "Naam": group.public_name,
            "Dienst": group.name,
            "Email": group.email,
            "Telefoon": settings.MIDOFFICE_DOSIS_CONTACT_PHONE,
            "Website": settings.MIDOFFICE_DOSIS_CONTACT_WEBSITE,
        },
        "Agenten": [agent_],
    }
    if case.case_type.ipdc_product_id:
        document["Producten"] = [{"Id": case.case_type.ipdc_product_id}]
    return document


def client_assertion() -> str:
    now = int(time.time())
    claims = {
        "iss": settings.MIDOFFICE_DOSIS_CLIENT_ID,
        "sub": settings.MIDOFFICE_DOSIS_CLIENT_ID,
        "aud": settings.MIDOFFICE_DOSIS_TOKEN_URL,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 300,
    }
    return jwt.encode(claims, settings.MIDOFFICE_DOSIS_PRIVATE_KEY, algorithm=settings.MIDOFFICE_DOSIS_JWT_ALGORITHM)


def access_token() -> str:
    token = cache.get(TOKEN_CACHE_KEY)
    if token:
        return token
    try:
        response = requests.post(
            settings.MIDOFFICE_DOSIS_TOKEN_URL,
            data={
                "grant_type": "client_credentials",
                "scope": settings.MIDOFFICE_DOSIS_SCOPE,
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
        # Wrong client id or key: a configuration error no retry fixes.
        raise PermanentError(f"token: HTTP {response.status_code}: {response.text[:300]}")
    body = response.json()
    token = body["access_token"]
    cache.set(TOKEN_CACHE_KEY, token, max(1, int(body.get("expires_in", 3600)) - TOKEN_MARGIN))
    return token


def send(notification: Notification) -> None:
    from .services import status_url

    document = {
        **notification.payload,
        # Retrying the same notification repeats the same upload.
        "UploadId": str(notification.idempotency_key),
        "Doorverwijzing": status_url(notification),
    }
    url = settings.MIDOFFICE_DOSIS_URL.rstrip("/") + "/api/v2/dosis/dossiers"
    headers = {"Authorization": f"Bearer {access_token()}", "Content-Type": "application/json"}
    try:
        post_json(url, json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(), headers)
    except PermanentError as exc:
        if str(exc).startswith("HTTP 401"):
            cache.delete(TOKEN_CACHE_KEY)  # expired or revoked early: the next attempt gets a new token
            raise TransientError(str(exc)) from exc
        raise
