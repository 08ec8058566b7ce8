"""The citizen's answer on the status page while the case waits for them (public.views_citizen.status_reply),
with files stored as the intake stores them: all or nothing."""

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.models import Case, CaseEvent, CaseState, GroupMessage
from cases.services import case_transition
from cases.services.replies import CITIZEN_REPLY_MAX_LENGTH
from contacts.models import Contact
from notifications import links
from public.models import Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _dutch_installation(settings):
    """The installation in Dutch (the suite's default is English): what staff read is stored in it."""
    settings.LANGUAGE_CODE = "nl-be"
    cache.clear()


def status_link(case, language="nl") -> str:
    return reverse("status-page", args=[links.case_status_token(case, language)])


def reply_url(case) -> str:
    return reverse("status-reply", args=[links.case_status_token(case, "nl")])


def written():
    return (
        Contact.objects.count(),
        CaseEvent.objects.count(),
        GroupMessage.objects.count(),
        Attachment.objects.count(),
    )


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_waiting_case_shows_the_reply_form_with_csrf(waiting):
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(status_link(waiting)).content.decode()
    # The link is signed with the time it was made: read the form's own, not one made a second later.
    action = re.search(r'action="(/status/[^"]+/antwoord/)"', html).group(1)
    assert links.status_from_token(action.split("/")[2]).case == waiting
    assert 'name="csrfmiddlewaretoken"' in html

    assert browser.post(action, {"text": "Aan nummer 12."}).status_code == 403
    assert not Contact.objects.filter(subject="Antwoord op vraag").exists()


@pytest.mark.parametrize("resume", [True, False])
def test_a_reply_is_logged_linked_told_and_resumes_when_the_type_says_so(
    browser, waiting, resume, django_capture_on_commit_callbacks
):
    waiting.case_type.resume_on_citizen_reply = resume
    waiting.case_type.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(reply_url(waiting), {"text": "Aan nummer 12, naast de boom."})

    assert response.status_code == 302
    contact = Contact.objects.get(subject="Antwoord op vraag")
    assert (contact.channel, contact.source, contact.direction) == ("website", "web_form", "inbound")
    assert contact.party_id == waiting.party_id and contact.summary == "Aan nummer 12, naast de boom."
    assert waiting.contacts.filter(pk=contact.pk).exists()
    note = CaseEvent.objects.get(case=waiting, kind="note", data__contact=contact.pk)
    assert "Aan nummer 12, naast de boom." in note.text and note.public
    message = GroupMessage.objects.get(handler_group=waiting.handler_group, subject__contains="antwoordde")
    assert waiting.reference in message.subject and "naast de boom" in message.body
    waiting.refresh_from_db()
    assert waiting.state == (CaseState.IN_PROGRESS if resume else CaseState.WAITING)
    page = browser.get(response["Location"]).content.decode()
    assert "Aan nummer 12, naast de boom." in page and "Bedankt" in page


def test_a_reply_to_a_case_that_no_longer_waits_is_refused(browser, waiting, handler):
    url = reply_url(waiting)
    case_transition(actor=handler, case=waiting, transition="resume")
    before = written()

    response = browser.post(url, {"text": "Aan nummer 12."})

    assert response.status_code == 409
    assert "wacht niet meer op een antwoord" in response.content.decode()
    assert written() == before


def test_a_reply_too_long_is_refused(browser, waiting):
    before = written()

    response = browser.post(reply_url(waiting), {"text": "x" * (CITIZEN_REPLY_MAX_LENGTH + 1)})

    assert response.status_code == 400
    assert "4001" in response.content.decode() and 'aria-invalid="true"' in response.content.decode()
    assert written() == before
    assert Case.objects.get(pk=waiting.pk).state == CaseState.WAITING


def test_a_reply_needs_a_valid_link(browser, waiting):
    assert browser.post("/status/bad-token/antwoord/", {"text": "Hallo"}).status_code == 404
    assert not Contact.objects.filter(subject="Antwoord op vraag").exists()


def test_the_reply_form_sends_files_and_says_which(browser, waiting):
    html = browser.get(status_link(waiting)).content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="attachments"' in html and ">Bijlagen</label>" in html
    assert "Niet verplicht: hoogstens 5 bestanden van het type JPEG, PNG, PDF, elk hoogstens 2 MB." in html


def test_a_reply_with_a_pdf_stores_it_with_the_contact_and_the_case(browser, waiting, settings):
    pdf = SimpleUploadedFile("foto's plaats.pdf", PDF, content_type="application/pdf")

    response = browser.post(reply_url(waiting), {"text": "Zie het plan.", "attachments": [pdf]})

    assert response.status_code == 302
    contact = Contact.objects.get(subject="Antwoord op vraag")
    attachment = Attachment.objects.get()
    assert (attachment.contact_id, attachment.case_id) == (contact.pk, waiting.pk)
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "foto's plaats.pdf",
        "application/pdf",
        len(PDF),
    )
    assert attachment.file.name.startswith(f"attachments/cases/{waiting.reference}/")
    assert [p.read_bytes() for p in stored_files(settings)] == [PDF]


@pytest.mark.parametrize(
    "name, content, content_type, message",
    [
        ("script.html", b"<script>", "text/html", "script.html is van een type"),
        (
            "nep.pdf",
            b"MZ\x90\x00 geen pdf",
            "application/pdf",
            "nep.pdf is niet het application/pdf dat het beweert te zijn.",
        ),
        ("groot.pdf", PDF + b"\x00" * 2000, "application/pdf", "groot.pdf is groter dan 1000 bytes."),
    ],
)
def test_a_refused_file_writes_nothing(browser, waiting, settings, name, content, content_type, message):
    settings.PUBLIC_ATTACHMENT_MAX_BYTES = 1000
    good = SimpleUploadedFile("goed.pdf", PDF, content_type="application/pdf")
    bad = SimpleUploadedFile(name, content, content_type=content_type)
    before = written()

    response = browser.post(reply_url(waiting), {"text": "Zie bijlagen.", "attachments": [good, bad]})

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and 'aria-describedby="attachments-help" aria-invalid="true"' in html
    assert html.index(message) > html.index(">Bijlagen</label>")
    assert written() == before and stored_files(settings) == []
    assert Case.objects.get(pk=waiting.pk).state == CaseState.WAITING


def test_a_failure_after_storing_removes_the_files(browser, waiting, settings, monkeypatch):
    from public import services

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.Attachment.objects, "bulk_create", fail)
    before = written()
    pdf = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")

    with pytest.raises(RuntimeError):
        browser.post(reply_url(waiting), {"text": "Zie bijlage.", "attachments": [pdf]})

    assert written() == before and stored_files(settings) == []
