import pytest
from django.utils import timezone

from cases.services import case_transition
from public.models import StatusLookup
from tests.factories import CaseTypeFactory, case_in_state, open_case

pytestmark = pytest.mark.django_db

KEYS = {"reference", "case_type", "state", "messages", "expected_date", "waiting_for_citizen"}


def url(case_or_reference, code):
    reference = getattr(case_or_reference, "reference", case_or_reference)
    return f"/api/v1/public/cases/{reference}/?code={code}"


@pytest.fixture
def case(melding):
    return open_case(case_type=melding)


def test_a_citizen_reads_the_public_status(api_client, case, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api_client.get(url(case, case.tracking_code), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == KEYS
    assert data == {
        "reference": case.reference,
        "case_type": "Melding openbaar domein",
        "state": "New",
        "messages": [],
        "expected_date": data["expected_date"],
        "waiting_for_citizen": False,
    }
    assert data["expected_date"] == timezone.localtime(case.due_at).date().isoformat()
    lookup = StatusLookup.objects.get()
    assert (lookup.case, lookup.client, lookup.channel, lookup.source, lookup.found) == (
        case,
        None,
        "website",
        "web_form",
        True,
    )


def test_the_code_is_read_case_insensitively(api_client, case):
    assert api_client.get(url(case, case.tracking_code.lower())).status_code == 200


def test_waiting_for_the_citizen_with_the_public_message(api_client, group, handler):
    case = case_in_state(
        "in_progress", case_type=CaseTypeFactory(default_group=group, name="Melding", name_fr="Signalement")
    )
    case_transition(
        actor=handler, case=case, transition="suspend", reason="Foto nodig", public_message="Stuur een foto."
    )
    response = api_client.get(url(case, case.tracking_code), HTTP_ACCEPT_LANGUAGE="fr-BE,fr;q=0.9")
    data = response.json()
    assert response["Content-Language"] == "fr"
    assert data["case_type"] == "Signalement"
    assert data["waiting_for_citizen"] is True
    assert [m["text"] for m in data["messages"]] == ["Stuur een foto."]
    assert set(data["messages"][0]) == {"at", "text"}


def test_a_closed_case_expects_no_date(api_client, melding):
    case = case_in_state("closed", case_type=melding)
    assert api_client.get(url(case, case.tracking_code)).json()["expected_date"] is None


def test_a_wrong_code_and_a_missing_case_answer_alike(api_client, case):
    wrong = api_client.get(url(case, "WRONGCODE2"))
    missing = api_client.get(url("99999999", "WRONGCODE2"))
    assert wrong.status_code == missing.status_code == 404
    assert (
        wrong.json()
        == missing.json()
        == {"detail": "No case with this reference and tracking code.", "code": "not_found"}
    )
    assert list(StatusLookup.objects.values_list("case", "found")) == [(None, False), (None, False)]


def test_the_code_is_required(api_client, case):
    response = api_client.get(f"/api/v1/public/cases/{case.reference}/")
    assert response.status_code == 400 and "code" in response.json()
    assert not StatusLookup.objects.exists()


def test_a_service_client_with_the_status_scope(make_service_client, case):
    assistant = make_service_client(channels=["chat", "whatsapp"], sources=["virtual_assistant"])
    started = timezone.now() - timezone.timedelta(minutes=2)
    response = assistant.get(
        url(case, case.tracking_code) + f"&channel=whatsapp&started_at={started.isoformat().replace('+', '%2B')}"
    )
    assert response.status_code == 200
    lookup = StatusLookup.objects.get()
    assert (lookup.client, lookup.channel, lookup.source, lookup.started_at) == (
        assistant.client,
        "whatsapp",
        "virtual_assistant",
        started,
    )
    refused = assistant.get(url(case, case.tracking_code) + "&channel=website")
    assert refused.status_code == 400 and refused.json() == {
        "channel": ["This client may not report the channel website."]
    }


def test_a_service_client_without_the_scope_is_refused(make_service_client, case):
    intake_only = make_service_client(scopes=["intake"])
    assert intake_only.get(url(case, case.tracking_code)).status_code == 403
    assert not StatusLookup.objects.exists()


def test_citizens_are_throttled_per_address(api_client, case, settings, make_service_client):
    settings.PUBLIC_STATUS_ADDRESS_RATE = "3/minute"
    for _ in range(3):
        assert api_client.get(url(case, "WRONGCODE2")).status_code == 404
    throttled = api_client.get(url(case, case.tracking_code))
    assert throttled.status_code == 429 and "Retry-After" in throttled
    assert api_client.get(url(case, case.tracking_code), REMOTE_ADDR="10.1.2.3").status_code == 200
    # A service client speaks for many citizens from one address: counted per client instead.
    assert make_service_client().get(url(case, case.tracking_code)).status_code == 200


def test_service_clients_are_throttled_per_client(make_service_client, case, settings):
    settings.PUBLIC_STATUS_CLIENT_RATE = "1/minute"
    assistant = make_service_client()
    assert assistant.get(url(case, case.tracking_code)).status_code == 200
    assert assistant.get(url(case, case.tracking_code)).status_code == 429
    assert make_service_client().get(url(case, case.tracking_code)).status_code == 200
