from datetime import date

import pytest
from knox.models import AuthToken

from contacts.models import AccessLog, ContactPoint, Party, Representative
from tests.factories import (
    AssociationFactory,
    EmailFactory,
    OrganisationFactory,
    PersonFactory,
    PhoneFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PARTIES = "/api/v1/parties/"


def written():
    return Party.objects.count(), ContactPoint.objects.count(), Representative.objects.count()


def test_create_person_stores_identifiers_compact_and_contact_points_normalised(kcc_client):
    response = kcc_client.post(
        PARTIES,
        {
            "kind": "person",
            "given_name": "Jan",
            "family_name": "Peeters",
            "birth_date": "1985-07-30",
            "national_number": "85.07.30-033.28",
            "email": "Jan.Peeters@Example.BE",
            "phone": "0470 12 34 56",
            "address": {"street": "Veldstraat", "house_number": "12", "postal_code": "9000", "city": "Gent"},
            "language": "nl",
            "preferred_channel": "email",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["national_number"] == "85073003328"
    assert body["national_number_formatted"] == "85.07.30-033.28"
    assert body["display_name"] == "Jan Peeters"
    assert body["email"] == "jan.peeters@example.be"
    assert body["phone"] == "+32470123456"
    assert body["address"] == "Veldstraat 12, 9000 Gent"
    party = Party.objects.get(pk=body["id"])
    assert party.search_name == "jan peeters"
    assert set(party.contact_points.values_list("kind", "preferred")) == {
        ("email", True),
        ("phone", True),
        ("address", True),
    }


def test_create_association_with_representatives(kcc_client):
    person = PersonFactory()
    response = kcc_client.post(
        PARTIES,
        {
            "kind": "association",
            "name": "Buurtcomité Sint-Amandsberg",
            "association_code": "v0001234",
            "enterprise_number": "BE 0403.170.701",
            "representatives": [{"person": person.pk, "role": "voorzitter", "valid_from": "2024-01-01"}],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["association_code"] == "V0001234"
    assert body["enterprise_number_formatted"] == "0403.170.701"
    assert body["representatives"] == [
        {
            "id": body["representatives"][0]["id"],
            "person": person.pk,
            "person_name": person.display_name,
            "role": "voorzitter",
            "valid_from": "2024-01-01",
            "valid_until": None,
        }
    ]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"given_name": "Jan", "national_number": "85.07.30-033.29"}, "national_number", "check digits"),
        ({"given_name": "Jan", "national_number": "8507300332"}, "national_number", "number of digits"),
        ({"kind": "organisation", "name": "Bakkerij", "enterprise_number": "0403170702"}, "enterprise_number", "KBO"),
        ({"given_name": "Jan", "email": "jan@"}, "email", "e-mail"),
        ({"given_name": "Jan", "phone": "12345"}, "phone", "phone"),
        ({"kind": "organisation", "name": "Bakkerij", "national_number": "85073003328"}, "national_number", "kind"),
        ({"kind": "organisation"}, "name", "needs a name"),
        ({"kind": "robot", "name": "R2"}, "kind", ""),
        ({"given_name": "Jan", "birth_date": "2999-01-01"}, "birth_date", "future"),
        ({"given_name": "Jan", "address": {"street": "Veldstraat"}}, "address", ""),
        ({"given_name": "Jan", "contact_points": [{"kind": "phone", "value": "00"}]}, "contact_points", ""),
        ({"given_name": "Jan", "representatives": [{"person": 999999, "role": "x"}]}, "representatives", ""),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(kcc_client, payload, field, message):
    before = written()
    response = kcc_client.post(PARTIES, payload, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert message in str(response.json()[field])
    assert written() == before


def test_party_without_any_identity_is_refused(kcc_client):
    response = kcc_client.post(PARTIES, {"kind": "person"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "name, an identifier or a contact point" in str(response.json())
    assert Party.objects.count() == 0


@pytest.mark.parametrize(
    ("factory", "payload"),
    [
        (PersonFactory, lambda p: {"given_name": "X", "national_number": p.national_number_formatted}),
        (
            OrganisationFactory,
            lambda p: {"kind": "organisation", "name": "X", "enterprise_number": p.enterprise_number},
        ),
        (AssociationFactory, lambda p: {"kind": "association", "name": "X", "association_code": p.association_code}),
    ],
)
def test_known_identifier_is_a_conflict_with_the_existing_party(kcc_client, factory, payload):
    existing = factory()
    before = written()
    response = kcc_client.post(PARTIES, payload(existing))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_identifier"
    assert body["existing_party"] == existing.pk
    assert written() == before


def test_read_party_records_access(kcc_client):
    party = PersonFactory()
    EmailFactory(party=party)
    response = kcc_client.get(f"{PARTIES}{party.pk}/")
    assert response.status_code == 200
    assert response.json()["email"] == party.contact_points.get().value
    log = AccessLog.objects.get()
    assert (log.user, log.party, log.via) == (kcc_client.user, party, "api_detail")


def test_unknown_party_is_404_and_logs_nothing(kcc_client):
    assert kcc_client.get(f"{PARTIES}424242/").status_code == 404
    assert not AccessLog.objects.exists()


def test_patch_changes_fields_and_makes_new_email_preferred(kcc_client):
    party = PersonFactory(family_name="Peeters")
    old = EmailFactory(party=party, value="oud@example.be")
    response = kcc_client.patch(f"{PARTIES}{party.pk}/", {"family_name": "Peters", "email": "Nieuw@Example.be"})
    assert response.status_code == 200, response.json()
    assert response.json()["email"] == "nieuw@example.be"
    party.refresh_from_db()
    old.refresh_from_db()
    assert party.family_name == "Peters"
    assert party.search_name.endswith("peters")
    assert old.preferred is False


def test_patch_with_identifier_of_another_party_is_a_conflict(kcc_client):
    party, other = PersonFactory(), PersonFactory()
    response = kcc_client.patch(f"{PARTIES}{party.pk}/", {"national_number": other.national_number})
    assert response.status_code == 409
    assert response.json()["existing_party"] == other.pk
    party.refresh_from_db()
    assert party.national_number != other.national_number


def test_patch_with_bad_phone_changes_nothing(kcc_client):
    party = PersonFactory(family_name="Peeters")
    response = kcc_client.patch(f"{PARTIES}{party.pk}/", {"family_name": "Janssens", "phone": "0470"})
    assert response.status_code == 400
    party.refresh_from_db()
    assert party.family_name == "Peeters"
    assert not party.contact_points.exists()


def test_tombstone_cannot_be_changed(kcc_client):
    survivor = PersonFactory()
    tombstone = PersonFactory(national_number=None, merged_into=survivor, merged_at=survivor.created_at)
    response = kcc_client.patch(f"{PARTIES}{tombstone.pk}/", {"given_name": "Nieuw"})
    assert response.status_code == 409
    assert response.json()["merged_into"] == survivor.pk


class TestSearch:
    def test_by_name_words_in_any_order_without_accents(self, kcc_client):
        wanted = PersonFactory(given_name="Amélie", family_name="De Smet")
        PersonFactory(given_name="Amélie", family_name="Peeters")
        response = kcc_client.get(PARTIES, {"q": "smet amelie"})
        assert [p["id"] for p in response.json()["results"]] == [wanted.pk]

    def test_by_identifiers_typed_any_way(self, kcc_client):
        person = PersonFactory()
        organisation = OrganisationFactory()
        association = AssociationFactory()
        for query, expected in (
            (person.national_number_formatted, person),
            (f"BE {organisation.enterprise_number_formatted}", organisation),
            (association.association_code.lower(), association),
        ):
            results = kcc_client.get(PARTIES, {"q": query}).json()["results"]
            assert [p["id"] for p in results] == [expected.pk], query

    def test_by_email_and_phone(self, kcc_client):
        email = EmailFactory(value="an@example.be")
        phone = PhoneFactory(value="+32470112233")
        assert [p["id"] for p in kcc_client.get(PARTIES, {"email": "AN@example.be"}).json()["results"]] == [
            email.party_id
        ]
        assert [p["id"] for p in kcc_client.get(PARTIES, {"phone": "0470 11 22 33"}).json()["results"]] == [
            phone.party_id
        ]
        assert [p["id"] for p in kcc_client.get(PARTIES, {"q": "0470/11.22.33"}).json()["results"]] == [phone.party_id]

    def test_exact_identifier_filters(self, kcc_client):
        person = PersonFactory()
        PersonFactory()
        results = kcc_client.get(PARTIES, {"national_number": person.national_number_formatted}).json()["results"]
        assert [p["id"] for p in results] == [person.pk]

    def test_malformed_identifier_filter_is_400(self, kcc_client):
        response = kcc_client.get(PARTIES, {"national_number": "123"})
        assert response.status_code == 400
        assert "national_number" in response.json()

    def test_tombstones_are_left_out_unless_asked(self, kcc_client):
        survivor = PersonFactory(family_name="Maes")
        tombstone = PersonFactory(
            family_name="Maes", national_number=None, merged_into=survivor, merged_at=survivor.created_at
        )
        ids = [p["id"] for p in kcc_client.get(PARTIES, {"q": "maes"}).json()["results"]]
        assert ids == [survivor.pk]
        ids = {p["id"] for p in kcc_client.get(PARTIES, {"q": "maes", "include_merged": "true"}).json()["results"]}
        assert ids == {survivor.pk, tombstone.pk}

    def test_list_has_no_n_plus_one(self, kcc_client, django_assert_max_num_queries):
        def make(n):
            for _ in range(n):
                organisation = AssociationFactory()
                RepresentativeFactory(organisation=organisation)
                EmailFactory(party=organisation, value=f"info{organisation.pk}@example.be")

        make(3)
        with django_assert_max_num_queries(8):
            small = kcc_client.get(PARTIES, {"kind": "association"})
        make(20)
        with django_assert_max_num_queries(8):
            large = kcc_client.get(PARTIES, {"kind": "association"})
        assert small.json()["count"] == 3
        assert large.json()["count"] == 23
        assert all(p["representatives"] and p["email"] for p in large.json()["results"])


class TestAccess:
    def test_anonymous_is_refused(self, api_client):
        assert api_client.get(PARTIES).status_code in (401, 403)

    def test_user_without_staff_role_is_refused(self, make_client):
        assert make_client(None).get(PARTIES).status_code == 403

    def test_handler_may_read_but_not_create(self, make_client):
        client = make_client("handler")
        assert client.get(PARTIES).status_code == 200
        assert client.post(PARTIES, {"given_name": "Jan"}).status_code == 403
        assert Party.objects.count() == 0

    def test_token_obtained_with_password_authenticates(self, api_client):
        user = UserFactory(role="front_desk", username="balie1")
        response = api_client.post("/api/v1/auth/token/", {"username": "balie1", "password": "secret-pass-123"})
        assert response.status_code == 200
        token = response.json()["token"]
        assert AuthToken.objects.get(user=user).token_key == token[:15]
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert api_client.get(PARTIES).status_code == 200

    def test_wrong_password_gets_no_token(self, api_client):
        UserFactory(role="front_desk", username="balie2")
        response = api_client.post("/api/v1/auth/token/", {"username": "balie2", "password": "wrong"})
        assert response.status_code == 400
        assert not AuthToken.objects.exists()


def test_birth_date_round_trip(kcc_client):
    response = kcc_client.post(PARTIES, {"given_name": "Lotte", "birth_date": "2003-01-05"})
    assert response.status_code == 201
    assert Party.objects.get().birth_date == date(2003, 1, 5)


class TestNameSearchPaging:
    def test_sorted_by_name_across_pages(self, kcc_client):
        for given in ("Zoë", "Anna", "Mark", "Ellen", "Bart"):
            PersonFactory(given_name=given, family_name="Wuyts")
        first = kcc_client.get(PARTIES, {"q": "wuyts", "page_size": 2}).json()
        second = kcc_client.get(first["next"]).json()
        third = kcc_client.get(second["next"]).json()
        names = [p["given_name"] for page in (first, second, third) for p in page["results"]]
        assert names == ["Anna", "Bart", "Ellen", "Mark", "Zoë"]
        assert first["count"] == 5 and third["next"] is None

    def test_at_most_the_limit_of_matches(self, kcc_client, monkeypatch):
        from contacts import selectors

        monkeypatch.setattr(selectors, "NAME_SEARCH_LIMIT", 3)
        PersonFactory.create_batch(5, family_name="Claes")
        assert kcc_client.get(PARTIES, {"q": "claes"}).json()["count"] == 3


def test_single_hit_lookup_needs_no_count_query(kcc_client, django_assert_num_queries):
    person = PersonFactory()
    with django_assert_num_queries(4):
        # permissions, the party, its contact points, the access log — no COUNT(*), no representatives
        response = kcc_client.get(PARTIES, {"national_number": person.national_number})
    assert response.json()["count"] == 1


def test_permission_given_to_the_user_directly_counts(api_client):
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    api_client.force_authenticate(user)
    assert api_client.get(PARTIES).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="view_party"))
    # As on a real request, the user is loaded afresh (permissions are memoised per user object).
    api_client.force_authenticate(type(user).objects.get(pk=user.pk))
    assert api_client.get(PARTIES).status_code == 200
