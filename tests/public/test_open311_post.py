"""Open311 GeoReport v2, POST requests: a service client's key, a public case type, a contact and a case through
the intake; every refusal a 4xx in the specification's form with nothing written."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client

from cases.models import Case
from contacts.models import Contact, Party
from public.models import ServiceClient
from public.services import service_client_create, service_client_revoke
from tests.factories import CaseTypeFactory

from .open311_helpers import CREATED, FORMATS, check_errors, parse

URL = "/open311/v2/requests.{fmt}"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client(db):
    return Client()


def make_key(*, scopes=("intake",), channels=("website",), sources=("integration",), name="Meldingen-app") -> str:
    _client, key = service_client_create(
        actor=None, name=name, scopes=list(scopes), channels=list(channels), sources=list(sources)
    )
    return key


@pytest.fixture
def api_key(db):
    return make_key()


@pytest.fixture
def located(group):
    """A report type that needs a location."""
    return CaseTypeFactory(code="sluikstort", name="Sluikstort", default_group=group, location_required=True)


def nothing_written():
    return not Case.objects.exists() and not Contact.objects.exists() and not Party.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_creates_a_contact_and_a_routed_case(client, api_key, located, fmt):
    response = client.post(
        URL.format(fmt=fmt),
        {
            "api_key": api_key,
            "service_code": "sluikstort",
            "lat": "51.0543219",
            "long": "3.7174",
            "address_string": "Kerkstraat 1, 9000 Gent",
            "email": "an.peeters@example.org",
            "first_name": "An",
            "last_name": "Peeters",
            "phone": "0470 12 34 56",
            "description": "Zakken afval naast de glasbol",
            "media_url": "https://foto.example/1.jpg",
            "attribute[kleur]": "blauw",
            "device_id": "abc",
            "jurisdiction_id": "gent.be",
        },
    )
    assert response.status_code == 201, response.content
    [created] = parse(response, fmt, "service_requests")
    assert set(created) == CREATED
    case = Case.objects.get()
    assert created["service_request_id"] == case.reference
    assert created["service_notice"].startswith(f"Registered as {case.reference}; expected to be handled by ")
    assert created["account_id"] is None
    assert case.case_type == located
    assert case.channel == "website"
    assert case.handler_group == located.default_group
    assert case.description == "Zakken afval naast de glasbol\n\nhttps://foto.example/1.jpg"
    assert (case.location, case.postal_code) == ("Kerkstraat 1, 9000 Gent", "9000")
    assert (case.latitude, case.longitude) == (Decimal("51.054322"), Decimal("3.717400"))
    contact = case.contacts.get()
    assert contact.source == "integration"
    assert (case.party.given_name, case.party.family_name) == ("An", "Peeters")
    assert set(case.party.contact_points.values_list("kind", "value")) == {
        ("email", "an.peeters@example.org"),
        ("phone", "+32470123456"),
    }


def test_post_without_personal_data_is_anonymous_and_needs_no_location_when_the_type_does_not(client, api_key, melding):
    response = client.post(
        URL.format(fmt="json"), {"api_key": api_key, "service_code": "melding", "description": "Put"}
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.party is None and case.location == "" and case.latitude is None


def test_the_same_citizen_is_found_again(client, api_key, melding):
    data = {"api_key": api_key, "service_code": "melding", "email": "an@example.org", "description": "Put"}
    assert client.post(URL.format(fmt="json"), data).status_code == 201
    assert client.post(URL.format(fmt="json"), data).status_code == 201
    assert Party.objects.count() == 1 and Case.objects.count() == 2


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"service_code": "onbekend"}, "service_code: There is no case type onbekend for the public."),
        ({"service_code": "intern"}, "service_code: There is no case type intern for the public."),
        ({"service_code": ""}, "service_code: This field may not be blank."),
        ({"description": ""}, "description: Describe the question or report."),
        ({"description": "x" * 4001}, "description: Ensure this field has no more than 4000 characters."),
        ({"lat": "51.05"}, "long: Give lat and long together."),
        ({"lat": "91", "long": "3"}, "lat: Ensure this value is less than or equal to 90."),
        ({"lat": "noord", "long": "3"}, "lat: A valid number is required."),
        ({"email": "geen-adres"}, "email: "),
        ({"phone": "bel me"}, "phone: "),
        ({"first_name": "\u200b"}, "first_name: "),
        ({"media_url": "javascript:alert(1)"}, "media_url: Enter a valid URL."),
        ({"address_string": "x" * 301}, "address_string: Ensure this field has no more than 300 characters."),
    ],
)
def test_bad_input_is_400_and_writes_nothing(client, api_key, melding, fmt, data, message):
    CaseTypeFactory(code="intern", public=False)
    body = {"api_key": api_key, "service_code": "melding", "description": "Put", **data}
    descriptions = check_errors(client.post(URL.format(fmt=fmt), body), fmt, 400)
    assert any(d.startswith(message) for d in descriptions), descriptions
    assert nothing_written()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_location_is_required_when_the_type_requires_one(client, api_key, located, fmt):
    body = {"api_key": api_key, "service_code": "sluikstort", "description": "Afval"}
    [description] = check_errors(client.post(URL.format(fmt=fmt), body), fmt, 400)
    assert description == "address_string: Say where: an address, or latitude and longitude."
    assert nothing_written()
    assert client.post(URL.format(fmt=fmt), {**body, "address_string": "Markt 1"}).status_code == 201


@pytest.mark.parametrize("fmt", FORMATS)
def test_without_api_key_400(client, melding, fmt):
    body = {"service_code": "melding", "description": "Put"}
    assert check_errors(client.post(URL.format(fmt=fmt), body), fmt, 400) == [
        "api_key: An api_key is required to submit a request."
    ]
    assert nothing_written()


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_keys_403(client, melding, fmt):
    revoked_key = make_key(name="Oud")
    service_client_revoke(actor=None, client=ServiceClient.objects.get(name="Oud"))
    keys = {
        "wrong": ("niet-geldig", "This api_key is not valid."),
        # PostgreSQL refuses a NUL in the prefix look-up (it was a 500).
        "NUL": ("ab\x00cdefgh", "This api_key is not valid."),
        "revoked": (revoked_key, "This api_key is not valid."),
        "no intake": (make_key(scopes=["status"], name="Status"), "This api_key may not submit requests."),
    }
    for key, message in keys.values():
        body = {"api_key": key, "service_code": "melding", "description": "Put"}
        assert check_errors(client.post(URL.format(fmt=fmt), body), fmt, 403) == [message]
    assert nothing_written()


def test_a_json_body_is_400(client, api_key, melding):
    response = client.post(
        URL.format(fmt="json"),
        {"api_key": api_key, "service_code": "melding", "description": "Put"},
        content_type="application/json",
    )
    check_errors(response, "json", 400)
    assert nothing_written()
