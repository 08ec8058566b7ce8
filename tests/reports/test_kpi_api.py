"""The KPI API: who may read it, its refusals, and a KPI's value, norm, status, year-earlier figure and breakdown
on a small data set computed by hand."""

import pytest

from reports.models import KpiNorm
from tests.factories import ContactFactory, UserFactory

from .helpers import KPIS, at

pytestmark = pytest.mark.django_db
FIRST_LINE = f"{KPIS}first_line_resolution/"


@pytest.fixture
def first_line_data():
    """Q3 2026: phone 3 answered of 4 with a question (+1 no answer, +1 outbound); e-mail 0 of 1.
    Q3 2025: phone 1 of 2. And one contact at 00:30 on 1 October 2026: Q4, not Q3."""
    for outcome in ("answered", "answered", "answered", "case_created", "no_answer"):
        ContactFactory(channel="phone", outcome=outcome, occurred_at=at(2026, 8, 3, 10))
    ContactFactory(channel="phone", outcome="answered", direction="outbound", occurred_at=at(2026, 8, 3, 11))
    ContactFactory(channel="email", outcome="referred", occurred_at=at(2026, 9, 30, 23, 59))
    ContactFactory(channel="phone", outcome="answered", occurred_at=at(2026, 10, 1, 0, 30))
    ContactFactory(channel="phone", outcome="answered", occurred_at=at(2025, 7, 1, 0, 0))
    ContactFactory(channel="phone", outcome="referred", occurred_at=at(2025, 9, 1, 9))


def test_a_kpi_for_a_quarter_with_its_norm_status_and_year_earlier(supervisor_api, first_line_data):
    body = supervisor_api.get(FIRST_LINE, {"period": "2026-Q3"}).json()
    assert (body["numerator"], body["denominator"], body["value"]) == (3, 5, 60.0)
    assert (body["norm"], body["status"], body["unit"]) == (60.0, "met", "percent")
    earlier = body["year_earlier"]
    assert earlier["period"] == {"label": "2025-Q3", "from": "2025-07-01", "to": "2025-09-30"}
    assert (earlier["numerator"], earlier["denominator"], earlier["value"], earlier["status"]) == (
        1,
        2,
        50.0,
        "not_met",
    )


def test_a_breakdown_by_channel(supervisor_api, first_line_data):
    body = supervisor_api.get(FIRST_LINE, {"period": "2026-Q3", "breakdown": "channel"}).json()
    rows = {
        row["key"]: (row["numerator"], row["denominator"], row["value"], row["status"])
        for row in body["breakdown"]["rows"]
    }
    assert rows == {"phone": (3, 4, 75.0, "met"), "email": (0, 1, 0.0, "not_met")}


def test_a_filter_by_channel(supervisor_api, first_line_data):
    body = supervisor_api.get(FIRST_LINE, {"period": "2026-Q3", "channel": "email"}).json()
    assert (body["numerator"], body["denominator"]) == (0, 1)


def test_the_installations_norm_replaces_the_catalogues(supervisor_api, first_line_data):
    KpiNorm.objects.create(code="first_line_resolution", value=70)
    body = supervisor_api.get(FIRST_LINE, {"period": "2026-Q3"}).json()
    assert (body["norm"], body["status"]) == (70.0, "not_met")


def test_no_data_is_no_data_never_zero(supervisor_api, first_line_data):
    body = supervisor_api.get(FIRST_LINE, {"period": "2031-Q1"}).json()
    assert (body["value"], body["denominator"], body["status"]) == (None, 0, "no_data")
    assert body["year_earlier"]["status"] == "no_data"


def test_every_kpi_for_a_range_of_dates(supervisor_api, first_line_data):
    body = supervisor_api.get(KPIS, {"from": "2026-08-01", "to": "2026-08-31"}).json()
    assert body["period"] == {"label": "2026-08-01/2026-08-31", "from": "2026-08-01", "to": "2026-08-31"}
    first_line = next(kpi for kpi in body["kpis"] if kpi["code"] == "first_line_resolution")
    assert (first_line["numerator"], first_line["denominator"]) == (3, 4)
    filtered = supervisor_api.get(KPIS, {"period": "2026-Q3", "handler_group": 1}).json()
    assert "first_line_resolution" in filtered["not_filterable"]
    assert all(kpi["code"] != "first_line_resolution" for kpi in filtered["kpis"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period": "2026-Q5"}, "period"),
        ({}, "period"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
        ({"period": "2026", "from": "2026-03-01", "to": "2026-03-02"}, "period"),
        ({"period": "2026", "channel": "fax"}, "channel"),
        ({"period": "2026", "breakdown": "case_type"}, "breakdown"),
        ({"period": "2026", "case_type": "melding"}, "case_type"),
    ],
)
def test_bad_queries_are_400(supervisor_api, query, field):
    response = supervisor_api.get(FIRST_LINE, query)
    assert response.status_code == 400
    assert field in response.json()


def test_an_unknown_kpi_is_404(supervisor_api):
    assert supervisor_api.get(f"{KPIS}nope/", {"period": "2026"}).status_code == 404


def test_who_may_read_the_reports(client_for, reports_client):
    assert client_for(UserFactory(role="handler")).get(KPIS, {"period": "2026"}).status_code == 403
    assert client_for(UserFactory(role="kcc")).get(KPIS, {"period": "2026"}).status_code == 403
    assert client_for(UserFactory(role="functional_admin")).get(KPIS, {"period": "2026"}).status_code == 200
    assert reports_client().get(KPIS, {"period": "2026"}).status_code == 200
    assert reports_client(scopes=["intake"]).get(KPIS, {"period": "2026"}).status_code == 403
