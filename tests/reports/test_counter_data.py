"""Counter visits in: the API, its refusals, idempotency and the values derived when a visit is written (the wait
after the scheduled start, the lead time in working days), each worked out by hand.

Brussels is UTC+1 in early March 2026. Friday 3 April 2026 is a working day, Monday 6 April is Easter Monday.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from cases.models import ClosingDay
from reports.models import CounterCluster, CounterVisit

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = ZoneInfo("UTC")
VISITS = "/api/v1/reports/visits/"


def at(*args, tz=BRUSSELS) -> datetime:
    return datetime(*args, tzinfo=tz)


def iso(moment: datetime | str) -> str:
    return moment if isinstance(moment, str) else moment.isoformat()


@pytest.fixture
def clusters():
    CounterCluster.objects.create(code="burgerzaken", name="Burgerzaken", norm_minutes=Decimal(1))
    CounterCluster.objects.create(code="ocmw", name="OCMW", norm_minutes=Decimal(10))


@pytest.fixture
def counter(reports_client):
    return reports_client(scopes=["counter"])


def visit(key: str, scheduled: datetime, **fields) -> dict:
    """A visit booked a week ahead at the desk, as the appointment system sends it (``fields`` may replace any)."""
    body = {
        "key": key,
        "cluster": "burgerzaken",
        "booked_at": iso(scheduled - timedelta(days=7)),
        "scheduled_start": iso(scheduled),
        "booking_channel": "counter",
    }
    return body | {name: iso(value) if isinstance(value, datetime) else value for name, value in fields.items()}


def stored(counter, body: dict) -> CounterVisit:
    response = counter.post(VISITS, body)
    assert response.status_code == 201, response.json()
    return CounterVisit.objects.get(key=body["key"])


def test_the_wait_after_the_scheduled_start(counter, clusters):
    """Called 2 min 30.7 s late: 150 s; 1 s early: 0; exactly on time: 0; never called: none."""
    start = at(2026, 3, 2, 9, 0)
    assert stored(counter, visit("late", start, called_at=start + timedelta(seconds=150.7))).wait_seconds == 150
    assert stored(counter, visit("early", start, called_at=start - timedelta(seconds=1))).wait_seconds == 0
    assert stored(counter, visit("sharp", start, called_at=start)).wait_seconds == 0
    assert stored(counter, visit("waiting", start)).wait_seconds is None


@pytest.mark.parametrize(
    ("booked_at", "scheduled_start", "days"),
    [
        (at(2026, 3, 2, 9), at(2026, 3, 2, 15), 0),  # the same day
        (at(2026, 3, 6, 16), at(2026, 3, 9, 9), 1),  # Friday for Monday
        (at(2026, 3, 7, 10), at(2026, 3, 9, 9), 1),  # Saturday for Monday
        (at(2026, 3, 2, 9), at(2026, 3, 9, 9), 5),  # a week later
        (at(2026, 4, 2, 9), at(2026, 4, 7, 9), 2),  # Thursday for Tuesday over Easter Monday: Friday, Tuesday
        # 23:30 UTC on Thursday 5 March is 00:30 on Friday in Brussels: Friday for Monday
        (at(2026, 3, 5, 23, 30, tz=UTC), at(2026, 3, 9, 9), 1),
        (at(2026, 3, 9, 10), at(2026, 3, 9, 9), 0),  # booked after the start (a walk-in): 0
    ],
)
def test_the_lead_time_in_working_days(counter, clusters, booked_at, scheduled_start, days):
    body = visit("v", scheduled_start, booked_at=booked_at)
    assert stored(counter, body).lead_working_days == days


def test_a_closing_day_is_no_working_day_of_the_lead_time(counter, clusters):
    """Monday 2 March for Thursday 5 March: Tuesday, Wednesday, Thursday less the closing day Wednesday = 2."""
    ClosingDay.objects.create(date=datetime(2026, 3, 4).date(), reason="Personeelsfeest")
    assert stored(counter, visit("v", at(2026, 3, 5, 9), booked_at=at(2026, 3, 2, 9))).lead_working_days == 2


def test_every_field_stored_and_the_defaults(counter, clusters):
    start = at(2026, 3, 2, 9, 0)
    body = visit(
        "v1",
        start,
        cluster="ocmw",
        booking_channel="website",
        booking_source="virtual_assistant",
        started_at=start - timedelta(days=7, seconds=95),
        called_at=start + timedelta(minutes=3),
    )
    record = stored(counter, body)
    assert (record.cluster.code, record.booking_channel, record.booking_source) == (
        "ocmw",
        "website",
        "virtual_assistant",
    )
    assert record.started_at == start - timedelta(days=7, seconds=95)
    assert (record.called_at, record.wait_seconds, record.lead_working_days) == (start + timedelta(minutes=3), 180, 5)
    assert stored(counter, visit("v2", start)).booking_source == "staff"


def test_a_batch_sent_again_creates_nothing_new(counter, clusters):
    start = at(2026, 3, 2, 9, 0)
    batch = [visit(f"v{n}", start + timedelta(minutes=15 * n)) for n in range(3)]
    assert counter.post(VISITS, batch).json() == {"created": 3, "duplicates": 0}
    assert counter.post(VISITS, batch).json() == {"created": 0, "duplicates": 3}
    changed = visit("v1", start, called_at=start)
    response = counter.post(VISITS, [changed])
    assert response.json() == {
        "records": {"0": {"key": ["A record with this key was sent before with other content."]}}
    }
    assert CounterVisit.objects.count() == 3
    assert CounterVisit.objects.get(key="v1").called_at is None


def test_a_bad_record_in_a_batch_of_three_writes_nothing(counter, clusters):
    start = at(2026, 3, 2, 9, 0)
    batch = [visit("a", start), visit("b", start, cluster="wonen"), visit("c", start)]
    response = counter.post(VISITS, batch)
    assert response.status_code == 400
    assert response.json() == {"records": {"1": {"cluster": ["There is no counter cluster with the code “wonen”."]}}}
    assert not CounterVisit.objects.exists()


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"started_at": at(2026, 2, 23, 9, 0, 1)},
            {"started_at": ["The conversation cannot have started after the booking."]},
        ),
        (
            {"scheduled_start": "2026-03-02T09:00:00"},
            {"scheduled_start": ["Give the time with its offset, e.g. 2026-03-01T10:00:00+01:00."]},
        ),
        ({"booking_channel": "fax"}, {"booking_channel": ['"fax" is not a valid choice.']}),
        ({"booking_channel": None}, {"booking_channel": ["This field may not be null."]}),
    ],
)
def test_refused_visits_are_reported_by_index(counter, clusters, fields, errors):
    """Booked at 09:00 on 23 February: a conversation that started a second later cannot have booked it."""
    start = at(2026, 3, 2, 9, 0)
    response = counter.post(VISITS, [visit("good", start), visit("bad", start, **fields)])
    assert response.status_code == 400
    assert response.json() == {"records": {"1": errors}}
    assert not CounterVisit.objects.exists()


def test_a_conversation_started_at_the_booking_is_accepted(counter, clusters):
    start = at(2026, 3, 2, 9, 0)
    assert stored(counter, visit("v", start, started_at=start - timedelta(days=7))).started_at == start - timedelta(
        days=7
    )


def test_scopes(reports_client, api_client, clusters):
    body = visit("v", at(2026, 3, 2, 9, 0))
    assert reports_client(scopes=["telephony"]).post(VISITS, body).status_code == 403
    assert api_client.post(VISITS, body).status_code == 401
    assert not CounterVisit.objects.exists()
