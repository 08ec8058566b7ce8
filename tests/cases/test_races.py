"""Concurrent writes on PostgreSQL end in a clear answer for every caller, never a server error.

Each request runs in its own thread with its own connection, as under gunicorn; a barrier makes the requests
reach their lock at the same moment.
"""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent, EventKind
from cases.services import cases as case_services
from contacts.models import Contact
from tests.factories import CaseTypeFactory, HandlerGroupFactory, UserFactory, case_in_state

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def concurrently(requests: list) -> list:
    """Run each ``(user, method, url, body, headers)`` in its own thread at the same moment."""
    start = threading.Barrier(len(requests))
    responses = [None] * len(requests)

    def call(index, user, method, url, body, headers):
        client = APIClient()
        client.force_authenticate(user)
        try:
            start.wait(timeout=10)
            responses[index] = getattr(client, method)(url, body, format="json", **headers)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=(i, *r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return responses


def test_two_clerks_reassigning_one_case_at_once(monkeypatch):
    """The locking query used to join the handler group: the loser's row vanished when the winner changed
    the group, and the loser got a 500."""
    HandlerGroupFactory(name="KCC", is_kcc=True)
    clerks = [UserFactory(role="kcc"), UserFactory(role="kcc")]
    home, first, second = HandlerGroupFactory(), HandlerGroupFactory(), HandlerGroupFactory()
    case = case_in_state("in_progress", case_type=CaseTypeFactory(default_group=home))
    both_read = threading.Barrier(2)
    original_lock = case_services._lock

    def lock_after_both_read(case):
        both_read.wait(timeout=10)
        return original_lock(case)

    monkeypatch.setattr(case_services, "_lock", lock_after_both_read)
    url = f"/api/v1/cases/{case.reference}/reassign/"
    responses = concurrently(
        [
            (clerks[0], "post", url, {"handler_group": first.pk, "reason": "Hoort bij A"}, {}),
            (clerks[1], "post", url, {"handler_group": second.pk, "reason": "Hoort bij B"}, {}),
        ]
    )
    assert [r.status_code for r in responses] == [200, 200], [r.data for r in responses]
    case.refresh_from_db()
    events = CaseEvent.objects.filter(case=case, kind=EventKind.REASSIGNMENT).order_by("id")
    assert case.version == 3 and events.count() == 2
    assert case.handler_group_id == events.last().data["to_group"]


def test_a_transition_racing_a_reassignment(monkeypatch):
    HandlerGroupFactory(name="KCC", is_kcc=True)
    member, kcc = UserFactory(role="handler"), UserFactory(role="kcc")
    home, other = HandlerGroupFactory(members=[member]), HandlerGroupFactory()
    case = case_in_state("in_progress", case_type=CaseTypeFactory(default_group=home))
    responses = concurrently(
        [
            (kcc, "post", f"/api/v1/cases/{case.reference}/reassign/", {"handler_group": other.pk}, {}),
            (
                member,
                "post",
                f"/api/v1/cases/{case.reference}/transitions/",
                {"transition": "resolve", "public_message": "Hersteld."},
                {},
            ),
        ]
    )
    codes = sorted(r.status_code for r in responses)
    # The resolve came first (both succeed); or the member's request had read the case and then found it locked in
    # another group (403); or the reassignment was committed before the member's request looked the case up: it is
    # no longer theirs to see, which answers as a case they never had (404).
    assert codes in ([200, 200], [200, 403], [200, 404]), [r.data for r in responses]
    case.refresh_from_db()
    assert case.handler_group == other
    assert case.state == ("resolved" if codes == [200, 200] else "in_progress")


def test_concurrent_retries_with_one_idempotency_key_write_once():
    HandlerGroupFactory(name="KCC", is_kcc=True)
    case_type = CaseTypeFactory(default_group=HandlerGroupFactory())
    user = UserFactory(role="kcc")
    body = {
        "channel": "phone",
        "subject": "Put in de weg",
        "party_data": {"given_name": "An", "family_name": "Claes", "email": "an@example.be"},
        "case": {"case_type": case_type.code, "description": "Put in de Kerkstraat"},
    }
    responses = concurrently([(user, "post", "/api/v1/contacts/", body, {"HTTP_IDEMPOTENCY_KEY": "retry-1"})] * 4)
    assert [r.status_code for r in responses] == [201] * 4, [r.data for r in responses]
    assert len({r.data["id"] for r in responses}) == 1
    assert (Contact.objects.count(), Case.objects.count()) == (1, 1)
