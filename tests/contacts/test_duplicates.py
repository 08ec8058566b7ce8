from datetime import date

import pytest

from contacts.models import AccessLog
from tests.factories import EmailFactory, OrganisationFactory, PersonFactory, PhoneFactory

pytestmark = pytest.mark.django_db


def suggestions(client, party):
    response = client.get(f"/api/v1/parties/{party.pk}/duplicates/")
    assert response.status_code == 200
    return {s["party"]["id"]: s for s in response.json()}


def test_similar_name_with_the_same_birth_date(kcc_client):
    party = PersonFactory(given_name="Jan", family_name="Peeters", birth_date=date(1985, 7, 30))
    typo = PersonFactory(given_name="Jan", family_name="Peters", birth_date=date(1985, 7, 30), national_number=None)
    PersonFactory(given_name="Jan", family_name="Peeters", birth_date=date(1990, 1, 1))  # another Jan Peeters
    PersonFactory(given_name="Karel", family_name="Vandenberghe", birth_date=date(1985, 7, 30))
    found = suggestions(kcc_client, party)
    assert set(found) == {typo.pk}
    assert [r["code"] for r in found[typo.pk]["reasons"]] == ["similar_name_same_birth_date"]


def test_same_email_or_phone_with_different_names(kcc_client):
    party = PersonFactory(given_name="Els", family_name="Wouters")
    EmailFactory(party=party, value="gezin@example.be")
    PhoneFactory(party=party, value="+32470000001")
    sibling = PersonFactory(given_name="Tom", family_name="Wouters")
    EmailFactory(party=sibling, value="gezin@example.be")
    PhoneFactory(party=sibling, value="+32470000001")
    found = suggestions(kcc_client, party)
    assert set(found) == {sibling.pk}
    assert {r["code"] for r in found[sibling.pk]["reasons"]} == {"same_email", "same_phone"}
    assert found[sibling.pk]["score"] == 80


def test_organisations_with_similar_names(kcc_client):
    party = OrganisationFactory(name="Voetbalclub Zwarte Leeuw")
    alike = OrganisationFactory(name="Voetbalclub De Zwarte Leeuw")
    OrganisationFactory(name="Bakkerij Hendrickx")
    found = suggestions(kcc_client, party)
    assert set(found) == {alike.pk}
    assert found[alike.pk]["reasons"][0]["code"] == "similar_name"


def test_strongest_first_and_tombstones_left_out(kcc_client):
    party = PersonFactory(given_name="An", family_name="Maes", birth_date=date(1970, 3, 3))
    EmailFactory(party=party, value="an.maes@example.be")
    strong = PersonFactory(given_name="Ann", family_name="Maes", birth_date=date(1970, 3, 3), national_number=None)
    EmailFactory(party=strong, value="an.maes@example.be")
    weak = PersonFactory(given_name="Nele", family_name="Claes")
    EmailFactory(party=weak, value="an.maes@example.be", preferred=False)
    PersonFactory(
        given_name="An", family_name="Maes", national_number=None, merged_into=weak, merged_at=weak.created_at
    )
    response = kcc_client.get(f"/api/v1/parties/{party.pk}/duplicates/").json()
    assert [s["party"]["id"] for s in response] == [strong.pk, weak.pk]


def test_viewing_duplicates_is_access_logged(kcc_client):
    party = PersonFactory()
    suggestions(kcc_client, party)
    assert AccessLog.objects.get().via == "api_duplicates"


def test_duplicates_query_count_does_not_grow_with_suggestions(kcc_client, django_assert_max_num_queries):
    party = PersonFactory(given_name="Els", family_name="Wouters")
    EmailFactory(party=party, value="gezin@example.be")

    def add_siblings(n):
        for _ in range(n):
            sibling = PersonFactory(family_name="Wouters")
            EmailFactory(party=sibling, value="gezin@example.be")

    add_siblings(2)
    with django_assert_max_num_queries(10):
        assert len(kcc_client.get(f"/api/v1/parties/{party.pk}/duplicates/").json()) == 2
    add_siblings(12)
    with django_assert_max_num_queries(10):
        assert len(kcc_client.get(f"/api/v1/parties/{party.pk}/duplicates/").json()) == 14
