"""DOSIS (Digitaal Vlaanderen): the dossier status shown in Mijn Burgerprofiel, the e-loket ondernemers
or the verenigingsloket. Off unless ``MIDOFFICE_DOSIS_URL`` is set.

Authentication: ``notifications.oauth`` (client credentials with a self-signed JWT assertion).
"""

import json

from django.conf import settings
from django.utils import timezone

from cases.models import Case
from contacts.models import PartyKind

from . import oauth
from .links import status_url
from .models import DosisStatus, Notification
from .transport import PermanentError, TransientError, post_json


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


def payload(case: Case, public_message: str) -> dict:
    """What is stored to publish: the dossier as of the change, and the state its DOSIS status comes from.

    The phase and code are looked up when sending, so a gap in the mapping table makes this notification
    dead (visible, retried once the table is fixed) and never holds up the case change itself.
    """
    group = case.handler_group
    document = {
        "Identificatie": {"Bron": settings.MIDOFFICE_DOSIS_SOURCE_URI, "DossierNummer": case.reference},
        "Naam": f"{case.case_type.name} {case.reference}",
        "WijzigingsDatum": timezone.now().isoformat(),
        "TypeDossierCode": "DossierStatus",
        "DossierBeheerder": {
            "Naam": group.public_name,
            "Dienst": group.name,
            "Email": group.email,
            "Telefoon": settings.MIDOFFICE_DOSIS_CONTACT_PHONE,
            "Website": settings.MIDOFFICE_DOSIS_CONTACT_WEBSITE,
        },
        "Agenten": [agent(case)],
    }
    if case.case_type.ipdc_product_id:
        document["Producten"] = [{"Id": case.case_type.ipdc_product_id}]
    return {"state": case.state, "public_message": public_message, "document": document}


def _status(state: str, public_message: str) -> dict:
    status = DosisStatus.objects.filter(state=state).first()
    if status is None:
        raise PermanentError(f"no DOSIS status is configured for the case state {state}")
    return {
        "VlaamsCode": status.code,
        "VlaamsFase": status.phase,
        "Detail1": public_message,
        "Actie": {"ActieNodig": status.action_needed, "Actie": public_message if status.action_needed else ""},
    }


def send(notification: Notification) -> None:
    stored = notification.payload
    document = {
        **stored["document"],
        "Status": _status(stored["state"], stored["public_message"]),
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
