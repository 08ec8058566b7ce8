"""The status page for a citizen without the e-mail: found by case number and tracking code (throttled per
address, counted for the KPI "status requests per channel")."""

import pytest
from django.core.cache import cache
from django.test import Client

from public.models import StatusLookup

pytestmark = pytest.mark.django_db

NOT_FOUND = "We vinden geen aanvraag met dit dossiernummer en deze code."


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    """Throttle counts start from nothing; the installation in Dutch (the suite's default is English)."""
    settings.LANGUAGE_CODE = "nl-be"
    cache.clear()
    yield
    cache.clear()


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


def test_each_lookup_is_counted_as_a_website_form_request(browser, waiting, settings):
    settings.PUBLIC_STATUS_ADDRESS_RATE = "2/minute"
    browser.post("/status/", {"reference": waiting.reference, "code": waiting.tracking_code})
    browser.post("/status/", {"reference": "999999", "code": waiting.tracking_code})
    browser.post("/status/", {"reference": waiting.reference, "code": waiting.tracking_code})  # throttled
    browser.post("/status/", {"reference": "", "code": ""})  # throttled too: no look-up
    browser.get("/status/")

    lookups = list(StatusLookup.objects.order_by("pk").values("case", "client", "channel", "source", "found"))
    assert lookups == [
        {"case": waiting.pk, "client": None, "channel": "website", "source": "web_form", "found": True},
        {"case": None, "client": None, "channel": "website", "source": "web_form", "found": False},
    ]


def test_an_incomplete_form_is_no_lookup(browser):
    assert browser.post("/status/", {"reference": "", "code": ""}).status_code == 400
    assert not StatusLookup.objects.exists()
