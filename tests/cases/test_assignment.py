"""Assigning cases within their handler group: taking one, handing it to a colleague, unassigning, in bulk; the
e-mail to whoever a colleague gave a case; every refusal writes nothing."""

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from cases.errors import CaseActionForbidden
from cases.models import Case, CaseEvent, EventKind, GroupMessage
from cases.services import case_assign, group_message_send
from tests.cases.test_races import concurrently
from tests.factories import CaseTypeFactory, HandlerGroupFactory, UserFactory, case_in_state

pytestmark = pytest.mark.django_db
BULK = reverse("v1:case-assign-bulk")


def assign_url(case):
    return reverse("v1:case-assign", args=[case.reference])


@pytest.fixture
def colleague(group):
    user = UserFactory(role="handler", first_name="Els", last_name="Claes")
    group.members.add(user)
    return user


@pytest.fixture
def case(melding):
    return case_in_state("in_progress", case_type=melding)


def snapshot(*cases):
    """What a refused request must leave as it was."""
    rows = list(Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("pk").values_list("assignee", "version"))
    return rows, CaseEvent.objects.count(), GroupMessage.objects.count()


class TestAssign:
    def test_taking_a_case(self, client_for, handler, case, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(handler).post(assign_url(case), {"assignee": handler.pk, "version": 1})

        assert response.status_code == 200, response.data
        assert (response.data["assignee"], response.data["version"]) == (handler.username, 2)
        event = CaseEvent.objects.get(case=case, kind=EventKind.ASSIGNMENT)
        assert event.actor == handler
        assert event.data == {
            "from_user": None,
            "from_user_name": None,
            "to_user": handler.pk,
            "to_user_name": handler.username,
        }
        # Nobody is told of what they did themselves.
        assert GroupMessage.objects.count() == 0 and mail.outbox == []

    def test_assigning_a_colleague_mails_them_after_commit(
        self, client_for, handler, colleague, case, django_capture_on_commit_callbacks
    ):
        Case.objects.filter(pk=case.pk).update(assignee=handler)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client_for(handler).post(assign_url(case), {"assignee": colleague.pk})

        assert response.status_code == 200, response.data
        assert response.data["assignee"] == colleague.username
        event = CaseEvent.objects.get(case=case, kind=EventKind.ASSIGNMENT)
        assert (event.data["from_user"], event.data["to_user"], event.data["to_user_name"]) == (
            handler.pk,
            colleague.pk,
            "Els Claes",
        )
        assert len(callbacks) == 1
        message = GroupMessage.objects.get()
        assert (message.recipient, message.handler_group_id, message.status) == (
            colleague,
            case.handler_group_id,
            "sent",
        )
        [sent] = mail.outbox
        assert sent.to == [colleague.email]
        assert case.reference in sent.subject and case.reference in sent.body

    def test_a_colleague_without_an_address_is_not_mailed(self, client_for, handler, colleague, case):
        colleague.email = ""
        colleague.save()
        response = client_for(handler).post(assign_url(case), {"assignee": colleague.pk})
        assert response.status_code == 200, response.data
        assert GroupMessage.objects.count() == 0

    def test_a_recipient_who_left_before_sending_makes_the_message_dead(self, handler, colleague, case):
        case_assign(actor=handler, case=case, assignee=colleague)
        message = GroupMessage.objects.get()
        colleague.is_active = False
        colleague.save()

        assert group_message_send(message_id=message.pk) == "dead"
        message.refresh_from_db()
        assert "no longer active" in message.last_error and mail.outbox == []
        # Sending again is a no-op: the message is dead.
        assert group_message_send(message_id=message.pk) is None

    def test_unassigning(self, client_for, handler, case):
        Case.objects.filter(pk=case.pk).update(assignee=handler)
        response = client_for(handler).post(assign_url(case), {"assignee": None}, format="json")
        assert response.status_code == 200, response.data
        assert response.data["assignee"] is None
        event = CaseEvent.objects.get(case=case, kind=EventKind.ASSIGNMENT)
        assert (event.data["from_user"], event.data["to_user"]) == (handler.pk, None)

    def test_the_kcc_assigns_in_any_group(self, client_for, colleague, case):
        response = client_for(UserFactory(role="kcc")).post(assign_url(case), {"assignee": colleague.pk})
        assert response.status_code == 200, response.data
        assert Case.objects.get(pk=case.pk).assignee == colleague


class TestAssignRefused:
    @pytest.mark.parametrize(
        ("who", "message"),
        [
            ("outsider", "is not an active member of the handler group Openbaar Domein"),
            ("inactive", "is not an active member of the handler group Openbaar Domein"),
        ],
    )
    def test_the_assignee_must_be_an_active_member(self, client_for, handler, colleague, case, who, message):
        target = UserFactory(role="handler") if who == "outsider" else colleague
        if who == "inactive":
            colleague.is_active = False
            colleague.save()
        before = snapshot(case)

        response = client_for(handler).post(assign_url(case), {"assignee": target.pk})

        assert response.status_code == 400
        assert message in response.data["assignee"][0]
        assert snapshot(case) == before

    @pytest.mark.parametrize("body", [{}, {"assignee": 10**9}, {"assignee": "jan"}, {"assignee": 1, "version": "x"}])
    def test_bad_input(self, client_for, handler, case, body):
        before = snapshot(case)
        response = client_for(handler).post(assign_url(case), body, format="json")
        assert response.status_code == 400
        assert set(response.data) <= {"assignee", "version"}
        assert snapshot(case) == before

    def test_a_stale_version(self, client_for, handler, colleague, case):
        before = snapshot(case)
        response = client_for(handler).post(assign_url(case), {"assignee": colleague.pk, "version": 7})
        assert response.status_code == 409
        assert (response.data["code"], response.data["version"]) == ("stale_version", 1)
        assert snapshot(case) == before

    def test_the_same_assignee_again(self, client_for, handler, case):
        Case.objects.filter(pk=case.pk).update(assignee=handler)
        before = snapshot(case)
        response = client_for(handler).post(assign_url(case), {"assignee": handler.pk})
        assert response.status_code == 409
        assert (response.data["code"], response.data["assignee"]) == ("assignment_unchanged", handler.pk)
        assert snapshot(case) == before

    def test_unassigning_a_case_nobody_has(self, client_for, handler, case):
        response = client_for(handler).post(assign_url(case), {"assignee": None}, format="json")
        assert response.status_code == 409
        assert response.data["code"] == "assignment_unchanged"

    @pytest.mark.parametrize("state", ["closed", "rejected", "cancelled"])
    def test_a_final_case(self, client_for, handler, melding, state):
        case = case_in_state(state, case_type=melding)
        before = snapshot(case)
        response = client_for(handler).post(assign_url(case), {"assignee": handler.pk})
        assert response.status_code == 409
        assert response.data["code"] == "case_final"
        assert snapshot(case) == before

    def test_who_may_not(self, client_for, colleague, other_group, case):
        before = snapshot(case)
        # A handler of another group does not see the case; the front desk sees it but does not work cases.
        outsider = client_for(other_group.members.get())
        assert outsider.post(assign_url(case), {"assignee": colleague.pk}).status_code == 404
        front_desk = client_for(UserFactory(role="front_desk"))
        assert front_desk.post(assign_url(case), {"assignee": colleague.pk}).status_code == 403
        assert snapshot(case) == before

    def test_the_service_refuses_who_is_neither_member_nor_kcc(self, colleague, case):
        with pytest.raises(CaseActionForbidden):
            case_assign(actor=UserFactory(role="front_desk"), case=case, assignee=colleague)


class TestBulk:
    def test_assigns_all_in_one_go_and_mails_once(
        self, client_for, handler, colleague, melding, django_capture_on_commit_callbacks
    ):
        cases = [case_in_state("in_progress", case_type=melding) for _ in range(3)]
        Case.objects.filter(pk=cases[2].pk).update(assignee=colleague)
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(handler).post(
                BULK, {"cases": [c.reference for c in reversed(cases)], "assignee": colleague.pk}, format="json"
            )

        assert response.status_code == 200, response.data
        assert [row["reference"] for row in response.data] == [c.reference for c in reversed(cases)]
        assert {row["assignee"] for row in response.data} == {colleague.username}
        # The one that already was the colleague's is left as it was.
        assert list(Case.objects.order_by("pk").values_list("version", flat=True)) == [2, 2, 1]
        assert CaseEvent.objects.filter(kind=EventKind.ASSIGNMENT).count() == 2
        [sent] = mail.outbox
        assert sent.to == [colleague.email] and "2" in sent.subject
        assert cases[0].reference in sent.body and cases[1].reference in sent.body

    def test_all_or_nothing(self, client_for, handler, colleague, melding, other_group):
        mine = case_in_state("in_progress", case_type=melding)
        theirs = case_in_state("in_progress", case_type=melding)
        Case.objects.filter(pk=theirs.pk).update(handler_group=other_group)
        kcc = client_for(UserFactory(role="kcc"))
        before = snapshot(mine, theirs)

        response = kcc.post(
            BULK, {"cases": [mine.reference, theirs.reference], "assignee": colleague.pk}, format="json"
        )

        assert response.status_code == 400
        [message] = response.data["cases"]
        assert message.startswith(f"{theirs.reference}: ") and "Mobiliteit" in message
        assert snapshot(mine, theirs) == before

    def test_a_final_case_refuses_the_lot(self, client_for, handler, melding):
        open_one = case_in_state("in_progress", case_type=melding)
        closed = case_in_state("closed", case_type=melding)
        before = snapshot(open_one, closed)
        response = client_for(handler).post(
            BULK, {"cases": [open_one.reference, closed.reference], "assignee": handler.pk}, format="json"
        )
        assert response.status_code == 409 and response.data["code"] == "case_final"
        assert snapshot(open_one, closed) == before

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"cases": [], "assignee": None}, "cases"),
            ({"cases": "1", "assignee": None}, "cases"),
            ({"cases": ["999999"], "assignee": None}, "cases"),
            ({"cases": ["1" * 21], "assignee": None}, "cases"),
            ({"cases": ["1"]}, "assignee"),
        ],
    )
    def test_bad_input(self, client_for, handler, case, body, field):
        before = snapshot(case)
        response = client_for(handler).post(BULK, body, format="json")
        assert response.status_code == 400
        assert field in response.data
        assert snapshot(case) == before

    def test_cases_the_caller_may_not_see_are_missing(self, client_for, other_group, case):
        outsider = client_for(other_group.members.get())
        response = outsider.post(BULK, {"cases": [case.reference], "assignee": None}, format="json")
        assert response.status_code == 400
        assert response.data["cases"] == [f"There is no case {case.reference}."]


class TestAssigneeChoices:
    def test_active_members_of_the_group(self, client_for, handler, colleague, case):
        UserFactory(role="handler", is_active=False).handler_groups.add(case.handler_group)
        response = client_for(handler).get(reverse("v1:case-assignees", args=[case.reference]))
        assert response.status_code == 200
        assert {row["id"] for row in response.data} == {handler.pk, colleague.pk}
        assert {"id": colleague.pk, "username": colleague.username, "display_name": "Els Claes"} in response.data

    def test_nobody_for_who_may_not_assign(self, client_for, colleague, case):
        response = client_for(UserFactory(role="front_desk")).get(reverse("v1:case-assignees", args=[case.reference]))
        assert response.status_code == 200 and response.data == []


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_clerks_assigning_one_case_at_once():
    HandlerGroupFactory(name="KCC", is_kcc=True)
    first, second = UserFactory(role="handler"), UserFactory(role="handler")
    group = HandlerGroupFactory(members=[first, second])
    case = case_in_state("in_progress", case_type=CaseTypeFactory(default_group=group))
    url = assign_url(case)

    responses = concurrently(
        [
            (first, "post", url, {"assignee": first.pk, "version": 1}, {}),
            (second, "post", url, {"assignee": second.pk, "version": 1}, {}),
        ]
    )

    assert sorted(r.status_code for r in responses) == [200, 409], [r.data for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert loser.data["code"] == "stale_version"
    case.refresh_from_db()
    assert case.version == 2 and CaseEvent.objects.filter(case=case, kind=EventKind.ASSIGNMENT).count() == 1
