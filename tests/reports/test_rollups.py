"""The daily rollups (PostgreSQL): every KPI that reads them gives the figures of its definition over the source
rows — for every breakdown and filter, and after every kind of write the triggers must see (a contact moved to
another day, deleted, linked to an older case; a call answered, deleted; rows written by COPY)."""

import io
import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from cases.models import Case, CaseKind, HandlerGroup
from contacts.models import Channel, Contact, Direction, Outcome, Source
from notifications.services import notifications_silenced
from reports import rollups
from reports.kpis import REGISTRY, Filters
from reports.models import CallDay, CallRecord, ContactDay, Queue, RollupMark
from reports.periods import parse_period
from tests.factories import CaseTypeFactory, ContactFactory, HandlerGroupFactory, PersonFactory, open_case

from .helpers import at

pytestmark = pytest.mark.django_db

ROLLUP_KPIS = (
    "contacts_linked_share",
    "first_line_resolution",
    "guided_share",
    "channel_share",
    "start_to_submit_seconds",
    "phone_volume_yoy",
    "assistant_session_share",
    "status_lookup_share",
    "call_wait_avg",
    "call_wait_buckets",
    "calls_missed_share",
    "calls_outside_hours",
    "digital_share",
    "misdispatch_rate",
    "unanswered_complaints",
    "open_overdue",
)
PERIODS = ("2026", "2026-Q1", "2026-03", "2025")


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the rollups are PostgreSQL's (SQLite's KPIs read the source rows)")


@pytest.fixture
def data():
    """Contacts over 2025–2026 at local midnights and DST changes, on every channel, source, outcome and direction,
    some about an older case, some opening one; calls in three queues with every wait bucket, inside and outside
    opening hours."""
    rng = random.Random(12)
    melding = CaseTypeFactory(code="melding")
    people = [PersonFactory() for _ in range(6)]
    moments = [
        at(2026, 3, 29, 0, 30),  # the night of the change to summer time
        at(2026, 3, 29, 3, 30),
        at(2026, 3, 31, 23, 59),
        at(2026, 4, 1, 0, 30),  # April locally, 31 March in UTC
        at(2025, 10, 26, 2, 30),  # the change to winter time
        at(2026, 1, 1, 0, 0),
        at(2025, 12, 31, 23, 59),
    ]
    moments += [at(2025, 1, 1, 8) + timedelta(hours=rng.randint(0, 22 * 30 * 24)) for _ in range(60)]
    with notifications_silenced():
        older = open_case(case_type=melding, registered_at=at(2025, 1, 5, 10), party=people[0])
        for index, moment in enumerate(moments):
            party = rng.choice([*people, None])
            contact = ContactFactory(
                party=party,
                anonymous=party is None,
                channel=rng.choice([Channel.PHONE, Channel.WEBSITE, Channel.CHAT, Channel.COUNTER]),
                source=rng.choice([Source.STAFF, Source.VIRTUAL_ASSISTANT, Source.WEB_FORM]),
                direction=rng.choice([Direction.INBOUND, Direction.INBOUND, Direction.OUTBOUND]),
                outcome=rng.choice([Outcome.ANSWERED, Outcome.NO_ANSWER, Outcome.CASE_CREATED, ""]),
                guided=rng.random() < 0.4,
                occurred_at=moment,
                started_at=moment - timedelta(seconds=rng.randint(1, 900), microseconds=rng.randint(0, 999_999))
                if rng.random() < 0.5
                else None,
            )
            if index % 5 == 0:
                older.contacts.add(contact)
            elif index % 7 == 0:
                opened = open_case(case_type=melding, registered_at=moment, party=contact.party)
                opened.contacts.add(contact)
    kcc = HandlerGroupFactory(name="KCC", is_kcc=True)
    complaint = CaseTypeFactory(code="klacht", kind=CaseKind.COMPLAINT, about_unanswered_question=True)
    with notifications_silenced():
        for index in range(40):
            case = open_case(
                case_type=rng.choice([melding, complaint]),
                registered_at=at(2025, 1, 2, 9) + timedelta(hours=rng.randint(0, 22 * 30 * 24)),
                channel=rng.choice([Channel.PHONE, Channel.WEBSITE, Channel.EMAIL]),
            )
            source = rng.choice([Source.STAFF, Source.WEB_FORM, Source.VIRTUAL_ASSISTANT])
            Case.objects.filter(pk=case.pk).update(intake_source=source)
            if index % 3 == 0:  # returned to the KCC by the group routing sent it to
                Case.objects.filter(pk=case.pk).update(
                    returned_to_kcc_at=case.registered_at + timedelta(hours=2),
                    returned_by_group=case.handler_group,
                    handler_group=kcc,
                )
            elif index % 5 == 0:  # resolved (or closed) since
                resolved = case.registered_at + timedelta(days=rng.randint(1, 40))
                Case.objects.filter(pk=case.pk).update(
                    state="closed" if index % 2 else "resolved",
                    resolved_at=resolved,
                    closed_at=resolved + timedelta(days=14) if index % 2 else None,
                )
    queues = [Queue.objects.create(code=f"q{n}", name=f"Queue {n}") for n in range(3)]
    for index in range(120):
        offered = at(2025 + index % 2, 1 + index % 11, 1 + index % 28, index % 24, index % 60)
        wait = rng.choice([None, 0, 30, 31, 60, 61, 90, 91, 120, 121, 300, 301, 900])
        answered = None if wait is None else offered + timedelta(seconds=wait, milliseconds=300)
        CallRecord.objects.create(
            key=f"c{index}",
            queue=queues[index % 3],
            offered_at=offered,
            answered_at=answered,
            abandoned=wait is None and index % 2 == 0,
            inside_hours=index % 4 != 0,
            wait_seconds=wait,
        )
    return {"older": older, "queues": queues, "kcc": kcc, "complaint": complaint}


def figures(code: str, *, rollup: bool) -> dict:
    """Every figure of the KPI ``code``: each period, each of its breakdowns, each filter it takes."""
    kpi = REGISTRY[code]
    found = {}
    filters = [Filters()]
    if "channel" in kpi.filters:
        filters.append(Filters(channel=Channel.PHONE))
    if "case_type" in kpi.filters:
        filters.append(Filters(case_type="melding"))
    if "handler_group" in kpi.filters:
        filters.append(Filters(handler_group=HandlerGroup.objects.order_by("pk").values_list("pk", flat=True)[0]))
    with override_settings(REPORTS_ROLLUPS=rollup):
        for label in PERIODS:
            for given in filters:
                for breakdown in (None, *kpi.breakdowns):
                    key = (label, given, breakdown)
                    found[key] = [
                        (f.key, _normal(f.numerator), _normal(f.denominator), _extra(f.extra))
                        for f in kpi.compute(parse_period(label), given, breakdown)
                    ]
    return found


def _normal(value):
    return None if value is None else Decimal(value).normalize() if not isinstance(value, float) else round(value, 9)


def _extra(extra: dict) -> dict:
    return {
        name: _normal(value) if isinstance(value, int | float | Decimal) else value for name, value in extra.items()
    }


def assert_same_figures():
    for code in ROLLUP_KPIS:
        assert figures(code, rollup=True) == figures(code, rollup=False), code


def test_the_rollups_give_the_figures_of_the_source_rows(data):
    assert rollups.enabled()
    assert_same_figures()
    assert ContactDay.objects.exists() and CallDay.objects.exists()
    assert not RollupMark.objects.exists()


def test_every_write_marks_its_days(data):
    assert_same_figures()
    contact = Contact.objects.filter(occurred_at__year=2026).order_by("occurred_at").first()
    contact.occurred_at, contact.started_at = at(2025, 6, 6, 12), None  # moved: both days computed again
    contact.save()
    Contact.objects.filter(pk=Contact.objects.order_by("-occurred_at").values("pk")[:1]).delete()
    # Linked later to a case registered before it: it becomes a status question.
    later = Contact.objects.filter(occurred_at__gt=data["older"].registered_at, cases__isnull=True).first()
    data["older"].contacts.add(later)
    call = CallRecord.objects.filter(answered_at__isnull=True).first()
    call.answered_at, call.wait_seconds, call.abandoned = call.offered_at + timedelta(seconds=45), 45, False
    call.save()
    CallRecord.objects.filter(pk=CallRecord.objects.order_by("pk").values("pk")[:1]).delete()
    assert set(RollupMark.objects.values_list("source", flat=True)) == {"contacts", "cases", "calls"}
    assert_same_figures()


def test_the_changes_of_cases_and_of_their_types_and_groups_are_marked(data):
    assert_same_figures()
    case = Case.objects.filter(returned_to_kcc_at__isnull=True).order_by("pk").first()
    Case.objects.filter(pk=case.pk).update(returned_to_kcc_at=case.registered_at, returned_by_group=case.handler_group)
    Case.objects.filter(pk=Case.objects.order_by("-pk").values("pk")[:1]).update(channel=Channel.COUNTER)
    assert RollupMark.objects.filter(source="cases").exists()
    assert_same_figures()
    data["complaint"].about_unanswered_question = False
    data["complaint"].save()
    assert_same_figures()
    HandlerGroup.objects.filter(pk=data["kcc"].pk).update(is_kcc=False)
    assert_same_figures()
    # A contact of the assistant linked to a case registered after it: the case came in through the assistant.
    assistant = Contact.objects.filter(source=Source.VIRTUAL_ASSISTANT).order_by("occurred_at").first()
    Case.objects.filter(registered_at__gt=assistant.occurred_at).order_by("pk").first().contacts.add(assistant)
    assert_same_figures()


def test_rows_written_by_copy_are_marked(data):
    rollups.refresh()
    queue = data["queues"][0]
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY reports_callrecord (key, queue_id, caller_number, offered_at, answered_at, abandoned, agent, "
            "inside_hours, wait_seconds, received_at) FROM STDIN"
        ) as copy,
    ):
        offered, answered = "2026-02-03 09:00:00+01", "2026-02-03 09:00:10+01"
        copy.write(f"copied-1\t{queue.pk}\t\t{offered}\t{answered}\tf\t\tt\t10\t{offered}\n")
    assert RollupMark.objects.filter(source="calls").exists()
    assert_same_figures()


def test_a_case_that_changes_marks_its_registration_day_only(data):
    """The contacts' rollup holds no case attribute but the link and the registration: a case's change marks the
    cases' rollup of its registration day, nothing else."""
    rollups.refresh()
    Case.objects.filter(pk=data["older"].pk).update(description="changed")
    assert set(RollupMark.objects.values_list("source", "day")) == {("cases", data["older"].registered_at.date())}


def test_rows_written_without_the_triggers_are_computed_by_refresh_rollups_all(data):
    """A data-only restore with the triggers disabled marks nothing: ``refresh_rollups --all`` computes every day."""
    assert_same_figures()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        ContactFactory(party=None, anonymous=True, channel=Channel.PHONE, occurred_at=at(2026, 2, 2, 10))
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert not RollupMark.objects.exists()
    period = parse_period("2026-02")
    stale = REGISTRY["contacts_linked_share"].compute(period, Filters(), None)[0]
    call_command("refresh_rollups", "--all", stdout=io.StringIO())
    fresh = REGISTRY["contacts_linked_share"].compute(period, Filters(), None)[0]
    assert fresh.denominator == stale.denominator + 1
    assert_same_figures()
