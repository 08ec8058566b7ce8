"""The ACM/IDM pages on a phone and the staff sign-in with its ACM/IDM button: axe-clean, with screenshots."""

import time
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from public.citizen_auth import SESSION_KEY
from tests.factories import PersonFactory, open_case

PHONE = {"width": 390, "height": 844}
ISSUER = "https://authenticatie-ti.vlaanderen.be/op"  # never called: these pages do not reach the provider


@pytest.fixture
def acmidm(settings):
    settings.MIDOFFICE_OIDC_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = "midoffice-test"
    settings.OIDC_RP_CLIENT_SECRET = "geheim"


@pytest.fixture
def phone(new_page):
    page = new_page()
    page.set_viewport_size(PHONE)
    return page


def sign_in_citizen(page, party) -> None:
    """The session the callback would start (public.citizen_auth), saved in the database the live server reads."""
    session = import_module(django_settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = {"party": party.pk, "acr": "urn:be:vlaanderen:authmech:eid", "expires_at": time.time() + 600}
    session.save()
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": page.base_url}]
    )


def test_my_cases_on_a_phone(phone, acmidm, melding):
    me = PersonFactory(given_name="An")
    case = open_case(case_type=melding, party=me, registered_at=timezone.now() - timedelta(days=1))
    sign_in_citizen(phone, me)

    phone.open("/burger/dossiers/")

    assert phone.get_by_role("heading", level=1).is_visible()
    assert phone.get_by_role("heading", level=2).inner_text().endswith(f"— {case.reference}")
    phone.assert_accessible()
    phone.screenshot("citizen-my-cases-phone")


def test_a_signed_in_citizen_reports_on_a_phone(phone, acmidm, melding):
    me = PersonFactory(given_name="An")
    sign_in_citizen(phone, me)

    phone.open("/burger/dossiers/")
    phone.get_by_role("link", name="Een vraag stellen of iets melden").click()
    phone.get_by_role("button", name="Versturen").click()

    assert phone.get_by_label("Uw vraag of melding").get_attribute("aria-invalid") == "true"
    phone.assert_accessible()
    phone.get_by_label("Waarover gaat het?").select_option("melding")
    phone.get_by_label("Uw vraag of melding").fill("Losliggende stoeptegel voor nummer 12")
    phone.get_by_label("Waar?").fill("Kerkstraat 12, Gent")
    phone.get_by_role("button", name="Versturen").click()

    case = me.cases.get()
    assert phone.get_by_role("status").inner_text() == "Bedankt. We hebben uw aanvraag ontvangen."
    assert case.tracking_code in phone.locator("dl").inner_text()
    phone.assert_accessible()
    phone.screenshot("citizen-report-phone")


def test_the_refusal_on_a_phone(phone, acmidm):
    response = phone.open("/burger/callback/?code=x&state=forged")

    assert response.status == 403
    assert phone.get_by_role("alert").is_visible()
    phone.assert_accessible()
    phone.screenshot("citizen-refused-phone")


def test_the_staff_sign_in_with_acmidm(page, acmidm):
    page.open("/aanmelden/")

    assert page.get_by_role("button", name="Aanmelden met ACM/IDM").is_visible()
    page.assert_accessible()
    page.screenshot("staff-sign-in-acmidm")
