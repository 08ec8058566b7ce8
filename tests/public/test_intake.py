from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case
from contacts.models import Contact, Outcome, Party
from notifications.models import Notification
from public.models import Attachment
from tests.factories import CaseTypeFactory, PersonFactory

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/public/intake/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def body(**changes):
    data = {
        "channel": "chat",
        "source": "virtual_assistant",
        "party_data": {"given_name": "An", "family_name": "Peeters", "email": "an.peeters@example.be"},
        "case_type": "melding",
        "description": "Losliggende stoeptegel\nVoor nummer 12.",
        "location": "Kerkstraat 12, Gent",
        "postal_code": "9000",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def nothing_written():
    return not Contact.objects.exists() and not Case.objects.exists() and not Attachment.objects.exists()


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_report_opens_a_routed_case(assistant, melding, django_assert_max_num_queries):
    melding.refresh_from_db()
    with django_assert_max_num_queries(30):
        response = assistant.post(INTAKE, body(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) == {"reference", "tracking_code", "expected_date", "handler_group", "contact"}
    case = Case.objects.get(reference=data["reference"])
    assert data["tracking_code"] == case.tracking_code
    assert data["handler_group"] == melding.default_group.public_name
    assert data["expected_date"] == case.due_at.astimezone(ZoneInfo("Europe/Brussels")).date().isoformat()
    contact = Contact.objects.get(pk=data["contact"])
    assert (contact.channel, contact.source, contact.outcome) == ("chat", "virtual_assistant", Outcome.CASE_CREATED)
    assert contact.subject == "Losliggende stoeptegel"
    assert list(case.contacts.all()) == [contact]
    assert case.location == "Kerkstraat 12, Gent" and case.channel == "chat"
    assert contact.party.family_name == "Peeters"


def test_the_registration_email_carries_reference_and_tracking_code(
    assistant, melding, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = assistant.post(INTAKE, body(), format="json")
    assert response.status_code == 201
    notification = Notification.objects.get(kind="case_created", backend="email")
    assert notification.payload["tracking_code"] == response.json()["tracking_code"]
    sent = [m for m in mail.outbox if response.json()["reference"] in m.subject]
    assert sent and response.json()["tracking_code"] in sent[0].body


def test_a_known_citizen_is_resolved_to_their_record(assistant, melding):
    known = PersonFactory(given_name="An", family_name="Peeters", national_number="85073003328")
    response = assistant.post(INTAKE, body(party_data={"national_number": "85.07.30-033.28"}), format="json")
    assert response.status_code == 201, response.json()
    assert Contact.objects.get().party == known
    assert Party.objects.count() == 1


def test_an_answered_question_is_a_contact_only(assistant, melding):
    response = assistant.post(
        INTAKE, body(case_type=None, answered=True, description="Wanneer is het containerpark open?"), format="json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data == {
        "reference": None,
        "tracking_code": None,
        "expected_date": None,
        "handler_group": None,
        "contact": data["contact"],
    }
    contact = Contact.objects.get()
    assert contact.outcome == Outcome.ANSWERED and contact.summary == "Wanneer is het containerpark open?"
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"case_type": "nope"}, "case_type", "There is no case type nope for the public."),
        ({"case_type": "intern"}, "case_type", "There is no case type intern for the public."),
        ({"case_type": "oud"}, "case_type", "There is no case type oud for the public."),
        ({"case_type": None}, "case_type", "Choose a case type, or say the question was answered."),
        ({"answered": True}, "answered", "An answered question opens no case: leave case_type out."),
        ({"channel": "whatsapp"}, "channel", "This client may not report the channel whatsapp."),
        ({"channel": None}, "channel", "This field is required."),
        ({"source": "integration"}, "source", "This client may not report the source integration."),
        ({"source": "staff"}, "source", '"staff" is not a valid choice.'),
        ({"description": "x" * 4001}, "description", "Ensure this field has no more than 4000 characters."),
        (
            {"party_data": None},
            "party",
            "Link the contact to a party (party or party_data) or set anonymous explicitly.",
        ),
        ({"latitude": "51.05"}, "longitude", "Give both latitude and longitude, or neither."),
    ],
)
def test_refusals_write_nothing(assistant, melding, group, changes, field, message):
    CaseTypeFactory(code="intern", public=False, default_group=group)
    CaseTypeFactory(code="oud", active=False, default_group=group)
    response = assistant.post(INTAKE, body(**changes), format="json")
    assert response.status_code == 400
    assert message in response.json()[field]
    assert nothing_written()


def test_a_type_that_needs_a_location_refuses_a_submission_without_one(assistant, group):
    CaseTypeFactory(code="sluikstort", location_required=True, default_group=group)
    response = assistant.post(INTAKE, body(case_type="sluikstort", location=None), format="json")
    assert response.status_code == 400
    assert response.json() == {"location": ["Say where: an address, or latitude and longitude."]}
    assert nothing_written()
    coordinates = body(case_type="sluikstort", location=None, latitude="51.054342", longitude="3.717424")
    assert assistant.post(INTAKE, coordinates, format="json").status_code == 201


def test_attachments_are_stored_under_the_case(assistant, melding, settings):
    photo = SimpleUploadedFile("stoep tegel.png", PNG, content_type="image/png")
    response = assistant.post(
        INTAKE,
        {
            "channel": "website",
            "source": "web_form",
            "party_data.email": "jan@example.be",
            "case_type": "melding",
            "description": "Losliggende stoeptegel",
            "attachments": [photo],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    attachment = Attachment.objects.get()
    case = Case.objects.get()
    assert attachment.case == case and attachment.contact_id == response.json()["contact"]
    assert attachment.file.name.startswith(f"attachments/cases/{case.reference}/")
    assert (attachment.name, attachment.content_type, attachment.size) == ("stoep tegel.png", "image/png", len(PNG))
    assert attachment.file.read() == PNG
    assert Contact.objects.get().party.contact_points.filter(value="jan@example.be").exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("script.html", b"<script>", "text/html", "script.html is of a type we do not accept (text/html)"),
        ("fake.png", b"MZ\x90\x00 not a png", "image/png", "fake.png is not the image/png it claims to be."),
        ("big.png", PNG + b"\x00" * 2000, "image/png", "big.png is larger than 1000 bytes."),
    ],
)
def test_refused_files_store_nothing(assistant, melding, settings, name, content, content_type, message):
    settings.PUBLIC_ATTACHMENT_MAX_BYTES = 1000
    good = SimpleUploadedFile("good.png", PNG, content_type="image/png")
    bad = SimpleUploadedFile(name, content, content_type=content_type)
    response = assistant.post(
        INTAKE, {**body(party_data=None, anonymous=True), "attachments": [good, bad]}, format="multipart"
    )
    assert response.status_code == 400
    assert any(m.startswith(message) for m in response.json()["attachments"]), response.json()
    assert nothing_written()
    assert stored_files(settings) == []


def test_a_failure_after_storing_removes_the_files(assistant, melding, settings, monkeypatch):
    from public import services

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.Attachment.objects, "bulk_create", fail)
    photo = SimpleUploadedFile("a.png", PNG, content_type="image/png")
    with pytest.raises(RuntimeError):
        assistant.post(INTAKE, {**body(party_data=None, anonymous=True), "attachments": [photo]}, format="multipart")
    assert nothing_written() and stored_files(settings) == []


def test_a_retry_with_the_same_idempotency_key_creates_one_contact_and_one_case(assistant, melding):
    first = assistant.post(INTAKE, body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = assistant.post(INTAKE, body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Contact.objects.count() == 1 and Case.objects.count() == 1
    other = assistant.post(INTAKE, body(description="Iets anders"), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


def test_a_multipart_retry_with_other_files_under_the_key_is_refused(assistant, melding):
    def send(content):
        photo = SimpleUploadedFile("a.png", content, content_type="image/png")
        data = {**body(party_data=None, anonymous=True), "attachments": [photo]}
        return assistant.post(INTAKE, data, format="multipart", HTTP_IDEMPOTENCY_KEY="k-2")

    assert send(PNG).status_code == 201
    assert send(PNG).status_code == 201
    assert send(PNG + b"\x01").status_code == 422
    assert Attachment.objects.count() == 1


def test_submissions_are_throttled_per_client(assistant, make_service_client, melding, settings):
    settings.PUBLIC_INTAKE_RATE = "2/minute"
    for _ in range(2):
        assert assistant.post(INTAKE, body(), format="json").status_code == 201
    throttled = assistant.post(INTAKE, body(), format="json")
    assert throttled.status_code == 429 and "Retry-After" in throttled
    assert make_service_client().post(INTAKE, body(), format="json").status_code == 201
