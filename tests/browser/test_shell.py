"""Signing in and the page shell, in the browser: Dutch by default, an English switch, accessible."""

from tests.factories import HandlerGroupFactory, PersonFactory, UserFactory


def test_sign_in_shows_the_shell_in_dutch_and_switches_to_english(page):
    user = UserFactory(role="kcc", first_name="Katrien", last_name="Claes")
    HandlerGroupFactory(name="KCC", is_kcc=True, members=[user])

    page.open("/")  # signed out, the sign-in page comes first
    assert "/aanmelden/" in page.url
    page.assert_accessible()
    page.screenshot("aanmelden")

    page.login(user)
    header = page.locator("header")
    assert "Katrien Claes" in header.inner_text()
    assert "KCC" in header.inner_text()
    assert "0 open dossiers van mij" in header.inner_text()
    page.assert_accessible()

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "0 open cases of mine" in page.locator("header").inner_text()
    page.assert_accessible()
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nl"

    page.get_by_role("button", name="Afmelden").click()
    page.wait_for_load_state()
    assert "/aanmelden/" in page.url


def test_a_wrong_password_is_refused_in_dutch_next_to_the_form(page):
    user = UserFactory(role="handler")
    page.open("/aanmelden/")
    page.get_by_label("Gebruikersnaam").fill(user.get_username())
    page.get_by_label("Wachtwoord").fill("wrong-password")
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_load_state()
    assert "/aanmelden/" in page.url
    assert "juiste gebruikersnaam en wachtwoord" in page.locator(".form-errors").inner_text()
    assert page.get_by_label("Gebruikersnaam").input_value() == user.get_username()
    page.assert_accessible()


def test_the_pages_that_refuse_are_accessible_too(page, new_page):
    """The 404 and 403 pages in the shell, and the change history only a supervisor's party page has."""
    supervisor = UserFactory(role="supervisor")
    party = PersonFactory(given_name="Jan", family_name="Peeters")
    party.given_name = "Johan"
    party.save()
    page.login(supervisor)
    page.open(f"/klanten/{party.pk}/")
    page.get_by_role("heading", name="Wijzigingshistoriek").wait_for()
    assert "Jan → Johan" in page.locator("main").inner_text()
    page.assert_accessible()

    assert page.open("/dossiers/999999/").status == 404
    page.get_by_role("heading", name="Niet gevonden").wait_for()
    page.assert_accessible()

    handler = new_page()
    handler.login(UserFactory(role="handler"))
    assert handler.open("/opvolging/").status == 403
    handler.get_by_role("heading", name="Geen toegang").wait_for()
    handler.assert_accessible()
