"""Mijn Burgerprofiel notifications against a local HTTP server standing in for the token endpoint and the API."""

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache

from cases.services import case_transition
from notifications.models import Notification
from tests.factories import OrganisationFactory, PersonFactory, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile_server(httpserver, settings):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.MIDOFFICE_NOTIFICATION_BACKENDS = ["burgerprofiel"]
    settings.MIDOFFICE_BURGERPROFIEL_URL = httpserver.url_for("/")
    settings.MIDOFFICE_BURGERPROFIEL_SENDER_URI = "https://data.stad.be/id/midoffice"
    settings.MIDOFFICE_OAUTH_TOKEN_URL = httpserver.url_for("/oauth/token")
    settings.MIDOFFICE_OAUTH_CLIENT_ID = "stad-midoffice"
    settings.MIDOFFICE_OAUTH_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    cache.clear()
    httpserver.expect_request("/oauth/token").respond_with_json({"access_token": "tok", "expires_in": 3600})
    yield httpserver
    cache.clear()


def test_the_answer_reaches_the_citizens_profile(profile_server, melding, handler, django_capture_on_commit_callbacks):
    profile_server.expect_request("/api/v2/notificaties", method="POST").respond_with_json({"Status": "OK"})
    melding.ipdc_product_id = "1502"
    melding.save()
    party = PersonFactory(national_number="85073003328")
    case = open_case(case_type=melding, party=party)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(actor=handler, case=case, transition="resolve", public_message="Hersteld.")

    notification = Notification.objects.get(kind="case_resolved")
    assert notification.status == "sent" and notification.recipient == "85073003328"
    bundles = [json.loads(r.data) for r, _ in profile_server.log if r.path == "/api/v2/notificaties"]
    bundle = bundles[-1]
    assert bundle["Id"] == str(notification.idempotency_key)
    assert bundle["AanbiederUri"] == "https://data.stad.be/id/midoffice"
    assert bundle["Bestemmelingen"] == [{"Insz": "85073003328"}]
    assert bundle["TransactieId"] == f"https://data.stad.be/id/midoffice{case.reference}"
    assert bundle["ProductId"] == "1502" and bundle["Categorie"] == "DossierStatus"
    pairs = {p["Sleutel"]: p["Waarde"] for p in bundle["SleutelWaardeParen"]}
    assert pairs["dossiernummer"] == case.reference and pairs["bericht"] == "Hersteld."
    assert pairs["status"] == "Opgelost"  # the citizen's language (nl), not the clerk's (en in the tests)
    assert pairs["link"].startswith("http://127.0.0.1:8000/status/")
    auth = [r.headers["Authorization"] for r, _ in profile_server.log if r.path == "/api/v2/notificaties"]
    assert set(auth) == {"Bearer tok"}


def test_template_keys_follow_the_setting(profile_server, melding, settings, django_capture_on_commit_callbacks):
    settings.MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS = {
        **settings.MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS,
        "reference": "dossierNummer",
        "link": "url",
    }
    profile_server.expect_request("/api/v2/notificaties", method="POST").respond_with_json({"Status": "OK"})
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(case_type=melding, party=PersonFactory(national_number="85073003328"))
    [bundle] = [json.loads(r.data) for r, _ in profile_server.log if r.path == "/api/v2/notificaties"]
    pairs = {p["Sleutel"]: p["Waarde"] for p in bundle["SleutelWaardeParen"]}
    assert set(pairs) == {"dossierNummer", "dossiertype", "status", "bericht", "url"}
    assert pairs["dossierNummer"] == case.reference and pairs["url"].startswith("http://127.0.0.1:8000/status/")


def test_a_misspelt_template_key_stops_the_start(settings):
    from django.core.checks import run_checks

    keys = {**settings.MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS, "refrence": "dossierNummer"}
    del keys["link"]
    settings.MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS = keys
    [error] = [e for e in run_checks() if e.id == "notifications.E001"]
    assert error.msg == "MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS: unknown refrence; missing link"


def test_only_persons_with_an_insz(profile_server, melding, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        open_case(case_type=melding, party=OrganisationFactory())
        open_case(case_type=melding, party=PersonFactory(national_number=None, birth_date=None))
    assert not Notification.objects.exists()
