"""The overdue chase and the automatic close, and the supervisors' chase list."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse

from cases import tasks
from cases.models import Case, CaseEvent, EventKind, GroupMessage
from cases.services import case_transition, cases_close_expired, cases_escalate, group_messages_relay
from contacts.models import AccessLog
from midoffice.celery import app
from tests.factories import CaseTypeFactory, HandlerGroupFactory, UserFactory, case_in_state, open_case

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


@pytest.fixture
def escalate(django_capture_on_commit_callbacks):
    """cases_escalate, with the after-commit enqueueing of the group e-mails run (eager Celery)."""

    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return cases_escalate(now=now)

    return run


def escalations(case):
    return list(
        CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATION).values_list("data__threshold", flat=True)
    )


def test_one_escalation_per_threshold_crossing(melding, group, escalate):
    case = open_case(case_type=melding, registered_at=at(2026, 11, 2, 10))  # due Thursday 5, warned from Wed 23:59

    assert escalate(at(2026, 11, 4, 12)) == {"due_soon": 0, "overdue": 0}
    assert escalate(at(2026, 11, 5, 8)) == {"due_soon": 1, "overdue": 0}
    assert escalate(at(2026, 11, 5, 9)) == {"due_soon": 0, "overdue": 0}
    assert escalate(at(2026, 11, 6, 8)) == {"due_soon": 0, "overdue": 1}
    assert escalate(at(2026, 11, 9, 8)) == {"due_soon": 0, "overdue": 0}

    assert escalations(case) == ["overdue", "due_soon"]
    # Each run e-mailed the group once (Celery is eager in tests).
    assert [m.to for m in mail.outbox] == [[group.email], [group.email]]
    assert case.reference in mail.outbox[1].body
    assert GroupMessage.objects.filter(sent_at__isnull=True).count() == 0


def test_a_case_overdue_at_once_is_escalated_once(melding, escalate):
    case = open_case(case_type=melding, registered_at=at(2026, 11, 2, 10))
    assert escalate(at(2026, 11, 12, 8)) == {"due_soon": 0, "overdue": 1}
    assert escalations(case) == ["overdue"]


def test_waiting_resolved_and_final_cases_are_not_chased(melding, escalate):
    with time_machine.travel(at(2026, 11, 2, 10)):
        for state in ("waiting", "resolved", "closed", "cancelled", "rejected"):
            case_in_state(state, case_type=melding)
    assert escalate(at(2026, 12, 1, 8)) == {"due_soon": 0, "overdue": 0}


def test_a_pause_moves_the_thresholds_without_escalating_twice(melding, handler, escalate):
    case = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))  # due Thursday 19
    case_transition(actor=handler, case=case, transition="start", now=at(2026, 11, 16, 11))
    assert escalate(at(2026, 11, 19, 8)) == {"due_soon": 1, "overdue": 0}
    case_transition(actor=handler, case=case, transition="suspend", reason="wacht", now=at(2026, 11, 19, 9))
    assert escalate(at(2026, 11, 20, 8)) == {"due_soon": 0, "overdue": 0}  # waiting: the clock stands still
    case = case_transition(actor=handler, case=case, transition="resume", now=at(2026, 11, 23, 9))
    assert case.due_at == at(2026, 11, 23, 23, 59, 59)  # Fri 20 and Mon 23 paused

    # Still inside the warning period it was escalated for: no second due-soon escalation, but overdue on time.
    assert escalate(at(2026, 11, 23, 10)) == {"due_soon": 0, "overdue": 0}
    assert escalate(at(2026, 11, 24, 8)) == {"due_soon": 0, "overdue": 1}
    assert escalations(case) == ["overdue", "due_soon"]


def test_a_case_back_before_its_thresholds_is_chased_again(melding, handler, escalate):
    case = open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))
    escalate(at(2026, 11, 19, 8))
    Case.objects.filter(pk=case.pk).update(due_at=at(2026, 11, 30, 23, 59, 59), warn_at=at(2026, 11, 27, 23, 59, 59))
    case.refresh_from_db()
    case.forget_uncrossed_escalation(at(2026, 11, 19, 9))
    case.save()

    assert escalate(at(2026, 11, 28, 8)) == {"due_soon": 1, "overdue": 0}
    assert escalations(case) == ["due_soon", "due_soon"]


def test_one_message_per_group_per_run_and_members_when_no_address(melding, other_group, escalate):
    other_group.email = ""
    other_group.save()
    member = other_group.members.get()
    for _ in range(3):
        open_case(case_type=melding, registered_at=at(2026, 11, 2, 10))
    open_case(case_type=CaseTypeFactory(default_group=other_group), registered_at=at(2026, 11, 2, 10))

    escalate(at(2026, 11, 10, 8))

    assert sorted(m.to[0] for m in mail.outbox) == sorted([melding.default_group.email, member.email])
    assert GroupMessage.objects.count() == 2


def test_an_unreachable_broker_loses_no_message(melding, monkeypatch, escalate):
    open_case(case_type=melding, registered_at=at(2026, 11, 2, 10))

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.send_group_message, "apply_async", broker_down)
    escalate(at(2026, 11, 10, 8))
    message = GroupMessage.objects.get()
    assert (message.status, message.sent_at, mail.outbox) == ("pending", None, [])

    monkeypatch.undo()
    with time_machine.travel(message.next_attempt_at + timedelta(minutes=2)):
        assert group_messages_relay() == 1
    message.refresh_from_db()
    assert message.status == "sent" and message.sent_at is not None and len(mail.outbox) == 1
    assert group_messages_relay() == 0


def test_the_chase_list_for_supervisors(client_for, melding, other_group, django_assert_max_num_queries):
    for day in (2, 3, 4):
        open_case(case_type=melding, registered_at=at(2026, 11, day, 10))
    open_case(case_type=melding, registered_at=at(2026, 11, 16, 10))  # due Thursday 19: due soon
    open_case(case_type=CaseTypeFactory(default_group=other_group), registered_at=at(2026, 11, 12, 10))
    secret = CaseTypeFactory(default_group=HandlerGroupFactory(), confidential=True)
    open_case(case_type=secret, registered_at=at(2026, 11, 2, 10))
    client = client_for(UserFactory(role="supervisor"))

    with time_machine.travel(at(2026, 11, 19, 9)), django_assert_max_num_queries(7):
        response = client.get(reverse("v1:supervision-overdue"), {"limit": 2})

    assert response.status_code == 200
    rows = {row["handler_group"]["name"]: row for row in response.data}
    assert set(rows) == {"Openbaar Domein", "Mobiliteit"}  # the confidential group's case stays hidden
    assert (rows["Openbaar Domein"]["overdue"], rows["Openbaar Domein"]["due_soon"]) == (3, 1)
    assert [c["registered_at"][:10] for c in rows["Openbaar Domein"]["oldest"]] == ["2026-11-02", "2026-11-03"]
    assert (rows["Mobiliteit"]["overdue"], rows["Mobiliteit"]["due_soon"]) == (1, 0)
    assert response.data[0]["handler_group"]["name"] == "Openbaar Domein"  # most overdue first
    # The citizens of the cases listed are in the access log (who looked at whom).
    listed = Case.objects.filter(reference__in=[c["reference"] for row in response.data for c in row["oldest"]])
    logged = AccessLog.objects.filter(user=client.user, via=AccessLog.Via.API_SUPERVISION)
    assert sorted(logged.values_list("party", flat=True)) == sorted(listed.values_list("party", flat=True))
    assert client_for(UserFactory(role="handler")).get(reverse("v1:supervision-overdue")).status_code == 403


def test_resolved_cases_close_after_the_reopen_window(melding, handler):
    old = open_case(case_type=melding, registered_at=at(2026, 10, 1, 10))
    recent = open_case(case_type=melding, registered_at=at(2026, 10, 1, 10))
    case_transition(actor=handler, case=old, transition="resolve", public_message="klaar", now=at(2026, 10, 5, 10))
    case_transition(actor=handler, case=recent, transition="resolve", public_message="klaar", now=at(2026, 10, 20, 10))

    assert cases_close_expired(now=at(2026, 11, 1, 10)) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.state, recent.state) == ("closed", "resolved")
    event = old.events.get(transition="close")
    assert event.actor is None and "automatically" in event.text
    assert settings.MIDOFFICE_REOPEN_WINDOW_DAYS == 14


def test_beat_schedule_names_real_tasks():
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks.py
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
