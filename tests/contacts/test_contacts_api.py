from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Channel, Contact, ContactPoint, Party, Source
from contacts.services import party_resolve
from tests.factories import ContactFactory, EmailFactory, PersonFactory, PhoneFactory, UserFactory

pytestmark = pytest.mark.django_db

CONTACTS = "/api/v1/contacts/"


def counts():
    return Contact.objects.count(), Party.objects.count(), ContactPoint.objects.count()


def log(client, **payload):
    payload = {"channel": "phone", "subject": "Vraag over afvalophaling", **payload}
    return client.post(CONTACTS, payload, format="json", HTTP_ACCEPT_LANGUAGE="en")


def test_log_contact_for_a_known_party(front_desk_client):
    party = PersonFactory()
    occurred = timezone.now() - timedelta(minutes=10)
    response = log(
        front_desk_client,
        party=party.pk,
        channel="counter",
        summary="Uitleg gegeven over de ophaalkalender.",
        outcome="answered",
        guided=True,
        occurred_at=occurred.isoformat(),
        started_at=(occurred - timedelta(minutes=3)).isoformat(),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["party"] == party.pk
    assert body["matched_on"] == "given"
    assert body["handled_by"] == front_desk_client.user.username
    contact = Contact.objects.get()
    assert (contact.channel, contact.outcome, contact.guided, contact.source) == ("counter", "answered", True, "staff")
    assert contact.occurred_at == occurred


@pytest.mark.parametrize("channel", Channel.values)
def test_every_channel_can_be_logged(front_desk_client, channel):
    assert log(front_desk_client, anonymous=True, channel=channel).status_code == 201


@pytest.mark.parametrize("source", Source.values)
def test_every_source_can_be_logged(front_desk_client, source):
    response = log(front_desk_client, anonymous=True, source=source)
    assert response.status_code == 201
    # Only staff contacts are handled by the caller by default.
    assert (response.json()["handled_by"] is not None) == (source == "staff")


def test_anonymous_contact_when_set_explicitly(front_desk_client):
    response = log(front_desk_client, anonymous=True)
    assert response.status_code == 201
    assert response.json()["party"] is None
    assert Contact.objects.get().anonymous is True


class TestIdentityResolution:
    def test_by_national_number_first(self, front_desk_client):
        party = PersonFactory()
        EmailFactory(value="someone.else@example.be")  # e-mail of another party is not consulted first
        response = log(
            front_desk_client,
            party_data={"national_number": party.national_number_formatted, "email": "someone.else@example.be"},
        )
        assert response.status_code == 201
        assert (response.json()["party"], response.json()["matched_on"]) == (party.pk, "national_number")

    def test_by_email_then_enriches_the_record(self, front_desk_client):
        party = PersonFactory(given_name="Sofie", family_name="Claes", national_number=None, birth_date=None)
        EmailFactory(party=party, value="sofie.claes@example.be")
        response = log(
            front_desk_client,
            party_data={
                "email": "Sofie.Claes@example.be",
                "phone": "0471 22 33 44",
                "family_name": "Claes",
                "birth_date": "1990-02-03",
            },
        )
        assert response.status_code == 201
        assert (response.json()["party"], response.json()["matched_on"]) == (party.pk, "email")
        party.refresh_from_db()
        assert str(party.birth_date) == "1990-02-03"
        # Only once: the new phone number is now part of the record, not preferred over nothing else.
        assert party.contact_points.filter(kind="phone", value="+32471223344").exists()
        # The address it was found by is known already: not written twice.
        assert list(party.contact_points.filter(kind="email").values_list("value", flat=True)) == [
            "sofie.claes@example.be"
        ]

    def test_by_phone(self, front_desk_client):
        phone = PhoneFactory(value="+32470998877")
        response = log(front_desk_client, party_data={"phone": "0470 99 88 77"})
        assert (response.json()["party"], response.json()["matched_on"]) == (phone.party_id, "phone")

    def test_by_phone_learns_a_new_email_address(self, front_desk_client):
        phone = PhoneFactory(value="+32470998877")
        response = log(front_desk_client, party_data={"phone": "0470 99 88 77", "email": "nieuw@example.be"})
        assert (response.json()["party"], response.json()["matched_on"]) == (phone.party_id, "phone")
        points = phone.party.contact_points.values_list("kind", "value")
        assert sorted(points) == [("email", "nieuw@example.be"), ("phone", "+32470998877")]

    def test_shared_email_with_a_different_name_creates_a_new_party(self, front_desk_client):
        mother = PersonFactory(given_name="Els", family_name="Wouters")
        EmailFactory(party=mother, value="gezin.wouters@example.be")
        response = log(
            front_desk_client,
            party_data={"given_name": "Tom", "family_name": "Wouters", "email": "gezin.wouters@example.be"},
        )
        assert response.json()["matched_on"] == "created"
        assert response.json()["party"] != mother.pk

    def test_email_of_a_party_with_another_national_number_is_not_a_match(self, front_desk_client):
        party = PersonFactory()
        EmailFactory(party=party, value="pc@example.be")
        other = PersonFactory.build()
        response = log(
            front_desk_client, party_data={"national_number": other.national_number, "email": "pc@example.be"}
        )
        assert response.json()["matched_on"] == "created"
        created = Party.objects.get(pk=response.json()["party"])
        assert created.national_number == other.national_number

    def test_email_before_phone_and_the_first_party_whose_names_agree(self, front_desk_client):
        other = PersonFactory(given_name="Els", family_name="Wouters")
        by_phone = PersonFactory(given_name="Tom", family_name="Wouters")
        by_email = PersonFactory(given_name="Tom", family_name="Wouters")
        EmailFactory(party=other, value="gezin.wouters@example.be")
        EmailFactory(party=other, value="els.wouters@example.be", preferred=False)
        EmailFactory(party=by_email, value="gezin.wouters@example.be")
        PhoneFactory(party=by_phone, value="+32470998877")
        data = {"given_name": "Tom", "family_name": "Wouters", "phone": "0470 99 88 77"}

        shared = log(front_desk_client, party_data={**data, "email": "gezin.wouters@example.be"})
        # Els holds the address first (a lower id), but her name differs; Tom's phone comes after his address.
        assert (shared.json()["party"], shared.json()["matched_on"]) == (by_email.pk, "email")
        hers = log(front_desk_client, party_data={**data, "email": "els.wouters@example.be"})
        assert (hers.json()["party"], hers.json()["matched_on"]) == (by_phone.pk, "phone")

    def test_by_association_code(self, front_desk_client):
        data = {"kind": "association", "name": "Scouts Sint-Jan", "association_code": "V0001234"}
        response = log(front_desk_client, party_data=data)
        assert response.json()["matched_on"] == "created"
        again = log(front_desk_client, party_data={"kind": "association", "association_code": "V0001234"})
        assert (again.json()["party"], again.json()["matched_on"]) == (response.json()["party"], "association_code")

    @pytest.mark.postgres
    @pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's advisory locks")
    def test_the_locks_and_look_ups_take_one_round_trip(self):
        party = PersonFactory(given_name="Sofie", family_name="Claes")
        EmailFactory(party=party, value="sofie.claes@example.be")
        clerk = UserFactory(role="kcc")
        for data in ({"national_number": party.national_number}, {"email": "sofie.claes@example.be"}):
            with CaptureQueriesContext(connection) as statements:
                assert party_resolve(actor=clerk, data=data)[0] == party
            sent = [q["sql"] for q in statements if "SAVEPOINT" not in q["sql"]]
            assert len(sent) == 1 and "FROM contacts_party_candidates(" in sent[0], sent

    def test_unknown_data_creates_a_party_with_its_contact_points(self, front_desk_client):
        response = log(
            front_desk_client,
            party_data={
                "given_name": "Noor",
                "family_name": "Jacobs",
                "email": "noor@example.be",
                "phone": "0477123456",
            },
        )
        assert response.json()["matched_on"] == "created"
        party = Party.objects.get(pk=response.json()["party"])
        assert party.display_name == "Noor Jacobs"
        assert set(party.contact_points.values_list("kind", "value", "preferred")) == {
            ("email", "noor@example.be", True),
            ("phone", "+32477123456", True),
        }

    def test_organisation_by_enterprise_number(self, front_desk_client):
        response = log(
            front_desk_client,
            party_data={"kind": "organisation", "name": "Bakkerij Hendrickx", "enterprise_number": "0403.170.701"},
        )
        assert response.json()["matched_on"] == "created"
        again = log(front_desk_client, party_data={"kind": "organisation", "enterprise_number": "BE0403170701"})
        assert (again.json()["party"], again.json()["matched_on"]) == (response.json()["party"], "enterprise_number")

    def test_contact_for_a_tombstone_goes_to_the_survivor(self, front_desk_client):
        survivor = PersonFactory()
        tombstone = PersonFactory(national_number=None, merged_into=survivor, merged_at=timezone.now())
        response = log(front_desk_client, party=tombstone.pk)
        assert response.json()["party"] == survivor.pk


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({}, "party", "anonymous"),
        ({"channel": "fax", "anonymous": True}, "channel", "valid choice"),
        ({"source": "pigeon", "anonymous": True}, "source", "valid choice"),
        ({"outcome": "maybe", "anonymous": True}, "outcome", "valid choice"),
        ({"direction": "sideways", "anonymous": True}, "direction", "valid choice"),
        ({"subject": "", "anonymous": True}, "subject", "blank"),
        ({"party": 999999}, "party", "does not exist"),
        ({"party_data": {"national_number": "85073003329"}}, "party_data", "check digits"),
        ({"party_data": {"email": "not-an-email"}}, "party_data", "e-mail"),
        ({"party_data": {"phone": "12"}}, "party_data", "phone"),
        ({"party_data": {"kind": "organisation", "national_number": "85073003328"}}, "party_data", "national_number"),
        ({"anonymous": True, "party_data": {"email": "a@example.be"}}, "anonymous", "cannot be linked"),
        (
            {"anonymous": True, "occurred_at": (timezone.now() + timedelta(days=1)).isoformat()},
            "occurred_at",
            "future",
        ),
        (
            {
                "anonymous": True,
                "occurred_at": "2026-01-01T10:00:00+01:00",
                "started_at": "2026-01-01T11:00:00+01:00",
            },
            "started_at",
            "after",
        ),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(front_desk_client, payload, field, message):
    before = counts()
    response = log(front_desk_client, **payload)
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert message in str(response.json()[field])
    assert counts() == before


def test_party_and_party_data_together_are_refused(front_desk_client):
    party = PersonFactory()
    before = counts()
    response = log(front_desk_client, party=party.pk, party_data={"email": "x@example.be"})
    assert response.status_code == 400
    assert counts() == before


def test_list_contacts_filtered_by_party_without_n_plus_one(front_desk_client, django_assert_max_num_queries):
    party = PersonFactory()
    ContactFactory.create_batch(3, party=party)
    ContactFactory.create_batch(2)
    with django_assert_max_num_queries(6):
        response = front_desk_client.get(CONTACTS, {"party": party.pk})
    assert response.json()["count"] == 3
    ContactFactory.create_batch(20, party=party)
    with django_assert_max_num_queries(6):
        response = front_desk_client.get(CONTACTS, {"party": party.pk, "page_size": 50})
    assert len(response.json()["results"]) == 23
    assert all(c["party_display_name"] == party.display_name for c in response.json()["results"])


def test_list_contacts_filter_on_channel(front_desk_client):
    ContactFactory(channel="email")
    ContactFactory(channel="phone")
    results = front_desk_client.get(CONTACTS, {"channel": "email"}).json()["results"]
    assert [c["channel"] for c in results] == ["email"]
    assert front_desk_client.get(CONTACTS, {"channel": "fax"}).status_code == 400


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"occurred_at": "2026-03-01T10:00:00"}, "occurred_at", "Give the time with its offset"),
        ({"occurred_at": "0001-01-01T10:00:00+01:00"}, "occurred_at", "Give a moment on or after 1990-01-01"),
        ({"started_at": "1989-12-31T10:00:00+01:00"}, "started_at", "Give a moment on or after 1990-01-01"),
        ({"subject": "\u200b\u200e\x00 \t"}, "subject", "This field may not be blank."),
        ({"subject": "x" * 201}, "subject", "Ensure this field has no more than 200 characters."),
        ({"summary": "x" * 10_001}, "summary", "Ensure this field has no more than 10000 characters."),
        ({"party": 10**20}, "party", ""),
        ({"handled_by": "M\x006"}, "handled_by", "Object with username=M6 does not exist."),
    ],
)
def test_bad_contact_input_is_refused_and_writes_nothing(front_desk_client, payload, field, message):
    before = counts()
    response = log(front_desk_client, **{"anonymous": "party" not in payload, **payload})
    assert response.status_code == 400, response.json()
    assert message in response.json()[field][0]
    assert counts() == before


def test_a_nul_character_in_a_form_body_is_refused_and_writes_nothing(front_desk_client):
    """A multipart body reaches the username look-up unchecked (PostgreSQL refuses NUL in text: it was a 500)."""
    before = counts()
    response = front_desk_client.post(
        CONTACTS,
        {"channel": "messenger", "subject": "Adreswijziging", "anonymous": "true", "handled_by": "M\x006"},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["handled_by"] == ["Object with username=M6 does not exist."]
    assert counts() == before


def test_invisible_characters_are_stripped_from_the_subject(front_desk_client):
    response = log(front_desk_client, anonymous=True, subject="\u200bVraag\x00 over\u202e afval ")
    assert response.status_code == 201
    assert Contact.objects.get().subject == "Vraag over afval"


def test_party_data_with_only_an_address_creates_the_party(front_desk_client):
    """An address identifies nobody: it was looked up as if it had a single value (a 500)."""
    response = log(
        front_desk_client,
        party_data={
            "email": "",
            "phone": "",
            "address": {"street": "Veldstraat 1", "city": "Gent", "postal_code": "9000"},
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["matched_on"] == "created"
    assert ContactPoint.objects.get().kind == "address"
