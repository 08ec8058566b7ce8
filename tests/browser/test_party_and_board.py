"""The 360° party page with its merge, and the supervision board, in the browser: accessible in every state."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from cases.models import Case
from contacts.models import Contact, PartyMerge
from notifications.models import Notification
from tests.factories import (
    CaseTypeFactory,
    ContactFactory,
    EmailFactory,
    HandlerGroupFactory,
    PersonFactory,
    UserFactory,
    open_case,
)

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def test_the_party_page_loads_more_of_the_timeline_and_merges_a_duplicate(page, melding, kcc_group):
    clerk = UserFactory(role="kcc", first_name="Katrien", last_name="Claes")
    kcc_group.members.add(clerk)
    party = PersonFactory(given_name="Marie", family_name="Peeters", national_number="85073003328")
    EmailFactory(party=party, value="marie.peeters@example.be")
    start = timezone.now() - timedelta(days=40)
    for day in range(22):
        ContactFactory(
            party=party,
            subject=f"Vraag {day + 1} over afvalophaling",
            channel="phone",
            outcome="answered",
            occurred_at=start + timedelta(days=day),
        )
    case = open_case(case_type=melding, party=party, description="Losliggende stoeptegel")
    duplicate = PersonFactory(given_name="Marie", family_name="Peters", national_number=None)
    EmailFactory(party=duplicate, value="marie.peeters@example.be")
    ContactFactory.create_batch(2, party=duplicate, subject="Via het webformulier")

    page.login(clerk)
    page.open(f"/klanten/{party.pk}/")
    assert page.get_by_role("heading", name="Marie Peeters", level=1).is_visible()
    assert "85.07.30-033.28" in page.locator("main").inner_text()
    assert page.get_by_role("link", name=f"Dossier {case.reference}", exact=True).is_visible()
    assert "Beantwoord in eerste lijn" in page.locator("main").inner_text()
    page.assert_accessible()
    page.screenshot("klant-360")

    page.get_by_role("button", name="Meer laden").click()
    page.get_by_text("Vraag 1 over afvalophaling", exact=True).wait_for()
    assert page.get_by_role("button", name="Meer laden").count() == 0
    page.wait_for_function("() => document.activeElement.classList.contains('timeline-entry')")
    page.assert_accessible()

    page.get_by_role("link", name="Marie Peters samenvoegen met deze fiche…").click()
    page.wait_for_load_state()
    moves = page.locator("ul.moves").inner_text()
    assert "2 klantcontacten" in moves and "0 dossiers" in moves and "1 contactgegevens" in moves
    page.assert_accessible()
    page.screenshot("klant-samenvoegen")

    page.get_by_role("button", name="Samenvoegen").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/klanten/{party.pk}/")
    assert f"Marie Peters (#{duplicate.pk}) is samengevoegd met deze fiche." in page.locator(".messages").inner_text()
    assert PartyMerge.objects.get().duplicate_id == duplicate.pk
    assert Contact.objects.filter(party=party).count() == 24
    page.assert_accessible()


def test_the_supervisor_sees_an_overdue_case_retries_a_notification_and_routes_a_case(
    page, melding, kcc_group, group, other_group
):
    supervisor = UserFactory(role="supervisor", first_name="Sofie", last_name="Maes")
    with time_machine.travel(at(2026, 11, 23, 9)):
        late = open_case(case_type=melding, party=PersonFactory(given_name="Jan", family_name="Smets"))
        lost = open_case(case_type=melding, description="Verkeerslicht defect aan de Kouter")
        Case.objects.filter(pk=lost.pk).update(handler_group=kcc_group, misdispatched=True)
        dead = Notification.objects.create(
            case=late,
            party=late.party,
            backend="email",
            kind="case_created",
            recipient="jan.smets@example.be",
            language="nl",
            status="dead",
            attempts=1,
            last_error="recipient refused: 550 mailbox unavailable",
        )
    HandlerGroupFactory(name="Archief", active=False)
    CaseTypeFactory(default_group=other_group)

    with time_machine.travel(at(2026, 12, 2, 10)):
        page.login(supervisor)
        page.open("/opvolging/")
        groups = page.locator("table.board-groups")
        row = groups.get_by_role("row").filter(has_text="Openbaar Domein")
        assert row.get_by_role("link", name="1 dossier van Openbaar Domein te laat").is_visible()
        assert row.get_by_role("link", name=late.reference).is_visible()
        assert "Jan Smets" not in row.inner_text()  # chasing a case needs no citizen's name
        page.assert_accessible()
        page.screenshot("opvolging")

        page.get_by_role("button", name=f"Opnieuw versturen (dossier {late.reference}, E-mail)").click()
        page.wait_for_load_state()
        assert (
            f"Het bericht over dossier {late.reference} wordt opnieuw verstuurd."
            in page.locator(".messages").inner_text()
        )
        dead.refresh_from_db()
        assert dead.status != "dead" and dead.retried_by == supervisor
        page.assert_accessible()

        # The names offered are the active groups' (one list for the page); "Archief" is inactive.
        offered = page.locator("datalist#actieve-behandelgroepen option").evaluate_all("els => els.map(e => e.value)")
        assert "Mobiliteit" in offered and "Archief" not in offered
        page.get_by_label(f"Behandelgroep voor dossier {lost.reference}").fill("Mobiliteit")
        page.get_by_label("Reden (niet verplicht)").fill("Verkeerslichten zijn voor Mobiliteit.")
        page.get_by_role("button", name="Doorsturen naar deze groep").click()
        page.wait_for_load_state()
        assert f"Dossier {lost.reference} is doorgestuurd naar Mobiliteit." in page.locator(".messages").inner_text()
        assert "Geen verkeerd toegewezen dossiers." in page.locator("main").inner_text()
        lost.refresh_from_db()
        assert (lost.handler_group, lost.misdispatched) == (other_group, False)
        page.assert_accessible()


def test_a_refused_route_shows_its_error_next_to_the_field(page, melding, kcc_group):
    clerk = UserFactory(role="kcc")
    kcc_group.members.add(clerk)
    lost = open_case(case_type=melding)
    Case.objects.filter(pk=lost.pk).update(handler_group=kcc_group, misdispatched=True)

    page.login(clerk)
    page.open("/opvolging/")
    page.get_by_label(f"Behandelgroep voor dossier {lost.reference}").fill("KCC")
    page.get_by_role("button", name="Doorsturen naar deze groep").click()
    page.wait_for_load_state()
    select = page.get_by_label(f"Behandelgroep voor dossier {lost.reference}")
    assert select.get_attribute("aria-invalid") == "true"
    error = page.locator(f"#id_route-{lost.pk}-handler_group_error").inner_text()
    assert "Het dossier ligt al bij deze behandelgroep." in error, error
    page.assert_accessible()
