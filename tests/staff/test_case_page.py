"""The case page: what it shows, who may see it, and every action's success, refusal (nothing written) and the
answer to a change made meanwhile by someone else."""

import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from cases.models import Case, CaseEvent, EventKind
from cases.services import allowed_transitions, case_note_add, case_open, case_transition
from cases.workflow import CaseState
from contacts.models import AccessLog
from notifications.models import Notification
from tests.factories import (
    CaseTypeFactory,
    EmailFactory,
    HandlerGroupFactory,
    PersonFactory,
    UserFactory,
    case_in_state,
    open_case,
)

pytestmark = pytest.mark.django_db


def url(case, action: str = "") -> str:
    return f"/dossiers/{case.reference}/{action}"


@pytest.fixture
def signed_in(client, handler):
    client.force_login(handler)
    return client


@pytest.fixture
def kcc(kcc_group):
    user = UserFactory(role="kcc", first_name="Katrien", last_name="Claes")
    kcc_group.members.add(user)
    return user


@pytest.fixture
def citizen():
    party = PersonFactory(given_name="Jan", family_name="Peeters")
    EmailFactory(party=party, value="jan@example.be")
    return party


@pytest.fixture
def case(melding, citizen):
    return open_case(case_type=melding, party=citizen, description="Losliggende stoeptegel", location="Veldstraat 12")


def snapshot(case) -> tuple:
    """What an action may change: refused ones leave all of it as it was."""
    row = Case.objects.get(pk=case.pk)
    return (
        row.version,
        row.state,
        row.assignee_id,
        row.handler_group_id,
        row.case_type_id,
        CaseEvent.objects.filter(case=case).count(),
    )


def test_the_page_shows_the_case_and_its_timeline_in_words(signed_in, case, handler, citizen):
    case_note_add(actor=handler, case=case, text="Ter plaatse gaan kijken")
    response = signed_in.get(url(case))
    assert response.status_code == 200
    assert reverse("staff:case", args=[case.reference]) == url(case)
    page = response.content.decode()
    assert f"Case {case.reference}: Melding openbaar domein" in page
    assert f'href="/klanten/{citizen.pk}/"' in page
    assert "Jan Peeters" in page
    assert "Veldstraat 12" in page
    assert "Registered and routed to Openbaar Domein" in page
    assert "Internal note" in page and "Ter plaatse gaan kijken" in page
    assert "Message to the citizen: Case registered" in page
    assert "jan@example.be" in page


def test_times_are_brussels_time_and_days_waited_and_durations_are_working_days(signed_in, handler, melding):
    """Registered Monday 2 March 2026 at 09:15 in Brussels (08:15 UTC), 3 working days; waiting for the citizen from
    Tuesday to Thursday (2 working days, so due Monday 9 March instead of Thursday 5 March); resolved on Friday."""
    with time_machine.travel("2026-03-02 08:15 +00:00", tick=False):
        case = open_case(case_type=melding, party=PersonFactory())
    with time_machine.travel("2026-03-02 11:00 +01:00", tick=False):
        case = case_transition(actor=handler, case=case, transition="accept")
        case = case_transition(actor=handler, case=case, transition="start")
    with time_machine.travel("2026-03-03 10:00 +01:00", tick=False):
        case = case_transition(
            actor=handler, case=case, transition="suspend", reason="Huisnummer", public_message="Welk huisnummer?"
        )
    with time_machine.travel("2026-03-05 10:00 +01:00", tick=False):
        case = case_transition(actor=handler, case=case, transition="resume")
    with time_machine.travel("2026-03-06 14:30 +01:00", tick=False):
        case_transition(actor=handler, case=case, transition="resolve", public_message="De tegel ligt vast.")
    with time_machine.travel("2026-03-06 15:00 +01:00", tick=False):
        page = signed_in.get(url(case)).content.decode()

    assert "<dt>Registered</dt><dd>02/03/2026 09:15</dd>" in page
    assert "<dt>Deadline</dt><dd>09/03/2026 23:59" in page
    assert "<dt>Waited for the citizen</dt><dd>2 working days</dd>" in page
    assert re.search(r"<dt>Until the admissibility decision</dt><dd>0 working days\s*</dd>", page)
    assert re.search(r"<dt>Until resolved</dt><dd>2 working days\s*</dd>", page)
    assert '<time datetime="2026-03-06T14:30:00+01:00">06/03/2026 14:30</time>' in page
    assert '<time datetime="2026-03-02T09:15:00+01:00">02/03/2026 09:15</time>' in page


def test_the_page_offers_exactly_the_allowed_transitions(signed_in, case, handler):
    response = signed_in.get(url(case))
    actions = {action.key.removeprefix("transition-"): action for action in response.context["transitions"]}
    # A new case of a type with an admissibility step: accept, reject, start, resolve, cancel, return to the KCC.
    assert sorted(actions) == sorted(allowed_transitions(case, handler))
    assert sorted(actions) == ["accept", "cancel", "reject", "resolve", "return_to_kcc", "start"]
    assert set(actions["reject"].form.fields) == {"version", "reason", "public_message"}
    assert set(actions["start"].form.fields) == {"version", "public_message"}
    assert set(actions["accept"].form.fields) == {"version", "public_message"}
    assert set(actions["resolve"].form.fields) == {"version", "public_message"}
    assert actions["resolve"].form.fields["public_message"].required
    assert set(actions["cancel"].form.fields) == {"version", "reason", "public_message", "duplicate_of"}
    assert set(actions["return_to_kcc"].form.fields) == {"version", "reason"}
    assert actions["return_to_kcc"].preview is None


def test_a_handler_of_another_group_gets_404(client, other_group, case):
    stranger = other_group.members.first()
    client.force_login(stranger)
    assert client.get(url(case)).status_code == 404
    before = snapshot(case)
    response = client.post(url(case, "overgang/start/"), {"start-version": case.version})
    assert response.status_code == 404
    assert snapshot(case) == before


def test_a_confidential_case_is_invisible_to_the_kcc(client, kcc, group):
    secret = open_case(case_type=CaseTypeFactory(default_group=group, confidential=True))
    client.force_login(kcc)
    assert client.get(url(secret)).status_code == 404
    assert client.post(url(secret, "type/"), {"type-version": secret.version}).status_code == 404


def test_a_missing_case_is_404(signed_in, group):
    assert signed_in.get("/dossiers/999999/").status_code == 404


def test_the_case_page_reads_a_fixed_number_of_queries(signed_in, case, handler, django_assert_max_num_queries):
    for number in range(3):
        case_note_add(actor=handler, case=case, text=f"Notitie {number}")
    with django_assert_max_num_queries(30) as few:
        signed_in.get(url(case))
    for number in range(20):
        case_note_add(actor=handler, case=case, text=f"Nog een notitie {number}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(url(case))


# Transitions


def test_accept_moves_the_case_and_records_it(signed_in, case, handler):
    response = signed_in.post(url(case, "overgang/accept/"), {"accept-version": case.version})
    assert response.status_code == 302
    assert response["Location"] == url(case)
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    event = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).get()
    assert (event.transition, event.actor) == ("accept", handler)
    assert "Accept: New → Accepted" in signed_in.get(url(case)).content.decode()


def test_suspend_needs_a_reason_and_writes_nothing_without_it(signed_in, melding):
    case = case_in_state(CaseState.IN_PROGRESS, case_type=melding)
    before = snapshot(case)
    response = signed_in.post(
        url(case, "overgang/suspend/"),
        {"suspend-version": case.version, "suspend-reason": " \u200b ", "suspend-public_message": "Welke straat?"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_suspend-reason_error"' in page
    assert "This field is required." in page
    assert "Welke straat?" in page  # what was typed stays
    assert 'id="action-transition-suspend" open' in page
    assert snapshot(case) == before


def test_suspend_resume_and_resolve_with_the_citizen_told(signed_in, case, django_capture_on_commit_callbacks):
    signed_in.post(url(case, "overgang/start/"), {"start-version": case.version})
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            url(case, "overgang/suspend/"),
            {
                "suspend-version": case.version,
                "suspend-reason": "Huisnummer ontbreekt",
                "suspend-public_message": "Aan welk huisnummer ligt de tegel?",
            },
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.WAITING
    assert mail.outbox[-1].to == ["jan@example.be"]
    assert "Aan welk huisnummer ligt de tegel?" in mail.outbox[-1].body
    signed_in.post(url(case, "overgang/resume/"), {"resume-version": case.version})
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(
            url(case, "overgang/resolve/"),
            {"resolve-version": case.version, "resolve-public_message": "De tegel ligt terug vast."},
        )
    case.refresh_from_db()
    assert case.state == CaseState.RESOLVED
    assert "De tegel ligt terug vast." in mail.outbox[-1].body
    page = signed_in.get(url(case)).content.decode()
    assert "Delivery: Sent" in page
    assert "Delivered through E-mail" in page


def test_resolve_without_an_answer_is_refused(signed_in, case):
    before = snapshot(case)
    response = signed_in.post(url(case, "overgang/resolve/"), {"resolve-version": case.version})
    assert response.status_code == 400
    assert 'id="id_resolve-public_message_error"' in response.content.decode()
    assert snapshot(case) == before


def test_a_transition_that_is_not_possible_is_refused(signed_in, case):
    before = snapshot(case)
    response = signed_in.post(url(case, "overgang/close/"), {"close-version": case.version})
    assert response.status_code == 409
    assert "cannot be" in response.content.decode()
    assert snapshot(case) == before
    assert signed_in.post(url(case, "overgang/fly/"), {}).status_code == 404


def test_cancel_as_duplicate_of_an_unknown_case_is_refused(signed_in, case):
    before = snapshot(case)
    response = signed_in.post(
        url(case, "overgang/cancel/"),
        {"cancel-version": case.version, "cancel-reason": "Dubbel", "cancel-duplicate_of": "999999"},
    )
    assert response.status_code == 400
    assert "There is no case 999999." in response.content.decode()
    assert snapshot(case) == before


def test_the_front_desk_may_not_move_cases(client, case):
    client.force_login(UserFactory(role="front_desk"))
    before = snapshot(case)
    assert client.post(url(case, "overgang/start/"), {"start-version": case.version}).status_code == 403
    assert snapshot(case) == before


# Two clerks on one case


def test_a_stale_version_shows_the_fresh_case_and_keeps_what_was_typed(signed_in, case, handler):
    seen = case.version
    case_transition(actor=handler, case=case, transition="start")  # a colleague, meanwhile
    before = snapshot(case)
    response = signed_in.post(
        url(case, "overgang/resolve/"),
        {"resolve-version": seen, "resolve-public_message": "De tegel ligt terug vast."},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this case in the meantime." in page
    assert "De tegel ligt terug vast." in page
    assert 'id="action-transition-resolve" open' in page
    assert f'name="resolve-version" value="{before[0]}"' in page  # sending again acts on what is shown now
    assert "In progress" in page
    assert snapshot(case) == before


def test_a_stale_action_that_is_no_longer_possible_shows_what_was_typed(signed_in, case, handler):
    seen = case.version
    case_transition(actor=handler, case=case, transition="resolve", public_message="Al opgelost.")
    before = snapshot(case)
    response = signed_in.post(
        url(case, "overgang/reject/"),
        {"reject-version": seen, "reject-reason": "Privéterrein", "reject-public_message": "Dit is privéterrein."},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "no longer possible" in page
    assert "Dit is privéterrein." in page
    assert snapshot(case) == before


# The e-mail preview


def test_the_preview_renders_the_citizen_email_and_sends_nothing(signed_in, case):
    response = signed_in.get(url(case, "overgang/suspend/voorbeeld/"), {"suspend-public_message": "Welk huisnummer?"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "jan@example.be" in page
    # In the citizen's language (Dutch), as it will be sent.
    assert f"We hebben iets van u nodig voor {case.reference}" in page
    assert "Beste Jan Peeters," in page
    assert "Welk huisnummer?" in page
    assert not mail.outbox
    assert Notification.objects.filter(case=case).count() == 1  # the registration's only


def test_the_preview_says_when_nobody_is_told(signed_in, melding):
    anonymous = open_case(case_type=melding, party=PersonFactory())  # no e-mail address
    page = signed_in.get(url(anonymous, "overgang/resolve/voorbeeld/")).content.decode()
    assert "no e-mail address" in page


def test_the_preview_comes_when_a_transition_form_is_opened(signed_in, case):
    """Rendering every step's e-mail with the page cost more than the rest of it: each comes when its form opens."""
    page = signed_in.get(url(case)).content.decode()
    preview = f"/dossiers/{case.reference}/overgang/resolve/voorbeeld/"
    assert f'hx-get="{preview}" hx-trigger="toggle once from:closest details"' in page
    assert f"Uw aanvraag {case.reference} is behandeld" not in page
    assert f"Uw aanvraag {case.reference} is behandeld" in signed_in.get(preview).content.decode()


def test_the_preview_costs_a_fixed_number_of_queries(signed_in, case, handler, django_assert_max_num_queries):
    preview = url(case, "overgang/resolve/voorbeeld/")
    signed_in.get(preview)
    with django_assert_max_num_queries(10) as few:
        signed_in.get(preview, {"resolve-public_message": "De tegel ligt terug vast."})
    budget = len(few)
    for number in range(10):
        case_note_add(actor=handler, case=case, text=f"Notitie {number}", public=number % 2 == 0)
    with django_assert_max_num_queries(budget):
        page = signed_in.get(preview, {"resolve-public_message": "De tegel ligt terug vast."}).content.decode()
    assert "De tegel ligt terug vast." in page


# Assignment


def test_take_and_assign_to_a_colleague_and_give_back(signed_in, case, handler, group):
    colleague = UserFactory(role="handler", first_name="Chris", last_name="Collega")
    group.members.add(colleague)
    assert "Take this case" in signed_in.get(url(case)).content.decode()
    signed_in.post(url(case, "toewijzen/"), {"assign-version": case.version, "assign-assignee": handler.pk})
    case.refresh_from_db()
    assert case.assignee == handler
    signed_in.post(url(case, "toewijzen/"), {"assign-version": case.version, "assign-assignee": colleague.pk})
    case.refresh_from_db()
    assert case.assignee == colleague
    signed_in.post(url(case, "toewijzen/"), {"assign-version": case.version, "assign-assignee": ""})
    case.refresh_from_db()
    assert case.assignee is None
    page = signed_in.get(url(case)).content.decode()
    assert f"Taken by {handler.username}" in page
    assert "Assigned to Chris Collega" in page
    assert "Given back by" in page


def test_the_colleague_a_case_is_assigned_to_gets_an_email(
    signed_in, case, handler, group, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "nl-be"  # staff e-mails are in the installation's language
    colleague = UserFactory(role="handler", first_name="Chris", last_name="Collega")
    group.members.add(colleague)
    mail.outbox.clear()  # the registration's e-mail to the citizen
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            url(case, "toewijzen/"), {"assign-version": case.version, "assign-assignee": colleague.pk}
        )
    assert response.status_code == 302
    [sent] = mail.outbox
    assert sent.to == [colleague.email]
    assert sent.subject == f"Dossier {case.reference} werd aan u toegewezen"
    assert case.reference in sent.body and "Openbaar Domein" in sent.body


def test_assigning_to_someone_outside_the_group_is_refused(signed_in, case, other_group):
    outsider = other_group.members.first()
    before = snapshot(case)
    response = signed_in.post(url(case, "toewijzen/"), {"assign-version": case.version, "assign-assignee": outsider.pk})
    assert response.status_code == 400
    assert 'id="id_assign-assignee_error"' in response.content.decode()
    assert snapshot(case) == before


def test_assigning_the_same_person_twice_says_so(signed_in, case, handler):
    signed_in.post(url(case, "toewijzen/"), {"assign-version": case.version, "assign-assignee": handler.pk})
    case.refresh_from_db()
    before = snapshot(case)
    response = signed_in.post(url(case, "toewijzen/"), {"assign-version": case.version, "assign-assignee": handler.pk})
    assert response.status_code == 409
    assert "already assigned to this person" in response.content.decode()
    assert snapshot(case) == before


# The KCC's corrections


def test_the_kcc_hands_the_case_to_another_group(client, kcc, case, other_group):
    client.force_login(kcc)
    response = client.post(
        url(case, "groep/"),
        {"reassign-version": case.version, "reassign-handler_group": other_group.pk, "reassign-reason": "Mobiliteit"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.handler_group == other_group
    assert "Handed from Openbaar Domein to Mobiliteit" in client.get(url(case)).content.decode()


def test_reassign_needs_a_group_and_a_handler_may_not(client, signed_in, kcc, case):
    before = snapshot(case)
    assert signed_in.post(url(case, "groep/"), {"reassign-version": case.version}).status_code == 403
    client.force_login(kcc)
    response = client.post(url(case, "groep/"), {"reassign-version": case.version, "reassign-handler_group": ""})
    assert response.status_code == 400
    assert 'id="id_reassign-handler_group_error"' in response.content.decode()
    assert snapshot(case) == before


def test_the_kcc_changes_the_case_type_and_reroutes(client, kcc, case, other_group):
    traffic = CaseTypeFactory(name="Verkeershinder", default_group=other_group)
    client.force_login(kcc)
    response = client.post(
        url(case, "type/"),
        {"type-version": case.version, "type-case_type": traffic.pk, "type-reroute": "on", "type-reason": "Verkeer"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.case_type, case.handler_group) == (traffic, other_group)
    page = client.get(url(case)).content.decode()
    assert "Case type changed from Melding openbaar domein to Verkeershinder" in page
    assert "Routed again to Mobiliteit" in page


def test_a_changed_type_counts_the_due_date_again_from_the_registration(client, kcc, melding, other_group):
    """Registered Monday 2 March 2026, 3 working days: due Thursday 5 March. Corrected on Wednesday to a type of 10
    working days: due Monday 16 March, counted from the registration, not from the correction."""
    traffic = CaseTypeFactory(name="Verkeershinder", default_group=other_group, norm_days=10)
    with time_machine.travel("2026-03-02 09:15 +01:00", tick=False):
        case = open_case(case_type=melding)
    client.force_login(kcc)
    with time_machine.travel("2026-03-04 10:00 +01:00", tick=False):
        response = client.post(
            url(case, "type/"), {"type-version": case.version, "type-case_type": traffic.pk, "type-reason": "Verkeer"}
        )
        assert response.status_code == 302
        page = client.get(url(case)).content.decode()
    assert "<dt>Deadline</dt><dd>16/03/2026 23:59" in page
    assert "Due date 05/03/2026 → 16/03/2026" in page


def test_changing_to_the_same_type_is_refused(client, kcc, case, melding):
    client.force_login(kcc)
    before = snapshot(case)
    response = client.post(url(case, "type/"), {"type-version": case.version, "type-case_type": melding.pk})
    assert response.status_code == 400
    assert snapshot(case) == before


def test_a_stale_type_change_keeps_the_reason(client, kcc, case, handler, other_group):
    traffic = CaseTypeFactory(name="Verkeershinder", default_group=other_group)
    seen = case.version
    case_transition(actor=handler, case=case, transition="accept")
    client.force_login(kcc)
    before = snapshot(case)
    response = client.post(
        url(case, "type/"),
        {"type-version": seen, "type-case_type": traffic.pk, "type-reason": "Eigenlijk verkeer"},
    )
    assert response.status_code == 409
    assert "Eigenlijk verkeer" in response.content.decode()
    assert snapshot(case) == before


def test_a_case_type_or_group_that_no_longer_exists_is_refused_at_the_field(client, kcc, case, other_group):
    """The page was opened while they existed; they were deleted or made inactive before the form was sent."""
    gone_type = CaseTypeFactory(name="Verkeershinder", default_group=other_group)
    inactive_type = CaseTypeFactory(name="Oud type", default_group=other_group)
    gone_group = HandlerGroupFactory(name="Opgeheven dienst")
    client.force_login(kcc)
    gone_type_pk, gone_group_pk = gone_type.pk, gone_group.pk
    gone_type.delete()
    gone_group.delete()
    inactive_type.active = False
    inactive_type.save()
    before = snapshot(case)

    for type_pk in (gone_type_pk, inactive_type.pk):
        response = client.post(
            url(case, "type/"), {"type-version": case.version, "type-case_type": type_pk, "type-reason": "Verkeer"}
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert 'id="id_type-case_type_error"' in page and "Verkeer" in page
    response = client.post(
        url(case, "groep/"),
        {"reassign-version": case.version, "reassign-handler_group": gone_group_pk, "reassign-reason": "Mobiliteit"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_reassign-handler_group_error"' in page and "Mobiliteit" in page
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("notities/", {"note-text": "x" * 10_001}, "note-text"),
        ("overgang/reject/", {"reject-reason": "x" * 2_001, "reject-public_message": "Nee"}, "reject-reason"),
        ("overgang/resolve/", {"resolve-public_message": "x" * 10_001}, "resolve-public_message"),
    ],
)
def test_over_long_text_is_refused_at_the_field_and_kept(signed_in, case, action, data, field):
    before = snapshot(case)
    response = signed_in.post(url(case, action), {f"{field.split('-')[0]}-version": case.version, **data})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert "Ensure this value has at most" in page
    assert data[field] in page  # what was typed stays
    assert snapshot(case) == before


def test_merge_a_duplicate_into_this_case(signed_in, case, melding):
    duplicate = open_case(case_type=melding)
    response = signed_in.post(
        url(case, "samenvoegen/"), {"merge-version": case.version, "merge-duplicate": duplicate.reference}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.state == CaseState.CANCELLED
    assert duplicate.duplicate_of_id == case.pk


def test_merging_an_unknown_or_the_same_case_is_refused(signed_in, case):
    before = snapshot(case)
    response = signed_in.post(url(case, "samenvoegen/"), {"merge-version": case.version, "merge-duplicate": "999999"})
    assert response.status_code == 400
    assert "There is no case 999999." in response.content.decode()
    response = signed_in.post(
        url(case, "samenvoegen/"), {"merge-version": case.version, "merge-duplicate": case.reference}
    )
    assert response.status_code == 400
    assert snapshot(case) == before


# Notes


def test_internal_and_public_notes(signed_in, case):
    signed_in.post(url(case, "notities/"), {"note-version": case.version, "note-text": "Intern"})
    signed_in.post(
        url(case, "notities/"), {"note-version": case.version, "note-text": "Voor de burger", "note-public": "on"}
    )
    notes = CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).order_by("id")
    assert [(n.text, n.public) for n in notes] == [("Intern", False), ("Voor de burger", True)]
    page = signed_in.get(url(case)).content.decode()
    assert "Public note (the citizen reads it)" in page


def test_an_empty_note_is_refused(signed_in, case):
    before = snapshot(case)
    response = signed_in.post(url(case, "notities/"), {"note-version": case.version, "note-text": "\u200b"})
    assert response.status_code == 400
    assert 'id="id_note-text_error"' in response.content.decode()
    assert snapshot(case) == before


def test_opening_the_case_page_logs_that_the_user_saw_its_citizen(signed_in, case, handler, citizen):
    signed_in.get(url(case))
    assert list(AccessLog.objects.values_list("user", "party", "via")) == [
        (handler.pk, citizen.pk, AccessLog.Via.STAFF_CASE)
    ]


def test_a_case_without_a_citizen_logs_nothing(signed_in, melding):
    anonymous = case_open(actor=None, case_type=melding, party=None, channel="phone", description="Zwerfvuil")
    assert signed_in.get(url(anonymous)).status_code == 200
    assert not AccessLog.objects.exists()
