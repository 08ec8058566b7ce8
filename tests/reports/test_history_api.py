"""The previous system's history in through the API (service clients with the scope ``history``) and through the
admin's CSV upload (a functional administrator, the import run as a task: eager here), as the command imports it.

The calendar (2025, no public holiday in March): Monday 3, Wednesday 5, Thursday 6, Friday 7, Monday 10, Wednesday
12 March. The case type ``melding`` has an admissibility step and a norm of 3 working days (Openbaar Domein).

h1, computed by hand: registered Mon 3 Mar 10:00, accepted Wed 5 Mar 09:00 (Tue, Wed: 2 working days), waited Thu 6
Mar 10:00 → Mon 10 Mar 09:00 (Fri, Mon: 2 paused days), resolved Wed 12 Mar 15:00 (Tue 4 … Wed 12: 7 working days − 2
waited = 5), closed Wed 26 Mar. Due 3 working days after Mon 3 = Thu 6 Mar, moved on by the 2 days waited: Mon 10 Mar
23:59:59.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.models import Case, CaseEvent, CaseKind, EventKind
from contacts.models import Contact, MatchedOn
from notifications.models import Notification
from reports.models import ImportJob
from tests.factories import CaseTypeFactory, UserFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
CASES = "/api/v1/reports/history/cases/"
CONTACTS = "/api/v1/reports/history/contacts/"
UNKNOWN_TYPE = "Unknown case type “nope”."


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


@pytest.fixture
def melding(group):
    return CaseTypeFactory(
        code="melding", name="Melding", kind=CaseKind.REPORT, default_group=group, admissibility_step=True
    )


@pytest.fixture
def history(reports_client):
    return reports_client(scopes=["history"])


H1 = {
    "key": "h1",
    "case_type": "melding",
    "channel": "phone",
    "state": "closed",
    "registered_at": "2025-03-03T10:00:00+01:00",
    "admissibility_decided_at": "2025-03-05T09:00:00+01:00",
    "waiting": [{"from": "2025-03-06T10:00:00+01:00", "to": "2025-03-10T09:00:00+01:00"}],
    "resolved_at": "2025-03-12T15:00:00+01:00",
    "closed_at": "2025-03-26T10:00:00+01:00",
    "email": "An.Peeters@example.be",
}


def simple(key: str, **fields) -> dict:
    """A case cancelled undecided: registered Fri 14 Mar, closed Mon 17 Mar."""
    base = {
        "key": key,
        "case_type": "melding",
        "channel": "email",
        "state": "cancelled",
        "registered_at": "2025-03-14T09:00:00+01:00",
        "closed_at": "2025-03-17T09:00:00+01:00",
    }
    return base | fields


def test_a_closed_case_with_a_wait_then_its_contact(history, melding, group):
    """h1 (module docstring): 2 paused days, 2 working days to decide, 5 to resolve, due Mon 10 Mar. Its contact
    names h1 and no identifiers: it is linked to h1 and is h1's party's (found by its e-mail address)."""
    response = history.post(CASES, H1, format="json")
    assert (response.status_code, response.json()) == (201, {"created": 1, "duplicates": 0})
    case = Case.objects.get(imported_key="h1")
    assert (case.imported, case.state, case.handler_group, case.assignee_id) == (True, "closed", group, None)
    assert (case.paused_days, case.admissibility_working_days, case.resolution_days) == (2, 2, 5)
    assert case.due_at == at(2025, 3, 10, 23, 59, 59)
    assert case.party.contact_points.get().value == "an.peeters@example.be"
    transitions = CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION).order_by("created_at", "id")
    assert list(transitions.values_list("transition", flat=True)) == [
        "accept",
        "suspend",
        "resume",
        "resolve",
        "close",
    ]

    contact = {
        "key": "k1",
        "channel": "phone",
        "occurred_at": "2025-03-03T09:55:00+01:00",
        "subject": "Losliggende stoeptegel",
        "outcome": "case_created",
        "case_key": "h1",
    }
    response = history.post(CONTACTS, contact, format="json")
    assert (response.status_code, response.json()) == (201, {"created": 1, "duplicates": 0})
    stored = Contact.objects.get(imported_key="k1")
    assert list(case.contacts.all()) == [stored]
    assert (stored.party, stored.matched_on, stored.handled_by, stored.direction, stored.source, stored.guided) == (
        case.party,
        MatchedOn.GIVEN,
        None,
        "inbound",
        "staff",
        False,
    )
    assert Notification.objects.count() == 0


def test_a_bad_record_in_a_list_writes_nothing(history, melding):
    """Of three records the second names an unknown case type: 400 with its index, no case stored. A wait whose end
    has no offset is refused by the API's checks, by index too."""
    response = history.post(CASES, [simple("a"), simple("b", case_type="nope"), simple("c")], format="json")
    assert response.status_code == 400
    assert response.json() == {"records": {"1": {"case_type": [UNKNOWN_TYPE]}}}
    assert not Case.objects.exists()

    naive = H1 | {"waiting": [{"from": "2025-03-06T10:00:00+01:00", "to": "2025-03-10T09:00:00"}]}
    response = history.post(CASES, [simple("a"), simple("b"), naive], format="json")
    assert response.status_code == 400
    assert list(response.json()["records"]) == ["2"]
    assert response.json()["records"]["2"]["waiting"]["0"]["to"] == [
        "Give the time with its offset, e.g. 2026-03-01T10:00:00+01:00."
    ]
    assert not Case.objects.exists()

    response = history.post(
        CONTACTS, [{"key": "k1", "channel": "phone", "subject": "x", "case_key": "nope"}], format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["records"]["0"]) == {"occurred_at"}
    response = history.post(
        CONTACTS,
        [
            {
                "key": "k1",
                "channel": "phone",
                "occurred_at": "2025-03-03T09:55:00+01:00",
                "subject": "x",
                "case_key": "h9",
            }
        ],
        format="json",
    )
    assert response.json() == {"records": {"0": {"case_key": ["No imported case has the key “h9”."]}}}
    assert not Contact.objects.exists()


def test_a_batch_sent_again_counts_duplicates(history, melding):
    """The same three cases sent twice: 3 stored, then 3 duplicates; the same key with another state is refused."""
    batch = [H1, simple("a"), simple("b")]
    assert history.post(CASES, batch, format="json").json() == {"created": 3, "duplicates": 0}
    response = history.post(CASES, batch, format="json")
    assert (response.status_code, response.json()) == (201, {"created": 0, "duplicates": 3})
    response = history.post(CASES, [simple("c"), simple("a", state="rejected")], format="json")
    assert response.json() == {
        "records": {"1": {"key": ["A record with this key was sent before with other content."]}}
    }
    assert Case.objects.filter(imported=True).count() == 3


@pytest.mark.parametrize("path", [CASES, CONTACTS])
def test_the_history_scope_is_needed(reports_client, melding, path):
    telephony = reports_client(scopes=["telephony", "counter", "reports"])
    assert telephony.post(path, simple("a"), format="json").status_code == 403
    assert not Case.objects.exists()


# --- the admin's upload ----------------------------------------------------------------------------------------

CASES_CSV = (
    "key;case_type;channel;state;registered_at;admissibility_decided_at;waiting;resolved_at;closed_at;email\n"
    "h1;melding;phone;closed;2025-03-03T10:00+01:00;2025-03-05T09:00+01:00;"
    "2025-03-06T10:00+01:00/2025-03-10T09:00+01:00;2025-03-12T15:00+01:00;2025-03-26T10:00+01:00;an.peeters@example.be\n"
    "h2;melding;email;cancelled;2025-03-14T09:00+01:00;;;;2025-03-17T09:00+01:00;\n"
)
CONTACTS_CSV = (
    "key,channel,occurred_at,subject,outcome,case_key\nk1,phone,2025-03-03T09:55+01:00,Stoeptegel,case_created,h1\n"
)


@pytest.fixture
def admin(db):
    """A functional administrator (not a superuser): the role may upload CSV imports."""
    client = Client()
    client.force_login(UserFactory(role="functional_admin", is_staff=True))
    return client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client, kind: str, text: str, callbacks) -> ImportJob:
    with callbacks(execute=True):
        response = client.post(
            reverse("admin:reports_importjob_add"),
            {"kind": kind, "file": SimpleUploadedFile(f"{kind}.csv", text.encode(), content_type="text/csv")},
        )
    assert response.status_code == 302, response.content.decode()
    job = ImportJob.objects.latest("pk")
    assert response.url == reverse("admin:reports_importjob_change", args=[job.pk])
    return job


def test_the_admin_uploads_the_history(admin, melding, django_capture_on_commit_callbacks):
    """The cases (h1 as in the module docstring; h2 cancelled undecided), then the contacts naming h1: each job
    checks both rows (its progress) and imports them."""
    form = admin.get(reverse("admin:reports_importjob_add")).content.decode()
    assert 'value="history_cases"' in form and 'value="history_contacts"' in form
    job = upload(admin, "history_cases", CASES_CSV, django_capture_on_commit_callbacks)
    assert (job.status, job.created, job.duplicates, job.rows_total, job.rows_checked) == ("done", 2, 0, 2, 2)
    h1 = Case.objects.get(imported_key="h1")
    assert (h1.paused_days, h1.admissibility_working_days, h1.resolution_days) == (2, 2, 5)
    assert Case.objects.get(imported_key="h2").state == "cancelled"
    page = admin.get(reverse("admin:reports_importjob_change", args=[job.pk])).content.decode()
    assert "Cases of the previous system" in page
    assert '<progress max="2" value="2"></progress> 2 of 2 rows checked' in page

    job = upload(admin, "history_contacts", CONTACTS_CSV, django_capture_on_commit_callbacks)
    assert (job.status, job.created, job.rows_total) == ("done", 1, 1)
    assert list(h1.contacts.values_list("imported_key", flat=True)) == ["k1"]
    job = upload(admin, "history_cases", CASES_CSV, django_capture_on_commit_callbacks)
    assert (job.status, job.created, job.duplicates) == ("done", 0, 2)


def test_a_bad_row_fails_the_job_with_its_line(admin, melding, django_capture_on_commit_callbacks):
    """Line 4 (the header is line 1) has an open state: the job fails naming it, and neither good row is stored."""
    text = CASES_CSV + "h3;melding;phone;in_progress;2025-03-03T10:00+01:00;;;;;\n"
    job = upload(admin, "history_cases", text, django_capture_on_commit_callbacks)
    assert (job.status, job.created, job.rows_total, job.rows_checked) == ("failed", None, 3, 3)
    assert job.errors == [
        {"line": 4, "errors": {"state": ["“in_progress” is not one of: resolved, closed, rejected, cancelled."]}}
    ]
    assert not Case.objects.exists()
    page = admin.get(reverse("admin:reports_importjob_change", args=[job.pk])).content.decode()
    assert "Nothing imported" in page
    assert "<td>4</td><td>state</td>" in page
