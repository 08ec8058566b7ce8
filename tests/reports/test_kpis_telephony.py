"""The telephony KPIs (call_wait_avg, call_wait_buckets, calls_missed_share, calls_outside_hours) through the KPI
API, on a small set of call records whose answers are computed by hand in each test's docstring.

The call records are created directly, with their derived fields (``inside_hours``, ``wait_seconds``) set here:
the service deriving them is tested on its own."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.kpis import NO_FILTERS, REGISTRY
from reports.models import CallRecord, KpiNorm, Queue
from reports.periods import parse_period
from reports.selectors import kpi_report

from .helpers import KPIS, at, headline, kpi, kpi_queries

pytestmark = pytest.mark.django_db


def call(queue, offered_at, *, wait=None, abandoned=False, inside=True):
    """A call record; ``wait`` whole seconds answered after ``offered_at`` (plus a fraction the wait drops)."""
    call.count += 1
    answered_at = None if wait is None else offered_at + timedelta(seconds=wait, milliseconds=900)
    return CallRecord.objects.create(
        key=f"call-{call.count}",
        queue=queue,
        offered_at=offered_at,
        answered_at=answered_at,
        ended_at=(answered_at or offered_at) + timedelta(minutes=2),
        abandoned=abandoned,
        inside_hours=inside,
        wait_seconds=wait,
    )


call.count = 0


def rows(body):
    return {row["key"]: (row["numerator"], row["denominator"], row["value"], row["status"]) for row in body["rows"]}


@pytest.fixture
def queues():
    return {
        "kcc": Queue.objects.create(code="kcc", name="KCC algemeen nummer"),
        "bz": Queue.objects.create(code="burgerzaken", name="Burgerzaken"),
        "nood": Queue.objects.create(code="nood", name="Noodnummer (24/7)"),
    }


@pytest.fixture
def calls(queues):
    """Q3 2026, inside opening hours:
      kcc (August): answered after 30, 31, 0, 300 and 301 s; 1 abandoned.
      burgerzaken (September): answered after 20 s; 1 abandoned.
    Q3 2026, outside opening hours (never answered or missed): kcc an answered one (500 s) and an abandoned one
      in August; burgerzaken one at 23:59 on 30 September.
    Q4 2026 (1 October 00:30 Brussels = 30 September 22:30 UTC): kcc one outside hours; nood (open day and night)
      one answered inside hours after 5 s.
    Q3 2025 (kcc, inside hours): answered after 60 and 90 s, 1 abandoned; none outside hours."""
    kcc, bz, nood = queues["kcc"], queues["bz"], queues["nood"]
    for minute, wait in enumerate((30, 31, 0, 300, 301)):
        call(kcc, at(2026, 8, 3, 10, minute), wait=wait)
    call(kcc, at(2026, 8, 4, 11), abandoned=True)
    call(bz, at(2026, 9, 14, 9), wait=20)
    call(bz, at(2026, 9, 14, 9, 5), abandoned=True)
    call(kcc, at(2026, 8, 8, 10), wait=500, inside=False)
    call(kcc, at(2026, 8, 9, 20), abandoned=True, inside=False)
    call(bz, at(2026, 9, 30, 23, 59), abandoned=True, inside=False)
    call(kcc, at(2026, 10, 1, 0, 30), abandoned=True, inside=False)
    call(nood, at(2026, 10, 1, 0, 30), wait=5)
    call(kcc, at(2025, 7, 7, 10), wait=60)
    call(kcc, at(2025, 8, 7, 10), wait=90)
    call(kcc, at(2025, 9, 7, 10), abandoned=True)


def test_the_average_wait_of_answered_calls_inside_opening_hours(supervisor_api, calls):
    """Q3 2026: (30 + 31 + 0 + 300 + 301 + 20) / 6 = 682 / 6 = 113.67 s, over the norm (< 45 s): not met. The
    answered call outside opening hours (500 s) is left out. Q3 2025: (60 + 90) / 2 = 75 s."""
    body = kpi(supervisor_api, "call_wait_avg", period="2026-Q3")
    assert headline(body) == (682, 6, 113.67, "not_met")
    assert (body["unit"], body["better"], body["norm"]) == ("seconds", "lower", 44.99)
    assert headline(body["year_earlier"]) == (150, 2, 75.0, "not_met")
    assert body["year_earlier"]["period"]["label"] == "2025-Q3"


def test_the_average_wait_by_queue_and_month(supervisor_api, calls):
    """kcc: 662 / 5 = 132.4 s, not met; burgerzaken: 20 / 1 = 20 s, met. By month: August is kcc's, September
    burgerzaken's."""
    body = kpi(supervisor_api, "call_wait_avg", period="2026-Q3", breakdown="queue")
    assert rows(body["breakdown"]) == {"burgerzaken": (20, 1, 20.0, "met"), "kcc": (662, 5, 132.4, "not_met")}
    body = kpi(supervisor_api, "call_wait_avg", period="2026-Q3", breakdown="month")
    assert rows(body["breakdown"]) == {"2026-08": (662, 5, 132.4, "not_met"), "2026-09": (20, 1, 20.0, "met")}


def test_under_45_seconds_means_45_seconds_is_not_met(supervisor_api, queues):
    """January 2027: waits of 45 and 45 s average 45 s: not under 45, not met. February: 44 and 45 s average
    44.5 s: met."""
    call(queues["kcc"], at(2027, 1, 4, 10), wait=45)
    call(queues["kcc"], at(2027, 1, 4, 11), wait=45)
    call(queues["kcc"], at(2027, 2, 1, 10), wait=44)
    call(queues["kcc"], at(2027, 2, 1, 11), wait=45)
    assert headline(kpi(supervisor_api, "call_wait_avg", period="2027-01")) == (90, 2, 45.0, "not_met")
    assert headline(kpi(supervisor_api, "call_wait_avg", period="2027-02")) == (89, 2, 44.5, "met")


def test_the_share_answered_within_30_seconds(supervisor_api, calls):
    """Q3 2026: 0–30 s holds 30, 0 and 20 s: 3 of the 6 answered inside hours = 50 %, under the norm (≥ 70 %).
    By queue: kcc 2 of 5 = 40 %; burgerzaken 1 of 1 = 100 %, met. Q3 2025: 60 and 90 s, none within 30 s."""
    body = kpi(supervisor_api, "call_wait_buckets", period="2026-Q3", breakdown="queue")
    assert headline(body) == (3, 6, 50.0, "not_met")
    assert (body["unit"], body["norm"]) == ("percent", 70.0)
    assert headline(body["year_earlier"]) == (0, 2, 0.0, "not_met")
    assert rows(body["breakdown"]) == {"burgerzaken": (1, 1, 100.0, "met"), "kcc": (2, 5, 40.0, "not_met")}


def test_the_six_wait_buckets_with_their_bounds_inclusive_at_the_top():
    """The buckets of Q3 2026 (read from the report the API serializes): 30 s is in 0–30 and 31 s in 31–60,
    300 s in 121–300 and 301 s in 300+. Counts 3, 1, 0, 0, 1, 1 of 6: shares 50, 16.67, 0, 0, 16.67, 16.67 %.
    Q3 2025: 60 s in 31–60, 90 s in 61–90."""
    queue = Queue.objects.create(code="kcc", name="KCC")
    for wait in (30, 0, 20, 31, 300, 301):
        call(queue, at(2026, 8, 3, 10), wait=wait)
    for wait in (60, 90):
        call(queue, at(2025, 8, 3, 10), wait=wait)
    report = kpi_report("call_wait_buckets", parse_period("2026-Q3"), breakdown="queue")
    expected = [
        ("0-30", 0, 30, 3, Decimal("50.00")),
        ("31-60", 31, 60, 1, Decimal("16.67")),
        ("61-90", 61, 90, 0, Decimal("0.00")),
        ("91-120", 91, 120, 0, Decimal("0.00")),
        ("121-300", 121, 300, 1, Decimal("16.67")),
        ("300+", 301, None, 1, Decimal("16.67")),
    ]
    buckets = [
        (bucket["label"], bucket["from_seconds"], bucket["to_seconds"], bucket["count"], bucket["share"])
        for bucket in report["buckets"]
    ]
    assert buckets == expected
    assert report["breakdown"]["rows"][0]["buckets"] == report["buckets"]
    earlier = [(bucket["label"], bucket["count"]) for bucket in report["year_earlier"]["buckets"]]
    assert earlier == [("0-30", 0), ("31-60", 1), ("61-90", 1), ("91-120", 0), ("121-300", 0), ("300+", 0)]


def test_the_buckets_without_answered_calls_have_no_share():
    """No call in 2031: every bucket counts 0 and has no share (not 0 %)."""
    report = kpi_report("call_wait_buckets", parse_period("2031"))
    assert [(bucket["count"], bucket["share"]) for bucket in report["buckets"]] == [(0, None)] * 6
    assert (report["value"], report["status"]) == (None, "no_data")


def test_the_share_of_missed_calls_inside_opening_hours(supervisor_api, calls):
    """Q3 2026 inside hours: 8 offered (kcc 5 answered + 1 abandoned, burgerzaken 1 + 1), 2 abandoned = 25 %, over
    the norm (≤ 20 %). The 2 abandoned outside hours are not missed calls. kcc 1 / 6 = 16.67 % met, burgerzaken
    1 / 2 = 50 %. Q3 2025: 1 of 3 = 33.33 %."""
    body = kpi(supervisor_api, "calls_missed_share", period="2026-Q3", breakdown="queue")
    assert headline(body) == (2, 8, 25.0, "not_met")
    assert (body["norm"], body["better"]) == (20.0, "lower")
    assert headline(body["year_earlier"]) == (1, 3, 33.33, "not_met")
    assert rows(body["breakdown"]) == {"burgerzaken": (1, 2, 50.0, "not_met"), "kcc": (1, 6, 16.67, "met")}


def test_calls_outside_opening_hours_are_counted_on_their_own(supervisor_api, calls):
    """Q3 2026: kcc 2 (an answered and an abandoned one), burgerzaken 1 (23:59 on 30 September) = 3; a count,
    without a norm. Q3 2025 had calls, none outside hours: 0 (data, not no data)."""
    body = kpi(supervisor_api, "calls_outside_hours", period="2026-Q3", breakdown="queue")
    assert headline(body) == (3, 1, 3.0, "no_norm")
    assert (body["unit"], body["norm"]) == ("count", None)
    assert headline(body["year_earlier"]) == (0, 1, 0.0, "no_norm")
    assert rows(body["breakdown"]) == {"burgerzaken": (1, 1, 1.0, "no_norm"), "kcc": (2, 1, 2.0, "no_norm")}


def test_a_call_at_half_past_midnight_on_1_october_belongs_to_q4(supervisor_api, calls):
    """00:30 on 1 October in Brussels is 22:30 on 30 September in UTC: the call belongs to Q4 (Brussels time).
    2026 by quarter: outside hours Q3 3, Q4 1; the average wait Q3 113.67 s, Q4 the nood queue's 5 s."""
    body = kpi(supervisor_api, "calls_outside_hours", period="2026", breakdown="quarter")
    assert rows(body["breakdown"]) == {"2026-Q3": (3, 1, 3.0, "no_norm"), "2026-Q4": (1, 1, 1.0, "no_norm")}
    body = kpi(supervisor_api, "call_wait_avg", period="2026", breakdown="quarter")
    assert rows(body["breakdown"]) == {"2026-Q3": (682, 6, 113.67, "not_met"), "2026-Q4": (5, 1, 5.0, "met")}
    assert headline(kpi(supervisor_api, "call_wait_avg", period="2026-10")) == (5, 1, 5.0, "met")
    assert headline(kpi(supervisor_api, "calls_outside_hours", period="2026-09")) == (1, 1, 1.0, "no_norm")


@pytest.mark.parametrize("code", ["call_wait_avg", "call_wait_buckets", "calls_missed_share", "calls_outside_hours"])
def test_no_calls_is_no_data_never_zero(supervisor_api, calls, code):
    """2031 has no call records: value null and status no_data for every telephony KPI, its year earlier too."""
    body = kpi(supervisor_api, code, period="2031-Q1", breakdown="queue")
    assert (body["value"], body["status"]) == (None, "no_data")
    assert (body["year_earlier"]["value"], body["year_earlier"]["status"]) == (None, "no_data")
    assert body["breakdown"]["rows"] == []


def test_an_installation_norm_replaces_the_catalogues(supervisor_api, calls):
    """With the installation's norm of 150 s, Q3 2026's 113.67 s is met."""
    KpiNorm.objects.create(code="call_wait_avg", value=150)
    body = kpi(supervisor_api, "call_wait_avg", period="2026-Q3")
    assert (body["norm"], body["status"]) == (150.0, "met")


@pytest.mark.parametrize("code", ["call_wait_avg", "call_wait_buckets", "calls_missed_share", "calls_outside_hours"])
def test_the_filters_of_contacts_and_cases_do_not_apply(supervisor_api, code):
    response = supervisor_api.get(f"{KPIS}{code}/", {"period": "2026", "channel": "phone"})
    assert response.status_code == 400
    assert "channel" in response.json()


@pytest.mark.parametrize("code", ["call_wait_avg", "call_wait_buckets", "calls_missed_share", "calls_outside_hours"])
@pytest.mark.parametrize("breakdown", [None, "queue", "quarter", "month"])
def test_each_figure_is_one_query(calls, code, breakdown):
    with CaptureQueriesContext(connection) as queries:
        REGISTRY[code].compute(parse_period("2026"), NO_FILTERS, breakdown)
    assert len(kpi_queries(queries)) == 1, kpi_queries(queries)


def test_the_query_count_does_not_grow_with_the_data(supervisor_api, calls, queues):
    """The same number of queries for the API's answer with 12 more queues and 120 more calls."""
    query = {"period": "2026-Q3", "breakdown": "queue"}
    with CaptureQueriesContext(connection) as before:
        kpi(supervisor_api, "call_wait_buckets", **query)
    for index in range(12):
        queue = Queue.objects.create(code=f"queue-{index}", name=f"Queue {index}")
        for minute in range(10):
            call(queue, at(2026, 7, 1 + index, 10, minute), wait=minute * 20, inside=minute % 3 > 0)
    with CaptureQueriesContext(connection) as after:
        body = kpi(supervisor_api, "call_wait_buckets", **query)
    assert len(kpi_queries(after)) <= len(kpi_queries(before))
    assert len(body["breakdown"]["rows"]) == 14
