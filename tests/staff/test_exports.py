"""Excel exports: started from the reports and the inbox, built by a Celery task (eager here), their progress shown
on the job's page until the file can be downloaded — by the user who asked only. The XLSX is read back with the
standard library (unzipped, its sheet XML parsed), so numbers, dates and strings are checked as Excel reads them."""

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.workflow import CaseState
from reports.kpis import REGISTRY
from staff import exports as tasks
from staff.exports import export_job_create, write_xlsx
from staff.models import ExportJob
from staff.tasks import export_job_run
from tests.factories import CaseTypeFactory, ContactFactory, UserFactory, case_in_state, open_case

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
EXCEL_EPOCH = datetime(1899, 12, 30)


# --- Reading an XLSX with the standard library ------------------------------------------------------------------


@dataclass
class Sheet:
    rows: list[list]
    widths: list[float]
    header_bold: bool


def _column(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference).group()
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number - 1


def read_xlsx(data: bytes) -> dict[str, Sheet]:
    """Every sheet by name: its rows as Python values (a number whose style has a date format is a datetime), its
    column widths, and whether every header cell is bold."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {relation.get("Id"): relation.get("Target") for relation in relations}
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
        number_formats = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iter(f"{MAIN}numFmt")}
        fonts = [font.find(f"{MAIN}b") is not None for font in styles.find(f"{MAIN}fonts")]
        cell_styles = [
            (number_formats.get(int(xf.get("numFmtId", 0)), ""), fonts[int(xf.get("fontId", 0))])
            for xf in styles.find(f"{MAIN}cellXfs")
        ]
        shared = []
        if "xl/sharedStrings.xml" in archive.namelist():
            strings = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in item.iter(f"{MAIN}t")) for item in strings]
        sheets = {}
        for sheet in workbook.iter(f"{MAIN}sheet"):
            xml = ElementTree.fromstring(archive.read("xl/" + targets[sheet.get(RELATIONSHIP)]))
            rows, bold = [], []
            for row in xml.iter(f"{MAIN}row"):
                values: dict[int, object] = {}
                for cell in row.iter(f"{MAIN}c"):
                    number_format, is_bold = cell_styles[int(cell.get("s", 0))]
                    values[_column(cell.get("r"))] = _value(cell, number_format, shared)
                    if row.get("r") == "1":
                        bold.append(is_bold)
                rows.append([values.get(index) for index in range(max(values, default=-1) + 1)])
            widths = [
                float(col.get("width"))
                for col in xml.iter(f"{MAIN}col")
                for _index in range(int(col.get("min")), int(col.get("max")) + 1)
            ]
            sheets[sheet.get("name")] = Sheet(rows, widths, bool(bold) and all(bold))
        return sheets


def _value(cell, number_format: str, shared: list[str]):
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
    text = cell.findtext(f"{MAIN}v")
    if kind == "s":
        return shared[int(text)]
    if kind == "b":
        return text == "1"
    if kind == "str":
        return text
    number = float(text)
    if "yy" in number_format:
        return EXCEL_EPOCH + timedelta(days=number)
    return int(number) if number.is_integer() and "0.00" not in number_format else number


# --- Fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


@pytest.fixture
def supervisor():
    """A client of its own, signed in as a supervisor (a test may sign in someone else on ``client``)."""
    client = Client()
    client.force_login(UserFactory(role="supervisor"))
    return client


@pytest.fixture
def handler_client(client, handler):
    client.force_login(handler)
    return client


@pytest.fixture
def contacts():
    """Q3 2026: phone 3 answered of 4 (75 %), e-mail 0 of 1: first-line resolution 3 of 5 = 60 %; Q3 2025: 1 of
    2 = 50 %."""
    for outcome in ("answered", "answered", "answered", "referred"):
        ContactFactory(channel="phone", outcome=outcome, occurred_at=datetime(2026, 8, 3, 10, tzinfo=BRUSSELS))
    ContactFactory(channel="email", outcome="referred", occurred_at=datetime(2026, 9, 3, 10, tzinfo=BRUSSELS))
    for outcome in ("answered", "referred"):
        ContactFactory(channel="phone", outcome=outcome, occurred_at=datetime(2025, 8, 3, 10, tzinfo=BRUSSELS))


def start(client, url: str, data: dict, callbacks):
    """POST the page's form; the task runs (eagerly) once the request's work is committed."""
    with callbacks(execute=True):
        return client.post(url, data)


def download(client, job: ExportJob) -> dict[str, Sheet]:
    response = client.get(reverse("staff:export-download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == tasks.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="{job.file_name}"'
    return read_xlsx(b"".join(response.streaming_content))


# --- The cases ------------------------------------------------------------------------------------------------


def test_the_inbox_export_holds_exactly_the_filtered_cases(
    handler_client, handler, melding, other_group, media, django_capture_on_commit_callbacks
):
    """Three open cases of the handler's group, one of them registered on 2 March 2026 at 09:15 Brussels time; a
    closed one and one of another group are not in the inbox's default selection (open cases of my groups)."""
    registered = datetime(2026, 3, 2, 9, 15, tzinfo=BRUSSELS)
    mine = [open_case(case_type=melding, registered_at=registered - timedelta(days=days)) for days in (0, 1, 2)]
    case_in_state(CaseState.CLOSED, case_type=melding)
    open_case(case_type=CaseTypeFactory(default_group=other_group))

    response = start(
        handler_client, "/dossiers/xlsx/", {"query": "sort=registered_at"}, django_capture_on_commit_callbacks
    )

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exporten/{job.pk}/"
    assert (job.user, job.kind, job.status, job.rows_written, job.rows_total) == (handler, "cases", "done", 3, 3)
    assert job.parameters == {"query": "sort=registered_at", "language": "en"}
    assert job.file_name.startswith("dossiers-") and job.file_name.endswith(".xlsx")
    assert job.started_at <= job.finished_at and job.message == ""
    assert len(stored_files(media)) == 1
    sheet = download(handler_client, job)["Cases"]
    header, *rows = sheet.rows
    assert header[:4] == ["Case", "Case type code", "Case type", "State"]
    assert [row[0] for row in rows] == [case.reference for case in reversed(mine)]  # oldest first
    newest = rows[-1]
    # Dates as dates (Brussels local time), numbers as numbers, flags as booleans.
    assert abs(newest[header.index("Registered")] - registered.replace(tzinfo=None)) < timedelta(seconds=1)
    assert isinstance(newest[header.index("Deadline")], datetime)
    assert newest[header.index("Days waited for the citizen")] == 0
    assert newest[header.index("Misdispatched")] is False
    assert newest[header.index("Case type code")] == "melding"
    assert sheet.header_bold and len(sheet.widths) == len(header) and min(sheet.widths) >= tasks.MIN_WIDTH


def test_the_inbox_export_keeps_the_filters_and_what_the_user_may_see(
    handler_client, handler, melding, other_group, django_capture_on_commit_callbacks
):
    """Filtered on "assigned to me": only the one case taken by the handler, of the three open ones."""
    taken = open_case(case_type=melding)
    taken.assignee = handler
    taken.save(update_fields=["assignee"])
    open_case(case_type=melding)
    open_case(case_type=CaseTypeFactory(default_group=other_group))
    query = "assignee=me&nonsense=1&due=never"
    start(handler_client, "/dossiers/xlsx/", {"query": query}, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.parameters["query"] == "assignee=me"  # only the inbox's valid filters are kept
    rows = download(handler_client, job)["Cases"].rows
    assert [row[0] for row in rows[1:]] == [taken.reference]


def test_a_handler_without_cases_gets_a_header_only(handler_client, group, django_capture_on_commit_callbacks):
    start(handler_client, "/dossiers/xlsx/", {"query": ""}, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert (job.status, job.rows_written, job.rows_total) == ("done", 0, 0)
    assert len(download(handler_client, job)["Cases"].rows) == 1


# --- The reports ------------------------------------------------------------------------------------------------


def test_the_kpi_table_as_excel(supervisor, contacts, django_capture_on_commit_callbacks):
    response = start(supervisor, "/rapporten/xlsx/", {"query": "periode=2026-Q3"}, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exporten/{job.pk}/"
    assert (job.kind, job.status, job.rows_written, job.rows_total) == ("kpis", "done", len(REGISTRY), len(REGISTRY))
    assert job.file_name == "kpis-2026-Q3.xlsx"
    header, *rows = download(supervisor, job)["KPI"].rows
    assert header[:4] == ["code", "name", "period", "value"]
    assert {row[0] for row in rows} == set(REGISTRY)
    first_line = dict(zip(header, next(row for row in rows if row[0] == "first_line_resolution"), strict=False))
    assert first_line["value"] == 60.0 and isinstance(first_line["value"], float)  # a number, not "60.00"
    assert (first_line["period"], first_line["status"], first_line["norm_relative"]) == ("2026-Q3", "met", False)
    assert (first_line["numerator"], first_line["denominator"]) == (3, 5)
    assert (first_line["year_earlier_period"], first_line["year_earlier_value"]) == ("2025-Q3", 50.0)


def test_the_kpi_table_leaves_out_the_kpis_that_cannot_take_the_filters(
    supervisor, contacts, group, django_capture_on_commit_callbacks
):
    query = f"periode=2026-Q3&behandelgroep={group.pk}&uitsplitsing=ignored"
    start(supervisor, "/rapporten/xlsx/", {"query": query}, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.parameters["query"] == f"periode=2026-Q3&behandelgroep={group.pk}"
    codes = {row[0] for row in download(supervisor, job)["KPI"].rows[1:]}
    taking = {code for code, kpi in REGISTRY.items() if "handler_group" in kpi.filters}
    assert codes == taking and "first_line_resolution" not in codes


def test_one_breakdown_as_excel_as_its_page_shows_it(supervisor, contacts, group, django_capture_on_commit_callbacks):
    """First-line resolution by channel: phone 3 of 4 = 75 %, e-mail 0 of 1 = 0 %. The handler group filter, which
    this KPI cannot take, is left out as the KPI's page leaves it out."""
    data = {"query": f"periode=2026-Q3&behandelgroep={group.pk}", "kpi": "first_line_resolution"}
    start(supervisor, "/rapporten/xlsx/", {**data, "uitsplitsing": "channel"}, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.kind == "kpi_breakdown"
    assert job.parameters["query"] == "periode=2026-Q3&kpi=first_line_resolution&uitsplitsing=channel"
    assert job.file_name == "first_line_resolution-channel-2026-Q3.xlsx"
    header, *rows = download(supervisor, job)["first_line_resolution"].rows
    assert header[4:6] == ["key", "value"]
    assert {(row[4], row[5], row[9], row[10]) for row in rows} == {("phone", 75.0, 3, 4), ("email", 0.0, 0, 1)}


@pytest.mark.parametrize(
    "data",
    [
        {"query": "periode=2026-Q5"},
        {"query": "periode=volgend+jaar", "kpi": "first_line_resolution", "uitsplitsing": "channel"},
        {"query": "periode=2026-Q3&kanaal=pigeon"},
    ],
)
def test_a_bad_period_or_filter_is_a_400_and_no_job(supervisor, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor.post("/rapporten/xlsx/", data)
    assert response.status_code == 400
    assert "2026-Q3" in response.content.decode()  # the accepted forms, next to the field
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"query": "periode=2026-Q3", "kpi": "nope", "uitsplitsing": "channel"},
        {"query": "periode=2026-Q3", "kpi": "first_line_resolution", "uitsplitsing": "case_type"},
    ],
)
def test_an_unknown_kpi_or_breakdown_is_a_404_and_no_job(supervisor, data):
    assert supervisor.post("/rapporten/xlsx/", data).status_code == 404
    assert not ExportJob.objects.exists()


def test_a_handler_cannot_start_a_report_export(handler_client):
    assert handler_client.post("/rapporten/xlsx/", {"query": "periode=2026-Q3"}).status_code == 403
    assert not ExportJob.objects.exists()


def test_exporting_cases_needs_the_permission_to_see_them(client):
    """Admin access without a staff role: a staff member, but without ``cases.view_case``."""
    client.force_login(UserFactory(is_staff=True))
    assert client.post("/dossiers/xlsx/", {"query": ""}).status_code == 403
    assert not ExportJob.objects.exists()


def test_starting_takes_a_post(supervisor, handler_client):
    assert supervisor.get("/rapporten/xlsx/").status_code == 405
    assert handler_client.get("/dossiers/xlsx/").status_code == 405


def test_the_pages_offer_the_excel_download(supervisor, handler_client, contacts, group):
    dashboard = supervisor.get("/rapporten/", {"periode": "2026-Q3"}).content.decode()
    assert 'action="/rapporten/xlsx/"' in dashboard and 'name="query" value="periode=2026-Q3"' in dashboard
    kpi = supervisor.get("/rapporten/first_line_resolution/", {"periode": "2026-Q3"}).content.decode()
    assert 'name="kpi" value="first_line_resolution"' in kpi and 'name="uitsplitsing" value="channel"' in kpi
    inbox = handler_client.get("/dossiers/", {"assignee": "me"}).content.decode()
    assert 'action="/dossiers/xlsx/"' in inbox and 'name="query" value="assignee=me"' in inbox


# --- Whose it is --------------------------------------------------------------------------------------------------


def test_another_user_gets_404_on_the_job_and_its_download(
    client, supervisor, contacts, django_capture_on_commit_callbacks
):
    start(supervisor, "/rapporten/xlsx/", {"query": "periode=2026-Q3"}, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert supervisor.get(f"/exporten/{job.pk}/").status_code == 200
    other = UserFactory(role="supervisor")
    client.force_login(other)
    assert client.get(f"/exporten/{job.pk}/").status_code == 404
    assert client.get(f"/exporten/{job.pk}/download/").status_code == 404
    assert f"/exporten/{job.pk}/" not in client.get("/exporten/").content.decode()


def test_the_list_shows_the_users_recent_exports(supervisor, contacts, django_capture_on_commit_callbacks):
    start(supervisor, "/rapporten/xlsx/", {"query": "periode=2026-Q3"}, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    page = supervisor.get("/exporten/").content.decode()
    assert f'href="/exporten/{job.pk}/download/"' in page and "kpis-2026-Q3.xlsx" in page


def test_a_user_who_lost_the_permission_may_not_download(client, handler, contacts):
    job = ExportJob.objects.create(user=handler, kind="kpis", parameters={"query": "periode=2026-Q3"})
    client.force_login(handler)
    assert client.get(f"/exporten/{job.pk}/").status_code == 403


def test_signing_in_is_required(client):
    assert client.get("/exporten/").status_code == 302


# --- Progress, failures, the task ----------------------------------------------------------------------------------


def test_the_page_of_a_running_job_polls_its_progress(handler_client, handler):
    job = ExportJob.objects.create(
        user=handler, kind="cases", status="running", rows_total=40000, rows_written=15000, started_at=timezone.now()
    )
    page = handler_client.get(f"/exporten/{job.pk}/").content.decode()
    assert f'hx-get="/exporten/{job.pk}/" hx-trigger="every 2s" hx-swap="outerHTML"' in page
    assert '<progress max="40000" value="15000"' in page and "15000 of 40000 rows written" in page
    assert "<html" in page and "download/" not in page
    fragment = handler_client.get(f"/exporten/{job.pk}/", headers={"HX-Request": "true"})
    assert "<html" not in fragment.content.decode() and 'hx-trigger="every 2s"' in fragment.content.decode()
    assert fragment["Cache-Control"] == "no-store"

    ExportJob.objects.filter(pk=job.pk).update(status="done", rows_written=40000, finished_at=timezone.now())
    done = handler_client.get(f"/exporten/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and f'href="/exporten/{job.pk}/download/"' in done


def test_a_job_that_lost_its_worker_stops_polling(handler_client, handler):
    started = timezone.now() - timedelta(seconds=tasks.EXPORT_TIME_LIMIT + 1)
    job = ExportJob.objects.create(user=handler, kind="cases", status="running", started_at=started)
    page = handler_client.get(f"/exporten/{job.pk}/").content.decode()
    assert "hx-trigger" not in page and "Stopped without finishing" in page


def test_no_download_before_the_file_is_there(handler_client, handler):
    job = ExportJob.objects.create(user=handler, kind="cases", status="running", started_at=timezone.now())
    assert handler_client.get(f"/exporten/{job.pk}/download/").status_code == 404


def test_progress_moves_while_the_rows_are_written(handler, melding, monkeypatch, django_capture_on_commit_callbacks):
    """Five cases, progress every 2 rows: before each row the job says 0, 0, 2, 2, 4 rows written of 5, while
    running; at the end 5 of 5, done."""
    for _ in range(5):
        open_case(case_type=melding)
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 2)
    seen = []
    real_rows = tasks.case_export_rows

    def watched(cases):
        for row in real_rows(cases):
            job = ExportJob.objects.get()
            seen.append((job.status, job.rows_written, job.rows_total))
            yield row

    monkeypatch.setattr(tasks, "case_export_rows", watched)
    with django_capture_on_commit_callbacks(execute=True):
        export_job_create(user=handler, kind="cases", query="", language="en")
    assert seen == [("running", 0, 5), ("running", 0, 5), ("running", 2, 5), ("running", 2, 5), ("running", 4, 5)]
    job = ExportJob.objects.get()
    assert (job.status, job.rows_written, job.rows_total) == ("done", 5, 5)


def test_a_failing_task_fails_the_job_with_a_message_and_nothing_else(
    supervisor, contacts, media, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    start(supervisor, "/rapporten/xlsx/", {"query": "periode=2026-Q3"}, django_capture_on_commit_callbacks)
    earlier = ExportJob.objects.get()

    def broken(period, filters):
        yield ("code",)
        raise RuntimeError("database gone")

    monkeypatch.setattr(tasks, "kpi_table_rows", broken)
    response = start(supervisor, "/rapporten/xlsx/", {"query": "periode=2026-Q2"}, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job = ExportJob.objects.exclude(pk=earlier.pk).get()
    assert (job.status, job.message) == ("failed", "The export stopped on an unexpected error.")
    assert job.finished_at is not None and not job.file and job.file_name == ""
    assert "database gone" in caplog.text
    page = supervisor.get(f"/exporten/{job.pk}/").content.decode()
    assert "The export stopped on an unexpected error." in page and "hx-trigger" not in page
    assert supervisor.get(f"/exporten/{job.pk}/download/").status_code == 404
    earlier.refresh_from_db()  # the earlier export and its file are untouched
    assert earlier.status == "done" and stored_files(media) == [media / earlier.file.name]


def test_a_period_no_longer_valid_fails_the_job_with_its_reason():
    user = UserFactory(role="supervisor")
    job = ExportJob.objects.create(user=user, kind="kpis", parameters={"query": "periode=2026-Q7", "language": "en"})
    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "Unknown period 2026-Q7" in job.message


def test_the_task_runs_a_job_once(handler, melding, django_capture_on_commit_callbacks):
    open_case(case_type=melding)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = export_job_create(user=handler, kind="cases", query="", language="en")
    assert len(callbacks) == 1 and ExportJob.objects.get().status == "pending"
    export_job_run(job.pk)
    first = ExportJob.objects.get()
    export_job_run(job.pk)
    again = ExportJob.objects.get()
    assert (again.status, again.file.name, again.finished_at) == ("done", first.file.name, first.finished_at)


def test_a_broker_that_is_down_fails_the_job(handler, monkeypatch, django_capture_on_commit_callbacks):
    def refused(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(export_job_run, "apply_async", refused)
    with django_capture_on_commit_callbacks(execute=True):
        export_job_create(user=handler, kind="cases", query="", language="en")
    job = ExportJob.objects.get()
    assert (job.status, job.message) == ("failed", "The export could not be started: try again later.")


def test_the_file_goes_with_its_job(handler, melding, media, django_capture_on_commit_callbacks):
    """Removed by hand, or as a week old when the user starts another export."""
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(user=handler, kind="cases", query="", language="en")
    assert len(stored_files(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        ExportJob.objects.filter(pk=job.pk).delete()
    assert stored_files(media) == []

    with django_capture_on_commit_callbacks(execute=True):
        old = export_job_create(user=handler, kind="cases", query="", language="en")
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - tasks.KEEP - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        new = export_job_create(user=handler, kind="cases", query="", language="en")
    new.refresh_from_db()
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [new.pk]
    assert stored_files(media) == [media / new.file.name]


# --- The workbook ---------------------------------------------------------------------------------------------------


def test_the_workbook_types_its_cells_and_goes_on_to_a_next_sheet(tmp_path, monkeypatch):
    """Three rows per sheet (the header included): five rows make three sheets of 2, 2 and 1. Text that looks like
    a formula stays text."""
    monkeypatch.setattr(tasks, "MAX_SHEET_ROWS", 3)
    moment = datetime(2026, 7, 1, 8, 30, tzinfo=ZoneInfo("UTC"))  # 10:30 in Brussels
    rows = [
        ("=HYPERLINK(1)", Decimal("12.50"), 3, True, moment, None),
        ("b", 1.25, 4, False, None, "x"),
        ("c", None, 5, False, None, None),
        ("d", None, 6, False, None, None),
        ("e", None, 7, False, None, None),
    ]
    path = tmp_path / "book.xlsx"
    progress = []
    monkeypatch.setattr(tasks, "PROGRESS_EVERY", 2)
    assert (
        write_xlsx(path, "A/b:c", ["text", "amount", "count", "flag", "at", "more"], rows, progress=progress.append)
        == 5
    )
    assert progress == [2, 4]
    sheets = read_xlsx(path.read_bytes())
    assert list(sheets) == ["A b c", "A b c (2)", "A b c (3)"]
    first = sheets["A b c"].rows
    assert first[0] == ["text", "amount", "count", "flag", "at", "more"]
    assert first[1] == ["=HYPERLINK(1)", 12.5, 3, True, datetime(2026, 7, 1, 10, 30)]
    assert first[2] == ["b", 1.25, 4, False, None, "x"]
    assert [row[0] for row in sheets["A b c (2)"].rows] == ["text", "c", "d"]
    assert [row[0] for row in sheets["A b c (3)"].rows] == ["text", "e"]
    assert all(sheet.header_bold for sheet in sheets.values())


def test_the_list_costs_as_many_queries_with_more_exports(supervisor, django_assert_max_num_queries):
    user = supervisor.get("/exporten/").wsgi_request.user
    ExportJob.objects.create(user=user, kind="kpis", parameters={"query": "periode=2026-Q3"})
    with django_assert_max_num_queries(50) as few:
        assert supervisor.get("/exporten/").status_code == 200
    for kind in ("kpis", "kpi_breakdown", "cases", "kpis", "cases"):
        ExportJob.objects.create(user=user, kind=kind, parameters={"query": "periode=2026-Q3"})
    with django_assert_max_num_queries(len(few)):
        assert supervisor.get("/exporten/").status_code == 200
