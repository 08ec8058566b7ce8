"""The call-back list (``/terugbellen/``): whose call-backs each user sees, past-due ones first and marked, and "called
back" with a note, refused once done already (a second click, a stale page) with a message instead of an error."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.configuration import configuration
from cases.models import Callback
from cases.services import callback_done, callback_request
from contacts.models import AccessLog
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PAGE = "/terugbellen/"


def request_callback(group, *, hours: float = 24, topic: str = "Vraag over de bouwaanvraag", **fields) -> Callback:
    """A call-back due in ``hours`` (negative: past due, requested earlier)."""
    fields.setdefault("name", "Mevrouw Claes")
    if hours > 0:
        return callback_request(
            actor=UserFactory(role="kcc"),
            handler_group=group,
            phone="09 266 12 34",
            topic=topic,
            due_by=timezone.now() + timedelta(hours=hours),
            **fields,
        )
    with time_machine.travel(timezone.now() + timedelta(hours=hours - 1)):
        return callback_request(
            actor=UserFactory(role="kcc"),
            handler_group=group,
            phone="09 266 12 34",
            topic=topic,
            due_by=timezone.now() + timedelta(hours=1),
            **fields,
        )


def sign_in(client, user):
    client.force_login(user)
    return client


def test_signed_out_the_list_asks_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('staff:login')}?next=/terugbellen/"


def test_a_user_without_a_staff_role_is_refused(client):
    assert sign_in(client, UserFactory()).get(PAGE).status_code == 403


def test_the_kcc_sees_every_open_call_back_past_due_first_and_marked(client, group, other_group):
    later = request_callback(group, hours=48, topic="Later")
    late = request_callback(other_group, hours=-2, topic="Te laat")
    soon = request_callback(group, hours=2, topic="Vandaag")
    done = request_callback(group, topic="Al gedaan")
    callback_done(actor=UserFactory(role="kcc"), callback=done)

    page = sign_in(client, UserFactory(role="kcc")).get(PAGE).content.decode()

    assert page.index("Te laat") < page.index("Vandaag") < page.index("Later")
    assert "Al gedaan" not in page
    row = page.split(f'id="callback-{late.pk}"', 1)[1].split("</tr>", 1)[0]
    assert '<span class="status status-late">late</span>' in row
    for other in (later, soon):
        assert "status-late" not in page.split(f'id="callback-{other.pk}"', 1)[1].split("</tr>", 1)[0]


def test_a_handler_sees_the_call_backs_of_their_own_groups_only(client, handler, group, other_group):
    request_callback(group, topic="Voor Openbaar Domein")
    request_callback(other_group, topic="Voor Mobiliteit")
    page = sign_in(client, handler).get(PAGE).content.decode()
    assert "Voor Openbaar Domein" in page
    assert "Voor Mobiliteit" not in page


def test_the_done_filter_shows_those_called_back_with_their_note(client, group):
    request_callback(group, topic="Nog te doen")
    done = request_callback(group, topic="Gedaan")
    callback_done(actor=UserFactory(role="kcc", username="katrien"), callback=done, note="Voicemail ingesproken")
    page = sign_in(client, UserFactory(role="kcc")).get(PAGE, {"toon": "gedaan"}).content.decode()
    assert "Gedaan" in page and "Voicemail ingesproken" in page and "katrien" in page
    assert "Nog te doen" not in page


def test_the_parties_on_the_list_are_access_logged(client, group):
    person = PersonFactory(given_name="An", family_name="Smet")
    request_callback(group, party=person, name="")
    request_callback(group)
    user = UserFactory(role="kcc")
    page = sign_in(client, user).get(PAGE).content.decode()
    assert "An Smet" in page
    assert list(AccessLog.objects.filter(user=user).values_list("party_id", "via")) == [
        (person.pk, AccessLog.Via.STAFF_CALLBACKS)
    ]


def test_the_list_costs_a_bounded_number_of_queries(client, group, django_assert_max_num_queries):
    for _ in range(10):
        request_callback(group, party=PersonFactory(), name="")
    sign_in(client, UserFactory(role="kcc"))
    configuration()  # each process keeps it (the header's group names); the suite forgets it between tests
    with django_assert_max_num_queries(10):
        assert client.get(PAGE).status_code == 200


def test_called_back_swaps_the_row_with_the_note(client, group):
    callback = request_callback(group)
    user = UserFactory(role="kcc", username="katrien")
    response = sign_in(client, user).post(f"/terugbellen/{callback.pk}/teruggebeld/", {"note": "Uitgelegd"}, **HTMX)
    callback.refresh_from_db()
    assert (callback.done_by, callback.outcome) == (user, "Uitgelegd")
    row = response.content.decode()
    assert row.startswith(f'<tr id="callback-{callback.pk}"')
    assert "called back" in row and "katrien" in row and "Uitgelegd" in row


def test_a_second_click_says_who_did_it_already(client, group):
    callback = request_callback(group)
    first = UserFactory(role="kcc", username="katrien")
    callback_done(actor=first, callback=callback, note="Eerste")
    response = sign_in(client, UserFactory(role="kcc")).post(
        f"/terugbellen/{callback.pk}/teruggebeld/", {"note": "Tweede"}, **HTMX
    )
    assert response.status_code == 200
    assert "Already called back by katrien on" in response.content.decode()
    callback.refresh_from_db()
    assert (callback.done_by, callback.outcome) == (first, "Eerste")


def test_a_stale_page_without_htmx_gets_a_message_not_an_error(client, group):
    callback = request_callback(group)
    callback_done(actor=UserFactory(role="kcc", username="katrien"), callback=callback)
    sign_in(client, UserFactory(role="kcc"))
    response = client.post(f"/terugbellen/{callback.pk}/teruggebeld/", {"note": ""}, follow=True)
    assert response.status_code == 200
    assert "Already called back by katrien" in response.content.decode()


def test_an_over_long_note_is_refused_next_to_it_and_nothing_written(client, group):
    callback = request_callback(group)
    response = sign_in(client, UserFactory(role="kcc")).post(
        f"/terugbellen/{callback.pk}/teruggebeld/", {"note": "x" * 2001}, **HTMX
    )
    row = response.content.decode()
    assert f'id="note-{callback.pk}-error">Ensure this value has at most 2000 characters' in row
    assert 'aria-invalid="true"' in row
    callback.refresh_from_db()
    assert callback.done_at is None


@pytest.mark.parametrize("pk_of", [lambda callback: 999999, lambda callback: callback.pk])
def test_a_call_back_that_is_gone_or_not_yours_says_so(client, group, other_group, pk_of):
    callback = request_callback(other_group)
    handler = group.members.get()
    response = sign_in(client, handler).post(f"/terugbellen/{pk_of(callback)}/teruggebeld/", {"note": ""}, **HTMX)
    assert response.status_code == 200
    assert "This call-back no longer exists or is not yours to see." in response.content.decode()
    callback.refresh_from_db()
    assert callback.done_at is None
