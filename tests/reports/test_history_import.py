"""The previous system's history: cases and contacts imported with the durations the live workflow would have stored,
routed to no one, notifying no one, never work, all or nothing and idempotent by key.

The 2025 calendar used: Monday 3 February, Monday 3, Friday 7, Monday 10, Monday 17 March; no public holiday in
February or March. Two case types: ``melding`` (a report with an admissibility step, 3 working days, Openbaar
Domein) and ``factuur`` (30 calendar days, Mobiliteit).

The history (all in 2025-Q1), computed by hand:
- h1 melding, registered Mon 3 Mar 10:00, accepted Wed 5 Mar 9:00 (Tue, Wed: 2 working days), waited Thu 6 Mar 10:00
  → Mon 10 Mar 9:00 (Fri, Mon: 2 paused days), resolved Wed 12 Mar 15:00 (Tue 4 … Wed 12: 7 working days − 2 = 5),
  closed Wed 26 Mar. Due: 3 working days after Mon 3 = Thu 6, moved on by 2 = Mon 10 Mar 23:59:59, warned from the
  end of Fri 7 Mar; resolved after it: not within the norm.
- h2 melding, registered Tue 4 Mar 9:00, no decision given, resolved Thu 6 Mar 11:00: the resolution decides
  (Wed, Thu: 2 working days), resolution 2 days; due Fri 7 Mar: within the norm. Closed Thu 20 Mar.
- h3 factuur, registered Mon 3 Feb 10:00, started the same day at 14:00 (0 working days), waited Mon 10 Feb → Thu 20
  Feb (10 calendar days), resolved Fri 14 Mar 10:00 (25 days of February + 14 = 39 − 10 = 29); due 3 Feb + 30 =
  Wed 5 Mar, moved on by 10 = Sat 15 Mar 23:59:59: within the norm. Closed Mon 31 Mar.
- h4 melding, registered Mon 10 Mar 9:00, rejected Wed 12 Mar 10:00: the rejection decides (Tue, Wed: 2).
- h5 melding, registered Fri 14 Mar, cancelled Mon 17 Mar without a decision: no duration at all.

KPIs of 2025-Q1: admissibility days (h1 2 + h2 2 + h3 0 + h4 2) ÷ 4 = 1.5; resolution days (5 + 2 + 29) ÷ 3 = 12,
median 5 (h5 cancelled, h4 never resolved); within the norm h2, h3 of h1, h2, h3: 2 ÷ 3 = 66.67 %.
"""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseKind, EventKind, GroupMessage, NormUnit
from cases.selectors import case_list_for_user, overdue_summary
from cases.services import case_open, case_transition
from cases.services.chase import cases_escalate
from contacts.models import Contact, MatchedOn
from notifications.models import Notification
from reports.services import ImportCounts, RecordsInvalid
from reports.services.history import history_contacts_import, history_import
from tests.factories import CaseTypeFactory, EmailFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
KPIS = "/api/v1/reports/kpis/"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


@pytest.fixture
def types(group, other_group):
    melding = CaseTypeFactory(
        code="melding", name="Melding", kind=CaseKind.REPORT, default_group=group, admissibility_step=True
    )
    factuur = CaseTypeFactory(
        code="factuur",
        name="Factuur",
        kind=CaseKind.REQUEST,
        default_group=other_group,
        norm_days=30,
        warning_days=5,
        norm_unit=NormUnit.CALENDAR_DAYS,
    )
    return {"melding": melding, "factuur": factuur}


def record(key, case_type, state, registered_at, **fields) -> dict:
    base = {"key": key, "case_type": case_type, "channel": "phone", "state": state, "registered_at": registered_at}
    return base | fields


HISTORY = [
    record(
        "h1",
        "melding",
        "closed",
        at(2025, 3, 3, 10),
        handler_group="Openbaar Domein",
        admissibility_decided_at=at(2025, 3, 5, 9),
        waiting=[(at(2025, 3, 6, 10), at(2025, 3, 10, 9))],
        resolved_at=at(2025, 3, 12, 15),
        closed_at=at(2025, 3, 26, 10),
        email="An.Peeters@example.be",
        description="Losliggende stoeptegel",
    ),
    record("h2", "melding", "closed", at(2025, 3, 4, 9), resolved_at=at(2025, 3, 6, 11), closed_at=at(2025, 3, 20, 9)),
    record(
        "h3",
        "factuur",
        "closed",
        at(2025, 2, 3, 10),
        admissibility_decided_at=at(2025, 2, 3, 14),
        # As the CSV writes the waits, also accepted from Python.
        waiting="2025-02-10T09:00+01:00/2025-02-20T16:00+01:00",
        resolved_at=at(2025, 3, 14, 10),
        closed_at=at(2025, 3, 31, 10),
    ),
    record("h4", "melding", "rejected", at(2025, 3, 10, 9), closed_at=at(2025, 3, 12, 10)),
    record("h5", "melding", "cancelled", at(2025, 3, 14, 9), closed_at=at(2025, 3, 17, 9)),
]


@pytest.fixture
def history(types):
    assert history_import(HISTORY) == ImportCounts(created=5, duplicates=0)
    return {case.imported_key: case for case in Case.objects.select_related("handler_group", "party")}


def get(api, code, **query):
    response = api.get(f"{KPIS}{code}/", query)
    assert response.status_code == 200, response.content
    return response.json()


def figure(body) -> tuple:
    return body["numerator"], body["denominator"], body["value"]


# --- the cases -------------------------------------------------------------------------------------------------


def test_an_imported_case_with_its_deadlines_durations_and_timeline(history, group):
    """h1 (module docstring): due Mon 10 Mar after 2 paused days, decision 2 working days, resolution 5."""
    case = history["h1"]
    assert (case.imported, case.state, case.handler_group, case.assignee_id) == (True, "closed", group, None)
    assert case.reference == str(case.pk)
    assert case.due_at == at(2025, 3, 10, 23, 59, 59)
    assert case.warn_at == at(2025, 3, 7, 23, 59, 59)
    assert (case.paused_days, case.paused_at) == (2, None)
    assert (case.admissibility_working_days, case.resolution_days) == (2, 5)
    assert (case.admissibility_decided_at, case.resolved_at, case.closed_at) == (
        at(2025, 3, 5, 9),
        at(2025, 3, 12, 15),
        at(2025, 3, 26, 10),
    )
    assert case.party.contact_points.get().value == "an.peeters@example.be"  # resolved (created) by its e-mail
    events = list(
        CaseEvent.objects.filter(case=case)
        .order_by("created_at", "id")
        .values_list("kind", "transition", "to_state", "created_at", "data__imported", "actor")
    )
    assert events == [
        (EventKind.CREATED, "", "new", at(2025, 3, 3, 10), True, None),
        (EventKind.TRANSITION, "accept", "accepted", at(2025, 3, 5, 9), True, None),
        (EventKind.TRANSITION, "suspend", "waiting", at(2025, 3, 6, 10), True, None),
        (EventKind.TRANSITION, "resume", "in_progress", at(2025, 3, 10, 9), True, None),
        (EventKind.TRANSITION, "resolve", "resolved", at(2025, 3, 12, 15), True, None),
        (EventKind.TRANSITION, "close", "closed", at(2025, 3, 26, 10), True, None),
    ]


def test_the_workflows_defaults_group_and_stamps(history, other_group):
    """h2: decided by its resolution; h3: the type's default group, 10 calendar days paused, due Sat 15 Mar; h4:
    decided by its rejection; h5: cancelled undecided, without any duration."""
    h2, h3, h4, h5 = history["h2"], history["h3"], history["h4"], history["h5"]
    assert (h2.admissibility_decided_at, h2.admissibility_working_days, h2.resolution_days) == (
        at(2025, 3, 6, 11),
        2,
        2,
    )
    assert (h3.handler_group, h3.paused_days, h3.due_at) == (other_group, 10, at(2025, 3, 15, 23, 59, 59))
    assert (h3.admissibility_working_days, h3.resolution_days) == (0, 29)
    assert (h4.state, h4.admissibility_decided_at, h4.admissibility_working_days, h4.resolution_days) == (
        "rejected",
        at(2025, 3, 12, 10),
        2,
        None,
    )
    assert (h5.state, h5.admissibility_decided_at, h5.admissibility_working_days, h5.resolution_days) == (
        "cancelled",
        None,
        None,
        None,
    )
    assert h5.party is None
    transitions = CaseEvent.objects.filter(case=h4, kind=EventKind.TRANSITION).values_list("transition", flat=True)
    assert list(transitions) == ["reject"]


def test_the_same_as_the_live_workflow_stores(history, types, group):
    """h1 played out live through the services at the same moments stores the same deadlines and durations."""
    supervisor = UserFactory(role="supervisor")
    live = case_open(
        actor=None, case_type=types["melding"], description="live", channel="phone", registered_at=at(2025, 3, 3, 10)
    )
    for transition, moment in (
        ("accept", at(2025, 3, 5, 9)),
        ("suspend", at(2025, 3, 6, 10)),
        ("resume", at(2025, 3, 10, 9)),
        ("resolve", at(2025, 3, 12, 15)),
        ("close", at(2025, 3, 26, 10)),
    ):
        live = case_transition(
            actor=supervisor, case=live, transition=transition, now=moment, reason="r", public_message="m"
        )
    fields = ("due_at", "warn_at", "paused_days", "admissibility_working_days", "resolution_days", "state")
    imported = history["h1"]
    assert [getattr(live, name) for name in fields] == [getattr(imported, name) for name in fields]


def test_the_kpis_of_the_history_and_a_year_later(supervisor_api, history):
    """The module docstring's figures, for 2025-Q1 and as the year-earlier figures of 2026-Q1 (which has no data)."""
    admissibility = get(supervisor_api, "admissibility_days", period="2025-Q1")
    assert figure(admissibility) == (6, 4, 1.5)
    resolution = get(supervisor_api, "resolution_days", period="2025-Q1")
    assert (*figure(resolution), resolution["median"]) == (36, 3, 12.0, 5.0)
    within = get(supervisor_api, "within_norm_share", period="2025-Q1")
    assert figure(within) == (2, 3, 66.67)
    by_type = get(supervisor_api, "within_norm_share", period="2025-Q1", breakdown="case_type")
    assert {row["key"]: row["value"] for row in by_type["breakdown"]["rows"]} == {"factuur": 100.0, "melding": 50.0}

    a_year_later = get(supervisor_api, "within_norm_share", period="2026-Q1")
    assert (a_year_later["value"], a_year_later["status"]) == (None, "no_data")
    assert figure(a_year_later["year_earlier"]) == (2, 3, 66.67)
    assert figure(get(supervisor_api, "resolution_days", period="2026-Q1")["year_earlier"]) == (36, 3, 12.0)


def test_imported_cases_are_no_work_and_notify_no_one(types, group, handler):
    """No inbox, no chase, no escalation, no message, no notification: even for a case resolved yesterday whose
    party has an e-mail address and whose type tells the citizen of every change. A live case for the same party
    does write notifications (the import would fail this test if it notified)."""
    now = timezone.now()
    party = PersonFactory()
    EmailFactory(party=party, value="burger@example.be")
    recent = record(
        "r1",
        "melding",
        "resolved",
        now - timedelta(days=20),
        resolved_at=now - timedelta(days=1),
        email="burger@example.be",
    )
    history_import([*HISTORY, recent])
    assert Case.objects.get(imported_key="r1").party == party
    supervisor = UserFactory(role="supervisor")
    assert not case_list_for_user(supervisor, open=True).exists()
    assert not case_list_for_user(handler, open=True).exists()
    assert overdue_summary(supervisor, now=now) == []
    cases_escalate(now=now)
    assert (GroupMessage.objects.count(), Notification.objects.count()) == (0, 0)
    assert not CaseEvent.objects.filter(kind=EventKind.ESCALATION).exists()

    case_open(actor=None, case_type=types["melding"], description="live", channel="phone", party=party)
    assert Notification.objects.count() > 0


def test_sending_the_history_again_creates_nothing(history):
    events = CaseEvent.objects.count()
    assert history_import(HISTORY) == ImportCounts(created=0, duplicates=5)
    assert (Case.objects.count(), CaseEvent.objects.count()) == (5, events)
    changed = [HISTORY[0], HISTORY[1] | {"resolved_at": at(2025, 3, 7, 11)}]
    with pytest.raises(RecordsInvalid) as refused:
        history_import(changed)
    assert list(refused.value.errors) == [1]
    assert list(refused.value.errors[1]) == ["key"]


def test_bad_records_each_by_index_and_nothing_written(types):
    """Record 0 is good; 1 an open state; 2 an unknown case type; 3 a time without offset; 4 resolved before its
    registration; 5 closed without a closing time; 6 a wait past the resolution; 7 a wait without a decision; 8 an
    invalid national number; 9 an unknown field; 10 an unknown handler group; 11 resolved a year ago; 12 values of
    the wrong type. Nothing is written."""
    good = HISTORY[1]
    bad = [
        good,
        record("b1", "melding", "in_progress", at(2025, 3, 4, 9)),  # open: refused
        record("b2", "onbekend", "closed", at(2025, 3, 4, 9), resolved_at=at(2025, 3, 5, 9), closed_at=at(2025, 3, 6)),
        record(
            "b3", "melding", "closed", datetime(2025, 3, 4, 9), resolved_at=at(2025, 3, 5), closed_at=at(2025, 3, 6)
        ),
        record("b4", "melding", "closed", at(2025, 3, 4, 9), resolved_at=at(2025, 3, 3, 9), closed_at=at(2025, 3, 6)),
        record("b5", "melding", "closed", at(2025, 3, 4, 9), resolved_at=at(2025, 3, 5, 9)),
        record(
            "b6",
            "melding",
            "closed",
            at(2025, 3, 4, 9),
            admissibility_decided_at=at(2025, 3, 4, 10),
            waiting=[(at(2025, 3, 5, 9), at(2025, 3, 9, 9))],
            resolved_at=at(2025, 3, 6, 9),
            closed_at=at(2025, 3, 20, 9),
        ),
        record(
            "b7",
            "melding",
            "closed",
            at(2025, 3, 4, 9),
            waiting=[(at(2025, 3, 4, 10), at(2025, 3, 5, 9))],
            resolved_at=at(2025, 3, 6, 9),
            closed_at=at(2025, 3, 20, 9),
        ),
        record("b8", "melding", "cancelled", at(2025, 3, 4, 9), closed_at=at(2025, 3, 5, 9), national_number="12345"),
        record("b9", "melding", "closed", at(2025, 3, 4, 9), priority=3),
        record("b11", "melding", "cancelled", at(2025, 3, 4, 9), closed_at=at(2025, 3, 5, 9), handler_group="Nergens"),
        record("b10", "melding", "resolved", at(2025, 3, 4, 9), resolved_at=at(2025, 3, 5, 9)),
        record("b12", "melding", "cancelled", at(2025, 3, 4, 9), closed_at=at(2025, 3, 5, 9), channel=5, waiting=[5]),
    ]
    with pytest.raises(RecordsInvalid) as refused:
        history_import(bad)
    errors = refused.value.errors
    assert list(errors) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert list(errors[1]) == ["state"]
    assert errors[2] == {"case_type": ["Unknown case type “onbekend”."]}
    assert list(errors[3]) == ["registered_at"]
    assert list(errors[4]) == ["resolved_at"]  # before the registration
    assert list(errors[5]) == ["closed_at"]  # a closed case needs its closing time
    assert list(errors[6]) == ["waiting"]  # the wait ends after the resolution
    assert errors[7] == {  # a case waits only once accepted or started
        "waiting": ["A case waits only after its admissibility decision: give admissibility_decided_at."]
    }
    assert list(errors[8]) == ["national_number"]
    assert errors[9] == {"record": ["Unknown fields: priority."]}
    assert errors[11] == {  # resolved a year ago: the reopen window passed long since
        "state": ["Resolved more than 14 days ago: its reopen window passed, send it as closed."]
    }
    assert errors[10] == {"handler_group": ["Unknown handler group “Nergens”."]}
    assert set(errors[12]) == {"channel", "waiting"}  # given in Python, not as the CSV's texts
    assert not Case.objects.exists()


# --- the command ---------------------------------------------------------------------------------------------------

CASES_CSV = (
    "key;case_type;channel;state;registered_at;admissibility_decided_at;resolved_at;closed_at;waiting\n"
    "c1;melding;email;closed;2025-03-03T10:00+01:00;2025-03-05T09:00+01:00;2025-03-12T15:00+01:00;"
    "2025-03-26T10:00+01:00;2025-03-06T10:00+01:00/2025-03-10T09:00+01:00\n"
)


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_history", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_checks_imports_and_counts_nothing_twice(tmp_path, types):
    path = tmp_path / "cases.csv"
    path.write_text(CASES_CSV, encoding="utf-8")
    assert run("cases", path, "--check")[0] == "1 cases would be imported, 0 duplicate(s) skipped.\n"
    assert not Case.objects.exists()
    assert run("cases", path)[0] == "1 cases imported, 0 duplicate(s) skipped.\n"
    case = Case.objects.get()
    assert (case.imported_key, case.channel, case.paused_days, case.resolution_days) == ("c1", "email", 2, 5)
    assert run("cases", path)[0] == "0 cases imported, 1 duplicate(s) skipped.\n"


def test_a_bad_row_imports_nothing_and_every_bad_row_has_its_line(tmp_path, types):
    """Line 1 is the header, line 2 good; line 3 an open state, line 4 a time without offset and a wait given
    without its end."""
    path = tmp_path / "cases.csv"
    path.write_text(
        CASES_CSV
        + "c2;melding;phone;new;2025-03-04T09:00+01:00;;;;\n"
        + "c3;melding;phone;closed;2025-03-04T09:00;;2025-03-05T09:00+01:00;2025-03-06T09:00+01:00;2025-03-04T10:00\n",
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_history", "cases", str(path), stdout=StringIO(), stderr=err)
    assert str(refused.value) == "2 bad row(s): nothing imported."
    lines = err.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["line 3", "line 4", "line 4"]
    assert [line.split(": ")[1] for line in lines] == ["state", "registered_at", "waiting"]
    assert not Case.objects.exists()


# --- the contacts --------------------------------------------------------------------------------------------------


def test_contacts_of_the_history_linked_to_their_case(history, tmp_path):
    """k1 names h1 and no one: the case's party. k2 an e-mail address: its party (the one h1 created). k3 nobody:
    anonymous. A file sent again counts nothing twice; an unknown case key is an error of its line."""
    path = tmp_path / "contacts.csv"
    path.write_text(
        "key,channel,occurred_at,subject,outcome,guided,email,case_key\n"
        "k1,phone,2025-03-03T10:00+01:00,Stoeptegel,case_created,0,,h1\n"
        "k2,counter,2025-03-04T11:00+01:00,Vraag,answered,1,an.peeters@example.be,\n"
        "k3,email,2025-03-05T12:00+01:00,Info,,,,\n",
        encoding="utf-8",
    )
    assert run("contacts", path)[0] == "3 contacts imported, 0 duplicate(s) skipped.\n"
    h1 = history["h1"]
    k1, k2, k3 = (Contact.objects.get(imported_key=key) for key in ("k1", "k2", "k3"))
    assert list(h1.contacts.all()) == [k1]
    assert (k1.party, k1.matched_on, k1.outcome, k1.occurred_at) == (
        h1.party,
        MatchedOn.GIVEN,
        "case_created",
        at(2025, 3, 3, 10),
    )
    assert (k2.party, k2.matched_on, k2.guided, k2.channel) == (h1.party, MatchedOn.EMAIL, True, "counter")
    assert (k3.party, k3.anonymous) == (None, True)
    assert run("contacts", path)[0] == "0 contacts imported, 3 duplicate(s) skipped.\n"
    assert Notification.objects.count() == 0

    with pytest.raises(RecordsInvalid) as refused:
        history_contacts_import(
            [
                {"key": "k4", "channel": "phone", "occurred_at": at(2025, 3, 6, 9), "subject": "x", "case_key": "nope"},
                {
                    "key": "k5",
                    "channel": "phone",
                    "occurred_at": at(2025, 3, 6, 9),
                    "subject": "y",
                    "outcome": "case_created",
                },
            ]
        )
    assert {index: list(errors) for index, errors in refused.value.errors.items()} == {0: ["case_key"], 1: ["outcome"]}
    assert Contact.objects.count() == 3
