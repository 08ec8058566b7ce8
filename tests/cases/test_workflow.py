"""The state machine: every transition from every state, its guards and what it records."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent, CaseState, EventKind
from cases.services import TRANSITIONS
from tests.factories import UserFactory, case_in_state

pytestmark = pytest.mark.django_db

# The workflow, written out independently of the model.
SOURCES = {
    "accept": {"new"},
    "reject": {"new", "accepted"},
    "start": {"new", "accepted"},
    "suspend": {"accepted", "in_progress"},
    "resume": {"waiting"},
    "resolve": {"new", "accepted", "in_progress"},
    "close": {"resolved"},
    "reopen": {"resolved", "closed"},
    "cancel": {"new", "accepted", "in_progress", "waiting", "resolved"},
    "return_to_kcc": {"new", "accepted", "in_progress"},
}
TARGETS = {
    "accept": "accepted",
    "reject": "rejected",
    "start": "in_progress",
    "suspend": "waiting",
    "resume": "in_progress",
    "resolve": "resolved",
    "close": "closed",
    "reopen": "in_progress",
    "cancel": "cancelled",
    "return_to_kcc": "new",
}
COMPLETE_BODY = {"reason": "Omdat het moet.", "public_message": "Bericht voor de burger."}


def transition_url(case):
    return reverse("v1:case-transitions", args=[case.reference])


def test_the_table_covers_every_transition_and_state():
    assert set(SOURCES) == set(TRANSITIONS) == set(TARGETS)
    assert {s for sources in SOURCES.values() for s in sources} | set(TARGETS.values()) <= set(CaseState.values)


@pytest.mark.parametrize("state", CaseState.values)
@pytest.mark.parametrize("transition", TRANSITIONS)
def test_every_transition_from_every_state(client_for, handler, melding, state, transition):
    case = case_in_state(state, case_type=melding)
    if state != CaseState.NEW:
        # accept is only possible while the admissibility decision is still open.
        assert case.admissibility_decided_at is not None
    events_before = CaseEvent.objects.filter(case=case).count()

    response = client_for(handler).post(transition_url(case), {"transition": transition, **COMPLETE_BODY})

    case.refresh_from_db()
    if state in SOURCES[transition]:
        assert response.status_code == 200, response.data
        assert response.data["state"] == case.state == TARGETS[transition]
        assert case.version == 2
        event = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).get()
        assert (event.transition, event.from_state, event.to_state, event.actor) == (
            transition,
            state,
            TARGETS[transition],
            handler,
        )
    else:
        assert response.status_code == 409, response.data
        assert response.data["code"] == "illegal_transition"
        expected = sorted(t for t, sources in SOURCES.items() if state in sources)
        assert sorted(response.data["allowed_transitions"]) == expected
        assert case.state == state
        assert case.version == 1
        assert CaseEvent.objects.filter(case=case).count() == events_before


def test_accept_is_only_offered_when_the_case_type_has_an_admissibility_step(client_for, handler, melding):
    melding.admissibility_step = False
    melding.save()
    case = case_in_state("new", case_type=melding)
    response = client_for(handler).post(transition_url(case), {"transition": "accept"})
    assert response.status_code == 409
    assert "accept" not in response.data["allowed_transitions"]
    assert "start" in response.data["allowed_transitions"]


@pytest.mark.parametrize(
    ("transition", "state", "missing", "field"),
    [
        ("reject", "new", "reason", "reason"),
        ("reject", "new", "public_message", "public_message"),
        ("suspend", "in_progress", "reason", "reason"),
        ("resolve", "in_progress", "public_message", "public_message"),
        ("reopen", "resolved", "reason", "reason"),
        ("cancel", "waiting", "reason", "reason"),
        ("return_to_kcc", "accepted", "reason", "reason"),
    ],
)
def test_required_fields(client_for, handler, melding, transition, state, missing, field):
    case = case_in_state(state, case_type=melding)
    body = {"transition": transition, **COMPLETE_BODY, missing: "   "}

    response = client_for(handler).post(transition_url(case), body)

    assert response.status_code == 400
    assert field in response.data
    case.refresh_from_db()
    assert (case.state, case.version) == (state, 1)
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).exists()


def test_milestones_and_public_message(client_for, handler, melding):
    client = client_for(handler)
    case = case_in_state("new", case_type=melding)

    client.post(transition_url(case), {"transition": "accept"})
    case.refresh_from_db()
    decided = case.admissibility_decided_at
    assert decided is not None

    client.post(transition_url(case), {"transition": "start"})
    case.refresh_from_db()
    assert case.admissibility_decided_at == decided  # the first decision counts
    assert case.assignee == handler  # starting a case takes it

    client.post(transition_url(case), {"transition": "resolve", "public_message": "De tegel ligt terug vast."})
    case.refresh_from_db()
    assert case.resolved_at is not None and case.closed_at is None
    assert case.public_message == "De tegel ligt terug vast."
    event = case.events.filter(transition="resolve").get()
    assert event.public and event.data["public_message"] == "De tegel ligt terug vast."

    client.post(transition_url(case), {"transition": "close"})
    case.refresh_from_db()
    assert case.closed_at is not None

    client.post(transition_url(case), {"transition": "reopen", "reason": "Tegel ligt opnieuw los."})
    case.refresh_from_db()
    assert (case.state, case.closed_at) == ("in_progress", None)


def test_return_to_kcc_lands_in_the_kcc_queue_flagged(client_for, handler, melding, kcc_group):
    case = case_in_state("in_progress", case_type=melding)
    Case.objects.filter(pk=case.pk).update(assignee=handler)

    response = client_for(handler).post(
        transition_url(case), {"transition": "return_to_kcc", "reason": "Dit is voor Mobiliteit."}
    )

    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.state, case.handler_group, case.misdispatched, case.assignee) == ("new", kcc_group, True, None)
    event = case.events.get(kind=EventKind.TRANSITION)
    assert event.data["to_group"] == kcc_group.pk and event.text == "Dit is voor Mobiliteit."
    # The handler no longer sees it; the KCC finds it among the misdispatched cases.
    assert client_for(handler).get(reverse("v1:case-detail", args=[case.reference])).status_code == 404
    kcc = UserFactory(role="kcc")
    listed = client_for(kcc).get(reverse("v1:case-list"), {"misdispatched": "true"}).data["results"]
    assert [c["reference"] for c in listed] == [case.reference]


def test_return_to_kcc_is_not_offered_to_the_kcc_itself(client_for, kcc_group, melding):
    kcc = UserFactory(role="kcc")
    kcc_group.members.add(kcc)
    case = case_in_state("new", case_type=melding)
    Case.objects.filter(pk=case.pk).update(handler_group=kcc_group)

    response = client_for(kcc).post(transition_url(case), {"transition": "return_to_kcc", "reason": "?"})

    assert response.status_code == 409
    assert "return_to_kcc" not in response.data["allowed_transitions"]


def test_cancel_as_duplicate_points_the_citizen_to_the_surviving_case(client_for, handler, melding):
    survivor = case_in_state("in_progress", case_type=melding)
    duplicate = case_in_state("new", case_type=melding, party=survivor.party)
    contact = duplicate.party.contacts.create(channel="phone", subject="Zelfde melding")
    duplicate.contacts.add(contact)

    response = client_for(handler).post(
        transition_url(duplicate),
        {"transition": "cancel", "reason": "Dubbele melding.", "duplicate_of": survivor.reference},
    )

    assert response.status_code == 200, response.data
    duplicate.refresh_from_db()
    assert duplicate.state == "cancelled" and duplicate.duplicate_of == survivor
    assert survivor.reference in duplicate.public_message
    assert list(survivor.contacts.all()) == [contact]
    assert survivor.events.filter(kind=EventKind.NOTE, data__duplicate=duplicate.reference).exists()


def test_duplicate_of_needs_cancel_and_another_case(client_for, handler, melding):
    case = case_in_state("new", case_type=melding)
    other = case_in_state("new", case_type=melding)
    client = client_for(handler)

    for body in (
        {"transition": "resolve", "public_message": "x", "duplicate_of": other.reference},
        {"transition": "cancel", "reason": "x", "duplicate_of": case.reference},
    ):
        response = client.post(transition_url(case), body)
        assert response.status_code == 400
        assert "duplicate_of" in response.data
    unknown = client.post(transition_url(case), {"transition": "cancel", "reason": "x", "duplicate_of": "999999"})
    assert unknown.status_code == 400
    case.refresh_from_db()
    assert case.state == "new" and not case.events.filter(kind=EventKind.TRANSITION).exists()


def test_unknown_transition_is_a_bad_request(client_for, handler, melding):
    case = case_in_state("new", case_type=melding)
    response = client_for(handler).post(transition_url(case), {"transition": "teleport"})
    assert response.status_code == 400 and "transition" in response.data


def test_stale_version_is_refused(client_for, handler, melding):
    case = case_in_state("new", case_type=melding)
    client = client_for(handler)
    assert client.post(transition_url(case), {"transition": "start", "version": 1}).status_code == 200

    response = client.post(transition_url(case), {"transition": "suspend", "reason": "Wacht", "version": 1})

    assert response.status_code == 409
    assert response.data["code"] == "stale_version" and response.data["version"] == 2
    case.refresh_from_db()
    assert case.state == "in_progress" and case.events.filter(kind=EventKind.TRANSITION).count() == 1


def test_allowed_transitions_depend_on_the_caller(client_for, handler, melding):
    case = case_in_state("in_progress", case_type=melding)
    url = reverse("v1:case-detail", args=[case.reference])

    assert sorted(client_for(handler).get(url).data["allowed_transitions"]) == [
        "cancel",
        "resolve",
        "return_to_kcc",
        "suspend",
    ]
    # The KCC sees the case and may cancel it (e.g. a duplicate), but handling it is the group's work.
    assert client_for(UserFactory(role="kcc")).get(url).data["allowed_transitions"] == ["cancel"]
    assert client_for(UserFactory(role="front_desk")).get(url).data["allowed_transitions"] == []
