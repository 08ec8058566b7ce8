"""The citizen on a phone: finds their case by number and code, reads the timeline, answers the question."""

import pytest

from cases.models import CaseState
from cases.services import case_transition
from tests.factories import PersonFactory, case_in_state

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(new_page):
    page = new_page()
    page.set_viewport_size(PHONE)
    return page


def test_a_citizen_looks_up_and_answers_on_a_phone(phone, melding, handler):
    case = case_in_state(CaseState.IN_PROGRESS, case_type=melding, party=PersonFactory(given_name="An"))
    case_transition(
        actor=handler, case=case, transition="suspend", reason="Plaats", public_message="Waar precies ligt de tegel?"
    )

    phone.open("/status/")
    phone.assert_accessible()
    phone.get_by_label("Dossiernummer").fill(case.reference)
    phone.get_by_label("Code").fill(case.tracking_code)
    phone.get_by_role("button", name="Toon de status").click()
    phone.wait_for_load_state()

    assert phone.get_by_role("heading", name=f"Uw aanvraag {case.reference}").is_visible()
    assert phone.get_by_text("Waar precies ligt de tegel?").is_visible()
    phone.assert_accessible()
    phone.get_by_label("Uw antwoord").fill("Aan nummer 12, naast de boom.")
    phone.get_by_role("button", name="Verstuur mijn antwoord").click()
    phone.wait_for_load_state()

    assert phone.get_by_role("status").inner_text().startswith("Bedankt")
    assert phone.get_by_text("Aan nummer 12, naast de boom.").is_visible()
    phone.assert_accessible()
    phone.screenshot("status-burger")
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS
