"""The reports' admin: queues with their opening hours, clusters, KPI norms chosen from the catalogue, the read-only
records, and the upload of a CSV whose import runs as a task (eager here) and shows its progress and bad rows."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reports.kpis import REGISTRY
from reports.models import CallRecord, CounterCluster, CounterVisit, ImportJob, KpiNorm, OpeningInterval, Queue
from reports.services import import_job_create
from reports.tasks import IMPORT_TIME_LIMIT, IMPORTERS, import_job_run
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
CALLS_CSV = (
    "key,queue,offered_at,answered_at\n"
    "c1,kcc,2026-03-02T09:00:00+01:00,2026-03-02T09:00:30.900+01:00\n"
    "c2,kcc,2026-03-02T18:00:00+01:00,\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def kcc():
    queue = Queue.objects.create(code="kcc", name="Contactcenter")
    OpeningInterval.objects.create(queue=queue, weekday=0, opens=time(8, 30), closes=time(17))
    return queue


def upload(admin_client, kind: str, text: str, callbacks):
    with callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:reports_importjob_add"),
            {"kind": kind, "file": SimpleUploadedFile(f"{kind}.csv", text.encode(), content_type="text/csv")},
        )
    assert response.status_code == 302, response.content.decode()
    return response, ImportJob.objects.get()


def test_a_queue_with_its_opening_hours(admin_client):
    response = admin_client.post(
        reverse("admin:reports_queue_add"),
        {
            "code": "kcc",
            "name": "Contactcenter",
            "opening_intervals-TOTAL_FORMS": "2",
            "opening_intervals-INITIAL_FORMS": "0",
            "opening_intervals-0-weekday": "0",
            "opening_intervals-0-opens": "08:30",
            "opening_intervals-0-closes": "12:00",
            "opening_intervals-1-weekday": "5",
            "opening_intervals-1-opens": "09:00",
            "opening_intervals-1-closes": "12:00",
        },
    )
    assert response.status_code == 302
    queue = Queue.objects.get()
    assert list(queue.opening_intervals.values_list("weekday", "opens", "closes")) == [
        (0, time(8, 30), time(12)),
        (5, time(9), time(12)),
    ]
    listing = admin_client.get(reverse("admin:reports_queue_changelist")).content.decode()
    assert "Monday 08:30–12:00, Saturday 09:00–12:00" in listing


def test_an_interval_closing_before_it_opens_is_refused(admin_client):
    response = admin_client.post(
        reverse("admin:reports_queue_add"),
        {
            "code": "kcc",
            "name": "Contactcenter",
            "opening_intervals-TOTAL_FORMS": "1",
            "opening_intervals-INITIAL_FORMS": "0",
            "opening_intervals-0-weekday": "0",
            "opening_intervals-0-opens": "17:00",
            "opening_intervals-0-closes": "08:30",
        },
    )
    assert response.status_code == 200
    assert not Queue.objects.exists()


def test_a_cluster_with_its_norm_in_minutes(admin_client):
    response = admin_client.post(
        reverse("admin:reports_countercluster_add"), {"code": "ocmw", "name": "OCMW", "norm_minutes": "10"}
    )
    assert response.status_code == 302
    assert CounterCluster.objects.get().norm_minutes == Decimal(10)


def test_a_kpi_norm_is_one_of_the_registered_kpis(admin_client):
    page = admin_client.get(reverse("admin:reports_kpinorm_add")).content.decode()
    assert all(f'value="{code}"' in page for code in REGISTRY)
    code = next(iter(REGISTRY))
    url = reverse("admin:reports_kpinorm_add")
    assert admin_client.post(url, {"code": "no_such_kpi", "value": "5"}).status_code == 200
    assert admin_client.post(url, {"code": code, "value": "70", "note": "Raad 2026"}).status_code == 302
    norm = KpiNorm.objects.get()
    assert (norm.code, norm.value, norm.note) == (code, Decimal(70), "Raad 2026")
    assert str(REGISTRY[code].name) in admin_client.get(reverse("admin:reports_kpinorm_changelist")).content.decode()


def test_records_are_read_only_with_filters(admin_client, kcc):
    record = CallRecord.objects.create(
        key="c1", queue=kcc, offered_at=datetime(2026, 3, 2, 9, tzinfo=BRUSSELS), inside_hours=True
    )
    listing = admin_client.get(reverse("admin:reports_callrecord_changelist"), {"inside_hours__exact": "1"})
    assert listing.status_code == 200
    assert "c1" in listing.content.decode()
    assert "?kind=calls" in listing.content.decode()  # the link to the CSV upload
    assert (
        admin_client.get(reverse("admin:reports_callrecord_changelist"), {"queue__id__exact": kcc.pk}).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:reports_callrecord_add")).status_code == 403
    change = reverse("admin:reports_callrecord_change", args=[record.pk])
    assert admin_client.post(change, {"key": "other"}).status_code == 403
    for name in ("countervisit", "telephonyevent", "importjob"):
        assert admin_client.get(reverse(f"admin:reports_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:reports_telephonyevent_add")).status_code == 403


def test_the_upload_imports_and_shows_the_job(admin_client, admin_user, kcc, media, django_capture_on_commit_callbacks):
    """c1 answered after 30.9 s inside hours: 30 s; c2 at 18:00 outside. The file is deleted afterwards."""
    response, job = upload(admin_client, "calls", CALLS_CSV, django_capture_on_commit_callbacks)
    assert response.url == reverse("admin:reports_importjob_change", args=[job.pk])
    assert (job.status, job.created, job.duplicates, job.rows_total, job.rows_checked) == ("done", 2, 0, 2, 2)
    assert (job.file_name, job.created_by, job.errors, bool(job.file)) == ("calls.csv", admin_user, [], False)
    assert job.started_at <= job.finished_at
    assert not [path for path in media.rglob("*") if path.is_file()]
    assert dict(CallRecord.objects.values_list("key", "wait_seconds")) == {"c1": 30, "c2": None}
    page = admin_client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "Imported" in page


def test_an_upload_with_bad_rows_imports_nothing_and_lists_them(admin_client, kcc, django_capture_on_commit_callbacks):
    text = CALLS_CSV + "c3,nope,2026-03-02T09:00:00+01:00,\nc4,kcc,2026-03-02T09:00:00,\n"
    _response, job = upload(admin_client, "calls", text, django_capture_on_commit_callbacks)
    assert job.status == "failed"
    assert job.errors == [
        {"line": 4, "errors": {"queue": ["There is no telephony queue with the code “nope”."]}},
        {"line": 5, "errors": {"offered_at": ["Give the time with its offset, e.g. 2026-03-01T10:00:00+01:00."]}},
    ]
    assert (job.created, job.rows_total, job.rows_checked) == (None, 4, 4)
    assert not CallRecord.objects.exists()
    page = admin_client.get(reverse("admin:reports_importjob_change", args=[job.pk])).content.decode()
    assert "Nothing imported" in page
    assert "<td>5</td><td>offered_at</td>" in page
    errors_csv = admin_client.get(reverse("admin:reports_importjob_errors", args=[job.pk]))
    assert errors_csv.content.decode().splitlines() == [
        "line,field,message",
        "4,queue,There is no telephony queue with the code “nope”.",
        '5,offered_at,"Give the time with its offset, e.g. 2026-03-01T10:00:00+01:00."',
    ]


def test_a_visits_upload(admin_client, django_capture_on_commit_callbacks):
    CounterCluster.objects.create(code="ocmw", name="OCMW", norm_minutes=Decimal(10))
    text = (
        "key,cluster,booked_at,scheduled_start,called_at,booking_channel\n"
        "v1,ocmw,2026-03-06T10:00:00+01:00,2026-03-09T09:00:00+01:00,2026-03-09T09:00:59+01:00,phone\n"
    )
    _response, job = upload(admin_client, "visits", text, django_capture_on_commit_callbacks)
    assert (job.status, job.created) == ("done", 1)
    assert CounterVisit.objects.values_list("wait_seconds", "lead_working_days").get() == (59, 1)


def test_the_page_of_a_running_job_refreshes_and_shows_its_progress(admin_client):
    job = ImportJob.objects.create(
        kind="calls",
        file_name="calls.csv",
        status="checking",
        rows_total=40000,
        rows_checked=15000,
        started_at=timezone.now(),
    )
    page = admin_client.get(reverse("admin:reports_importjob_change", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress max="40000" value="15000"></progress> 15000 of 40000 rows checked' in page
    assert "Checking the rows" in page


def test_a_job_that_lost_its_worker_stops_refreshing(admin_client):
    started = timezone.now() - timedelta(seconds=IMPORT_TIME_LIMIT + 1)
    job = ImportJob.objects.create(kind="calls", file_name="calls.csv", status="writing", started_at=started)
    page = admin_client.get(reverse("admin:reports_importjob_change", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "Stopped without finishing" in page


def test_the_task_runs_a_job_once(kcc, django_capture_on_commit_callbacks):
    """A job is claimed while waiting: the task run again (a second delivery) leaves it as it is."""
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = import_job_create(actor=user, kind="calls", file=ContentFile(CALLS_CSV.encode(), name="calls.csv"))
    assert len(callbacks) == 1
    import_job_run(job.pk)
    import_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 2)
    assert CallRecord.objects.count() == 2


def test_an_unexpected_error_fails_the_job_and_is_raised(kcc, monkeypatch):
    job = import_job_create(actor=None, kind="calls", file=ContentFile(CALLS_CSV.encode(), name="calls.csv"))

    def broken():
        raise RuntimeError("database gone")

    monkeypatch.setitem(IMPORTERS, "calls", broken)
    with pytest.raises(RuntimeError):
        import_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "The import stopped on an unexpected error: nothing was imported.")
    assert job.finished_at is not None
    assert not job.file


def test_uploading_needs_the_permission(client, kcc):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:reports_importjob_add")).status_code == 403
    listing = client.get(reverse("admin:reports_callrecord_changelist"))
    assert listing.status_code == 403
