"""Mijn Burgerprofiel notifications ("meldingen"): a notification bundle for a person
with an INSZ. Off unless ``MIDOFFICE_BURGERPROFIEL_URL`` is set. The recipient sub-model, category,
channels and template keys are not fixed publicly: they are settings."""

import json

from django.conf import settings
from django.utils import timezone, translation

from cases.models import Case, CaseState
from contacts.models import PartyKind

from . import oauth
from .links import status_url
from .models import Notification
from .transport import PermanentError, TransientError, post_json

# What the values of SleutelWaardeParen are; their key names are MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS.
TEMPLATE_VALUES = ("reference", "case_type", "status", "message", "link")


def recipient(case: Case) -> str | None:
    party = case.party
    if party is None or party.kind != PartyKind.PERSON or not party.national_number:
        return None
    return party.national_number


def _state_label(case: Case) -> str:
    with translation.override(case.party.language):
        return str(CaseState(case.state).label)


def payload(case: Case, public_message: str) -> dict:
    source = settings.MIDOFFICE_DOSIS_SOURCE_URI or settings.MIDOFFICE_BURGERPROFIEL_SENDER_URI
    keys = settings.MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS
    document = {
        "AanbiederUri": settings.MIDOFFICE_BURGERPROFIEL_SENDER_URI,
        "Bestemmelingen": [{settings.MIDOFFICE_BURGERPROFIEL_RECIPIENT_FIELD: recipient(case)}],
        "Categorie": settings.MIDOFFICE_BURGERPROFIEL_CATEGORY,
        "DatumNotificatie": timezone.now().isoformat(),
        "TransactieId": f"{source}{case.reference}",
        "SleutelWaardeParen": [
            {"Sleutel": keys["reference"], "Waarde": case.reference},
            {"Sleutel": keys["case_type"], "Waarde": case.case_type.name},
            # In the citizen's language, whoever made the change.
            {"Sleutel": keys["status"], "Waarde": _state_label(case)},
            {"Sleutel": keys["message"], "Waarde": public_message},
        ],
    }
    if case.case_type.ipdc_product_id:
        document["ProductId"] = case.case_type.ipdc_product_id
    if settings.MIDOFFICE_BURGERPROFIEL_CHANNELS:
        document["Kanalen"] = settings.MIDOFFICE_BURGERPROFIEL_CHANNELS
    if settings.MIDOFFICE_BURGERPROFIEL_BRAND_CODE:
        document["MerkCode"] = settings.MIDOFFICE_BURGERPROFIEL_BRAND_CODE
    return document


def send(notification: Notification) -> None:
    document = {**notification.payload, "Id": str(notification.idempotency_key)}
    document["SleutelWaardeParen"] = [
        *document["SleutelWaardeParen"],
        {"Sleutel": settings.MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS["link"], "Waarde": status_url(notification)},
    ]
    scope = settings.MIDOFFICE_BURGERPROFIEL_SCOPE
    url = settings.MIDOFFICE_BURGERPROFIEL_URL.rstrip("/") + "/api/v2/notificaties"
    headers = {"Authorization": f"Bearer {oauth.access_token(scope)}", "Content-Type": "application/json"}
    try:
        post_json(url, json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode(), headers)
    except PermanentError as exc:
        if str(exc).startswith("HTTP 401"):
            oauth.forget_token(scope)
            raise TransientError(str(exc)) from exc
        raise
