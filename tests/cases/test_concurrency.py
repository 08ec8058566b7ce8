"""Two clerks acting on one case at the same moment: one wins, the other is told why (PostgreSQL row lock).

Each request runs in its own thread with its own database connection, as under gunicorn.
"""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import CaseEvent, EventKind
from cases.services import cases as case_services
from tests.factories import CaseTypeFactory, HandlerGroupFactory, UserFactory, case_in_state

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
    pytest.mark.django_db(transaction=True),
]


def race(monkeypatch, bodies: list[dict]):
    """Two group members post ``bodies`` to one in-progress case; both have read it before either locks it."""
    clerks = [UserFactory(role="handler"), UserFactory(role="handler")]
    HandlerGroupFactory(name="KCC", is_kcc=True)
    group = HandlerGroupFactory(members=clerks)
    case = case_in_state("in_progress", case_type=CaseTypeFactory(default_group=group))
    both_read = threading.Barrier(2)
    original_lock = case_services._lock

    def lock_after_both_read(case):
        both_read.wait(timeout=10)
        return original_lock(case)

    monkeypatch.setattr(case_services, "_lock", lock_after_both_read)
    url = reverse("v1:case-transitions", args=[case.reference])
    responses = [None, None]

    def call(index):
        client = APIClient()
        client.force_authenticate(clerks[index])
        try:
            responses[index] = client.post(url, bodies[index], format="json")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r.status_code for r in responses) == [200, 409], [r.data for r in responses]
    case.refresh_from_db()
    assert case.version == 2
    events = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION)
    assert events.count() == 1 and events.get().to_state == case.state
    return case, next(r for r in responses if r.status_code == 409)


def test_two_transitions_on_the_same_version_one_wins(monkeypatch):
    _case, loser = race(
        monkeypatch,
        [
            {"transition": "resolve", "public_message": "Hersteld.", "version": 1},
            {"transition": "suspend", "reason": "Wacht op foto's.", "version": 1},
        ],
    )
    assert loser.data["code"] == "stale_version"


def test_without_a_version_the_loser_gets_the_transitions_allowed_now(monkeypatch):
    case, loser = race(
        monkeypatch,
        [{"transition": "resolve", "public_message": "Hersteld."}, {"transition": "suspend", "reason": "Wacht."}],
    )
    assert loser.data["code"] == "illegal_transition" and loser.data["state"] == case.state
