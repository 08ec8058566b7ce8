"""The KCC corrects a misclassified case: its due date counted again by the new type's norm (the days it waited
still added), its confidentiality, optionally its handler group; refusals write nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case, CaseEvent, EventKind, NormUnit, RoutingRule
from cases.services import case_transition
from tests.factories import CaseTypeFactory, UserFactory, case_in_state, open_case

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def change_url(case):
    return reverse("v1:case-change-type", args=[case.reference])


@pytest.fixture
def kcc(client_for):
    return client_for(UserFactory(role="kcc"))


@pytest.fixture
def longer(group):
    """A working-day type of the same group, with a longer norm."""
    return CaseTypeFactory(code="klacht", name="Klacht", default_group=group, norm_days=10, warning_days=2)


@pytest.fixture
def paused_case(melding, handler):
    """Registered Monday 16 November, waited for the citizen Thursday 19 → Tuesday 24 (3 working days)."""
    with time_machine.travel(at(2026, 11, 25, 12), tick=False):
        case = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))
        for transition, moment in (("start", at(2026, 11, 16, 11)), ("suspend", at(2026, 11, 19, 10))):
            case = case_transition(actor=handler, case=case, transition=transition, reason="r", now=moment)
        case = case_transition(actor=handler, case=case, transition="resume", now=at(2026, 11, 24, 10))
    assert case.paused_days == 3
    return case


def snapshot(case):
    row = Case.objects.filter(pk=case.pk).values(
        "case_type", "due_at", "warn_at", "paused_days", "handler_group", "assignee", "confidential", "version"
    )
    return list(row), CaseEvent.objects.count()


class TestChangeType:
    def test_due_date_counted_again_with_the_paused_days(self, kcc, paused_case, longer):
        with time_machine.travel(at(2026, 11, 25, 12), tick=False):
            response = kcc.post(change_url(paused_case), {"case_type": "klacht", "reason": "Eigenlijk een klacht"})

        assert response.status_code == 200, response.data
        case = Case.objects.get(pk=paused_case.pk)
        # 10 working days from Monday 16 November: Monday 30; plus the 3 days it waited: Thursday 3 December.
        assert case.due_at == at(2026, 12, 3, 23, 59, 59)
        assert case.warn_at == at(2026, 12, 1, 23, 59, 59)
        assert (case.case_type, case.paused_days, case.state, case.version) == (longer, 3, "in_progress", 5)
        assert response.data["case_type"] == "klacht" and response.data["due_at"] == "2026-12-03T23:59:59+01:00"
        event = CaseEvent.objects.get(case=case, kind=EventKind.TYPE_CHANGE)
        assert event.text == "Eigenlijk een klacht"
        assert event.data == {
            "from_type": paused_case.case_type_id,
            "from_type_name": "Melding openbaar domein",
            "to_type": longer.pk,
            "to_type_name": "Klacht",
            "from_due_at": "2026-11-24T23:59:59+01:00",
            "to_due_at": "2026-12-03T23:59:59+01:00",
        }

    def test_paused_days_counted_again_in_calendar_days(self, kcc, paused_case, group):
        CaseTypeFactory(
            code="factuur", default_group=group, norm_days=10, warning_days=2, norm_unit=NormUnit.CALENDAR_DAYS
        )
        with time_machine.travel(at(2026, 11, 25, 12), tick=False):
            response = kcc.post(change_url(paused_case), {"case_type": "factuur"})

        assert response.status_code == 200, response.data
        case = Case.objects.get(pk=paused_case.pk)
        # Thursday 19 → Tuesday 24 is 5 calendar days; 10 days from 16 November is 26 November, plus 5.
        assert case.paused_days == 5
        assert case.due_at == at(2026, 12, 1, 23, 59, 59)

    def test_a_resolved_case_keeps_its_days_to_resolution_in_the_new_unit(self, kcc, paused_case, handler, group):
        """Resolved Monday 30 November: 10 working days after Monday 16, less the 3 it waited = 7; as a calendar-day
        type, 14 days less the 5 it waited (Thursday 19 → Tuesday 24) = 9."""
        CaseTypeFactory(code="factuur", default_group=group, norm_days=10, norm_unit=NormUnit.CALENDAR_DAYS)
        with time_machine.travel(at(2026, 11, 30, 12), tick=False):
            case = case_transition(
                actor=handler, case=paused_case, transition="resolve", reason="r", public_message="Opgelost."
            )
            assert case.resolution_days == 7
            response = kcc.post(change_url(case), {"case_type": "factuur"})
        assert response.status_code == 200, response.data
        case = Case.objects.get(pk=case.pk)
        assert (case.paused_days, case.resolution_days) == (5, 9)

    def test_confidentiality_follows_the_type(self, kcc, melding, group):
        CaseTypeFactory(code="sociaal", default_group=group, confidential=True)
        case = case_in_state("new", case_type=melding)
        response = kcc.post(change_url(case), {"case_type": "sociaal"})
        assert response.status_code == 200, response.data
        assert response.data["confidential"] is True
        assert Case.objects.get(pk=case.pk).confidential is True

    def test_reroute_moves_the_case_and_clears_the_assignee(self, kcc, melding, handler, other_group):
        parking = CaseTypeFactory(code="parkeren", default_group=other_group)
        case = case_in_state("in_progress", case_type=melding)
        Case.objects.filter(pk=case.pk).update(assignee=handler, misdispatched=True)

        response = kcc.post(change_url(case), {"case_type": "parkeren", "reroute": True})

        assert response.status_code == 200, response.data
        case.refresh_from_db()
        assert (case.case_type, case.handler_group, case.assignee, case.misdispatched) == (
            parking,
            other_group,
            None,
            False,
        )
        event = CaseEvent.objects.get(case=case, kind=EventKind.TYPE_CHANGE)
        assert (event.data["from_group"], event.data["to_group"]) == (melding.default_group_id, other_group.pk)

    def test_reroute_follows_the_routing_rules(self, kcc, melding, group, other_group):
        RoutingRule.objects.create(
            case_type=CaseTypeFactory(code="boom", default_group=group), handler_group=other_group
        )
        case = case_in_state("new", case_type=melding)
        response = kcc.post(change_url(case), {"case_type": "boom", "reroute": True})
        assert response.status_code == 200, response.data
        assert response.data["handler_group"]["id"] == other_group.pk

    def test_without_reroute_the_group_and_assignee_stay(self, kcc, melding, handler, other_group):
        CaseTypeFactory(code="parkeren", default_group=other_group)
        case = case_in_state("in_progress", case_type=melding)
        Case.objects.filter(pk=case.pk).update(assignee=handler)
        response = kcc.post(change_url(case), {"case_type": "parkeren"})
        assert response.status_code == 200, response.data
        case.refresh_from_db()
        assert (case.handler_group_id, case.assignee) == (melding.default_group_id, handler)


class TestChangeTypeRefused:
    @pytest.fixture
    def case(self, melding):
        return case_in_state("in_progress", case_type=melding)

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"case_type": "melding"}, "The case already has this type."),
            ({"case_type": "oud"}, "This case type is no longer in use."),
            ({"case_type": "bestaat-niet"}, "Object with code=bestaat-niet does not exist."),
            ({}, "This field is required."),
        ],
    )
    def test_bad_type(self, kcc, case, group, body, message):
        CaseTypeFactory(code="oud", default_group=group, active=False)
        before = snapshot(case)
        response = kcc.post(change_url(case), body)
        assert response.status_code == 400
        assert response.data["case_type"] == [message]
        assert snapshot(case) == before

    @pytest.mark.parametrize(
        "body",
        [{"reroute": "misschien"}, {"version": "x"}, {"reason": "x" * 2001}],
        ids=["reroute", "version", "reason"],
    )
    def test_bad_input(self, kcc, case, longer, body):
        before = snapshot(case)
        response = kcc.post(change_url(case), {"case_type": "klacht", **body})
        assert response.status_code == 400
        assert set(response.data) == set(body)
        assert snapshot(case) == before

    def test_only_kcc_and_supervisors(self, client_for, handler, case, longer):
        before = snapshot(case)
        assert client_for(handler).post(change_url(case), {"case_type": "klacht"}).status_code == 403
        assert (
            client_for(UserFactory(role="front_desk")).post(change_url(case), {"case_type": "klacht"}).status_code
            == 403
        )
        assert (
            client_for(UserFactory(role="supervisor")).post(change_url(case), {"case_type": "klacht"}).status_code
            == 200
        )
        assert snapshot(case) != before

    @pytest.mark.parametrize("state", ["closed", "rejected", "cancelled"])
    def test_final_cases(self, kcc, melding, longer, state):
        case = case_in_state(state, case_type=melding)
        before = snapshot(case)
        response = kcc.post(change_url(case), {"case_type": "klacht"})
        assert response.status_code == 409 and response.data["code"] == "case_final"
        assert snapshot(case) == before

    def test_a_stale_version(self, kcc, case, longer):
        before = snapshot(case)
        response = kcc.post(change_url(case), {"case_type": "klacht", "version": 0})
        assert response.status_code == 409 and response.data["code"] == "stale_version"
        assert snapshot(case) == before
