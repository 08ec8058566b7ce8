"""Two clerks (or integrations) creating the same person at the same moment end with one party.

Each request runs in its own thread with its own database connection, as under gunicorn.
"""

import threading
import time

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from contacts.models import Contact, Party
from contacts.services import identity, parties
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks and advisory locks"),
    pytest.mark.django_db(transaction=True),
]


def run_concurrently(user, method: str, path: str, payloads: list[dict]) -> list:
    responses: list = [None] * len(payloads)
    start = threading.Barrier(len(payloads))

    def call(index, payload):
        client = APIClient()
        client.force_authenticate(user)
        try:
            start.wait(timeout=10)
            responses[index] = getattr(client, method)(path, payload, format="json")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=(i, p)) for i, p in enumerate(payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


def test_two_creates_of_the_same_national_number_give_one_party_and_a_conflict(monkeypatch):
    user = UserFactory(role="kcc")
    # Both requests pass the "is this INSZ free?" check before either inserts: a guaranteed race.
    checked = threading.Barrier(2)
    original = parties.check_identifiers_free
    waited = threading.local()

    def check_then_wait(values, **kwargs):
        original(values, **kwargs)
        if not getattr(waited, "done", False):
            waited.done = True
            checked.wait(timeout=10)

    monkeypatch.setattr(parties, "check_identifiers_free", check_then_wait)
    payload = {"given_name": "Jan", "family_name": "Peeters", "national_number": "85073003328"}

    responses = run_concurrently(user, "post", "/api/v1/parties/", [payload, payload])

    assert sorted(r.status_code for r in responses) == [201, 409]
    party = Party.objects.get()
    conflict = next(r for r in responses if r.status_code == 409).json()
    assert conflict["existing_party"] == party.pk


@pytest.mark.parametrize(
    "party_data",
    [
        {"given_name": "Jan", "family_name": "Peeters", "national_number": "85073003328"},
        {"given_name": "Noor", "family_name": "Jacobs", "email": "noor.jacobs@example.be"},
        {"phone": "0470 12 34 56"},
    ],
)
def test_concurrent_contacts_for_the_same_new_person_resolve_to_one_party(monkeypatch, party_data):
    user = UserFactory(role="front_desk")
    original = identity.party_create

    def slow_create(**kwargs):
        # Widen the window between "not found" and "created" so the requests surely overlap.
        time.sleep(0.3)
        return original(**kwargs)

    monkeypatch.setattr(identity, "party_create", slow_create)
    payloads = [{"channel": "phone", "subject": f"Vraag {i}", "party_data": party_data} for i in range(3)]

    responses = run_concurrently(user, "post", "/api/v1/contacts/", payloads)

    assert [r.status_code for r in responses] == [201, 201, 201], [r.json() for r in responses]
    party = Party.objects.get()
    assert Contact.objects.filter(party=party).count() == 3
    assert sorted(r.json()["matched_on"] for r in responses)[0] == "created"
    assert sum(r.json()["matched_on"] == "created" for r in responses) == 1
