"""The main pages on a tablet (768 px wide, portrait): nothing wider than the screen but the tables that scroll
inside their own box, and axe-core finds nothing."""

import pytest

from tests.factories import HandlerGroupFactory, PersonFactory, UserFactory, open_case

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def tablet(new_page):
    page = new_page()
    page.set_viewport_size(TABLET)
    return page


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_main_pages_fit_a_tablet(tablet, melding, kcc_group):
    kcc = UserFactory(role="kcc", first_name="Katrien", last_name="Claes")
    HandlerGroupFactory(name="Team KCC", members=[kcc])
    citizen = PersonFactory(given_name="Jan", family_name="Peeters")
    case = open_case(case_type=melding, party=citizen)

    tablet.login(kcc)
    for path in ("/balie/", "/dossiers/", f"/dossiers/{case.reference}/", f"/klanten/{citizen.pk}/", "/opvolging/"):
        tablet.open(path)
        assert fits_the_screen(tablet), path
        tablet.assert_accessible()
    tablet.screenshot("tablet-opvolging")
