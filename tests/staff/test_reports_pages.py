"""The reports pages: every KPI for a period with its status and the year-earlier figure, one KPI with its trend
and breakdown (charts with their tables); only for who may see the reports; a bad period is a clear 400."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from notifications.services import notifications_silenced
from reports.kpis import REGISTRY
from reports.models import CallRecord, CounterCluster, CounterVisit, Queue
from reports.periods import parse_period
from reports.presentation import display, trend_period
from staff.views.reports import quick_periods
from tests.factories import CaseTypeFactory, ContactFactory, HandlerGroupFactory, UserFactory, open_case

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
PAGE = "/rapporten/"


@pytest.fixture
def supervisor(signed_in):
    return signed_in(UserFactory(role="supervisor"))


@pytest.fixture
def contacts():
    """Q3 2026: phone 3 answered of 4 (75 %), e-mail 0 of 1; Q3 2025: 1 of 2."""
    for outcome in ("answered", "answered", "answered", "referred"):
        ContactFactory(channel="phone", outcome=outcome, occurred_at=datetime(2026, 8, 3, 10, tzinfo=BRUSSELS))
    ContactFactory(channel="email", outcome="referred", occurred_at=datetime(2026, 9, 3, 10, tzinfo=BRUSSELS))
    for outcome in ("answered", "referred"):
        ContactFactory(channel="phone", outcome=outcome, occurred_at=datetime(2025, 8, 3, 10, tzinfo=BRUSSELS))


def test_the_dashboard_lists_every_kpi_with_status_and_year_earlier(supervisor, contacts):
    response = supervisor.get(PAGE, {"periode": "2026-Q3"})
    assert response.status_code == 200
    page = response.content.decode()
    shown = [report for _key, _title, reports in response.context["sections"] for report in reports]
    assert {report["code"] for report in shown} == set(REGISTRY)
    first_line = next(report for report in shown if report["code"] == "first_line_resolution")
    assert (first_line["shown"], first_line["status"], first_line["earlier_shown"]) == ("60.0 %", "met", "50.0 %")
    assert "60.0 %" in page and "≥ 60.0 %" in page


def test_filters_leave_out_the_kpis_that_cannot_take_them(supervisor, contacts, group):
    response = supervisor.get(PAGE, {"periode": "2026-Q3", "behandelgroep": group.pk})
    codes = {report["code"] for _key, _title, reports in response.context["sections"] for report in reports}
    assert "first_line_resolution" not in codes
    assert response.context["left_out"]


@pytest.mark.parametrize("period", ["2026-Q5", "volgend jaar"])
def test_a_bad_period_is_a_400_with_the_accepted_forms(supervisor, period):
    response = supervisor.get(PAGE, {"periode": period})
    assert response.status_code == 400
    assert "2026-Q3" in response.content.decode()


def test_one_kpi_with_its_trend_and_breakdown(supervisor, contacts):
    response = supervisor.get(f"{PAGE}first_line_resolution/", {"periode": "2026-Q3", "uitsplitsing": "channel"})
    assert response.status_code == 200
    rows = {row["key"]: row["shown"] for row in response.context["report"]["breakdown"]["rows"]}
    assert rows == {"phone": "75.0 %", "email": "0.0 %"}
    labels = [row["label"] for row in response.context["report"]["breakdown"]["rows"]]
    assert sorted(labels) == ["E-mail", "Phone"]
    assert [row["key"] for row in response.context["trend"]] == ["2026-08", "2026-09"]
    page = response.content.decode()
    assert page.count('src="data:image/svg+xml;base64,') == 2
    assert "<script" not in response.context["trend_chart"]


def test_an_unknown_kpi_is_404(supervisor):
    assert supervisor.get(f"{PAGE}nope/").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"), [("handler", 403), ("kcc", 403), ("front_desk", 403), ("functional_admin", 200)]
)
def test_who_may_see_the_reports(signed_in, role, status):
    assert signed_in(UserFactory(role=role)).get(PAGE).status_code == status


def test_the_menu_offers_the_reports_to_supervisors_only(signed_in):
    assert "/rapporten/" in signed_in(UserFactory(role="supervisor")).get("/opvolging/").content.decode()
    assert "/rapporten/" not in signed_in(UserFactory(role="kcc")).get("/opvolging/").content.decode()


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [(None, "percent", "—"), (61.54, "percent", "61,5 %"), (42.4, "seconds", "42 s"), (1234, "count", "1.234")],
)
def test_values_are_shown_as_managers_read_them(value, unit, shown):
    """In Dutch, the product's language: a decimal comma, a full stop between thousands."""
    with translation.override("nl-be"):
        assert display(value, unit) == shown


def test_quick_periods_and_the_trend_window():
    labels = [value for value, _label in quick_periods(datetime(2026, 2, 10).date())]
    assert labels == ["2026-Q1", "2025-Q4", "2026-02", "2026", "2025"]
    trend = trend_period(parse_period("2026-Q3"))
    assert (trend.first.isoformat(), trend.last.isoformat()) == ("2025-10-01", "2026-09-30")


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_kpi_table_as_csv(supervisor, contacts):
    rows = _csv(supervisor.get(f"{PAGE}export.csv", {"periode": "2026-Q3"}))
    assert rows[0][:4] == ["code", "name", "period", "value"]
    first_line = next(row for row in rows if row[0] == "first_line_resolution")
    assert first_line[2:4] == ["2026-Q3", "60.00"] and first_line[7] == "met"
    assert len(rows) == len(REGISTRY) + 1


def test_one_breakdown_as_csv(supervisor, contacts, melding):
    query = {"periode": "2026-Q3", "kpi": "first_line_resolution", "uitsplitsing": "channel"}
    rows = _csv(supervisor.get(f"{PAGE}export.csv", query))
    assert {(row[4], row[5]) for row in rows[1:]} == {("phone", "75.00"), ("email", "0.00")}
    assert supervisor.get(f"{PAGE}export.csv", {**query, "uitsplitsing": "case_type"}).status_code == 404
    # A filter the KPI cannot take is left out, as on its page (whose link carries the page's filters).
    unfiltered = _csv(supervisor.get(f"{PAGE}export.csv", {**query, "dossiertype": "melding"}))
    assert unfiltered == rows


def test_a_csv_of_a_bad_period_or_kpi_is_refused(supervisor, signed_in, contacts):
    response = supervisor.get(f"{PAGE}export.csv", {"periode": "2026-Q5"})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "2026-Q3" in response.content.decode()
    assert supervisor.get(f"{PAGE}export.csv", {"periode": "2026-Q3", "kpi": "nope"}).status_code == 404
    handler = signed_in(UserFactory(role="handler"))
    assert handler.get(f"{PAGE}export.csv", {"periode": "2026-Q3"}).status_code == 403


def test_the_report_as_pdf(supervisor, contacts):
    response = supervisor.get(f"{PAGE}rapport.pdf", {"periode": "2026-Q3"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert supervisor.get(f"{PAGE}rapport.pdf", {"periode": "2026-Q9"}).status_code == 400


def test_the_pdf_without_pango_says_so(supervisor, monkeypatch):
    monkeypatch.setattr("reports.pdf.WEASYPRINT", "weasyprint_not_installed")
    response = supervisor.get(f"{PAGE}rapport.pdf", {"periode": "2026-Q3"})
    assert response.status_code == 503
    assert "Pango" in response.content.decode()


def test_the_dashboard_charts_the_call_waits_and_the_counter_per_cluster(supervisor):
    """Q3 2026: three answered calls inside opening hours (10 s, 30 s, 31 s: two in 0–30, one in 31–60); two visits
    at Burgerzaken (norm 1 min) waiting 0 and 2 minutes: 1.0 min, not met."""
    queue = Queue.objects.create(code="kcc", name="KCC")
    offered = datetime(2026, 8, 3, 10, tzinfo=BRUSSELS)
    for n, wait in enumerate((10, 30, 31)):
        CallRecord.objects.create(
            key=f"c{n}",
            queue=queue,
            offered_at=offered,
            answered_at=offered + timedelta(seconds=wait),
            inside_hours=True,
            wait_seconds=wait,
        )
    cluster = CounterCluster.objects.create(code="bz", name="Burgerzaken", norm_minutes=1)
    for n, wait in enumerate((0, 120)):
        CounterVisit.objects.create(
            key=f"v{n}",
            cluster=cluster,
            booked_at=offered - timedelta(days=2),
            scheduled_start=offered,
            called_at=offered + timedelta(seconds=wait),
            booking_channel="website",
            wait_seconds=wait,
            lead_working_days=2,
        )
    response = supervisor.get(PAGE, {"periode": "2026-Q3"})
    charts = {chart["title"]: chart for chart in response.context["charts"]}
    buckets = charts["Answered calls by wait (seconds)"]["rows"]
    assert buckets[:2] == [("0-30", "66.7 %", 2), ("31-60", "33.3 %", 1)]
    counter = next(chart for title, chart in charts.items() if title.startswith("Wait at the counter"))
    assert counter["rows"] == [("bz", "1.0 min", "1.0 min")]
    assert response.content.decode().count('src="data:image/svg+xml;base64,') == len(charts)
    kpi = supervisor.get(f"{PAGE}call_wait_buckets/", {"periode": "2026-Q3"})
    assert kpi.context["bucket_chart"]["rows"][:2] == buckets[:2]


def test_the_dashboard_charts_the_intakes_per_channel_and_per_source(supervisor):
    """Q3 2026: three cases registered, two by phone and one on the website, the latter opened by a contact of the
    virtual assistant: per channel phone 66.7 % and website 33.3 %; per source the assistant 33.3 % (its norm, 15 %,
    met) and the others 66.7 %."""
    registered = datetime(2026, 8, 3, 10, tzinfo=BRUSSELS)
    with notifications_silenced():
        open_case(channel="phone", registered_at=registered)
        open_case(channel="phone", registered_at=registered)
        through_assistant = open_case(channel="website", registered_at=registered)
    through_assistant.contacts.add(
        ContactFactory(
            party=through_assistant.party, channel="website", source="virtual_assistant", occurred_at=registered
        )
    )
    response = supervisor.get(PAGE, {"periode": "2026-Q3"})
    charts = {chart["title"]: chart for chart in response.context["charts"]}
    per_channel = next(chart for title, chart in charts.items() if title.endswith("Channel"))
    assert per_channel["rows"] == [("Phone", "66.7 %", "—"), ("Website", "33.3 %", "—")]
    per_source = next(chart for title, chart in charts.items() if title.endswith("Source"))
    assert per_source["rows"] == [("Other", "66.7 %", "—"), ("Virtual assistant", "33.3 %", "15.0 %")]
    assert response.content.decode().count('src="data:image/svg+xml;base64,') == len(charts)


def _more_of_everything(at: datetime, n: int) -> None:
    """Calls in ``n`` queues, visits at ``n`` counter clusters, cases of ``n`` case types in ``n`` groups."""
    for i in range(n):
        queue = Queue.objects.create(code=f"q{n}-{i}", name=f"Lijn {n}-{i}")
        CallRecord.objects.create(
            key=f"c{n}-{i}",
            queue=queue,
            offered_at=at,
            answered_at=at + timedelta(seconds=20),
            inside_hours=True,
            wait_seconds=20,
        )
        cluster = CounterCluster.objects.create(code=f"b{n}-{i}", name=f"Balie {n}-{i}", norm_minutes=5)
        CounterVisit.objects.create(
            key=f"v{n}-{i}",
            cluster=cluster,
            booked_at=at - timedelta(days=1),
            scheduled_start=at,
            called_at=at + timedelta(minutes=2),
            booking_channel="website",
            wait_seconds=120,
            lead_working_days=1,
        )
        with notifications_silenced():
            open_case(case_type=CaseTypeFactory(default_group=HandlerGroupFactory()), registered_at=at)


@pytest.mark.parametrize("path", [PAGE, f"{PAGE}first_line_resolution/", f"{PAGE}call_wait_buckets/"])
def test_the_pages_cost_as_many_queries_with_more_data(supervisor, contacts, path, django_assert_max_num_queries):
    """More queues, clusters, case types and groups in the period: not one query more (charts, breakdowns, norms)."""
    at = datetime(2026, 8, 4, 10, tzinfo=BRUSSELS)
    _more_of_everything(at, 1)
    with django_assert_max_num_queries(200) as few:
        assert supervisor.get(path, {"periode": "2026-Q3"}).status_code == 200
    _more_of_everything(at, 6)
    with django_assert_max_num_queries(len(few)):
        assert supervisor.get(path, {"periode": "2026-Q3"}).status_code == 200
