"""Open311 GeoReport v2, the public reads: discovery, services, service definitions, requests (JSON and XML)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import AnonRateThrottle

from cases.models import Case, RoutingRule
from cases.services import case_transition
from tests.factories import CaseTypeFactory, HandlerGroupFactory, case_in_state, open_case

from .open311_helpers import (
    DEFINITION,
    DISCOVERY,
    ENDPOINT,
    FORMATS,
    check_errors,
    check_request,
    check_service,
    parse,
)

BASE = "/open311/v2"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client(db):
    return Client()


@pytest.fixture
def services(group, melding):
    """melding (Openbaar Domein, keyword rules), a type of another kind without a default group, and the types
    Open311 must not show: not public, inactive, confidential."""
    RoutingRule.objects.create(case_type=melding, keyword="sluikstort", handler_group=group, order=1)
    RoutingRule.objects.create(case_type=melding, keyword="zwerfvuil", handler_group=group, order=2)
    RoutingRule.objects.create(case_type=melding, keyword="oud", handler_group=group, active=False)
    RoutingRule.objects.create(case_type=melding, postal_code="9000", handler_group=group)
    vraag = CaseTypeFactory(code="vraag", name="Algemene vraag", kind="question", default_group=None)
    CaseTypeFactory(code="intern", name="Intern", public=False)
    CaseTypeFactory(code="oud", name="Oud", active=False)
    CaseTypeFactory(code="klacht-personeel", name="Klacht personeel", confidential=True)
    return melding, vraag


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, kcc_group, fmt, settings):
    settings.MIDOFFICE_PUBLIC_BASE_URL = "https://meldingen.stad.example"
    data = parse(client.get(f"{BASE}/discovery.{fmt}"), fmt, "discovery")
    assert set(data) == DISCOVERY
    assert data["contact"] == f"{kcc_group.public_name}, {kcc_group.email}"
    [endpoint] = data["endpoints"]
    assert set(endpoint) == ENDPOINT
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "https://meldingen.stad.example/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_lists_the_public_active_case_types(client, services, fmt, django_assert_max_num_queries):
    melding = services[0]
    with django_assert_max_num_queries(2):
        response = client.get(f"{BASE}/services.{fmt}")
    listed = parse(response, fmt, "services")
    for service in listed:
        check_service(service, fmt)
    assert [s["service_code"] for s in listed] == ["vraag", "melding"]  # by name
    by_code = {s["service_code"]: s for s in listed}
    assert by_code["melding"]["service_name"] == "Melding openbaar domein"
    assert by_code["melding"]["keywords"] == "sluikstort, zwerfvuil"
    assert by_code["melding"]["group"] == melding.default_group.public_name
    assert by_code["melding"]["metadata"] in (False, "false")
    assert by_code["melding"]["type"] == "realtime"
    # No default group: the kind says what it is.
    assert by_code["vraag"]["group"] == "Question"
    assert by_code["vraag"]["keywords"] in ("", None)  # XML has no empty string


def test_service_names_follow_the_language(client, services):
    melding, _ = services
    melding.name_en = "Public space report"
    melding.save()
    listed = client.get(f"{BASE}/services.json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert {s["service_name"] for s in listed} >= {"Public space report"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_has_no_attributes(client, services, fmt):
    data = parse(client.get(f"{BASE}/services/melding.{fmt}"), fmt, "service_definition")
    assert set(data) == DEFINITION
    assert data == {"service_code": "melding", "attributes": []}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["onbekend", "intern", "oud", "klacht-personeel"])
def test_service_definition_of_what_is_not_offered_is_404(client, services, fmt, code):
    [description] = check_errors(client.get(f"{BASE}/services/{code}.{fmt}"), fmt, 404)
    assert description == f"No service with the code {code}."


@pytest.mark.parametrize(
    "path", ["discovery.html", "services.csv", "services/melding.yaml", "requests.txt", "requests/1.pdf"]
)
def test_an_unknown_format_is_404(client, services, path):
    [description] = check_errors(client.get(f"{BASE}/{path}"), "json", 404)
    assert description == "Unknown format: use .json or .xml."


# --- requests ----------------------------------------------------------------------------------------------------


@pytest.fixture
def reports(services):
    """An open report with a location and a public note, a resolved one, one of a confidential and one of a hidden
    type (never shown)."""
    melding, vraag = services
    located = open_case(
        case_type=melding,
        description="Losliggende stoeptegel, mevrouw Peeters struikelde",
        location="Kerkstraat 1, 9000 Gent",
        postal_code="9000",
        latitude=Decimal("51.054300"),
        longitude=Decimal("3.717400"),
    )
    resolved = open_case(case_type=vraag, description="Wanneer is het containerpark open?")
    case_transition(actor=None, case=resolved, transition="resolve", public_message="Van 9 tot 17 uur.")
    open_case(case_type=CaseTypeFactory(code="klacht-personeel-2", confidential=True))
    open_case(case_type=CaseTypeFactory(code="intern-2", public=False))
    return located, Case.objects.get(pk=resolved.pk)


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_shows_public_fields_only(client, reports, fmt):
    located, resolved = reports
    listed = parse(client.get(f"{BASE}/requests.{fmt}"), fmt, "service_requests")
    for request in listed:
        check_request(request, fmt)
    # Newest first; the confidential and the non-public types' cases are not there.
    assert [r["service_request_id"] for r in listed] == [resolved.reference, located.reference]
    second, first = listed
    assert first["status"] == "open"
    assert first["service_code"] == "melding"
    assert first["service_name"] == "Melding openbaar domein"
    assert first["agency_responsible"] == located.handler_group.public_name
    assert first["address"] == "Kerkstraat 1, 9000 Gent"
    assert first["zipcode"] == "9000"
    assert float(first["lat"]) == pytest.approx(51.0543)
    assert float(first["long"]) == pytest.approx(3.7174)
    # The description may name people: never published.
    assert first["description"] is None
    assert first["status_notes"] is None
    assert second["status"] == "closed"
    assert second["status_notes"] == "Van 9 tot 17 uur."
    assert second["address"] is None and second["lat"] is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_personal_data_in_requests(client, reports, fmt):
    located, _ = reports
    body = client.get(f"{BASE}/requests.{fmt}").content.decode()
    party = located.party
    for personal in (party.given_name, party.family_name, "Peeters", located.tracking_code):
        assert personal not in body


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request(client, reports, fmt):
    located, _ = reports
    listed = parse(client.get(f"{BASE}/requests/{located.reference}.{fmt}"), fmt, "service_requests")
    assert len(listed) == 1
    check_request(listed[0], fmt)
    assert listed[0]["service_request_id"] == located.reference
    assert listed[0]["expected_datetime"] == timezone.localtime(located.due_at).isoformat(timespec="seconds")
    assert listed[0]["requested_datetime"] == timezone.localtime(located.registered_at).isoformat(timespec="seconds")


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_not_public_is_404(client, reports, fmt):
    hidden = Case.objects.get(case_type__code="klacht-personeel-2")
    for reference in (hidden.reference, "999999", "x" * 40):
        [description] = check_errors(client.get(f"{BASE}/requests/{reference}.{fmt}"), fmt, 404)
        assert description.startswith("No service request with the id")


def test_status_notes_are_the_last_public_message(client, reports, handler):
    located, _ = reports
    case_transition(actor=handler, case=located, transition="accept")
    case_transition(actor=handler, case=located, transition="suspend", reason="intern: foto nodig")
    [request] = client.get(f"{BASE}/requests/{located.reference}.json").json()
    assert request["status"] == "open"
    assert request["status_notes"] is None  # the reason is internal
    case_transition(actor=handler, case=located, transition="resume")
    case_transition(actor=handler, case=located, transition="resolve", public_message="Tegel ligt terug.")
    [request] = client.get(f"{BASE}/requests/{located.reference}.json").json()
    assert (request["status"], request["status_notes"]) == ("closed", "Tegel ligt terug.")


@pytest.mark.parametrize("state", ["resolved", "closed", "rejected", "cancelled"])
def test_final_and_resolved_states_are_closed(client, services, state):
    case = case_in_state(state, case_type=services[0])
    [request] = client.get(f"{BASE}/requests/{case.reference}.json").json()
    assert request["status"] == "closed"


@pytest.mark.parametrize("state", ["new", "accepted", "in_progress", "waiting"])
def test_running_and_waiting_states_are_open(client, services, state):
    case = case_in_state(state, case_type=services[0])
    [request] = client.get(f"{BASE}/requests/{case.reference}.json").json()
    assert request["status"] == "open"


def test_search_filters(client, reports):
    located, resolved = reports

    def ids(**query):
        response = client.get(f"{BASE}/requests.json", query)
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in response.json()]

    assert ids(status="open") == [located.reference]
    assert ids(status="closed") == [resolved.reference]
    assert ids(status="open,closed") == [resolved.reference, located.reference]
    assert ids(service_code="melding") == [located.reference]
    assert ids(service_code="melding,vraag") == [resolved.reference, located.reference]
    # The ids override the other criteria.
    assert ids(service_request_id=f"{located.reference}, 424242", status="closed") == [located.reference]
    now = timezone.now()
    assert ids(start_date=(now + timedelta(hours=1)).isoformat()) == []
    assert ids(end_date=(now - timedelta(hours=1)).isoformat()) == []
    assert ids(start_date=timezone.localdate().isoformat(), end_date=timezone.localdate().isoformat()) == [
        resolved.reference,
        located.reference,
    ]


def test_the_default_window_is_the_last_90_days(client, services):
    melding = services[0]
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=91)):
        old = open_case(case_type=melding)
    recent = open_case(case_type=melding, registered_at=now - timedelta(days=89))
    listed = client.get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in listed] == [recent.reference]
    start = (now - timedelta(days=100)).isoformat()
    listed = client.get(f"{BASE}/requests.json", {"start_date": start}).json()
    assert [r["service_request_id"] for r in listed] == [recent.reference, old.reference]
    # Asked for by id, an older request is found too.
    listed = client.get(f"{BASE}/requests.json", {"service_request_id": old.reference}).json()
    assert [r["service_request_id"] for r in listed] == [old.reference]


def test_at_most_1000_requests_in_a_fixed_number_of_queries(client, services, django_assert_max_num_queries):
    melding = services[0]
    first = open_case(case_type=melding)
    group = HandlerGroupFactory()
    now = timezone.now()
    # Copies of one opened case: 1,001 rows without 1,001 trips through the service.
    Case.objects.bulk_create(
        [
            Case(
                reference=f"c{n}",
                tracking_code=f"t{n}",
                case_type=melding,
                channel="phone",
                handler_group=group if n % 2 else first.handler_group,
                description="Zwerfvuil",
                registered_at=now - timedelta(minutes=n + 1),
                due_at=first.due_at,
                warn_at=first.warn_at,
            )
            for n in range(1000)
        ]
    )
    with django_assert_max_num_queries(1):
        response = client.get(f"{BASE}/requests.json")
    listed = response.json()
    assert len(listed) == 1000
    assert listed[0]["service_request_id"] == first.reference
    assert listed[-1]["service_request_id"] == "c998"
    with django_assert_max_num_queries(1):
        parse(client.get(f"{BASE}/requests.xml"), "xml", "service_requests")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"status": "pending"}, "status: The status is open or closed."),
        ({"start_date": "gisteren"}, "start_date: Not a date and time: use the W3C format, e.g. 2025-01-31T00:00:00Z."),
        ({"end_date": "2025-02-30T00:00:00Z"}, "end_date: Not a date and time: use the W3C format"),
        ({"start_date": "2025-03-01", "end_date": "2025-02-01"}, "end_date: The end date lies before the start date."),
        ({"start_date": "2025-01-01", "end_date": "2025-06-01"}, "end_date: A search may span at most 90 days."),
        ({"start_date": "9999-12-31T00:00:00"}, "start_date: This date is out of range."),
        ({"service_request_id": "1," * 1001}, "service_request_id: Too many values, or a value too long."),
        ({"service_code": "x" * 51}, "service_code: Too many values, or a value too long."),
    ],
)
def test_bad_searches_are_400(client, services, fmt, query, message):
    [description] = check_errors(client.get(f"{BASE}/requests.{fmt}", query), fmt, 400)
    assert description.startswith(message)


@pytest.mark.parametrize("fmt", FORMATS)
def test_reads_are_throttled(client, services, fmt, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    for _ in range(2):
        assert client.get(f"{BASE}/services.{fmt}").status_code == 200
    response = client.get(f"{BASE}/services.{fmt}")
    check_errors(response, fmt, 429)
    assert int(response["Retry-After"]) > 0


def test_a_wrong_method_is_405_in_the_format(client, services):
    response = client.delete(f"{BASE}/services.xml")
    check_errors(response, "xml", 405)
    assert "GET" in response["Allow"]


def test_errors_speak_dutch_when_asked(client, services):
    response = client.get(f"{BASE}/services/onbekend.xml", HTTP_ACCEPT_LANGUAGE="nl-BE")
    assert check_errors(response, "xml", 404) == ["Er is geen dienst met de code onbekend."]


def test_xml_stays_well_formed_with_markup_and_control_characters(client, services):
    case = open_case(case_type=services[0], location="<b>Kerk & Markt</b>\x01")
    [request] = parse(client.get(f"{BASE}/requests/{case.reference}.xml"), "xml", "service_requests")
    assert request["address"] == "<b>Kerk & Markt</b>"
