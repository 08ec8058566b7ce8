"""DOSIS against a local HTTP server standing in for the OAuth token endpoint and the DOSIS API."""

import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache

from cases.services import case_transition
from notifications.models import Notification
from tests.factories import OrganisationFactory, PersonFactory, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def dosis_server(httpserver, settings, key):
    settings.MIDOFFICE_NOTIFICATION_BACKENDS = ["dosis"]
    settings.MIDOFFICE_DOSIS_URL = httpserver.url_for("/")
    settings.MIDOFFICE_OAUTH_TOKEN_URL = httpserver.url_for("/oauth/token")
    settings.MIDOFFICE_OAUTH_CLIENT_ID = "stad-midoffice"
    settings.MIDOFFICE_DOSIS_SOURCE_URI = "https://data.stad.be/id/midoffice"
    settings.MIDOFFICE_OAUTH_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    cache.clear()
    yield httpserver
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_status_change_is_published_with_a_signed_client_assertion(dosis_server, melding, handler, key, committed):
    melding.ipdc_product_id = "1502"
    melding.save()
    dosis_server.expect_oneshot_request("/oauth/token", method="POST").respond_with_json(
        {"access_token": "tok-1", "token_type": "Bearer", "expires_in": 3600}
    )
    for _ in range(3):
        dosis_server.expect_oneshot_request("/api/v2/dosis/dossiers", method="POST").respond_with_json(
            {"Status": "Ontvangen", "UploadId": "x"}
        )
    party = PersonFactory(national_number="85073003328")
    with committed():
        case = open_case(case_type=melding, party=party)
    with committed():
        case_transition(actor=handler, case=case, transition="start")
        case_transition(actor=handler, case=case, transition="suspend", reason="foto", public_message="Stuur een foto.")

    (token_request, _), (first, _), (_started, _), (second, _) = dosis_server.log
    form = dict(token_request.form)
    assert form["grant_type"] == "client_credentials" and form["scope"] == "DosisImport"
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    claims = jwt.decode(
        form["client_assertion"], key.public_key(), algorithms=["RS256"], audience=dosis_server.url_for("/oauth/token")
    )
    assert claims["iss"] == claims["sub"] == "stad-midoffice" and claims["exp"] - claims["iat"] <= 600
    assert first.headers["Authorization"] == second.headers["Authorization"] == "Bearer tok-1"  # cached

    created = Notification.objects.get(case=case, kind="case_created")
    body = json.loads(first.data)
    assert body["Identificatie"] == {"Bron": "https://data.stad.be/id/midoffice", "DossierNummer": case.reference}
    assert body["UploadId"] == str(created.idempotency_key)
    assert body["Status"] == {
        "VlaamsCode": "Ingediend",
        "VlaamsFase": "Samenstelling",
        "Detail1": "",
        "Actie": {"ActieNodig": False, "Actie": ""},
    }
    assert body["Agenten"] == [{"Identificatie": "85073003328", "Toegangsrechten": [{"Code": "Raadpleger"}]}]
    assert body["Producten"] == [{"Id": "1502"}]
    assert body["TypeDossierCode"] == "DossierStatus"
    assert body["DossierBeheerder"]["Naam"] == case.handler_group.public_name
    assert body["Doorverwijzing"].startswith("http://127.0.0.1:8000/status/")
    waiting = json.loads(second.data)["Status"]
    assert waiting == {
        "VlaamsCode": "DossierOnvolledig",
        "VlaamsFase": "Behandeling",
        "Detail1": "Stuur een foto.",
        "Actie": {"ActieNodig": True, "Actie": "Stuur een foto."},
    }
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_companies_are_agents_by_kbo_and_parties_without_an_identifier_get_nothing(dosis_server, melding, committed):
    dosis_server.expect_request("/oauth/token").respond_with_json({"access_token": "t", "expires_in": 3600})
    dosis_server.expect_request("/api/v2/dosis/dossiers").respond_with_json({"Status": "Ontvangen"})
    company = OrganisationFactory()
    with committed():
        open_case(case_type=melding, party=company)
        open_case(case_type=melding, party=PersonFactory(national_number=None, birth_date=None))
    [notification] = Notification.objects.all()
    assert notification.recipient == company.enterprise_number
    assert notification.status == "sent"


def test_without_a_url_dosis_is_off(settings, melding, committed):
    settings.MIDOFFICE_NOTIFICATION_BACKENDS = ["dosis"]
    settings.MIDOFFICE_DOSIS_URL = ""
    with committed():
        open_case(case_type=melding, party=PersonFactory())
    assert not Notification.objects.exists()


def test_an_expired_token_is_renewed_on_the_next_attempt(dosis_server, melding, committed):
    dosis_server.expect_oneshot_request("/oauth/token").respond_with_json({"access_token": "old", "expires_in": 3600})
    dosis_server.expect_oneshot_request("/api/v2/dosis/dossiers").respond_with_data("expired", status=401)
    with committed():
        case = open_case(case_type=melding, party=PersonFactory())
    notification = Notification.objects.get(case=case)
    assert notification.status == "failed" and "HTTP 401" in notification.last_error
    assert cache.get("notifications:oauth:DosisImport") is None


def test_a_rejected_client_is_dead_not_retried(dosis_server, melding, committed):
    dosis_server.expect_oneshot_request("/oauth/token").respond_with_json({"error": "invalid_client"}, status=400)
    with committed():
        case = open_case(case_type=melding, party=PersonFactory())
    notification = Notification.objects.get(case=case)
    assert notification.status == "dead" and "token: HTTP 400" in notification.last_error


def test_a_gap_in_the_mapping_never_holds_up_the_case_change(dosis_server, melding, handler, committed):
    from notifications.models import DosisStatus

    dosis_server.expect_request("/oauth/token").respond_with_json({"access_token": "t", "expires_in": 3600})
    dosis_server.expect_request("/api/v2/dosis/dossiers").respond_with_json({"Status": "Ontvangen"})
    DosisStatus.objects.filter(state="in_progress").delete()
    case = open_case(case_type=melding, party=PersonFactory())
    with committed():
        case_transition(actor=handler, case=case, transition="start")

    case.refresh_from_db()
    assert case.state == "in_progress"
    started = Notification.objects.get(case=case, kind="case_started")
    assert started.status == "dead"
    assert started.last_error == "no DOSIS status is configured for the case state in_progress"
