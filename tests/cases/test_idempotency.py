"""Integrators retry writes safely with an Idempotency-Key."""

import pytest

from cases.models import Case
from contacts.models import Contact, Party
from midoffice.models import IdempotentRequest

pytestmark = pytest.mark.django_db

CONTACTS = "/api/v1/contacts/"


def body(melding, **extra):
    return {
        "channel": "phone",
        "subject": "Losliggende stoeptegel",
        "party_data": {"given_name": "Jan", "family_name": "Peeters", "email": "jan@example.be"},
        "case": {"case_type": melding.code, "description": "Stoeptegel los in de Veldstraat 12"},
        **extra,
    }


def test_a_retried_contact_with_a_case_is_written_once(kcc_client, melding):
    first = kcc_client.post(CONTACTS, body(melding), format="json", HTTP_IDEMPOTENCY_KEY="va-1234")
    retry = kcc_client.post(CONTACTS, body(melding), format="json", HTTP_IDEMPOTENCY_KEY="va-1234")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry.headers["Idempotent-Replayed"] == "true"
    assert (Contact.objects.count(), Case.objects.count(), Party.objects.count()) == (1, 1, 1)


def test_the_same_key_with_another_body_is_refused(kcc_client, melding):
    kcc_client.post(CONTACTS, body(melding), format="json", HTTP_IDEMPOTENCY_KEY="va-1")
    response = kcc_client.post(
        CONTACTS, body(melding, subject="Iets anders"), format="json", HTTP_IDEMPOTENCY_KEY="va-1"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert (Contact.objects.count(), Case.objects.count()) == (1, 1)


def test_without_a_key_every_post_writes(kcc_client, melding):
    kcc_client.post(CONTACTS, body(melding), format="json")
    kcc_client.post(CONTACTS, body(melding), format="json")
    assert Case.objects.count() == 2


def test_a_failed_request_stores_nothing_and_its_retry_runs(kcc_client, melding):
    bad = kcc_client.post(CONTACTS, body(melding, channel="fax"), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 400 and not IdempotentRequest.objects.exists()
    good = kcc_client.post(CONTACTS, body(melding), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 201 and Case.objects.count() == 1


def test_keys_are_per_user(make_client, melding):
    for client in (make_client("kcc"), make_client("kcc")):
        assert client.post(CONTACTS, body(melding), format="json", HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    assert Case.objects.count() == 2


def test_a_retried_case_is_opened_once(kcc_client, melding):
    payload = {"case_type": melding.code, "description": "Put in de weg", "channel": "phone"}
    responses = [
        kcc_client.post("/api/v1/cases/", payload, format="json", HTTP_IDEMPOTENCY_KEY="case-1") for _ in range(3)
    ]
    assert [r.status_code for r in responses] == [201, 201, 201]
    assert len({r.json()["reference"] for r in responses}) == 1 and Case.objects.count() == 1


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "tab\there"])
def test_a_malformed_key_is_refused(kcc_client, melding, key):
    response = kcc_client.post(CONTACTS, body(melding), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert not Contact.objects.exists()


def test_a_contact_whose_outcome_is_a_case_needs_the_case(kcc_client):
    response = kcc_client.post(
        CONTACTS,
        {"channel": "phone", "subject": "Vraag", "anonymous": True, "outcome": "case_created"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["outcome"] == ["A contact whose outcome is a new case must open one: add the case."]
    assert not Contact.objects.exists()
