"""Call records and live telephony events in: the API, its refusals, idempotency and the values derived when a call
is written (inside the queue's opening hours, whole-second waits), each checked against a time worked out by hand.

The queue ``kcc`` is open Monday to Friday 08:30–12:00 and 13:00–17:00 and Saturday 09:00–12:00, Brussels time.
In March 2026 Brussels is UTC+1 until Sunday 29 March, UTC+2 from then on; Monday 6 April 2026 is Easter Monday.
"""

import threading
import time as time_module
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction

from cases.models import ClosingDay
from reports.models import CallRecord, OpeningInterval, Queue, TelephonyEvent
from reports.services import RecordsInvalid
from reports.services.telephony import CallImporter, calls_import, telephony_events_record

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
CALLS = "/api/v1/reports/calls/"
EVENTS = "/api/v1/reports/telephony-events/"


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def iso(moment: datetime | str) -> str:
    return moment if isinstance(moment, str) else moment.isoformat()


@pytest.fixture
def kcc():
    queue = Queue.objects.create(code="kcc", name="Contactcenter")
    for weekday in range(5):
        OpeningInterval.objects.create(queue=queue, weekday=weekday, opens=time(8, 30), closes=time(12))
        OpeningInterval.objects.create(queue=queue, weekday=weekday, opens=time(13), closes=time(17))
    OpeningInterval.objects.create(queue=queue, weekday=5, opens=time(9), closes=time(12))
    return queue


@pytest.fixture
def telephony(reports_client):
    return reports_client(scopes=["telephony"])


def call(key: str, offered: datetime, **fields) -> dict:
    """A call record as the telephony system sends it (``fields`` may replace any, ``offered_at`` too)."""
    body = {"key": key, "queue": "kcc", "offered_at": iso(offered)}
    return body | {name: iso(value) if isinstance(value, datetime) else value for name, value in fields.items()}


def typed_call(key: str, offered_at: datetime, **fields) -> dict:
    """A record as the API hands it to the service: typed, every field present."""
    empty = {"caller_number": "", "answered_at": None, "ended_at": None, "abandoned": False, "agent": ""}
    return {"key": key, "queue": "kcc", "offered_at": offered_at, **empty, **fields}


def inside(telephony, offered_at: datetime) -> bool:
    key = f"call-{offered_at.isoformat()}"
    response = telephony.post(CALLS, call(key, offered_at))
    assert response.status_code == 201, response.json()
    return CallRecord.objects.get(key=key).inside_hours


@pytest.mark.parametrize(
    ("offered_at", "expected"),
    [
        (at(2026, 3, 2, 8, 30), True),  # Monday, the exact opening minute
        (at(2026, 3, 2, 8, 29, 59), False),  # a second before it
        (at(2026, 3, 2, 11, 59, 59, 999999), True),
        (at(2026, 3, 2, 12, 0), False),  # the exact closing minute of the morning
        (at(2026, 3, 2, 13, 0), True),
        (at(2026, 3, 2, 17, 0), False),  # the exact closing minute of the day
        (at(2026, 3, 7, 9, 0), True),  # Saturday's interval
        (at(2026, 3, 7, 11, 59), True),
        (at(2026, 3, 7, 12, 0), False),
        (at(2026, 3, 7, 14, 0), False),  # Saturday afternoon: no interval
        (at(2026, 3, 8, 10, 0), False),  # Sunday: none at all
        (at(2026, 4, 6, 10, 0), False),  # Easter Monday: a public holiday
        (at(2026, 7, 11, 10, 0), False),  # 11 July, the Flemish holiday, on a Saturday
    ],
)
def test_inside_opening_hours(telephony, kcc, offered_at, expected):
    assert inside(telephony, offered_at) is expected


def test_a_closing_day_is_outside(telephony, kcc):
    ClosingDay.objects.create(date=datetime(2026, 3, 3).date(), reason="Brugdag")
    assert inside(telephony, at(2026, 3, 3, 10, 0)) is False
    assert inside(telephony, at(2026, 3, 4, 10, 0)) is True


def test_opening_hours_are_brussels_time_whatever_the_offset_sent(telephony, kcc):
    """07:30 UTC is 08:30 in Brussels in winter (UTC+1), inside; 06:30 UTC on 30 March is 08:30 in summer (UTC+2),
    inside; 06:29 UTC then is 08:29, outside; 15:00 UTC on 2 March is 16:00, inside; 16:00 UTC is 17:00, outside."""
    utc = ZoneInfo("UTC")
    assert inside(telephony, datetime(2026, 3, 2, 7, 30, tzinfo=utc)) is True
    assert inside(telephony, datetime(2026, 3, 30, 6, 30, tzinfo=utc)) is True
    assert inside(telephony, datetime(2026, 3, 30, 6, 29, tzinfo=utc)) is False
    assert inside(telephony, datetime(2026, 3, 2, 15, 0, tzinfo=utc)) is True
    assert inside(telephony, datetime(2026, 3, 2, 16, 0, tzinfo=utc)) is False


def test_the_wait_in_whole_seconds_fraction_dropped(telephony, kcc):
    offered = at(2026, 3, 2, 9, 0)
    batch = [
        call("a", offered, answered_at=offered + timedelta(seconds=30.9), ended_at=offered + timedelta(minutes=3)),
        call("b", offered, answered_at=offered + timedelta(seconds=0.999)),
        call("c", offered, answered_at=offered),
        call("d", offered, ended_at=offered + timedelta(seconds=12), abandoned=True),
    ]
    response = telephony.post(CALLS, batch)
    assert (response.status_code, response.json()) == (201, {"created": 4, "duplicates": 0})
    waits = dict(CallRecord.objects.values_list("key", "wait_seconds"))
    assert waits == {"a": 30, "b": 0, "c": 0, "d": None}
    assert CallRecord.objects.get(key="d").abandoned is True


def test_derived_values_are_not_taken_from_input(telephony, kcc):
    """A Sunday call sent as inside hours with a wait of 5 s: stored outside, with the real wait of 20 s."""
    sunday = at(2026, 3, 8, 10, 0)
    body = call("x", sunday, answered_at=sunday + timedelta(seconds=20), inside_hours=True, wait_seconds=5)
    assert telephony.post(CALLS, body).status_code == 201
    record = CallRecord.objects.get(key="x")
    assert (record.inside_hours, record.wait_seconds) == (False, 20)


def test_one_record_or_a_list_and_every_field_stored(telephony, kcc):
    offered = at(2026, 3, 2, 9, 0)
    body = call(
        "one",
        offered,
        caller_number="+3293001234",
        answered_at=offered + timedelta(seconds=40),
        ended_at=offered + timedelta(minutes=5),
        agent="jpeeters",
    )
    response = telephony.post(CALLS, body)
    assert (response.status_code, response.json()) == (201, {"created": 1, "duplicates": 0})
    record = CallRecord.objects.get()
    assert (record.queue, record.caller_number, record.agent, record.abandoned) == (
        kcc,
        "+3293001234",
        "jpeeters",
        False,
    )
    assert (record.offered_at, record.answered_at) == (offered, offered + timedelta(seconds=40))
    assert record.ended_at == offered + timedelta(minutes=5)


def test_a_batch_sent_again_creates_nothing_new(telephony, kcc):
    offered = at(2026, 3, 2, 9, 0)
    batch = [call(f"k{n}", offered + timedelta(minutes=n)) for n in range(3)]
    assert telephony.post(CALLS, batch).json() == {"created": 3, "duplicates": 0}
    assert telephony.post(CALLS, batch).json() == {"created": 0, "duplicates": 3}
    partly = [*batch[:2], call("k3", offered)]
    assert telephony.post(CALLS, partly).json() == {"created": 1, "duplicates": 2}
    assert CallRecord.objects.count() == 4


def test_a_key_twice_in_one_batch(telephony, kcc):
    """The same content twice: one record and a duplicate; other content under the same key: that record refused."""
    offered = at(2026, 3, 2, 9, 0)
    assert telephony.post(CALLS, [call("k", offered), call("k", offered)]).json() == {"created": 1, "duplicates": 1}
    response = telephony.post(CALLS, [call("m", offered), call("m", offered, agent="other")])
    assert response.status_code == 400
    assert list(response.json()["records"]) == ["1"]
    assert not CallRecord.objects.filter(key="m").exists()


def test_the_same_key_with_other_content_is_refused(telephony, kcc):
    offered = at(2026, 3, 2, 9, 0)
    telephony.post(CALLS, call("k", offered))
    response = telephony.post(CALLS, [call("new", offered), call("k", offered + timedelta(seconds=1))])
    assert response.status_code == 400
    assert response.json() == {
        "records": {"1": {"key": ["A record with this key was sent before with other content."]}}
    }
    assert list(CallRecord.objects.values_list("key", flat=True)) == ["k"]


def test_the_same_moment_with_another_offset_is_the_same_content(telephony, kcc):
    offered = at(2026, 3, 2, 9, 0)
    telephony.post(CALLS, call("k", offered))
    same = call("k", offered.astimezone(ZoneInfo("UTC")))
    assert telephony.post(CALLS, same).json() == {"created": 0, "duplicates": 1}


def test_a_bad_record_in_a_batch_of_three_writes_nothing(telephony, kcc):
    offered = at(2026, 3, 2, 9, 0)
    batch = [
        call("a", offered),
        call("b", offered, answered_at=offered - timedelta(seconds=1)),
        call("c", offered),
    ]
    response = telephony.post(CALLS, batch)
    assert response.status_code == 400
    assert response.json() == {"records": {"1": {"answered_at": ["The call was answered before it was offered."]}}}
    assert not CallRecord.objects.exists()


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"ended_at": at(2026, 3, 2, 8, 59)}, {"ended_at": ["The call ended before it was offered."]}),
        (
            {"answered_at": at(2026, 3, 2, 9, 1), "ended_at": at(2026, 3, 2, 9, 0, 30)},
            {"ended_at": ["The call ended before it was answered."]},
        ),
        (
            {"answered_at": at(2026, 3, 2, 9, 1), "abandoned": True},
            {"abandoned": ["An abandoned call cannot have been answered."]},
        ),
        ({"queue": "nope"}, {"queue": ["There is no telephony queue with the code “nope”."]}),
        (
            {"offered_at": "2026-03-02T09:00:00"},
            {"offered_at": ["Give the time with its offset, e.g. 2026-03-01T10:00:00+01:00."]},
        ),
        ({"offered_at": "1989-12-31T09:00:00+01:00"}, {"offered_at": ["Give a moment on or after 1990-01-01."]}),
    ],
)
def test_refused_records_are_reported_by_index(telephony, kcc, fields, errors):
    offered = at(2026, 3, 2, 9, 0)
    response = telephony.post(CALLS, [call("good", offered), call("bad", offered, **fields)])
    assert response.status_code == 400
    assert response.json() == {"records": {"1": errors}}
    assert not CallRecord.objects.exists()


def test_a_single_bad_object_is_index_0_and_shape_errors_too(telephony, kcc):
    response = telephony.post(CALLS, {"key": "x", "queue": "kcc"})
    assert response.status_code == 400
    assert response.json() == {"records": {"0": {"offered_at": ["This field is required."]}}}
    response = telephony.post(CALLS, [call("a", at(2026, 3, 2, 9)), {"queue": "kcc"}, "text"])
    assert set(response.json()["records"]) == {"1", "2"}
    assert telephony.post(CALLS, []).json() == {"records": ["Send at least one record."]}
    assert not CallRecord.objects.exists()


def test_too_many_records_in_one_request(telephony, kcc, monkeypatch):
    monkeypatch.setattr("reports.serializers_data.MAX_RECORDS", 2)
    offered = at(2026, 3, 2, 9, 0)
    response = telephony.post(CALLS, [call(str(n), offered) for n in range(3)])
    assert response.json() == {"records": ["Send at most 2 records at a time (more in a CSV import)."]}


def test_scopes(reports_client, api_client, kcc):
    body = call("a", at(2026, 3, 2, 9, 0))
    counter = reports_client(scopes=["counter", "reports"])
    response = counter.post(CALLS, body)
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert counter.post(EVENTS, {"call_id": "a", "kind": "new_call", "at": body["offered_at"]}).status_code == 403
    assert api_client.post(CALLS, body).status_code == 401
    assert not CallRecord.objects.exists()


def test_the_queues_are_read_once_per_batch(telephony, kcc, django_assert_max_num_queries):
    """Authentication (2), the queues with their intervals (2), the transaction (a savepoint in a test: 2), the keys
    (1), the closing days (1, cached for a minute) and one insert: the same for 1 call or 200."""
    Queue.objects.create(code="other", name="Andere")
    offered = at(2026, 3, 2, 9, 0)
    with django_assert_max_num_queries(9):
        assert telephony.post(CALLS, [call("one", offered)]).status_code == 201
    batch = [call(f"k{n}", offered + timedelta(seconds=n)) | {"queue": ["kcc", "other"][n % 2]} for n in range(200)]
    with django_assert_max_num_queries(9):
        assert telephony.post(CALLS, batch).status_code == 201
    assert CallRecord.objects.filter(inside_hours=True).count() == 101  # kcc's; "other" has no opening hours


def test_a_key_stored_meanwhile_by_another_request_is_a_conflict(telephony, kcc, monkeypatch):
    """The look-up of stored keys missed one (a concurrent request): the unique key refuses it, 409, nothing
    written."""
    offered = at(2026, 3, 2, 9, 0)
    calls_import(records=[typed_call("k", offered)])
    monkeypatch.setattr(CallImporter, "_stored", lambda self, keys: {})
    response = telephony.post(CALLS, [call("new", offered), call("k", offered)])
    assert (response.status_code, response.json()["code"]) == (409, "import_conflict")
    assert list(CallRecord.objects.values_list("key", flat=True)) == ["k"]


# --- Live events --------------------------------------------------------------------------------------------------


def event(call_id: str, kind: str, moment: datetime, **fields) -> dict:
    return {"call_id": call_id, "kind": kind, "at": iso(moment), **fields}


def test_events_build_the_call_record(telephony, kcc):
    offered = at(2026, 3, 2, 9, 0)
    new_call = event("c1", "new_call", offered, queue="kcc", caller_number="+3293001234")
    assert telephony.post(EVENTS, new_call).json() == {"created": 1, "duplicates": 0}
    record = CallRecord.objects.get(key="c1")
    assert (record.offered_at, record.answered_at, record.inside_hours, record.wait_seconds) == (
        offered,
        None,
        True,
        None,
    )
    answered = event("c1", "answered", offered + timedelta(seconds=42.7), agent="jpeeters")
    hang_up = event("c1", "hang_up", offered + timedelta(minutes=4))
    assert telephony.post(EVENTS, [answered, hang_up]).json() == {"created": 2, "duplicates": 0}
    record.refresh_from_db()
    assert (record.wait_seconds, record.agent, record.abandoned, record.caller_number) == (
        42,
        "jpeeters",
        False,
        "+3293001234",
    )
    assert record.ended_at == offered + timedelta(minutes=4)


def test_an_event_sent_again_changes_nothing(telephony, kcc):
    offered = at(2026, 3, 2, 9, 0)
    telephony.post(EVENTS, [event("c1", "new_call", offered, queue="kcc"), event("c1", "hang_up", offered)])
    again = [event("c1", "new_call", offered + timedelta(hours=1), queue="kcc"), event("c1", "hang_up", offered)]
    assert telephony.post(EVENTS, again).json() == {"created": 0, "duplicates": 2}
    assert TelephonyEvent.objects.count() == 2
    record = CallRecord.objects.get()
    assert (record.offered_at, record.abandoned) == (offered, True)


def test_a_hang_up_without_an_answer_is_abandoned(telephony, kcc):
    offered = at(2026, 3, 2, 19, 0)
    telephony.post(EVENTS, [event("c1", "new_call", offered, queue="kcc"), event("c1", "hang_up", offered)])
    record = CallRecord.objects.get()
    assert (record.abandoned, record.inside_hours, record.wait_seconds) == (True, False, None)


def test_events_out_of_order_are_kept_until_the_new_call(telephony, kcc):
    """The hang-up comes first, then the answer, then the new call: no record until the new call; then one with
    the answer (wait 15 s), not abandoned."""
    offered = at(2026, 3, 2, 9, 0)
    assert telephony.post(EVENTS, event("c1", "hang_up", offered + timedelta(minutes=2))).status_code == 201
    assert not CallRecord.objects.exists()
    assert telephony.post(EVENTS, event("c1", "answered", offered + timedelta(seconds=15))).status_code == 201
    assert not CallRecord.objects.exists()
    assert telephony.post(EVENTS, event("c1", "new_call", offered, queue="kcc")).status_code == 201
    record = CallRecord.objects.get()
    assert (record.wait_seconds, record.abandoned, record.ended_at) == (15, False, offered + timedelta(minutes=2))


def test_a_late_answer_makes_an_abandoned_call_answered(telephony, kcc):
    offered = at(2026, 3, 2, 9, 0)
    telephony.post(
        EVENTS, [event("c1", "new_call", offered, queue="kcc"), event("c1", "hang_up", offered + timedelta(minutes=1))]
    )
    assert CallRecord.objects.get().abandoned is True
    telephony.post(EVENTS, event("c1", "answered", offered + timedelta(seconds=10)))
    record = CallRecord.objects.get()
    assert (record.abandoned, record.wait_seconds) == (False, 10)


@pytest.mark.parametrize(
    ("events", "errors"),
    [
        ([event("c1", "new_call", at(2026, 3, 2, 9))], {"0": {"queue": ["A new call needs its queue."]}}),
        (
            [event("c1", "new_call", at(2026, 3, 2, 9), queue="nope")],
            {"0": {"queue": ["There is no telephony queue with the code “nope”."]}},
        ),
        (
            [
                event("c1", "new_call", at(2026, 3, 2, 9), queue="kcc"),
                event("c1", "answered", at(2026, 3, 2, 8, 59)),
            ],
            {"1": {"at": ["The call was answered before it was offered."]}},
        ),
        (
            [event("c1", "answered", at(2026, 3, 2, 9, 5)), event("c1", "hang_up", at(2026, 3, 2, 9, 4))],
            {"1": {"at": ["The call ended before it was answered."]}},
        ),
        (
            [event("c1", "new_call", "2026-03-02T09:00:00", queue="kcc")],
            {"0": {"at": ["Give the time with its offset, e.g. 2026-03-01T10:00:00+01:00."]}},
        ),
    ],
)
def test_refused_events_write_nothing(telephony, kcc, events, errors):
    response = telephony.post(EVENTS, events)
    assert response.status_code == 400
    assert response.json() == {"records": errors}
    assert not TelephonyEvent.objects.exists()
    assert not CallRecord.objects.exists()


def test_an_event_against_a_stored_event_is_checked_too(telephony, kcc):
    telephony.post(EVENTS, event("c1", "hang_up", at(2026, 3, 2, 9, 5)))
    response = telephony.post(EVENTS, event("c1", "new_call", at(2026, 3, 2, 9, 6), queue="kcc"))
    assert response.json() == {"records": {"0": {"at": ["The call ended before it was offered."]}}}
    assert not CallRecord.objects.exists()


def test_a_call_sent_as_a_record_takes_no_events(telephony, kcc):
    telephony.post(CALLS, call("c1", at(2026, 3, 2, 9)))
    response = telephony.post(EVENTS, event("c1", "hang_up", at(2026, 3, 2, 9, 5)))
    assert response.status_code == 400
    assert list(response.json()["records"]["0"]) == ["call_id"]


def test_a_record_built_by_events_counts_as_sent_with_its_content(telephony, kcc):
    """The nightly batch of the same call: a duplicate when it says what the events said, refused otherwise."""
    offered = at(2026, 3, 2, 9, 0)
    telephony.post(
        EVENTS, [event("c1", "new_call", offered, queue="kcc"), event("c1", "hang_up", offered + timedelta(minutes=1))]
    )
    same = call("c1", offered, ended_at=offered + timedelta(minutes=1), abandoned=True)
    assert telephony.post(CALLS, same).json() == {"created": 0, "duplicates": 1}
    assert telephony.post(CALLS, call("c1", offered)).status_code == 400


def test_services_refuse_naive_moments_too(kcc):
    """Called without the API's serializer: the service checks the offset itself."""
    with pytest.raises(RecordsInvalid) as refused:
        calls_import(records=[typed_call("k", datetime(2026, 3, 2, 9))])
    assert list(refused.value.errors[0]) == ["offered_at"]
    with pytest.raises(RecordsInvalid):
        telephony_events_record(
            events=[{"call_id": "c", "kind": "new_call", "at": datetime(2026, 3, 2), "queue": "kcc"}]
        )


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL advisory locks")
@pytest.mark.django_db(transaction=True)
def test_two_events_of_one_call_at_the_same_moment_are_both_applied(kcc):
    """The answer's request is still open when the hang-up's arrives: the hang-up waits for it (a lock per call id)
    and builds the record from both events. Without the lock it would see no answer and store an abandoned call."""
    offered = at(2026, 3, 2, 9, 0)
    telephony_events_record(events=[{"call_id": "c1", "kind": "new_call", "at": offered, "queue": "kcc"}])
    answered_not_committed = threading.Event()

    def answer():
        try:
            with transaction.atomic():
                telephony_events_record(
                    events=[{"call_id": "c1", "kind": "answered", "at": offered + timedelta(seconds=9)}]
                )
                answered_not_committed.set()
                time_module.sleep(0.5)
        finally:
            connections.close_all()

    def hang_up():
        try:
            answered_not_committed.wait(timeout=10)
            telephony_events_record(events=[{"call_id": "c1", "kind": "hang_up", "at": offered + timedelta(minutes=2)}])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer), threading.Thread(target=hang_up)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    record = CallRecord.objects.get()
    assert (record.wait_seconds, record.ended_at, record.abandoned) == (9, offered + timedelta(minutes=2), False)
