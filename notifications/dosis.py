"""DOSIS (Digitaal Vlaanderen): the dossier status shown in Mijn Burgerprofiel, the e-loket ondernemers
or the verenigingsloket (REFERENCE.md). Off unless ``MIDOFFICE_DOSIS_URL`` is set.

Authentication: ``notifications.oauth`` (client credentials with a self-signed JWT assertion).
"""

import json

from django.conf import settings
from django.utils import timezone

from cases.models import Case
from contacts.models import PartyKind

from . import oauth
from .backends import PermanentError, TransientError, post_json
from .models import DosisStatus, Notification


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


def recipient(case: Case) -> str | None:
    agent_ = agent(case)
    return agent_["Identificatie"] if agent_ else None


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


def send(notification: Notification) -> None:
    from .services import status_url

    document = {
        **notification.payload,
        # Retrying the same notification repeats the same upload.
        "UploadId": str(notification.idempotency_key),
        "Doorverwijzing": status_url(notification),
    }
    url = settings.MIDOFFICE_DOSIS_URL.rstrip("/") + "/api/v2/dosis/dossiers"
    headers = {
        "Authorization": f"Bearer {oauth.access_token(settings.MIDOFFICE_DOSIS_SCOPE)}",
        "Content-Type": "application/json",
    }
    try:
        post_json(url, json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(), headers)
    except PermanentError as exc:
        if str(exc).startswith("HTTP 401"):
            oauth.forget_token(settings.MIDOFFICE_DOSIS_SCOPE)  # revoked early: the next attempt gets a new one
            raise TransientError(str(exc)) from exc
        raise
