"""The durations and milestones a case stores for the KPI reports when they happen (``case_transition``,
``case_open``), and the data migration that fills them for the cases that existed before, by the same rules.

Every expected number is counted by hand on the 2026 calendar: Wednesday 11 November is a public holiday
(Armistice); 7 November is a Saturday; 16 November a Monday.
"""

from datetime import datetime
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.deadlines import case_durations
from cases.models import Case, CaseKind, CaseType, NormUnit
from cases.services import case_reassign, case_transition
from tests.factories import CaseTypeFactory, ContactFactory, HandlerGroupFactory, UserFactory, open_case

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
STORED = (
    "admissibility_working_days",
    "resolution_days",
    "reopened_at",
    "returned_to_kcc_at",
    "returned_by_group",
    "intake_source",
)
fill_stored_durations = import_module("cases.migrations.0011_stored_durations_for_kpis").fill_stored_durations


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def act(case, transition, moment, actor=None, **fields):
    fields.setdefault("reason", "reden")
    fields.setdefault("public_message", "bericht")
    return case_transition(actor=actor, case=case, transition=transition, now=moment, **fields)


@pytest.fixture
def invoice(group):
    """Thirty calendar days."""
    return CaseTypeFactory(default_group=group, norm_days=30, warning_days=5, norm_unit=NormUnit.CALENDAR_DAYS)


def test_accept_stores_the_working_days_to_the_decision_and_resolve_the_days_to_resolution(melding):
    case = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))  # Monday
    assert (case.admissibility_working_days, case.resolution_days) == (None, None)

    case = act(case, "accept", at(2026, 11, 19, 9))  # Thursday: Tue 17, Wed 18, Thu 19
    assert (case.admissibility_working_days, case.resolution_days) == (3, None)

    act(case, "start", at(2026, 11, 20, 9))  # the first decision counts
    case = act(case, "resolve", at(2026, 11, 23, 16))  # Monday: Tue … Fri and Mon, 5 working days
    case.refresh_from_db()
    assert (case.admissibility_working_days, case.resolution_days) == (3, 5)
    assert case_durations(case) == {"to_admissibility_decision": 3, "to_resolved": 5, "to_closed": None}


def test_a_case_registered_on_a_saturday_counts_from_the_monday(melding):
    # Saturday 7 → Thursday 12: Mon 9, Tue 10, Thu 12 (Wednesday 11 November is a holiday).
    case = open_case(case_type=melding, registered_at=at(2026, 11, 7, 11))
    case = act(case, "start", at(2026, 11, 12, 10))
    assert case.admissibility_working_days == 3
    case = act(case, "resolve", at(2026, 11, 13, 10))  # and Friday 13
    assert case.resolution_days == 4


def test_a_calendar_day_type_counts_resolution_in_calendar_days_and_admissibility_in_working_days(invoice):
    case = open_case(case_type=invoice, registered_at=at(2026, 11, 7, 11))  # Saturday
    case = act(case, "start", at(2026, 11, 10, 9))  # Tuesday: Mon 9, Tue 10 working days
    case = act(case, "resolve", at(2026, 11, 16, 9))  # Monday: 9 calendar days
    assert (case.admissibility_working_days, case.resolution_days) == (2, 9)
    # The case page shows the type's unit: calendar days to the decision.
    assert case_durations(case)["to_admissibility_decision"] == 3


def test_a_reject_is_the_decision(melding):
    case = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))
    case = act(case, "reject", at(2026, 11, 17, 10))
    assert (case.admissibility_working_days, case.resolution_days) == (1, None)


def test_a_resolve_without_an_earlier_step_is_the_decision_too(group):
    report = CaseTypeFactory(default_group=group)
    case = open_case(case_type=report, registered_at=at(2026, 11, 16, 10))
    case = act(case, "resolve", at(2026, 11, 18, 10))
    assert (case.admissibility_working_days, case.resolution_days) == (2, 2)


def test_paused_days_are_left_out_of_the_resolution_not_out_of_the_earlier_decision(melding):
    case = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))  # Monday
    act(case, "start", at(2026, 11, 16, 11))  # the same day: 0
    act(case, "suspend", at(2026, 11, 19, 10))  # Thursday
    case = act(case, "resume", at(2026, 11, 24, 10))  # Tuesday: Fri 20, Mon 23, Tue 24 paused
    assert case.paused_days == 3
    case = act(case, "resolve", at(2026, 11, 25, 15))  # Wednesday: 7 working days, 3 paused
    case.refresh_from_db()
    assert (case.admissibility_working_days, case.resolution_days) == (0, 4)
    assert case_durations(case) == {"to_admissibility_decision": 0, "to_resolved": 4, "to_closed": None}


def test_a_calendar_day_pause(invoice):
    case = open_case(case_type=invoice, registered_at=at(2026, 11, 2, 9))
    act(case, "start", at(2026, 11, 2, 10))
    act(case, "suspend", at(2026, 11, 6, 10))  # Friday
    act(case, "resume", at(2026, 11, 9, 10))  # Monday: 3 calendar days
    case = act(case, "resolve", at(2026, 11, 20, 10))  # 18 calendar days, 3 paused
    assert case.resolution_days == 15


def test_never_below_zero(melding):
    case = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))
    act(case, "start", at(2026, 11, 16, 11))
    Case.objects.filter(pk=case.pk).update(paused_days=10)  # more than the span: a type change's recount
    case = act(case, "resolve", at(2026, 11, 18, 10))
    assert case.resolution_days == 0


def test_a_reopened_case_keeps_its_resolution_until_it_is_resolved_again(melding):
    case = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))  # Monday
    act(case, "start", at(2026, 11, 16, 11))
    case = act(case, "resolve", at(2026, 11, 18, 10))  # Wednesday: 2
    assert (case.resolution_days, case.reopened_at) == (2, None)

    case = act(case, "reopen", at(2026, 11, 20, 9))  # Friday
    assert (case.resolved_at, case.resolution_days, case.reopened_at) == (at(2026, 11, 18, 10), 2, at(2026, 11, 20, 9))

    act(case, "suspend", at(2026, 11, 23, 9))  # Monday
    act(case, "resume", at(2026, 11, 25, 9))  # Wednesday: Tue 24, Wed 25 paused
    case = act(case, "resolve", at(2026, 11, 27, 9))  # Friday: 9 working days since the 16th, 2 paused
    case.refresh_from_db()
    assert (case.resolved_at, case.resolution_days, case.admissibility_working_days) == (at(2026, 11, 27, 9), 7, 0)


def test_the_first_return_to_the_kcc_is_stamped_with_the_group_that_returned_it(melding, group, kcc_group):
    other = HandlerGroupFactory(name="Mobiliteit")
    kcc = UserFactory(role="kcc")
    case = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))
    case = act(case, "return_to_kcc", at(2026, 11, 16, 12))
    assert (case.returned_to_kcc_at, case.returned_by_group, case.misdispatched) == (at(2026, 11, 16, 12), group, True)

    case = case_reassign(actor=kcc, case=case, handler_group=other)  # routed again: the flag goes, the stamp stays
    act(case, "return_to_kcc", at(2026, 11, 17, 12))
    case.refresh_from_db()
    assert (case.returned_to_kcc_at, case.returned_by_group, case.misdispatched) == (at(2026, 11, 16, 12), group, True)
    assert case.admissibility_working_days is None  # a return is no admissibility decision


def test_the_intake_source_is_the_opening_contacts(melding):
    web = ContactFactory(channel="website", source="web_form", occurred_at=at(2026, 11, 16, 10))
    case = open_case(case_type=melding, contact=web, party=web.party, channel="website")
    assert (case.intake_source, case.registered_at) == ("web_form", at(2026, 11, 16, 10))
    assert open_case(case_type=melding, registered_at=at(2026, 11, 16, 10)).intake_source == "staff"


def test_only_a_complaint_can_be_about_an_unanswered_question(group):
    complaint = CaseTypeFactory(default_group=group, kind=CaseKind.COMPLAINT, about_unanswered_question=True)
    complaint.full_clean()
    question = CaseTypeFactory.build(default_group=group, kind=CaseKind.QUESTION, about_unanswered_question=True)
    with pytest.raises(ValidationError) as refused:
        question.full_clean()
    assert "about_unanswered_question" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        question.save()  # the database refuses it too
    assert CaseType.objects.filter(about_unanswered_question=True).count() == 1


def test_the_data_migration_fills_existing_cases_by_the_same_rules(melding, invoice, group, kcc_group):
    """Cases moved by the services, their stored values then wiped as before the migration: the migration must
    find what the services stored, also for a case reopened after its resolution and paused since (only the pauses
    that ended by the resolution count), a case returned to the KCC and since routed on, and a case opened from a
    contact through the web form."""
    kcc = UserFactory(role="kcc")
    accepted = open_case(case_type=melding, registered_at=at(2026, 11, 7, 11))
    act(accepted, "accept", at(2026, 11, 12, 10))

    paused = open_case(case_type=invoice, registered_at=at(2026, 11, 2, 9))
    act(paused, "start", at(2026, 11, 2, 10))
    act(paused, "suspend", at(2026, 11, 6, 10))
    act(paused, "resume", at(2026, 11, 9, 10))
    act(paused, "resolve", at(2026, 11, 20, 10))

    reopened = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))
    act(reopened, "start", at(2026, 11, 16, 11))
    act(reopened, "suspend", at(2026, 11, 17, 9))
    act(reopened, "resume", at(2026, 11, 18, 9))  # 1 paused
    act(reopened, "resolve", at(2026, 11, 19, 9))  # 3 − 1 = 2
    act(reopened, "reopen", at(2026, 11, 20, 9))
    act(reopened, "suspend", at(2026, 11, 23, 9))
    act(reopened, "resume", at(2026, 11, 25, 9))  # 2 more paused, after the resolution: still 2

    returned = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))
    act(returned, "return_to_kcc", at(2026, 11, 16, 12))
    case_reassign(actor=kcc, case=Case.objects.get(pk=returned.pk), handler_group=group)

    contact = ContactFactory(channel="website", source="web_form", occurred_at=at(2026, 11, 3))
    web = open_case(case_type=melding, contact=contact, party=contact.party, channel="website")
    untouched = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))

    stored = {case.pk: [getattr(case, name) for name in STORED] for case in Case.objects.all()}
    assert stored[reopened.pk][:3] == [0, 2, at(2026, 11, 20, 9)]
    assert stored[paused.pk][:2] == [0, 15]
    assert stored[accepted.pk][:2] == [3, None]
    assert stored[returned.pk][3:5] == [at(2026, 11, 16, 12), group]
    assert stored[web.pk][5] == "web_form"
    assert stored[untouched.pk] == [None, None, None, None, None, "staff"]

    Case.objects.update(
        admissibility_working_days=None,
        resolution_days=None,
        reopened_at=None,
        returned_to_kcc_at=None,
        returned_by_group=None,
        intake_source="staff",
    )
    fill_stored_durations(apps, None)

    assert {case.pk: [getattr(case, name) for name in STORED] for case in Case.objects.all()} == stored
