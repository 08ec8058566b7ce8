"""Every read of personal data writes the access log: one row per party shown, one INSERT per response."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from contacts.models import AccessLog
from tests.factories import (
    AssociationFactory,
    EmailFactory,
    PersonFactory,
    PhoneFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PARTIES = "/api/v1/parties/"


def logged() -> list[tuple[int, str]]:
    return sorted(AccessLog.objects.values_list("party_id", "via"))


def inserts_into_the_access_log(captured) -> int:
    return sum(query["sql"].startswith('INSERT INTO "contacts_accesslog"') for query in captured.captured_queries)


def association_with_representatives(count: int = 2):
    association = AssociationFactory()
    persons = [RepresentativeFactory(organisation=association, role=f"rol {i}").person for i in range(count)]
    return association, persons


class TestSearch:
    def test_a_name_search_logs_every_party_on_the_page_in_one_insert(self, kcc_client, django_assert_max_num_queries):
        found = [PersonFactory(family_name="Wuyts") for _ in range(30)]
        PersonFactory(family_name="Claes")

        with django_assert_max_num_queries(6) as captured:
            response = kcc_client.get(PARTIES, {"q": "wuyts"})

        page = [party["id"] for party in response.json()["results"]]
        assert len(page) == 25
        assert logged() == sorted((pk, "api_search") for pk in page)
        assert set(page) <= {party.pk for party in found}
        assert inserts_into_the_access_log(captured) == 1
        assert set(AccessLog.objects.values_list("user", "username")) == {
            (kcc_client.user.pk, kcc_client.user.username)
        }

    @pytest.mark.parametrize(
        "params",
        [
            lambda person: {"national_number": person.national_number_formatted},
            lambda person: {"q": person.national_number_formatted},
            lambda person: {"email": "an@example.be"},
            lambda person: {"phone": "0470 11 22 33"},
            lambda person: {"q": "an@example.be"},
        ],
    )
    def test_a_look_up_logs_the_party_found(self, kcc_client, django_assert_num_queries, params):
        person = PersonFactory()
        EmailFactory(party=person, value="an@example.be")
        PhoneFactory(party=person, value="+32470112233")
        PersonFactory()

        with django_assert_num_queries(4):
            # permissions, the party, its contact points, the access log
            response = kcc_client.get(PARTIES, params(person))

        assert [party["id"] for party in response.json()["results"]] == [person.pk]
        assert logged() == [(person.pk, "api_search")]

    def test_an_organisation_found_logs_the_persons_representing_it(self, kcc_client):
        association, persons = association_with_representatives()

        kcc_client.get(PARTIES, {"kind": "association"})

        assert logged() == sorted([(association.pk, "api_search")] + [(p.pk, "api_search") for p in persons])

    def test_nothing_found_and_a_refused_search_log_nothing(self, kcc_client):
        PersonFactory(family_name="Wuyts")

        assert kcc_client.get(PARTIES, {"q": "janssens"}).json()["count"] == 0
        assert kcc_client.get(PARTIES, {"national_number": "123"}).status_code == 400
        assert not AccessLog.objects.exists()


class TestRecord:
    def test_reading_an_organisation_logs_it_and_its_representatives(self, kcc_client, django_assert_max_num_queries):
        association, persons = association_with_representatives(3)

        with django_assert_max_num_queries(5) as captured:
            kcc_client.get(f"{PARTIES}{association.pk}/")

        assert logged() == sorted([(association.pk, "api_detail")] + [(p.pk, "api_detail") for p in persons])
        assert inserts_into_the_access_log(captured) == 1

    def test_creating_a_party_logs_the_record_it_answers_with(self, kcc_client):
        person = PersonFactory()

        response = kcc_client.post(
            PARTIES,
            {"kind": "association", "name": "Buurtcomité", "representatives": [{"person": person.pk, "role": "lid"}]},
        )

        assert response.status_code == 201
        assert logged() == sorted([(response.json()["id"], "api_create"), (person.pk, "api_create")])

    def test_changing_a_party_logs_the_record_it_answers_with(self, kcc_client):
        party = PersonFactory()

        assert kcc_client.patch(f"{PARTIES}{party.pk}/", {"given_name": "Lotte"}).status_code == 200

        assert logged() == [(party.pk, "api_update")]

    def test_a_refused_change_logs_nothing(self, kcc_client):
        party = PersonFactory()

        assert kcc_client.patch(f"{PARTIES}{party.pk}/", {"phone": "0470"}).status_code == 400

        assert not AccessLog.objects.exists()

    def test_a_merge_logs_the_survivor_it_answers_with(self, kcc_client):
        survivor, duplicate = PersonFactory(national_number=None), PersonFactory()

        assert kcc_client.post(f"{PARTIES}{survivor.pk}/merge/", {"duplicate": duplicate.pk}).status_code == 200

        assert logged() == [(survivor.pk, "api_merge")]


class TestDuplicates:
    def test_the_party_and_each_suggested_party_are_logged_in_one_insert(
        self, kcc_client, django_assert_max_num_queries
    ):
        party = PersonFactory(given_name="Els", family_name="Wouters", birth_date=date(1980, 1, 1))
        EmailFactory(party=party, value="gezin@example.be")
        siblings = [PersonFactory(given_name=name, family_name="Wouters") for name in ("Tom", "An")]
        for sibling in siblings:
            EmailFactory(party=sibling, value="gezin@example.be")

        with django_assert_max_num_queries(10) as captured:
            response = kcc_client.get(f"{PARTIES}{party.pk}/duplicates/")

        assert {s["party"]["id"] for s in response.json()} == {s.pk for s in siblings}
        assert logged() == sorted((p.pk, "api_duplicates") for p in [party, *siblings])
        assert inserts_into_the_access_log(captured) == 1


class TestSubresources:
    def test_reading_contact_points_is_logged(self, kcc_client):
        # An organisation's contact points show no representatives: only the organisation is logged.
        party, _persons = association_with_representatives()
        EmailFactory(party=party)

        assert kcc_client.get(f"{PARTIES}{party.pk}/contact-points/").status_code == 200

        assert logged() == [(party.pk, "api_contact_points")]

    def test_adding_a_contact_point_is_logged(self, kcc_client):
        party, _persons = association_with_representatives()

        response = kcc_client.post(f"{PARTIES}{party.pk}/contact-points/", {"kind": "email", "value": "a@b.be"})

        assert response.status_code == 201
        assert logged() == [(party.pk, "api_contact_points")]

    def test_reading_representatives_logs_the_organisation_and_each_person_in_one_insert(
        self, kcc_client, django_assert_max_num_queries
    ):
        association, persons = association_with_representatives(4)

        with django_assert_max_num_queries(5) as captured:
            kcc_client.get(f"{PARTIES}{association.pk}/representatives/")

        expected = [(association.pk, "api_representatives")] + [(p.pk, "api_representatives") for p in persons]
        assert logged() == sorted(expected)
        assert inserts_into_the_access_log(captured) == 1

    def test_adding_and_changing_a_representative_log_the_organisation_and_the_person(self, kcc_client):
        association, person = AssociationFactory(), PersonFactory()
        base = f"{PARTIES}{association.pk}/representatives/"

        created = kcc_client.post(base, {"person": person.pk, "role": "voorzitter"})
        assert created.status_code == 201
        assert kcc_client.patch(f"{base}{created.json()['id']}/", {"valid_until": "2026-01-01"}).status_code == 200

        both = [(association.pk, "api_representatives"), (person.pk, "api_representatives")]
        assert logged() == sorted(both * 2)

    def test_an_unknown_party_logs_nothing(self, kcc_client):
        for path in ("contact-points/", "representatives/", "duplicates/", ""):
            assert kcc_client.get(f"{PARTIES}424242/{path}").status_code == 404
        assert not AccessLog.objects.exists()


class TestAdmin:
    def test_the_party_list_logs_every_party_on_the_page_in_one_insert(
        self, admin_client, django_assert_max_num_queries
    ):
        parties = PersonFactory.create_batch(3)

        with django_assert_max_num_queries(10) as captured:
            response = admin_client.get(reverse("admin:contacts_party_changelist"))

        assert response.status_code == 200
        assert logged() == sorted((p.pk, "admin_list") for p in parties)
        assert inserts_into_the_access_log(captured) == 1

    def test_the_change_page_logs_the_party_and_the_persons_representing_it(self, admin_client):
        association, persons = association_with_representatives()

        admin_client.get(reverse("admin:contacts_party_change", args=[association.pk]))

        assert logged() == sorted([(association.pk, "admin")] + [(p.pk, "admin") for p in persons])

    def test_a_refused_list_logs_nothing(self, client):
        user = UserFactory(role="front_desk", is_staff=True)
        Group.objects.get(name="front_desk").permissions.clear()
        client.force_login(user)
        PersonFactory()

        assert client.get(reverse("admin:contacts_party_changelist")).status_code == 403
        assert not AccessLog.objects.exists()
