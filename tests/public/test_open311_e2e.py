"""Open311 end to end over HTTP: the georeport client from PyPI reads a live server; a request is posted
form-encoded as an app would, fetched back, resolved by a handler and seen closed."""

import json
import urllib.parse
import urllib.request

import pytest
from django.core.cache import cache
from georeport import GeoReport

from cases.models import Case
from cases.services import case_transition
from public.services import service_client_create
from tests.factories import CaseTypeFactory


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def post_request(root: str, fields: dict) -> list[dict]:
    """The app's side of POST requests.json: a form-encoded body."""
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(
        f"{root}/requests.json", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.load(response)


def as_list(requests) -> list[dict]:
    """georeport reads XML with xmltodict, which gives a single request as a dict rather than a list of one."""
    return requests if isinstance(requests, list) else [requests]


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_an_app_lists_posts_fetches_and_sees_it_closed(live_server, group, melding, handler, output_format):
    CaseTypeFactory(code="vraag", name="Algemene vraag", default_group=group)
    _client, key = service_client_create(
        actor=None, name="Meldingen-app", scopes=["intake"], channels=["website"], sources=["integration"]
    )
    root = f"{live_server.url}/open311/v2"
    app = GeoReport(root, output_format=output_format)

    services = app.get_service_list()
    assert [s["service_code"] for s in services] == ["vraag", "melding"]
    assert app.get_service_definition("melding")["service_code"] == "melding"

    [created] = post_request(
        root,
        {
            "api_key": key,
            "service_code": "melding",
            "address_string": "Kerkstraat 1, 9000 Gent",
            "lat": "51.0543",
            "long": "3.7174",
            "email": "an@example.org",
            "description": "Losliggende stoeptegel",
        },
    )
    reference = created["service_request_id"]

    fetched = app.get_service_request(reference)
    assert (fetched["service_request_id"], fetched["status"], fetched["service_code"]) == (reference, "open", "melding")
    assert fetched["zipcode"] == "9000"
    assert [r["service_request_id"] for r in as_list(app.get_service_requests(service_request_id=reference))] == [
        reference
    ]

    case = Case.objects.get(reference=reference)
    case_transition(actor=handler, case=case, transition="resolve", public_message="Tegel ligt terug.")
    fetched = app.get_service_request(reference)
    assert (fetched["status"], fetched["status_notes"]) == ("closed", "Tegel ligt terug.")
    assert [r["service_request_id"] for r in as_list(app.get_service_requests(status="closed"))] == [reference]
