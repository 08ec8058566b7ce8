"""The status page for a citizen without the e-mail: found by case number and tracking code (throttled per
address), and the citizen's answer while the case waits for them."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseState, GroupMessage
from cases.services import case_transition
from cases.services.replies import CITIZEN_REPLY_MAX_LENGTH
from contacts.models import Contact
from notifications import links
from notifications.models import Survey
from notifications.surveys import survey_create, survey_token
from tests.factories import PersonFactory, case_in_state

pytestmark = pytest.mark.django_db

NOT_FOUND = "We vinden geen aanvraag met dit dossiernummer en deze code."


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    """And the installation in Dutch (the suite's default is English): what staff read is stored in it."""
    settings.LANGUAGE_CODE = "nl-be"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=False, HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9")


@pytest.fixture
def waiting(melding, handler):
    """A case the handler put on hold with a question to the citizen."""
    case = case_in_state(CaseState.IN_PROGRESS, case_type=melding, party=PersonFactory(given_name="An"))
    return case_transition(
        actor=handler,
        case=case,
        transition="suspend",
        reason="Foto nodig",
        public_message="Waar precies ligt de tegel?",
    )


def status_link(case, language="nl") -> str:
    return reverse("status-page", args=[links.case_status_token(case, language)])


def reply_url(case) -> str:
    return reverse("status-reply", args=[links.case_status_token(case, "nl")])


def test_the_lookup_form_is_in_the_citizens_language(browser):
    assert "Dossiernummer" in browser.get("/status/").content.decode()
    assert "Numéro de dossier" in browser.get("/status/?taal=fr").content.decode()
    assert "Case number" in browser.get("/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_match_leads_to_the_status_page(browser, waiting):
    response = browser.post("/status/", {"reference": waiting.reference, "code": waiting.tracking_code.lower()})

    assert response.status_code == 302
    page = browser.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Uw aanvraag {waiting.reference}" in html and "Waar precies ligt de tegel?" in html
    assert "data-read-receipt" not in html  # no notification to mark read


def test_a_wrong_code_and_a_missing_case_answer_alike(browser, waiting):
    wrong = browser.post("/status/", {"reference": waiting.reference, "code": "AAAAAAAAAA"})
    missing = browser.post("/status/", {"reference": "999999", "code": waiting.tracking_code})

    assert wrong.status_code == missing.status_code == 404
    for response in (wrong, missing):
        assert NOT_FOUND in response.content.decode()
        assert "Location" not in response


def test_lookups_are_throttled_per_address(browser, waiting, settings):
    settings.PUBLIC_STATUS_ADDRESS_RATE = "2/minute"
    for _attempt in range(2):
        assert browser.post("/status/", {"reference": waiting.reference, "code": "X"}).status_code == 404

    refused = browser.post("/status/", {"reference": waiting.reference, "code": waiting.tracking_code})

    assert refused.status_code == 429 and "Retry-After" in refused
    assert "Te veel pogingen" in refused.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/status/", {"reference": waiting.reference, "code": waiting.tracking_code}).status_code == 302


def test_the_waiting_case_shows_the_reply_form_with_csrf(waiting):
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(status_link(waiting)).content.decode()
    assert 'name="csrfmiddlewaretoken"' in html and f'action="{reply_url(waiting)}"' in html

    assert browser.post(reply_url(waiting), {"text": "Aan nummer 12."}).status_code == 403
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
    before = (Contact.objects.count(), CaseEvent.objects.count(), GroupMessage.objects.count())

    response = browser.post(url, {"text": "Aan nummer 12."})

    assert response.status_code == 409
    assert "wacht niet meer op een antwoord" in response.content.decode()
    assert (Contact.objects.count(), CaseEvent.objects.count(), GroupMessage.objects.count()) == before


def test_a_reply_too_long_is_refused(browser, waiting):
    before = (Contact.objects.count(), CaseEvent.objects.count(), GroupMessage.objects.count())

    response = browser.post(reply_url(waiting), {"text": "x" * (CITIZEN_REPLY_MAX_LENGTH + 1)})

    assert response.status_code == 400
    assert "4001" in response.content.decode() and 'aria-invalid="true"' in response.content.decode()
    assert (Contact.objects.count(), CaseEvent.objects.count(), GroupMessage.objects.count()) == before
    assert Case.objects.get(pk=waiting.pk).state == CaseState.WAITING


def test_a_reply_needs_a_valid_link(browser, waiting):
    assert browser.post("/status/bad-token/antwoord/", {"text": "Hallo"}).status_code == 404
    assert not Contact.objects.filter(subject="Antwoord op vraag").exists()


def test_the_survey_link_shows_while_a_survey_is_open(browser, melding, handler):
    melding.survey_enabled = True
    melding.save()
    case = case_in_state(CaseState.RESOLVED, case_type=melding)
    assert "/survey/" not in browser.get(status_link(case)).content.decode()
    survey = survey_create(case=case)

    html = browser.get(status_link(case)).content.decode()

    assert reverse("survey-page", args=[survey_token(survey)]) in html
    Survey.objects.filter(pk=survey.pk).update(answered_at=timezone.now())
    assert "/survey/" not in browser.get(status_link(case)).content.decode()
