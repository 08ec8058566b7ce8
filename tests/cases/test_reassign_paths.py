"""Only those allowed to reassign move a case to another handler group, on every path."""

import pytest

from cases.models import CaseEvent
from tests.factories import case_in_state

pytestmark = pytest.mark.django_db


def reopen(client, case, **body):
    return client.post(
        f"/api/v1/cases/{case.reference}/transitions/",
        {"transition": "reopen", "reason": "De burger belde terug", **body},
        format="json",
    )


def test_a_handler_cannot_move_a_case_by_reopening_it(client_for, handler, melding, other_group):
    case = case_in_state("resolved", case_type=melding)
    response = reopen(client_for(handler), case, handler_group=other_group.pk)
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the KCC and supervisors may hand a case to another handler group."
    case.refresh_from_db()
    assert (case.state, case.handler_group_id) == ("resolved", melding.default_group_id)
    assert not CaseEvent.objects.filter(case=case, kind="transition").exists()


def test_a_handler_may_reopen_within_their_own_group(client_for, handler, melding):
    case = case_in_state("resolved", case_type=melding)
    response = reopen(client_for(handler), case, handler_group=melding.default_group_id)
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "in_progress"


def test_a_supervisor_reopens_into_another_group(make_client, melding, other_group):
    case = case_in_state("resolved", case_type=melding)
    response = reopen(make_client("supervisor"), case, handler_group=other_group.pk)
    assert response.status_code == 200, response.json()
    case.refresh_from_db()
    assert (case.state, case.handler_group_id) == ("in_progress", other_group.pk)
