"""The inbox and the case page in the browser: a handler's day with one case, the KCC's corrections, and two clerks
on one case. Every state is checked with axe-core; screenshots of the inbox and the case page go to var/screenshots/.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cases.models import Case, CaseEvent, EventKind
from cases.services import case_transition
from cases.workflow import CaseState
from tests.factories import CaseTypeFactory, EmailFactory, HandlerGroupFactory, PersonFactory, UserFactory, open_case


@pytest.fixture
def city(server):
    """A KCC, Openbaar Domein with two handlers, Mobiliteit, and a case of a citizen with an e-mail address."""
    kcc = UserFactory(role="kcc", first_name="Katrien", last_name="Claes")
    handler = UserFactory(role="handler", first_name="Hanne", last_name="Hendrickx")
    colleague = UserFactory(role="handler", first_name="Chris", last_name="Collega")
    HandlerGroupFactory(name="KCC", is_kcc=True, members=[kcc])
    public_domain = HandlerGroupFactory(name="Openbaar Domein", members=[handler, colleague])
    mobility = HandlerGroupFactory(name="Mobiliteit", members=[UserFactory(role="handler")])
    report = CaseTypeFactory(name="Melding openbaar domein", default_group=public_domain, norm_days=5)
    citizen = PersonFactory(given_name="Jan", family_name="Peeters")
    EmailFactory(party=citizen, value="jan@example.be")
    case = open_case(case_type=report, party=citizen, description="Losliggende stoeptegel", location="Veldstraat 12")
    return {
        "kcc": kcc,
        "handler": handler,
        "colleague": colleague,
        "mobility": mobility,
        "report": report,
        "case": case,
    }


def action(page, key: str):
    """The section of one action on the case page, opened."""
    section = page.locator(f"#action-{key}")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    return section


def test_a_handler_takes_a_new_case_asks_the_citizen_and_resolves_it(page, city):
    case, handler = city["case"], city["handler"]
    open_case(case_type=city["report"], description="Straatlamp kapot")
    page.login(handler)
    page.open("/dossiers/")
    row = page.locator("tbody tr").filter(has=page.get_by_role("link", name=case.reference, exact=True))
    expect(row).to_contain_text("Melding openbaar domein")
    expect(row).to_contain_text("werkdagen over")
    page.assert_accessible()
    page.screenshot("dossiers-inbox")

    # The filter updates the table in place (htmx) and the address follows. (On a fresh page: axe leaves empty
    # style attributes on the inputs it checked, which htmx's settling would copy and the CSP block.)
    page.reload()
    page.get_by_label("Status").select_option("new")
    expect(page.page).to_have_url(re.compile(r"state=new"))
    expect(page.locator("#case-results")).to_contain_text(case.reference)

    # The filter kept under a name, offered on every later visit.
    page.get_by_label("Deze filter bewaren als").fill("Nieuwe meldingen")
    page.get_by_role("button", name="Bewaren", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Nieuwe meldingen")
    saved = page.locator(".saved-filters").get_by_role("link", name="Nieuwe meldingen")
    expect(saved).to_have_attribute("href", re.compile(r"state=new"))
    page.assert_accessible()

    row = page.locator("tbody tr").filter(has=page.get_by_role("link", name=case.reference, exact=True))
    row.get_by_role("button", name="Nemen").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text(f"U hebt dossier {case.reference} genomen.")
    assert Case.objects.get(pk=case.pk).assignee == handler

    page.get_by_role("link", name=case.reference, exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text(f"Dossier {case.reference}")
    expect(page.locator(".case-details")).to_contain_text("Hanne Hendrickx")
    page.assert_accessible()
    page.screenshot("dossiers-dossier")

    action(page, "transition-start").get_by_role("button", name="Starten").click()
    page.wait_for_load_state()
    expect(page.locator(".case-badges")).to_contain_text("In behandeling")

    suspend = action(page, "transition-suspend")
    suspend.get_by_label("Wat ontbreekt (intern)").fill("Huisnummer ontbreekt")
    suspend.get_by_label("Uw vraag aan de burger").fill("Aan welk huisnummer ligt de tegel?")
    preview = suspend.locator(".email-preview")
    expect(preview).to_contain_text("jan@example.be")
    expect(preview).to_contain_text(f"We hebben iets van u nodig voor {case.reference}")
    expect(preview).to_contain_text("Aan welk huisnummer ligt de tegel?")
    page.assert_accessible()
    page.screenshot("dossiers-dossier-vraag")
    suspend.get_by_role("button", name="Vraag aan de burger stellen").click()
    page.wait_for_load_state()
    expect(page.locator(".case-badges")).to_contain_text("Wacht op de burger")
    expect(page.locator(".case-badges")).to_contain_text("Klok stilgezet")
    page.assert_accessible()

    action(page, "transition-resume").get_by_role("button", name="Hervatten").click()
    page.wait_for_load_state()
    expect(page.locator(".case-badges")).to_contain_text("In behandeling")

    resolve = action(page, "transition-resolve")
    resolve.get_by_label("Het antwoord aan de burger").fill("De tegel ligt terug vast.")
    expect(resolve.locator(".email-preview")).to_contain_text("De tegel ligt terug vast.")
    resolve.get_by_role("button", name="Oplossen").click()
    page.wait_for_load_state()
    expect(page.locator(".case-badges")).to_contain_text("Opgelost")
    expect(page.locator(".timeline")).to_contain_text("Oplossen: In behandeling → Opgelost")
    page.assert_accessible()

    sent = [message for message in mail.outbox if message.to == ["jan@example.be"]]
    assert any("Aan welk huisnummer ligt de tegel?" in message.body for message in sent)
    assert any("De tegel ligt terug vast." in message.body for message in sent)
    assert Case.objects.get(pk=case.pk).state == CaseState.RESOLVED


def test_a_refused_form_says_why_next_to_the_field(page, city):
    case = city["case"]
    case_transition(actor=city["handler"], case=case, transition="start")
    page.login(city["handler"])
    page.open(f"/dossiers/{case.reference}/")
    resolve = action(page, "transition-resolve")
    resolve.get_by_role("button", name="Oplossen").click()
    page.wait_for_load_state()
    field = page.get_by_label("Het antwoord aan de burger")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_resolve-public_message_error")).to_be_visible()
    page.assert_accessible()
    assert Case.objects.get(pk=case.pk).state == CaseState.IN_PROGRESS


def test_the_kcc_corrects_the_type_of_a_misrouted_case_and_hands_it_over(page, city):
    case, mobility = city["case"], city["mobility"]
    CaseTypeFactory(name="Verkeershinder", default_group=mobility)
    page.login(city["kcc"])
    page.open(f"/dossiers/{case.reference}/")
    page.assert_accessible()

    change = action(page, "type")
    change.get_by_label("Nieuw dossiertype").select_option(label="Verkeershinder")
    change.get_by_label("Het dossier opnieuw routeren volgens de routeringsregels").uncheck()
    change.get_by_label("Reden (intern)").fill("Het gaat over een verkeersbord")
    change.get_by_role("button", name="Type wijzigen").click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_contain_text("Het dossiertype is gewijzigd.")
    expect(page.locator(".timeline")).to_contain_text(
        "Dossiertype gewijzigd van Melding openbaar domein naar Verkeershinder"
    )

    hand = action(page, "reassign")
    hand.get_by_label("Naar behandelgroep").select_option(label="Mobiliteit")
    hand.get_by_role("button", name="Overdragen").click()
    page.wait_for_load_state()
    expect(page.locator(".case-details")).to_contain_text("Mobiliteit")
    expect(page.locator(".timeline")).to_contain_text("Overgedragen van Openbaar Domein naar Mobiliteit")
    page.assert_accessible()
    case.refresh_from_db()
    assert (case.case_type.name, case.handler_group) == ("Verkeershinder", mobility)


def test_two_clerks_on_one_case_the_second_is_told_and_keeps_what_they_typed(page, new_page, city):
    case = city["case"]
    case_transition(actor=city["handler"], case=case, transition="start")
    first = page
    second = new_page()
    first.login(city["handler"])
    second.login(city["colleague"])
    first.open(f"/dossiers/{case.reference}/")
    second.open(f"/dossiers/{case.reference}/")

    action(first, "transition-resolve").get_by_label("Het antwoord aan de burger").fill("De tegel ligt terug vast.")
    first.locator("#action-transition-resolve").get_by_role("button", name="Oplossen").click()
    first.wait_for_load_state()
    expect(first.locator(".case-badges")).to_contain_text("Opgelost")
    events = CaseEvent.objects.filter(case=case).count()

    suspend = action(second, "transition-suspend")
    suspend.get_by_label("Wat ontbreekt (intern)").fill("Foto nodig")
    suspend.get_by_label("Uw vraag aan de burger").fill("Kunt u een foto sturen?")
    suspend.get_by_role("button", name="Vraag aan de burger stellen").click()
    second.wait_for_load_state()
    expect(second.locator("#conflict")).to_contain_text("Iemand anders heeft dit dossier intussen gewijzigd.")
    expect(second.locator("#conflict")).to_contain_text("Kunt u een foto sturen?")
    expect(second.locator(".case-badges")).to_contain_text("Opgelost")
    second.assert_accessible()
    second.screenshot("dossiers-dossier-gewijzigd")
    case.refresh_from_db()
    assert case.state == CaseState.RESOLVED
    assert CaseEvent.objects.filter(case=case).count() == events
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.TRANSITION, transition="suspend").exists()
