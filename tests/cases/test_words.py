"""The words staff read are Dutch: every state, transition, timeline event kind, channel and contact outcome, and the
refusal of a transition that is not possible now."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from cases.models import CaseState, EventKind
from cases.workflow import WORKFLOW
from contacts.models import Channel, Outcome
from tests.factories import case_in_state

# Loanwords and brand names that Dutch writes as English does: they must be in the catalogue all the same.
SAME_IN_DUTCH = {"E-mail", "Website", "WhatsApp", "Messenger", "Chat"}

LABELS = [
    *((f"CaseState.{value}", label) for value, label in CaseState.choices),
    *((f"EventKind.{value}", label) for value, label in EventKind.choices),
    *((f"Channel.{value}", label) for value, label in Channel.choices),
    *((f"Outcome.{value}", label) for value, label in Outcome.choices),
    *((f"transition.{name}", spec.label) for name, spec in WORKFLOW.items()),
    *((f"transition.{name} (participle)", spec.participle) for name, spec in WORKFLOW.items()),
]


@pytest.mark.parametrize(("name", "label"), LABELS, ids=[name for name, _ in LABELS])
def test_every_label_has_a_dutch_translation(name, label):
    with translation.override("en"):
        english = str(label)
    with translation.override("nl-be"):
        dutch = str(label)
    assert english and dutch
    if english in SAME_IN_DUTCH:
        catalogue = trans_real.translation("nl-be")._catalog
        assert catalogue.get(english) == dutch, f"{name}: {english!r} is not in the Dutch catalogue"
    else:
        assert dutch != english, f"{name}: {english!r} has no Dutch translation"


def test_new_event_kinds_in_dutch():
    with translation.override("nl-be"):
        assert str(EventKind.ASSIGNMENT.label) == "Toegewezen aan een behandelaar"
        assert str(EventKind.TYPE_CHANGE.label) == "Dossiertype gewijzigd"


@pytest.mark.django_db
def test_an_illegal_transition_reads_naturally(client_for, handler, melding):
    case = case_in_state("new", case_type=melding)
    url = reverse("v1:case-transitions", args=[case.reference])

    dutch = client_for(handler).post(url, {"transition": "close"}, HTTP_ACCEPT_LANGUAGE="nl-be")
    english = client_for(handler).post(url, {"transition": "suspend", "reason": "r"}, HTTP_ACCEPT_LANGUAGE="en")

    assert dutch.status_code == 409
    assert dutch.json()["detail"] == "Een dossier met status ‘Nieuw’ kan niet ‘afgesloten’ worden"
    assert (dutch.json()["code"], dutch.json()["state"]) == ("illegal_transition", "new")
    assert english.json()["detail"] == "A case with state ‘New’ cannot be ‘put on hold’"


@pytest.mark.django_db
def test_a_final_case_names_its_state_in_dutch(client_for, handler, melding):
    case = case_in_state("closed", case_type=melding)
    response = client_for(handler).post(
        reverse("v1:case-assign", args=[case.reference]), {"assignee": handler.pk}, HTTP_ACCEPT_LANGUAGE="nl-be"
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "Het dossier is ‘Afgesloten’: het kan niet meer wijzigen."
