"""The status link in a notification: the citizen's status page, and a read receipt for the KPI."""

import re

import pytest
from django.core import mail

from cases.services import case_note_add, case_transition
from notifications.models import Notification
from tests.factories import EmailFactory, PersonFactory, open_case

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


def test_opening_the_link_shows_the_public_status_and_counts_as_read(client, told):
    case, notification, link = told
    assert notification.read_at is None

    page = client.get(link)

    assert page.status_code == 200
    html = page.content.decode()
    assert f"Uw aanvraag {case.reference}" in html and "Opgelost" in html
    assert "De tegel ligt terug vast." in html
    assert "Interne notitie" not in html and "Peeters" not in html and "an@example.be" not in html
    notification.refresh_from_db()
    first_read = notification.read_at
    assert first_read is not None

    client.get(link)
    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_a_tampered_link_says_so_and_records_nothing(client, told):
    _case, notification, link = told
    page = client.get(link[:-3] + "xx/", HTTP_ACCEPT_LANGUAGE="nl")
    assert page.status_code == 404
    assert "Deze link is niet geldig" in page.content.decode()
    assert "This link is not valid" in client.get("/status/nonsense/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    notification.refresh_from_db()
    assert notification.read_at is None
