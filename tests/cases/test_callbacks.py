"""Call-back requests: noted with a clean phone number, listed by who may see them, marked done once; bad input and
a second "done" answer clearly and write nothing."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Callback
from cases.services import callback_done, callback_request
from contacts.models import AccessLog
from tests.cases.test_races import concurrently
from tests.factories import CallbackFactory, ContactFactory, HandlerGroupFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
CALLBACKS = reverse("v1:callback-list")


def detail_url(callback):
    return reverse("v1:callback-detail", args=[callback.pk])


def done_url(callback):
    return reverse("v1:callback-done", args=[callback.pk])


def in_hours(hours: float) -> str:
    return (timezone.now() + timedelta(hours=hours)).isoformat()


@pytest.fixture
def body(group):
    return {"handler_group": group.pk, "phone": "0471 23 45 67", "topic": "Vraag over de bouwvergunning", "name": "An"}


class TestRequest:
    def test_noted_with_the_phone_number_in_e164(self, client_for, handler, group, body):
        party = PersonFactory()
        response = client_for(handler).post(CALLBACKS, {**body, "party": party.pk, "due_by": in_hours(4)})

        assert response.status_code == 201, response.data
        callback = Callback.objects.get()
        assert (callback.phone, callback.party, callback.handler_group, callback.created_by) == (
            "+32471234567",
            party,
            group,
            handler,
        )
        assert response.data["phone"] == "+32471234567" and response.data["overdue"] is False
        assert response.data["party_display_name"] == party.display_name
        assert response.data["done_at"] is None and response.data["done_by"] is None
        assert AccessLog.objects.filter(party=party, via="api_contacts").count() == 1

    def test_from_a_contact_takes_its_party(self, client_for, body):
        contact = ContactFactory()
        response = client_for(UserFactory(role="front_desk")).post(
            CALLBACKS, {**body, "name": "", "contact": contact.pk, "due_by": in_hours(1)}
        )
        assert response.status_code == 201, response.data
        assert (response.data["party"], response.data["contact"]) == (contact.party_id, contact.pk)

    @pytest.mark.parametrize(
        ("change", "field", "message"),
        [
            ({"phone": "12"}, "phone", "Invalid phone number."),
            ({"phone": ""}, "phone", "This field may not be blank."),
            ({"phone": "0" * 51}, "phone", "Ensure this field has no more than 50 characters."),
            ({"topic": "\u200b"}, "topic", "This field may not be blank."),
            ({"topic": "x" * 1001}, "topic", "Ensure this field has no more than 1000 characters."),
            ({"due_by": "past"}, "due_by", "A call-back cannot be due in the past."),
            (
                {"due_by": "2026-12-01T10:00:00"},
                "due_by",
                "Give the time with its offset, e.g. 2026-03-01T10:00:00+01:00.",
            ),
            ({"name": ""}, "name", "Say whom to ask for, or choose the party."),
            ({"name": "x" * 201}, "name", "Ensure this field has no more than 200 characters."),
            ({"handler_group": "inactive"}, "handler_group", "This handler group is inactive."),
            ({"handler_group": 10**9}, "handler_group", 'Invalid pk "1000000000" - object does not exist.'),
            ({"party": "other"}, "party", "The call-back and its contact belong to different parties."),
        ],
    )
    def test_bad_input_writes_nothing(self, client_for, handler, body, change, field, message):
        change = dict(change)
        if change.get("due_by") == "past":
            change["due_by"] = in_hours(-1)
        if change.get("handler_group") == "inactive":
            change["handler_group"] = HandlerGroupFactory(active=False).pk
        if change.get("party") == "other":
            change.update(party=PersonFactory().pk, contact=ContactFactory().pk)
        response = client_for(handler).post(CALLBACKS, {"due_by": in_hours(2), **body, **change})

        assert response.status_code == 400
        assert response.data[field] == [message]
        assert Callback.objects.count() == 0 and AccessLog.objects.count() == 0

    def test_the_database_refuses_a_done_without_who(self, handler, group):
        callback = CallbackFactory(handler_group=group, created_by=handler)
        with pytest.raises(IntegrityError), transaction.atomic():
            Callback.objects.filter(pk=callback.pk).update(done_at=timezone.now())


class TestList:
    @pytest.fixture
    def callbacks(self, group, other_group, handler):
        now = timezone.now()
        done = CallbackFactory(handler_group=group)
        callback_done(actor=handler, callback=done, note="Teruggebeld")
        return {
            "late": CallbackFactory(handler_group=group, due_by=now - timedelta(hours=1)),
            "soon": CallbackFactory(handler_group=group, due_by=now + timedelta(hours=1)),
            "done": done,
            "elsewhere": CallbackFactory(handler_group=other_group),
        }

    def ids(self, response, callbacks):
        assert response.status_code == 200, response.data
        names = {c.pk: name for name, c in callbacks.items()}
        return [names[row["id"]] for row in response.data["results"]]

    def test_handlers_see_their_groups_open_ones_soonest_first(self, client_for, handler, callbacks):
        client = client_for(handler)
        assert self.ids(client.get(CALLBACKS), callbacks) == ["late", "soon"]
        assert self.ids(client.get(CALLBACKS, {"open": "false"}), callbacks) == ["late", "soon", "done"]
        assert self.ids(client.get(CALLBACKS, {"overdue": "true"}), callbacks) == ["late"]
        assert self.ids(client.get(CALLBACKS, {"overdue": "false"}), callbacks) == ["soon"]
        assert client.get(CALLBACKS).data["results"][0]["overdue"] is True

    def test_kcc_and_supervisors_see_all(self, client_for, callbacks, other_group):
        for role in ("kcc", "supervisor"):
            client = client_for(UserFactory(role=role))
            assert sorted(self.ids(client.get(CALLBACKS), callbacks)) == ["elsewhere", "late", "soon"]
            response = client.get(CALLBACKS, {"handler_group": other_group.pk})
            assert self.ids(response, callbacks) == ["elsewhere"]

    def test_detail_of_another_groups_callback_is_not_found(self, client_for, handler, callbacks):
        client = client_for(handler)
        assert client.get(detail_url(callbacks["soon"])).status_code == 200
        assert client.get(detail_url(callbacks["elsewhere"])).status_code == 404
        assert client.post(done_url(callbacks["elsewhere"])).status_code == 404

    @pytest.mark.parametrize("query", [{"open": "misschien"}, {"overdue": "x"}, {"handler_group": "0"}])
    def test_bad_filters(self, client_for, handler, query):
        response = client_for(handler).get(CALLBACKS, query)
        assert response.status_code == 400 and set(response.data) == set(query)

    def test_query_count_does_not_grow(self, client_for, group, handler, django_assert_max_num_queries):
        client = client_for(handler)
        for _ in range(2):
            CallbackFactory(handler_group=group, party=PersonFactory())
        client.get(CALLBACKS)  # the user's roles and groups are read once per request either way
        with django_assert_max_num_queries(6):
            first = client.get(CALLBACKS)
        for _ in range(10):
            CallbackFactory(handler_group=group, party=PersonFactory())
        with django_assert_max_num_queries(6):
            more = client.get(CALLBACKS)
        assert (first.data["count"], more.data["count"]) == (2, 12)


class TestDone:
    def test_done_with_a_note(self, client_for, handler, group):
        callback = CallbackFactory(handler_group=group)
        response = client_for(handler).post(done_url(callback), {"note": "Teruggebeld, vergunning uitgelegd."})
        assert response.status_code == 200, response.data
        assert response.data["done_by"] == handler.username and response.data["outcome"].startswith("Teruggebeld")
        callback.refresh_from_db()
        assert (callback.done_by, callback.outcome) == (handler, "Teruggebeld, vergunning uitgelegd.")
        assert callback.done_at is not None

    def test_done_twice_is_a_conflict(self, client_for, handler, group):
        callback = CallbackFactory(handler_group=group)
        client = client_for(handler)
        assert client.post(done_url(callback)).status_code == 200
        done_at = Callback.objects.get().done_at

        response = client_for(UserFactory(role="kcc")).post(done_url(callback), {"note": "Ook gebeld"})

        assert response.status_code == 409
        assert (response.data["code"], response.data["done_by"]) == ("callback_done", handler.username)
        callback.refresh_from_db()
        assert (callback.done_at, callback.done_by, callback.outcome) == (done_at, handler, "")

    def test_a_too_long_note(self, client_for, handler, group):
        callback = CallbackFactory(handler_group=group)
        response = client_for(handler).post(done_url(callback), {"note": "x" * 2001})
        assert response.status_code == 400 and "note" in response.data
        assert Callback.objects.get().done_at is None

    def test_the_services(self, handler, group):
        callback = callback_request(
            actor=handler,
            handler_group=group,
            phone="0471 98 76 54",
            topic="Afspraak",
            due_by=timezone.now() + timedelta(days=1),
            name="Jan",
        )
        assert callback.phone == "+32471987654"
        callback_done(actor=handler, callback=callback)
        assert Callback.objects.get().is_done


def test_admin_lists_callbacks(admin_client, group):
    CallbackFactory(handler_group=group, topic="Vraag over parkeerkaart")
    response = admin_client.get(reverse("admin:cases_callback_changelist"), {"status": "open"})
    assert response.status_code == 200 and "Vraag over parkeerkaart" in response.content.decode()
    assert admin_client.get(reverse("admin:cases_callback_add")).status_code == 403


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_two_clerks_marking_one_callback_done_at_once():
    first, second = UserFactory(role="handler"), UserFactory(role="handler")
    group = HandlerGroupFactory(members=[first, second])
    callback = CallbackFactory(handler_group=group)
    url = done_url(callback)

    responses = concurrently([(first, "post", url, {"note": "Eén"}, {}), (second, "post", url, {"note": "Twee"}, {})])

    assert sorted(r.status_code for r in responses) == [200, 409], [r.data for r in responses]
    assert next(r for r in responses if r.status_code == 409).data["code"] == "callback_done"
    callback.refresh_from_db()
    assert callback.outcome in ("Eén", "Twee")


def test_a_party_merge_moves_the_callbacks(client_for, group):
    survivor, duplicate = PersonFactory(), PersonFactory(national_number=None)
    callback = CallbackFactory(handler_group=group, party=duplicate)
    response = client_for(UserFactory(role="kcc")).post(
        reverse("v1:party-merge", args=[survivor.pk]), {"duplicate": duplicate.pk}
    )
    assert response.status_code == 200, response.data
    callback.refresh_from_db()
    assert callback.party == survivor
