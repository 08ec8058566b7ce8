"""Citizens sign in with ACM/IDM (a local provider) and read their own cases: the party found by the INSZ the
provider vouches for, or made; every refusal writes nothing."""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from contacts.demo import national_number
from contacts.models import Party
from tests.factories import PersonFactory, open_case
from tests.test_api_schema import assert_conforms, schema  # noqa: F401 (the module's schema fixture)

from .oidc_provider import CLIENT_ID, CSAM_PASSWORD

pytestmark = pytest.mark.django_db
RRN = national_number(date(1985, 7, 30), 33)
MY_CASES = "/api/v1/public/my/cases/"
PUBLIC_KEYS = {"reference", "case_type", "state", "messages", "expected_date", "waiting_for_citizen"}


def start(client) -> str:
    response = client.get("/burger/aanmelden/")
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, provider, *, sub="sub-citizen", rrn=RRN, **kwargs):
    query = provider.authorize(start(client), sub=sub, rrn=rrn, **kwargs)
    return client.get("/burger/callback/", query)


def refused(response, client) -> str:
    assert response.status_code == 403
    assert "midoffice_citizen" not in client.session
    return response.content.decode()


@pytest.fixture
def api():
    return APIClient()


def test_without_settings_there_is_no_citizen_sign_in(client):
    assert client.get("/burger/aanmelden/").status_code == 404
    assert client.get("/burger/callback/", {"code": "x", "state": "y"}).status_code == 404


def test_a_known_citizen_is_found_by_their_insz(client, oidc_provider):
    party = PersonFactory(national_number=RRN, given_name="An", family_name="Peeters")
    parties = Party.objects.count()
    response = sign_in(client, oidc_provider, given_name="Anna", family_name="Peeters")
    assert response.status_code == 302
    assert response["Location"] == reverse("citizen-cases")
    session = client.session["midoffice_citizen"]
    assert session["party"] == party.pk
    assert session["acr"] == "urn:be:vlaanderen:authmech:eid"
    assert session["expires_at"] > timezone.now().timestamp()
    assert Party.objects.count() == parties
    party.refresh_from_db()
    assert party.given_name == "An"  # the record is not changed by signing in
    assert "_auth_user_id" not in client.session  # not a staff user
    assert oidc_provider.last_request["redirect_uri"] == "http://testserver/burger/callback/"


def test_an_unknown_citizen_gets_a_record_with_the_names_of_the_token(client, oidc_provider):
    sign_in(client, oidc_provider, given_name="Jan", family_name="Janssens")
    party = Party.objects.get(national_number=RRN)
    assert (party.given_name, party.family_name, party.kind) == ("Jan", "Janssens", "person")
    assert client.session["midoffice_citizen"]["party"] == party.pk


def test_a_too_weak_authentication_is_refused_and_nothing_made(client, oidc_provider):
    page = refused(sign_in(client, oidc_provider, acr=CSAM_PASSWORD, given_name="Jan", family_name="J"), client)
    assert "niet veilig genoeg" in page  # Dutch unless the browser asks otherwise
    assert not Party.objects.exists()


def test_a_tampered_state_is_refused_and_nothing_made(client, oidc_provider):
    query = oidc_provider.authorize(start(client), sub="s", rrn=RRN, given_name="Jan", family_name="J")
    page = refused(client.get("/burger/callback/", {**query, "state": "forged"}), client)
    assert "afgebroken of is verlopen" in page
    assert oidc_provider.token_requests == []
    assert not Party.objects.exists()


def test_a_replayed_callback_is_refused(client, oidc_provider):
    query = oidc_provider.authorize(start(client), sub="s", rrn=RRN, given_name="Jan", family_name="J")
    assert client.get("/burger/callback/", query).status_code == 302
    client.post("/burger/afmelden/")
    refused(client.get("/burger/callback/", query), client)


def test_a_replayed_nonce_is_refused_and_nothing_made(client, oidc_provider):
    old_nonce = parse_qs(urlsplit(start(client)).query)["nonce"][0]
    page = refused(sign_in(client, oidc_provider, nonce=old_nonce, given_name="Jan", family_name="J"), client)
    assert "niet worden gecontroleerd" in page
    assert not Party.objects.exists()


def test_a_token_without_insz_or_with_a_malformed_one_is_refused(client, oidc_provider):
    refused(sign_in(client, oidc_provider, rrn="", given_name="Jan", family_name="J"), client)
    refused(sign_in(client, oidc_provider, rrn="85073003329", given_name="Jan", family_name="J"), client)
    assert not Party.objects.exists()


def test_the_refusal_is_in_the_citizens_language(client, oidc_provider):
    query = oidc_provider.authorize(start(client), sub="s", rrn=RRN, acr=CSAM_PASSWORD)
    page = client.get("/burger/callback/", query, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "pas assez sûr" in page


def test_my_cases_are_mine_only_newest_first_with_the_public_fields(
    client, oidc_provider, django_assert_max_num_queries
):
    me = PersonFactory(national_number=RRN)
    now = timezone.now()
    older = open_case(party=me, registered_at=now - timedelta(days=3))
    newer = open_case(party=me, registered_at=now - timedelta(days=1))
    open_case(party=PersonFactory())
    sign_in(client, oidc_provider)
    with django_assert_max_num_queries(6):
        response = client.get(MY_CASES)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [case["reference"] for case in body["results"]] == [newer.reference, older.reference]
    assert all(set(case) == PUBLIC_KEYS for case in body["results"])
    assert client.get(MY_CASES, {"page_size": 1}).json()["results"][0]["reference"] == newer.reference


def test_my_cases_page_lists_them(client, oidc_provider):
    me = PersonFactory(national_number=RRN)
    case = open_case(party=me)
    sign_in(client, oidc_provider)
    assert case.reference in client.get(reverse("citizen-cases")).content.decode()


def test_my_cases_need_a_citizens_session(api, client, oidc_provider, kcc_client):
    assert api.get(MY_CASES).status_code == 401
    assert kcc_client.get(MY_CASES).status_code in (401, 403)
    sign_in(client, oidc_provider)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert client.get(MY_CASES).status_code == 401


def test_signing_out_ends_the_session_and_goes_to_the_providers_end_session(client, oidc_provider):
    sign_in(client, oidc_provider)
    response = client.post("/burger/afmelden/")
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{oidc_provider.issuer}/v1/logout"
    params = parse_qs(url.query)
    assert params["client_id"] == [CLIENT_ID]
    assert params["post_logout_redirect_uri"] == ["http://testserver/status/"]
    assert params["state"][0]
    assert "midoffice_citizen" not in client.session
    assert client.get(MY_CASES).status_code == 401


def test_the_status_page_offers_the_sign_in_only_when_configured(client, settings):
    assert "/burger/aanmelden/" not in client.get("/status/").content.decode()
    settings.MIDOFFICE_OIDC_ISSUER, settings.OIDC_RP_CLIENT_ID = "https://op.example/op", "client"
    page = client.get("/status/").content.decode()
    assert 'href="/burger/aanmelden/">Aanmelden met ACM/IDM</a>' in page


def test_my_cases_conform_to_the_schema(schema, client, oidc_provider):  # noqa: F811
    open_case(party=PersonFactory(national_number=RRN))
    operation = schema["paths"][MY_CASES]["get"]
    assert {"401", "403"} <= set(operation["responses"])
    assert {"citizenSession": []} in operation["security"]
    assert_conforms(schema, MY_CASES, "get", APIClient().get(MY_CASES))
    sign_in(client, oidc_provider)
    assert_conforms(schema, MY_CASES, "get", client.get(MY_CASES))
