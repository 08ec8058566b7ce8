"""Due dates, warnings, pauses and durations of cases, on real calendar dates."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases.models import ClosingDay, NormUnit
from cases.services import case_transition
from tests.factories import CaseTypeFactory, UserFactory, open_case

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def act(case, transition, moment, actor=None, **fields):
    fields.setdefault("reason", "reden")
    fields.setdefault("public_message", "bericht")
    return case_transition(actor=actor, case=case, transition=transition, now=moment, **fields)


def test_due_and_warning_of_a_working_day_norm(melding):
    case = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))  # Monday
    assert case.due_at == at(2026, 11, 19, 23, 59, 59)  # Thursday
    assert case.warn_at == at(2026, 11, 18, 23, 59, 59)  # due soon during its last working day


def test_registration_on_saturday_and_a_holiday_in_the_norm(melding):
    # Saturday 7 November; Wednesday 11 November (Armistice) is no working day.
    case = open_case(case_type=melding, registered_at=at(2026, 11, 7, 11))
    assert case.due_at == at(2026, 11, 12, 23, 59, 59)  # Mon 9, Tue 10, Thu 12


def test_a_closing_day_and_a_calendar_day_norm(group):
    ClosingDay.objects.create(date=date(2026, 11, 20), reason="Personeelsdag")
    report = CaseTypeFactory(default_group=group, norm_days=3)
    invoice = CaseTypeFactory(default_group=group, norm_days=30, warning_days=5, norm_unit=NormUnit.CALENDAR_DAYS)

    assert open_case(case_type=report, registered_at=at(2026, 11, 18, 9)).due_at == at(2026, 11, 24, 23, 59, 59)
    invoice_case = open_case(case_type=invoice, registered_at=at(2026, 11, 18, 9))
    assert invoice_case.due_at == at(2026, 12, 18, 23, 59, 59)
    assert invoice_case.warn_at == at(2026, 12, 13, 23, 59, 59)


def test_a_pause_over_a_weekend_moves_the_due_date_and_leaves_the_duration(melding, handler):
    case = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))  # due Thursday 19
    act(case, "start", at(2026, 11, 16, 11), handler)
    act(case, "suspend", at(2026, 11, 19, 10), handler)  # Thursday
    case = act(case, "resume", at(2026, 11, 24, 10), handler)  # Tuesday: Fri 20, Mon 23, Tue 24 paused

    assert case.paused_days == 3
    assert case.due_at == at(2026, 11, 24, 23, 59, 59)
    assert case.warn_at == at(2026, 11, 23, 23, 59, 59)
    assert case.paused_at is None

    case = act(case, "resolve", at(2026, 11, 25, 15), handler)
    durations = UserFactory(role="handler")
    case.handler_group.members.add(durations)
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(durations)
    data = client.get(reverse("v1:case-detail", args=[case.reference])).data
    # Registration Monday 16 → resolved Wednesday 25: 7 working days, 3 of them paused.
    assert data["durations"] == {
        "unit": "working_days",
        "to_admissibility_decision": 0,
        "to_resolved": 4,
        "to_closed": None,
    }
    assert data["paused_days"] == 3


def test_paused_days_count_while_still_waiting(client_for, handler, melding):
    case = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))
    act(case, "start", at(2026, 11, 16, 11), handler)
    act(case, "suspend", at(2026, 11, 17, 10), handler)
    with time_machine.travel(at(2026, 11, 23, 9)):  # Wed, Thu, Fri, Mon
        data = client_for(handler).get(reverse("v1:case-detail", args=[case.reference])).data
    assert data["paused_days"] == 4
    assert data["overdue"] is False  # the clock is stopped while waiting


def test_a_calendar_day_pause(group, handler):
    invoice = CaseTypeFactory(default_group=group, norm_days=30, warning_days=5, norm_unit=NormUnit.CALENDAR_DAYS)
    case = open_case(case_type=invoice, registered_at=at(2026, 11, 2, 9))  # due 2 December
    act(case, "start", at(2026, 11, 2, 10), handler)
    act(case, "suspend", at(2026, 11, 6, 10), handler)  # Friday
    case = act(case, "resume", at(2026, 11, 9, 10), handler)  # Monday: 3 calendar days
    assert case.paused_days == 3
    assert case.due_at == at(2026, 12, 5, 23, 59, 59)
