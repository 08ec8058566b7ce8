"""The KCC's supervision board: counts per handler group, routing misdispatched cases, retrying notifications,
call-backs past their time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, EventKind
from cases.services import callback_request
from contacts.models import AccessLog
from notifications.models import Notification
from tests.factories import CaseTypeFactory, HandlerGroupFactory, PersonFactory, UserFactory, open_case

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


@pytest.fixture
def supervisor():
    return UserFactory(role="supervisor")


def board(client) -> str:
    response = client.get(reverse("staff:board"))
    assert response.status_code == 200
    return response.content.decode()


def misdispatched(case_type, kcc_group, **fields) -> Case:
    """A case its handler group sent back to the KCC."""
    case = open_case(case_type=case_type, **fields)
    Case.objects.filter(pk=case.pk).update(handler_group=kcc_group, misdispatched=True)
    case.refresh_from_db()
    return case


def dead_notification(case) -> Notification:
    return Notification.objects.create(
        case=case,
        party=case.party,
        backend="email",
        kind="case_created",
        recipient="burger@example.be",
        language="nl",
        status="dead",
        attempts=1,
        last_error="recipient refused: 550 no such user",
    )


def test_for_the_kcc_and_supervisors_only(signed_in, kcc_user, supervisor, handler):
    assert "Supervision" in board(signed_in(kcc_user))
    assert 'href="/opvolging/"' in board(signed_in(supervisor))
    client = signed_in(handler)
    assert client.get(reverse("staff:board")).status_code == 403
    assert client.get(reverse("staff:board-summary")).status_code == 403


def test_counts_per_handler_group_with_time_moved_on(signed_in, supervisor, melding, group, other_group):
    """Three working days from Monday 23 November: due by the end of Thursday 26th."""
    with time_machine.travel(at(2026, 11, 23, 9), tick=False):
        late = [open_case(case_type=melding) for _ in range(2)]
        Case.objects.filter(pk=late[1].pk).update(registered_at=at(2026, 11, 23, 10))
    with time_machine.travel(at(2026, 11, 26, 9), tick=False):
        soon = open_case(case_type=melding)  # due by the end of Tuesday 1 December, due soon that day
        open_case(case_type=CaseTypeFactory(default_group=other_group))
    assert soon.due_at > at(2026, 12, 1, 12) >= soon.warn_at
    assert all(case.due_at < at(2026, 12, 1, 12) for case in late)

    with time_machine.travel(at(2026, 12, 1, 12), tick=False):
        page = board(signed_in(supervisor))

    assert "2 overdue cases of Openbaar Domein" in page
    assert "1 case of Openbaar Domein due soon" in page
    assert "3 open cases of Openbaar Domein" in page
    assert "1 open case of Mobiliteit" in page
    assert f'href="/dossiers/?handler_group={group.pk}&amp;due=overdue"' in page
    assert f'href="/dossiers/?handler_group={group.pk}&amp;due=due_soon"' in page
    for case in late:
        assert f'href="/dossiers/{case.reference}/"' in page
        # In Brussels time, as the rest of the pages.
        assert f"due {timezone.localtime(case.due_at):%d/%m/%Y %H:%M}" in page
    assert "due 26/11/2026 23:59" in page
    # Openbaar Domein, with overdue cases, comes first.
    assert page.index("Openbaar Domein</th>") < page.index("Mobiliteit</th>")


def test_the_counts_are_polled_and_the_forms_are_not(signed_in, kcc_user, melding, kcc_group):
    misdispatched(melding, kcc_group)
    client = signed_in(kcc_user)
    page = board(client)
    assert page.count('hx-trigger="every 30s"') == 2

    summary = client.get(reverse("staff:board-summary")).content.decode()
    callbacks = client.get(reverse("staff:board-callbacks")).content.decode()
    for fragment in (summary, callbacks):
        assert 'hx-trigger="every 30s"' in fragment and "<form" not in fragment and "<html" not in fragment
    assert "<strong>1</strong> misdispatched" in summary


# Routing a misdispatched case


def route(client, case, **data):
    fields = {f"route-{case.pk}-{name}": value for name, value in data.items()}
    return client.post(reverse("staff:board-route", args=[case.reference]), fields)


def nothing_routed(case, kcc_group):
    case.refresh_from_db()
    assert (case.handler_group, case.misdispatched) == (kcc_group, True)
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.REASSIGNMENT).exists()
    return True


def test_a_misdispatched_case_is_routed_to_the_group_chosen_by_name(
    signed_in, kcc_user, melding, kcc_group, other_group
):
    case = misdispatched(melding, kcc_group, description="Fietspad onderbroken")
    HandlerGroupFactory(name="Gesloten dienst", active=False)
    client = signed_in(kcc_user)
    page = board(client)
    assert "Fietspad onderbroken" in page
    assert '<option value="Mobiliteit"></option>' in page  # the page's one list of active groups
    assert "Gesloten dienst" not in page

    response = route(client, case, handler_group="mobiliteit ", reason="Is voor Mobiliteit.", version=case.version)

    assert response.status_code == 302 and response["Location"] == reverse("staff:board")
    case.refresh_from_db()
    assert (case.handler_group, case.misdispatched) == (other_group, False)
    event = CaseEvent.objects.get(case=case, kind=EventKind.REASSIGNMENT)
    assert (event.actor, event.text) == (kcc_user, "Is voor Mobiliteit.")
    page = board(client)
    assert f"Case {case.reference} was sent to Mobiliteit." in page
    assert "No misdispatched cases." in page


@pytest.mark.parametrize(
    ("problem", "message"),
    [
        ("none", "This field is required."),
        ("inactive", "Choose an active handler group from the list."),
        ("unknown", "Choose an active handler group from the list."),
        ("same", "The case is already with this handler group."),
    ],
)
def test_a_wrong_group_is_refused_next_to_the_field(signed_in, kcc_user, melding, kcc_group, problem, message):
    case = misdispatched(melding, kcc_group)
    inactive = HandlerGroupFactory(name="Gesloten dienst", active=False)
    target = {"none": "", "inactive": inactive.name, "unknown": "Geen groep", "same": kcc_group.name}[problem]

    response = route(signed_in(kcc_user), case, handler_group=target, version=case.version)

    assert response.status_code == 400
    page = response.content.decode()
    error = page[page.index(f'id="id_route-{case.pk}-handler_group_error"') :]
    assert message in error[: error.index("</small>")]
    assert 'aria-invalid="true"' in page
    assert nothing_routed(case, kcc_group)


def test_a_stale_version_is_refused_with_a_clear_message(signed_in, kcc_user, melding, kcc_group, other_group):
    case = misdispatched(melding, kcc_group)
    Case.objects.filter(pk=case.pk).update(version=case.version + 1)  # a colleague changed it meanwhile
    client = signed_in(kcc_user)

    response = route(client, case, handler_group=other_group.name, version=case.version)

    assert response.status_code == 302
    assert "The case was changed by someone else in the meantime; reload it and try again." in board(client)
    assert nothing_routed(case, kcc_group)


def test_routing_needs_the_right_to_reassign(signed_in, melding, kcc_group, other_group):
    case = misdispatched(melding, kcc_group)
    response = route(signed_in(UserFactory(role="front_desk")), case, handler_group=other_group.pk, version=1)
    assert response.status_code == 403
    assert nothing_routed(case, kcc_group)


def test_an_unknown_or_invisible_case_is_404(signed_in, kcc_user, kcc_group, other_group):
    secret = CaseTypeFactory(default_group=HandlerGroupFactory(), confidential=True)
    case = misdispatched(secret, kcc_group)
    Case.objects.filter(pk=case.pk).update(handler_group=secret.default_group)
    case.refresh_from_db()
    client = signed_in(UserFactory(role="supervisor"))
    assert route(client, case, handler_group=other_group.pk, version=case.version).status_code == 404
    assert client.post(reverse("staff:board-route", args=["999999"])).status_code == 404


# Notifications


def test_a_dead_notification_is_retried(signed_in, supervisor, melding, django_capture_on_commit_callbacks):
    notification = dead_notification(open_case(case_type=melding, party=PersonFactory()))
    client = signed_in(supervisor)
    page = board(client)
    assert "recipient refused: 550 no such user" in page and "<strong>1</strong> notification dead" in page

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("staff:board-retry", args=[notification.pk]))

    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.status, notification.retried_by) == ("pending", supervisor)
    assert f"The notification about case {notification.case.reference} is being sent again." in board(client)

    client.post(reverse("staff:board-retry", args=[notification.pk]))
    assert "Only a failed or dead notification can be retried." in board(client)


def test_retrying_is_for_supervisors_and_cases_they_see(signed_in, kcc_user, supervisor):
    secret = CaseTypeFactory(default_group=HandlerGroupFactory(), confidential=True)
    hidden = dead_notification(open_case(case_type=secret))
    assert "Failed and dead notifications" not in board(signed_in(kcc_user))
    assert signed_in(kcc_user).post(reverse("staff:board-retry", args=[hidden.pk])).status_code == 403
    assert "Every notification was delivered" in board(signed_in(supervisor))
    assert signed_in(supervisor).post(reverse("staff:board-retry", args=[hidden.pk])).status_code == 404
    hidden.refresh_from_db()
    assert hidden.status == "dead" and hidden.retried_by is None


# Call-backs


def test_call_backs_past_their_time(signed_in, kcc_user, group):
    party = PersonFactory(given_name="Mieke", family_name="Janssens")
    with time_machine.travel(at(2026, 11, 30, 9), tick=False):
        callback_request(
            actor=kcc_user,
            handler_group=group,
            phone="0470 12 34 56",
            topic="Vraag over parkeerkaart",
            due_by=at(2026, 11, 30, 11),
            party=party,
        )
        callback_request(
            actor=kcc_user,
            handler_group=group,
            phone="0470 65 43 21",
            topic="Nog niet te laat",
            due_by=at(2026, 11, 30, 16),
            name="Karel",
        )
    with time_machine.travel(at(2026, 11, 30, 12), tick=False):
        page = board(signed_in(kcc_user))
    assert "Vraag over parkeerkaart" in page and "Mieke Janssens" in page and "30/11/2026 11:00" in page
    assert "Nog niet te laat" not in page
    assert "<strong>1</strong> call-back past its time" in page


def test_the_counters_say_one_and_many_right_in_dutch(signed_in, supervisor, kcc_user, melding, group):
    """Each counter's noun follows its number: "1 bericht definitief mislukt", "2 berichten definitief mislukt"."""

    def one_more_dead_notification_and_late_call_back(name: str) -> None:
        dead_notification(open_case(case_type=melding))
        with time_machine.travel(at(2026, 11, 30, 9), tick=False):
            callback_request(
                actor=kcc_user,
                handler_group=group,
                phone="0470 12 34 56",
                name=name,
                topic=f"Vraag van {name}",
                due_by=at(2026, 11, 30, 10),
            )

    client = signed_in(supervisor)
    client.cookies["django_language"] = "nl-be"
    one_more_dead_notification_and_late_call_back("Karel")
    with time_machine.travel(at(2026, 11, 30, 12), tick=False):
        page = board(client)
    assert "<strong>1</strong> bericht definitief mislukt" in page
    assert "<strong>0</strong> berichten mislukt" in page
    assert "<strong>1</strong> terugbelverzoek over tijd" in page

    one_more_dead_notification_and_late_call_back("Mieke")
    with time_machine.travel(at(2026, 11, 30, 12), tick=False):
        page = board(client)
    assert "<strong>2</strong> berichten definitief mislukt" in page
    assert "<strong>2</strong> terugbelverzoeken over tijd" in page


# Query counts


def test_the_board_costs_a_fixed_number_of_queries(
    signed_in, supervisor, melding, kcc_group, group, django_assert_max_num_queries
):
    def add_work(n):
        for _ in range(n):
            dead_notification(open_case(case_type=melding))
            misdispatched(melding, kcc_group)
            extra = HandlerGroupFactory()
            open_case(case_type=CaseTypeFactory(default_group=extra))
            callback_request(
                actor=supervisor,
                handler_group=extra,
                phone="0470 12 34 56",
                topic="Terugbellen",
                due_by=at(2026, 11, 24, 10),
                name="Iemand",
            )

    client = signed_in(supervisor)
    with time_machine.travel(at(2026, 11, 23, 9), tick=False):
        add_work(1)
    with time_machine.travel(at(2026, 12, 7, 9), tick=False), django_assert_max_num_queries(20) as few:
        board(client)
    with time_machine.travel(at(2026, 11, 23, 9), tick=False):
        add_work(8)
    with time_machine.travel(at(2026, 12, 7, 9), tick=False):
        with django_assert_max_num_queries(len(few)):
            board(client)
        with django_assert_max_num_queries(14):
            client.get(reverse("staff:board-summary"))
        with django_assert_max_num_queries(8):
            assert "Terugbellen" in client.get(reverse("staff:board-callbacks")).content.decode()


def test_the_board_names_and_logs_only_the_citizens_of_misdispatched_cases(signed_in, supervisor, melding, kcc_group):
    """The most overdue cases are listed by reference and due date: chasing them needs no citizen's name."""
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        late = open_case(case_type=melding)
    lost = misdispatched(melding, kcc_group)
    with time_machine.travel(at(2026, 12, 7, 9), tick=False):
        page = board(signed_in(supervisor))
    assert late.reference in page and late.party.display_name not in page
    assert lost.party.display_name in page
    logged = AccessLog.objects.filter(user=supervisor, via=AccessLog.Via.STAFF_BOARD)
    assert list(logged.values_list("party", flat=True)) == [lost.party_id]
