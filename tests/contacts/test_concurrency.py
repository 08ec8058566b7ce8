"""Two clerks (or integrations) creating the same person at the same moment end with one party.

Each request runs in its own thread with its own database connection, as under gunicorn.
"""

import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from contacts import api
from contacts.models import Contact, ContactPoint, Party, PartyMerge, Representative
from contacts.services import identity, parties
from contacts.services import merge as merge_service
from tests.factories import ContactFactory, PersonFactory, RepresentativeFactory, UserFactory

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
    original = identity.party_write_new

    def slow_create(**kwargs):
        # Widen the window between "not found" and "created" so the requests surely overlap.
        time.sleep(0.3)
        return original(**kwargs)

    monkeypatch.setattr(identity, "party_write_new", slow_create)
    payloads = [{"channel": "phone", "subject": f"Vraag {i}", "party_data": party_data} for i in range(3)]

    responses = run_concurrently(user, "post", "/api/v1/contacts/", payloads)

    assert [r.status_code for r in responses] == [201, 201, 201], [r.json() for r in responses]
    party = Party.objects.get()
    assert Contact.objects.filter(party=party).count() == 3
    assert sorted(r.json()["matched_on"] for r in responses)[0] == "created"
    assert sum(r.json()["matched_on"] == "created" for r in responses) == 1


def call(user, method: str, path: str, payload: dict | None = None):
    """One request with its own database connection, as a gunicorn worker thread makes it."""
    client = APIClient()
    client.force_authenticate(user)
    try:
        return getattr(client, method)(path, payload, format="json")
    finally:
        connections.close_all()


def in_thread(target) -> tuple[threading.Thread, dict]:
    result: dict = {}
    thread = threading.Thread(target=lambda: result.setdefault("response", target()))
    thread.start()
    return thread, result


def test_a_change_racing_the_removal_of_a_representative_is_404(monkeypatch):
    """The PATCH read the representative, then the DELETE removed it: the change answers 404, not 500."""
    user = UserFactory(role="kcc")
    representative = RepresentativeFactory()
    read, removed = threading.Event(), threading.Event()
    original = api.PartyRepresentativeDetailApi._get

    def read_then_wait(view, pk, rep_pk):
        found = original(view, pk, rep_pk)
        if view.request.method == "PATCH":
            read.set()
            removed.wait(timeout=10)
        return found

    monkeypatch.setattr(api.PartyRepresentativeDetailApi, "_get", read_then_wait)
    path = f"/api/v1/parties/{representative.organisation_id}/representatives/{representative.pk}/"

    thread, patched = in_thread(lambda: call(user, "patch", path, {"role": "secretaris"}))
    assert read.wait(timeout=10)
    assert call(user, "delete", path).status_code == 204
    removed.set()
    thread.join(timeout=30)

    assert patched["response"].status_code == 404, patched["response"].content
    assert patched["response"].json()["code"] == "not_found"
    assert not Representative.objects.exists()


def test_two_merges_of_the_same_pair_in_opposite_directions():
    user = UserFactory(role="kcc")
    first, second = PersonFactory(national_number=None), PersonFactory(national_number=None)
    ContactFactory(party=first)
    start = threading.Barrier(2)

    def merge(survivor, duplicate):
        start.wait(timeout=10)
        return call(user, "post", f"/api/v1/parties/{survivor.pk}/merge/", {"duplicate": duplicate.pk})

    threads = [in_thread(lambda s=s, d=d: merge(s, d)) for s, d in ((first, second), (second, first))]
    for thread, _result in threads:
        thread.join(timeout=30)

    responses = [result["response"] for _thread, result in threads]
    assert sorted(r.status_code for r in responses) == [200, 409], [r.content for r in responses]
    assert next(r for r in responses if r.status_code == 409).json()["reason"] == "tombstone"
    assert PartyMerge.objects.count() == 1
    assert Party.objects.filter(merged_into__isnull=True).count() == 1
    assert Contact.objects.get().party.merged_into_id is None


@pytest.fixture
def merge_paused(monkeypatch):
    """While a merge has locked its parties and moved the contacts: ``paused`` is set, it goes on at ``go``."""
    paused, go = threading.Event(), threading.Event()
    original = merge_service._move_representatives

    def pause_then_move(survivor, duplicate):
        paused.set()
        go.wait(timeout=10)
        return original(survivor, duplicate)

    monkeypatch.setattr(merge_service, "_move_representatives", pause_then_move)
    return paused, go


def test_a_merge_of_a_tombstone_of_the_duplicate_meanwhile_is_refused_without_a_deadlock(merge_paused):
    """A←B moves B's earlier tombstone T; A←T at the same moment, T having the lowest id, used to lock T and
    wait for A while A←B waited for T: a deadlock (500). Now A←T is refused at T."""
    paused, go = merge_paused
    user = UserFactory(role="kcc")
    earlier = PersonFactory(national_number=None, birth_date=None)
    survivor, duplicate = PersonFactory(national_number=None), PersonFactory()
    Party.objects.filter(pk=earlier.pk).update(merged_into=duplicate, merged_at=timezone.now())

    first, merged = in_thread(
        lambda: call(user, "post", f"/api/v1/parties/{survivor.pk}/merge/", {"duplicate": duplicate.pk})
    )
    assert paused.wait(timeout=10)
    second, refused = in_thread(
        lambda: call(user, "post", f"/api/v1/parties/{survivor.pk}/merge/", {"duplicate": earlier.pk})
    )
    time.sleep(0.5)  # long enough for the second merge to wait on a lock, if it takes one
    go.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert merged["response"].status_code == 200, merged["response"].content
    assert refused["response"].status_code == 409, refused["response"].content
    assert refused["response"].json()["reason"] == "tombstone"
    assert Party.objects.get(pk=earlier.pk).merged_into_id == survivor.pk


def test_a_contact_point_added_while_its_party_is_merged_away_is_refused(merge_paused):
    """The merge moves the duplicate's contact points; one added meanwhile would stay behind on the tombstone."""
    paused, go = merge_paused
    user = UserFactory(role="kcc")
    survivor, duplicate = PersonFactory(national_number=None), PersonFactory()

    merging, merged = in_thread(
        lambda: call(user, "post", f"/api/v1/parties/{survivor.pk}/merge/", {"duplicate": duplicate.pk})
    )
    assert paused.wait(timeout=10)
    adding, added = in_thread(
        lambda: call(
            user, "post", f"/api/v1/parties/{duplicate.pk}/contact-points/", {"kind": "email", "value": "a@b.be"}
        )
    )
    time.sleep(0.5)  # the addition waits for the merge
    go.set()
    merging.join(timeout=30)
    adding.join(timeout=30)

    assert merged["response"].status_code == 200
    assert added["response"].status_code == 409, added["response"].content
    assert added["response"].json()["code"] == "party_merged"
    assert not ContactPoint.objects.filter(party=duplicate).exists()
