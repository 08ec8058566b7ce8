"""The counter KPIs (counter_wait, appointment_lead_days) through the KPI API, on a small set of appointments whose
answers are computed by hand in each test's docstring.

The visits are created directly, with their derived fields (``wait_seconds``, ``lead_working_days``) set here:
the service deriving them is tested on its own."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.kpis import NO_FILTERS, REGISTRY
from reports.models import CounterCluster, CounterVisit, KpiNorm
from reports.periods import parse_period
from reports.selectors import kpi_report

from .helpers import KPIS, at, headline, kpi

pytestmark = pytest.mark.django_db


def visit(cluster, scheduled_start, *, wait=None, early=0, booked_at, lead, channel="website"):
    """An appointment called ``wait`` seconds after its scheduled start (or ``early`` seconds before it: a wait
    of 0), not called when neither is given, booked at ``booked_at`` ``lead`` working days ahead."""
    visit.count += 1
    if wait is not None:
        called_at, wait_seconds = scheduled_start + timedelta(seconds=wait), wait
    elif early:
        called_at, wait_seconds = scheduled_start - timedelta(seconds=early), 0
    else:
        called_at, wait_seconds = None, None
    return CounterVisit.objects.create(
        key=f"visit-{visit.count}",
        cluster=cluster,
        booked_at=booked_at,
        scheduled_start=scheduled_start,
        called_at=called_at,
        booking_channel=channel,
        wait_seconds=wait_seconds,
        lead_working_days=lead,
    )


visit.count = 0


def rows(body):
    return {
        row["key"]: (row["numerator"], row["denominator"], row["value"], row["norm"], row["status"])
        for row in body["rows"]
    }


@pytest.fixture
def clusters():
    return {
        "bz": CounterCluster.objects.create(code="burgerzaken", name="Burgerzaken", norm_minutes=Decimal("1")),
        "ocmw": CounterCluster.objects.create(code="ocmw", name="OCMW", norm_minutes=Decimal("10")),
        "wonen": CounterCluster.objects.create(code="wonen", name="Wonen", norm_minutes=Decimal("5")),
    }


@pytest.fixture
def visits(clusters):
    """Scheduled in Q3 2026 (counter_wait):
      burgerzaken: 2 July called on time (0 s; booked 30 June, Q2); 3 August called after 120 s, 5 minutes early
        (0 s) and after 45 s — booked 20 July (website, 10 working days), 28 July (phone, 4) and 30 July
        (website, 2).
      ocmw: 10 September called after 720 s and 900 s — booked 1 September (counter, 7) and 8 September (phone,
        2); one never called, booked 9 September (website, 1).
      wonen: 21 September, never called, booked 14 September (phone, 3).
    Booked at 00:30 on 1 October 2026 (30 September 22:30 UTC: Q4), burgerzaken 5 October, 2 working days ahead.
    Q3 2025: burgerzaken called after 60 s, booked in Q3 2025 6 working days ahead."""
    bz, ocmw, wonen = clusters["bz"], clusters["ocmw"], clusters["wonen"]
    visit(bz, at(2026, 7, 2, 9), wait=0, booked_at=at(2026, 6, 30, 14), lead=2)
    visit(bz, at(2026, 8, 3, 9), wait=120, booked_at=at(2026, 7, 20, 8), lead=10)
    visit(bz, at(2026, 8, 3, 9, 10), early=300, booked_at=at(2026, 7, 28, 8), lead=4, channel="phone")
    visit(bz, at(2026, 8, 3, 9, 20), wait=45, booked_at=at(2026, 7, 30, 8), lead=2)
    visit(ocmw, at(2026, 9, 10, 10), wait=720, booked_at=at(2026, 9, 1, 11), lead=7, channel="counter")
    visit(ocmw, at(2026, 9, 10, 10, 30), wait=900, booked_at=at(2026, 9, 8, 11), lead=2, channel="phone")
    visit(ocmw, at(2026, 9, 10, 11), booked_at=at(2026, 9, 9, 11), lead=1)
    visit(wonen, at(2026, 9, 21, 9), booked_at=at(2026, 9, 14, 9), lead=3, channel="phone")
    visit(bz, at(2026, 10, 5, 9), booked_at=at(2026, 10, 1, 0, 30), lead=2)
    visit(bz, at(2025, 8, 4, 9), wait=60, booked_at=at(2025, 7, 25, 9), lead=6)


def test_the_wait_at_the_counter_in_minutes(supervisor_api, visits):
    """Q3 2026, the visits called: 0 + 120 + 0 (early) + 45 + 720 + 900 = 1785 s over 6 visits = 297.5 s = 4.96
    minutes; the 2 visits never called are left out. The whole has no norm: status no_norm. Q3 2025: 60 s = 1
    minute."""
    body = kpi(supervisor_api, "counter_wait", period="2026-Q3")
    assert headline(body) == (1785, 6, 4.96, "no_norm")
    assert (body["unit"], body["better"], body["norm"]) == ("minutes", "lower", None)
    assert headline(body["year_earlier"]) == (60, 1, 1.0, "no_norm")
    assert body["year_earlier"]["period"]["label"] == "2025-Q3"


def test_an_early_start_counts_as_no_wait(supervisor_api, clusters):
    """January 2027: called 10 minutes early (0 s) and after 60 s: (0 + 60) / 2 = 30 s = 0.5 minute, not
    (−600 + 60) / 2."""
    visit(clusters["bz"], at(2027, 1, 4, 9), early=600, booked_at=at(2026, 12, 21, 9), lead=5)
    visit(clusters["bz"], at(2027, 1, 4, 10), wait=60, booked_at=at(2026, 12, 21, 9), lead=5)
    assert headline(kpi(supervisor_api, "counter_wait", period="2027-01")) == (60, 2, 0.5, "no_norm")


def test_each_cluster_with_its_own_norm(supervisor_api, visits):
    """By cluster: burgerzaken (0 + 120 + 0 + 45) / 4 = 41.25 s = 0.69 minute ≤ 1: met; ocmw (720 + 900) / 2 =
    810 s = 13.5 minutes > 10: not met; wonen, nobody called: no data, with its norm 5."""
    body = kpi(supervisor_api, "counter_wait", period="2026-Q3", breakdown="cluster")
    assert rows(body["breakdown"]) == {
        "burgerzaken": (165, 4, 0.69, 1.0, "met"),
        "ocmw": (1620, 2, 13.5, 10.0, "not_met"),
        "wonen": (None, 0, None, 5.0, "no_data"),
    }


def test_the_cluster_norms_stand_beside_an_installation_norm_for_the_whole(supervisor_api, visits):
    """The installation's norm of 5 minutes applies to the whole (4.96: met); each cluster keeps its own."""
    KpiNorm.objects.create(code="counter_wait", value=5)
    body = kpi(supervisor_api, "counter_wait", period="2026-Q3", breakdown="cluster")
    assert (body["norm"], body["status"]) == (5.0, "met")
    assert rows(body["breakdown"])["burgerzaken"][3:] == (1.0, "met")
    assert rows(body["breakdown"])["ocmw"][3:] == (10.0, "not_met")


def test_a_cluster_norm_edited_shows_in_the_next_report(supervisor_api, visits, clusters):
    """OCMW's norm raised to 15 minutes: 13.5 minutes is met."""
    CounterCluster.objects.filter(pk=clusters["ocmw"].pk).update(norm_minutes=Decimal("15"))
    body = kpi(supervisor_api, "counter_wait", period="2026-Q3", breakdown="cluster")
    assert rows(body["breakdown"])["ocmw"] == (1620, 2, 13.5, 15.0, "met")


def test_the_wait_by_month_and_the_visits_not_called(supervisor_api, visits):
    """By scheduled month: July 0 s over 1; August 165 s over 3 = 55 s = 0.92 minute; September 1620 s over 2 =
    13.5 minutes, with 2 visits not called (ocmw and wonen). No norm for a month."""
    body = kpi(supervisor_api, "counter_wait", period="2026-Q3", breakdown="month")
    assert rows(body["breakdown"]) == {
        "2026-07": (0, 1, 0.0, None, "no_norm"),
        "2026-08": (165, 3, 0.92, None, "no_norm"),
        "2026-09": (1620, 2, 13.5, None, "no_norm"),
    }
    report = kpi_report("counter_wait", parse_period("2026-Q3"), breakdown="month")
    assert report["not_called"] == 2
    assert [row["not_called"] for row in report["breakdown"]["rows"]] == [0, 0, 2]


def test_the_lead_time_of_appointments_booked_in_the_period(supervisor_api, visits):
    """Booked in Q3 2026: 10 + 4 + 2 + 7 + 2 + 1 + 3 = 29 working days over 7 = 4.14 ≤ 5: met (called or not;
    the visit booked on 30 June is Q2's). Q3 2025: 6 / 1 = 6: not met."""
    body = kpi(supervisor_api, "appointment_lead_days", period="2026-Q3")
    assert headline(body) == (29, 7, 4.14, "met")
    assert (body["unit"], body["norm"]) == ("working_days", 5.0)
    assert headline(body["year_earlier"]) == (6, 1, 6.0, "not_met")
    assert headline(kpi(supervisor_api, "appointment_lead_days", period="2026-Q2")) == (2, 1, 2.0, "met")


def test_the_lead_time_by_booking_channel_and_cluster(supervisor_api, visits):
    """By booking channel: website 10 + 2 + 1 = 13 / 3 = 4.33; phone 4 + 2 + 3 = 9 / 3 = 3; counter 7 / 1: not
    met. By cluster: burgerzaken 16 / 3 = 5.33, not met; ocmw 10 / 3 = 3.33; wonen 3. Filtered on the counter
    channel: 7."""
    body = kpi(supervisor_api, "appointment_lead_days", period="2026-Q3", breakdown="channel")
    assert rows(body["breakdown"]) == {
        "counter": (7, 1, 7.0, 5.0, "not_met"),
        "phone": (9, 3, 3.0, 5.0, "met"),
        "website": (13, 3, 4.33, 5.0, "met"),
    }
    body = kpi(supervisor_api, "appointment_lead_days", period="2026-Q3", breakdown="cluster")
    assert rows(body["breakdown"]) == {
        "burgerzaken": (16, 3, 5.33, 5.0, "not_met"),
        "ocmw": (10, 3, 3.33, 5.0, "met"),
        "wonen": (3, 1, 3.0, 5.0, "met"),
    }
    body = kpi(supervisor_api, "appointment_lead_days", period="2026-Q3", channel="counter")
    assert headline(body) == (7, 1, 7.0, "not_met")


def test_a_booking_at_half_past_midnight_on_1_october_belongs_to_q4(supervisor_api, visits):
    """00:30 on 1 October in Brussels is 22:30 on 30 September in UTC: the booking is Q4's (2 working days), not
    September's (7 + 2 + 1 + 3 = 13 over 4 = 3.25)."""
    body = kpi(supervisor_api, "appointment_lead_days", period="2026", breakdown="quarter")
    assert rows(body["breakdown"]) == {
        "2026-Q2": (2, 1, 2.0, 5.0, "met"),
        "2026-Q3": (29, 7, 4.14, 5.0, "met"),
        "2026-Q4": (2, 1, 2.0, 5.0, "met"),
    }
    assert headline(kpi(supervisor_api, "appointment_lead_days", period="2026-09")) == (13, 4, 3.25, "met")


@pytest.mark.parametrize("code", ["counter_wait", "appointment_lead_days"])
def test_no_visits_is_no_data_never_zero(supervisor_api, visits, code):
    """2031 has no visits: value null and status no_data, its year earlier too."""
    body = kpi(supervisor_api, code, period="2031-Q1", breakdown="cluster")
    assert (body["value"], body["status"]) == (None, "no_data")
    assert (body["year_earlier"]["value"], body["year_earlier"]["status"]) == (None, "no_data")
    assert body["breakdown"]["rows"] == []


def test_visits_none_called_is_no_data(supervisor_api, clusters):
    """March 2027: one visit, never called: the wait has no data (not 0 minutes)."""
    visit(clusters["bz"], at(2027, 3, 1, 9), booked_at=at(2027, 2, 22, 9), lead=5)
    body = kpi(supervisor_api, "counter_wait", period="2027-03")
    assert (body["value"], body["denominator"], body["status"]) == (None, 0, "no_data")


def test_the_wait_cannot_be_filtered_by_channel(supervisor_api):
    response = supervisor_api.get(f"{KPIS}counter_wait/", {"period": "2026", "channel": "phone"})
    assert response.status_code == 400
    assert "channel" in response.json()


@pytest.mark.parametrize(
    ("code", "breakdown"),
    [
        ("counter_wait", None),
        ("counter_wait", "cluster"),
        ("counter_wait", "quarter"),
        ("counter_wait", "month"),
        ("appointment_lead_days", None),
        ("appointment_lead_days", "cluster"),
        ("appointment_lead_days", "channel"),
        ("appointment_lead_days", "quarter"),
        ("appointment_lead_days", "month"),
    ],
)
def test_each_figure_is_one_query(visits, django_assert_num_queries, code, breakdown):
    with django_assert_num_queries(1):
        REGISTRY[code].compute(parse_period("2026"), NO_FILTERS, breakdown)


def test_the_query_count_does_not_grow_with_the_data(supervisor_api, visits, django_assert_max_num_queries):
    """The same number of queries for the API's answer with 10 more clusters and 100 more visits."""
    query = {"period": "2026-Q3", "breakdown": "cluster"}
    with CaptureQueriesContext(connection) as before:
        kpi(supervisor_api, "counter_wait", **query)
    for index in range(10):
        cluster = CounterCluster.objects.create(code=f"cluster-{index}", name=f"Cluster {index}", norm_minutes=3)
        for minute in range(10):
            start = at(2026, 8, 1 + index, 9, minute)
            visit(cluster, start, wait=minute * 30, booked_at=start - timedelta(days=7), lead=5)
    with django_assert_max_num_queries(len(before.captured_queries)):
        body = kpi(supervisor_api, "counter_wait", **query)
    assert len(body["breakdown"]["rows"]) == 13
