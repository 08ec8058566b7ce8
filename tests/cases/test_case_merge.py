"""Merging a duplicate case into the one that continues: the workflow's cancel as a duplicate, the contacts carried
over, the note on the survivor; refusals (itself, a final case, cases out of sight or reach) write nothing."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent, EventKind
from tests.factories import CaseTypeFactory, ContactFactory, HandlerGroupFactory, UserFactory, case_in_state

pytestmark = pytest.mark.django_db


def merge_url(case):
    return reverse("v1:case-merge", args=[case.reference])


@pytest.fixture
def survivor(melding):
    return case_in_state("in_progress", case_type=melding)


@pytest.fixture
def duplicate(melding, survivor):
    case = case_in_state("new", case_type=melding)
    case.contacts.add(ContactFactory(party=case.party), ContactFactory(party=case.party))
    return case


def snapshot(*cases):
    rows = Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("pk")
    return (
        list(rows.values_list("state", "duplicate_of", "version")),
        CaseEvent.objects.count(),
        Case.contacts.through.objects.count(),
    )


def test_a_member_merges_a_duplicate(client_for, handler, survivor, duplicate):
    response = client_for(handler).post(merge_url(survivor), {"duplicate": duplicate.reference})

    assert response.status_code == 200, response.data
    assert response.data["reference"] == survivor.reference
    assert sorted(response.data["contacts"]) == sorted(duplicate.contacts.values_list("pk", flat=True))
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.duplicate_of, duplicate.version) == ("cancelled", survivor, 2)
    assert survivor.reference in duplicate.public_message
    cancel = CaseEvent.objects.get(case=duplicate, kind=EventKind.TRANSITION)
    assert (cancel.transition, cancel.text, cancel.actor) == (
        "cancel",
        f"Duplicate of case {survivor.reference}.",
        handler,
    )
    note = CaseEvent.objects.get(case=survivor, kind=EventKind.NOTE)
    assert note.data == {"duplicate": duplicate.reference}
    assert f"Case {duplicate.reference} was merged into this one" in note.text


def test_the_kcc_merges_across_groups_with_a_reason(client_for, survivor, other_group):
    duplicate = case_in_state("in_progress", case_type=CaseTypeFactory(default_group=other_group))
    response = client_for(UserFactory(role="kcc")).post(
        merge_url(survivor), {"duplicate": duplicate.reference, "reason": "Zelfde put", "version": 1}
    )
    assert response.status_code == 200, response.data
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == survivor
    assert CaseEvent.objects.get(case=duplicate, kind=EventKind.TRANSITION).text == "Zelfde put"


class TestRefused:
    def test_into_itself(self, client_for, handler, survivor):
        before = snapshot(survivor)
        response = client_for(handler).post(merge_url(survivor), {"duplicate": survivor.reference})
        assert response.status_code == 400
        assert response.data["duplicate"] == ["A case cannot be merged into itself."]
        assert snapshot(survivor) == before

    @pytest.mark.parametrize("state", ["closed", "rejected", "cancelled"])
    def test_into_a_final_case(self, client_for, handler, melding, duplicate, state):
        final = case_in_state(state, case_type=melding)
        before = snapshot(final, duplicate)
        response = client_for(handler).post(merge_url(final), {"duplicate": duplicate.reference})
        assert response.status_code == 409 and response.data["code"] == "case_final"
        assert snapshot(final, duplicate) == before

    @pytest.mark.parametrize("state", ["closed", "rejected", "cancelled"])
    def test_a_final_duplicate(self, client_for, handler, melding, survivor, state):
        final = case_in_state(state, case_type=melding)
        before = snapshot(survivor, final)
        response = client_for(handler).post(merge_url(survivor), {"duplicate": final.reference})
        assert response.status_code == 409 and response.data["code"] == "illegal_transition"
        assert snapshot(survivor, final) == before

    def test_a_duplicate_out_of_sight_answers_like_a_missing_one(self, client_for, handler, survivor, kcc_group):
        secret_group = HandlerGroupFactory(name="Sociale dienst")
        secret = case_in_state("new", case_type=CaseTypeFactory(default_group=secret_group, confidential=True))
        before = snapshot(survivor, secret)
        answers = []
        for client, reference in (
            (client_for(handler), secret.reference),
            (client_for(handler), "999999"),
            (client_for(UserFactory(role="kcc")), secret.reference),
        ):
            response = client.post(merge_url(survivor), {"duplicate": reference})
            assert response.status_code == 400
            answers.append(response.data["duplicate"][0].replace(reference, "<ref>"))
        assert answers == ["There is no case <ref>."] * 3
        assert snapshot(survivor, secret) == before

    def test_who_may_not(self, client_for, survivor, duplicate, other_group):
        before = snapshot(survivor, duplicate)
        # Another group's handler does not see the survivor; the front desk sees it but does not work cases.
        assert client_for(other_group.members.get()).post(merge_url(survivor), {"duplicate": "1"}).status_code == 404
        front_desk = client_for(UserFactory(role="front_desk"))
        assert front_desk.post(merge_url(survivor), {"duplicate": duplicate.reference}).status_code == 403
        assert snapshot(survivor, duplicate) == before

    def test_a_duplicate_the_actor_may_not_act_on(self, client_for, survivor, other_group):
        """Someone who sees every case and is a member of the survivor's group, not of the duplicate's, may not
        cancel the duplicate."""
        duplicate = case_in_state("new", case_type=CaseTypeFactory(default_group=other_group))
        outsider = UserFactory(role="handler")
        outsider.groups.add(*UserFactory(role="front_desk").groups.all())  # sees every case
        survivor.handler_group.members.add(outsider)
        before = snapshot(survivor, duplicate)
        response = client_for(outsider).post(merge_url(survivor), {"duplicate": duplicate.reference})
        assert response.status_code == 403 and response.data["code"] == "permission_denied"
        assert snapshot(survivor, duplicate) == before

    @pytest.mark.parametrize(
        "body",
        [{}, {"duplicate": ""}, {"duplicate": "1" * 21}, {"duplicate": "1", "reason": "x" * 2001}],
        ids=["missing", "blank", "long", "long-reason"],
    )
    def test_bad_input(self, client_for, handler, survivor, body):
        before = snapshot(survivor)
        response = client_for(handler).post(merge_url(survivor), body)
        assert response.status_code == 400
        assert set(response.data) <= {"duplicate", "reason"}
        assert snapshot(survivor) == before

    def test_a_stale_version(self, client_for, handler, survivor, duplicate):
        before = snapshot(survivor, duplicate)
        response = client_for(handler).post(merge_url(survivor), {"duplicate": duplicate.reference, "version": 3})
        assert response.status_code == 409 and response.data["code"] == "stale_version"
        assert snapshot(survivor, duplicate) == before
