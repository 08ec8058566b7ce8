"""The status link in a notification: the citizen's status page, and a read receipt for the KPI.

A mail scanner fetches every link in a message: only the page's script, once a person has the page in view,
records the read (a CSRF-protected POST). Links expire after MIDOFFICE_STATUS_LINK_MAX_AGE_DAYS.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseState
from cases.services import case_note_add, case_transition
from notifications import links
from notifications.models import Notification, Survey
from notifications.surveys import survey_create, survey_token
from tests.factories import EmailFactory, PersonFactory, case_in_state, open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def told(melding, handler, django_capture_on_commit_callbacks):
    """A citizen told their case was resolved; returns (case, notification, the link in the e-mail)."""
    party = PersonFactory(given_name="An", family_name="Peeters", language="nl")
    EmailFactory(party=party, value="an@example.be")
    case = open_case(case_type=melding, party=party)
    case_note_add(actor=handler, case=case, text="Interne notitie: ploeg 3.", public=False)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(actor=handler, case=case, transition="resolve", public_message="De tegel ligt terug vast.")
    notification = Notification.objects.get(kind="case_resolved")
    [link] = re.findall(r"http://127\.0\.0\.1:8000(/status/[^/\s]+/)", mail.outbox[-1].body)
    return case, notification, link


@pytest.fixture
def browser():
    """A client that, like a browser, must present the CSRF token."""
    return Client(enforce_csrf_checks=True)


def read_receipt(client, page) -> tuple[str, str]:
    """What the page's script posts to, with which token (from the page itself)."""
    html = page.content.decode()
    [url] = re.findall(r'data-read-receipt="([^"]+)"', html)
    [token] = re.findall(r'data-csrf-token="([^"]+)"', html)
    return url, token


def test_the_page_shows_the_public_status_only(browser, told):
    case, _notification, link = told

    page = browser.get(link)

    assert page.status_code == 200
    html = page.content.decode()
    assert f"Uw aanvraag {case.reference}" in html and "Opgelost" in html
    assert "De tegel ligt terug vast." in html
    assert "Interne notitie" not in html and "Peeters" not in html and "an@example.be" not in html


def test_fetching_the_link_records_no_read(browser, told):
    """What a link scanner does: GET, as often as it likes, and run no script."""
    _case, notification, link = told

    assert browser.get(link).status_code == 200
    assert browser.get(link).status_code == 200

    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_pages_script_records_the_read_once(browser, told):
    _case, notification, link = told
    page = browser.get(link)
    url, token = read_receipt(browser, page)
    assert url == link + "read/"

    assert browser.post(url, HTTP_X_CSRFTOKEN=token).status_code == 204

    notification.refresh_from_db()
    first_read = notification.read_at
    assert first_read is not None
    assert browser.post(url, HTTP_X_CSRFTOKEN=token).status_code == 204
    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_the_script_is_a_static_file_the_page_loads(browser, told):
    """No inline script (the CSP forbids it): the page loads the read receipt from our static files."""
    _case, _notification, link = told
    html = browser.get(link).content.decode()

    [src] = re.findall(r'<script src="([^"]+)"', html)
    assert src == "/static/notifications/read-receipt.js"
    assert "<script>" not in html and "<style" not in html
    served = browser.get(src)
    assert served.status_code == 200
    script = b"".join(served.streaming_content).decode()
    served.close()
    assert "visibilityState" in script and "X-CSRFToken" in script and '"POST"' in script


def test_a_receipt_without_the_pages_csrf_token_is_refused(browser, told):
    _case, notification, link = told

    response = browser.post(link + "read/")

    assert response.status_code == 403
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_receipt_for_a_forged_link_is_404_and_writes_nothing(browser, told):
    _case, notification, link = told
    _url, token = read_receipt(browser, browser.get(link))

    response = browser.post(link[:-3] + "xx/read/", HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_tampered_link_says_so_and_records_nothing(client, told):
    _case, notification, link = told
    page = client.get(link[:-3] + "xx/", HTTP_ACCEPT_LANGUAGE="nl")
    assert page.status_code == 404
    assert "Deze link is niet geldig" in page.content.decode()
    assert "This link is not valid" in client.get("/status/nonsense/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    notification.refresh_from_db()
    assert notification.read_at is None


def test_an_expired_link_says_so_and_records_nothing(browser, told, settings):
    settings.MIDOFFICE_STATUS_LINK_MAX_AGE_DAYS = 90
    _case, notification, link = told
    _url, token = read_receipt(browser, browser.get(link))

    with time_machine.travel(timezone.now() + timedelta(days=89)):
        assert browser.get(link).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        page = browser.get(link, HTTP_ACCEPT_LANGUAGE="nl")
        receipt = browser.post(link + "read/", HTTP_X_CSRFTOKEN=token)
        english = browser.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert page.status_code == 410
    assert "Deze link is verlopen" in page.content.decode()
    assert "This link has expired" in english and "The most recent message about your request" in english
    assert receipt.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_survey_link_shows_while_a_survey_is_open(browser, melding, handler):
    melding.survey_enabled = True
    melding.save()
    case = case_in_state(CaseState.RESOLVED, case_type=melding)
    page = reverse("status-page", args=[links.case_status_token(case, "nl")])
    assert "/survey/" not in browser.get(page).content.decode()
    survey = survey_create(case=case)

    html = browser.get(page).content.decode()

    assert reverse("survey-page", args=[survey_token(survey)]) in html
    Survey.objects.filter(pk=survey.pk).update(answered_at=timezone.now())
    assert "/survey/" not in browser.get(page).content.decode()
