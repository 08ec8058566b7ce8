"""Bad input to the contacts API: a clear 400 naming the field, never a 500, and nothing written."""

from datetime import date

import pytest
from auditlog.models import LogEntry

from contacts.demo import national_number
from contacts.models import ContactPoint, Party, Representative
from tests.factories import AssociationFactory, EmailFactory, PersonFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db

PARTIES = "/api/v1/parties/"


def written():
    return (
        Party.objects.count(),
        ContactPoint.objects.count(),
        Representative.objects.count(),
        LogEntry.objects.count(),
    )


def insz_with_check_digits(first9: str, *, born_2000_or_later: bool = False) -> str:
    """An INSZ (national or BIS number) with the given first nine digits and valid check digits."""
    base = int(("2" if born_2000_or_later else "") + first9)
    return f"{first9}{97 - base % 97:02d}"


def refused(client, method: str, path: str, payload: dict, field: str, message: str = ""):
    before = written()
    response = getattr(client, method)(path, payload)
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert message in str(errors[field])
    assert written() == before
    return errors


class TestLengths:
    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"given_name": "J" * 101}, "given_name"),
            ({"family_name": "P" * 101}, "family_name"),
            ({"kind": "organisation", "name": "N" * 201}, "name"),
            ({"given_name": "Jan", "national_number": "8" * 40}, "national_number"),
            ({"given_name": "Jan", "email": f"{'a' * 320}@example.be"}, "email"),
            ({"given_name": "Jan", "address": {"street": "S" * 201, "city": "Gent"}}, "address"),
            ({"given_name": "Jan", "address": {"street": "Markt", "city": "Gent", "country": "BEL"}}, "address"),
            (
                {"given_name": "Jan", "contact_points": [{"kind": "email", "value": "a@b.be", "label": "L" * 51}]},
                "contact_points",
            ),
        ],
    )
    def test_too_long_for_its_column_is_refused(self, kcc_client, payload, field):
        refused(kcc_client, "post", PARTIES, payload, field, "")

    def test_a_search_term_has_a_maximum_length(self, kcc_client):
        response = kcc_client.get(PARTIES, {"q": "x" * 201})
        assert response.status_code == 400
        assert "q" in response.json()

    def test_a_role_has_the_length_of_its_column(self, kcc_client):
        association = AssociationFactory()
        refused(
            kcc_client,
            "post",
            f"{PARTIES}{association.pk}/representatives/",
            {"person": PersonFactory().pk, "role": "r" * 101},
            "role",
        )

    def test_the_longest_address_its_parts_allow_fits_its_one_line_form(self, kcc_client):
        """The one-line form of an address can be longer than an e-mail address: it used to overflow (500)."""
        party = PersonFactory()
        address = {
            "street": "S" * 200,
            "house_number": "1" * 20,
            "box": "B" * 20,
            "postal_code": "9" * 10,
            "city": "C" * 100,
            "country": "NL",
        }

        response = kcc_client.post(f"{PARTIES}{party.pk}/contact-points/", {"kind": "address", "address": address})

        assert response.status_code == 201, response.content
        point = ContactPoint.objects.get()
        assert point.value == f"{'S' * 200} {'1' * 20} bus {'B' * 20}, {'9' * 10} {'C' * 100}, NL"

    def test_a_name_that_decomposes_into_more_letters_still_fits(self, kcc_client):
        """Search compares names decomposed (NFKD): one ligature becomes many letters and used to overflow."""
        response = kcc_client.post(PARTIES, {"given_name": "\ufdfa" * 100, "family_name": "Peeters"})

        assert response.status_code == 201, response.content
        party = Party.objects.get()
        assert len(party.search_name) == Party._meta.get_field("search_name").max_length


class TestInvisibleCharacters:
    def test_they_are_stripped_from_names(self, kcc_client):
        response = kcc_client.post(
            PARTIES,
            {"given_name": "\u200bJan\u200e", "family_name": "Pee\x00ters\u202e", "email": "jan@example.be"},
        )

        assert response.status_code == 201, response.content
        party = Party.objects.get()
        assert (party.given_name, party.family_name, party.search_name) == ("Jan", "Peeters", "jan peeters")

    @pytest.mark.parametrize("name", ["\u200b\u200b", "\u200e\u200f", "\x00", "\u202e\u2066 \u2069", "\x07\x1b"])
    def test_a_name_of_nothing_but_them_is_refused(self, kcc_client, name):
        refused(kcc_client, "post", PARTIES, {"given_name": name, "family_name": "Peeters"}, "given_name", "visible")

    def test_a_change_to_such_a_name_is_refused(self, kcc_client):
        party = PersonFactory(family_name="Peeters")
        refused(kcc_client, "patch", f"{PARTIES}{party.pk}/", {"family_name": "\u200b"}, "family_name", "visible")
        party.refresh_from_db()
        assert party.family_name == "Peeters"

    def test_they_are_stripped_from_a_role_and_a_label(self, kcc_client):
        association, person = AssociationFactory(), PersonFactory()

        kcc_client.post(
            f"{PARTIES}{association.pk}/representatives/", {"person": person.pk, "role": "voor\u200bzitter"}
        )
        kcc_client.post(
            f"{PARTIES}{person.pk}/contact-points/", {"kind": "email", "value": "a@b.be", "label": "\u202ewerk"}
        )

        assert Representative.objects.get().role == "voorzitter"
        assert ContactPoint.objects.get().label == "werk"

    def test_an_address_of_invisible_characters_is_no_address(self, kcc_client):
        party = PersonFactory()
        refused(
            kcc_client,
            "post",
            f"{PARTIES}{party.pk}/contact-points/",
            {"kind": "address", "address": {"street": "\u200b", "city": "Gent"}},
            "address",
            "street: This text has no visible characters.",
        )


class TestBirthDate:
    def test_one_that_contradicts_the_national_number_is_refused(self, kcc_client):
        refused(
            kcc_client,
            "post",
            PARTIES,
            {
                "given_name": "Jan",
                "national_number": national_number(date(1985, 7, 30), 33),
                "birth_date": "1985-07-31",
            },
            "birth_date",
            "differs from the one in the national number",
        )

    def test_one_that_agrees_with_the_national_number_is_accepted(self, kcc_client):
        payload = {"given_name": "Jan", "national_number": national_number(date(1985, 7, 30), 33)}
        assert kcc_client.post(PARTIES, payload | {"birth_date": "1985-07-30"}).status_code == 201

    def test_a_change_of_either_is_checked_against_the_other(self, kcc_client):
        party = PersonFactory(birth_date=date(1985, 7, 30), national_number=national_number(date(1985, 7, 30), 33))
        path = f"{PARTIES}{party.pk}/"
        refused(kcc_client, "patch", path, {"birth_date": "1986-07-30"}, "birth_date", "national number")
        refused(
            kcc_client, "patch", path, {"national_number": national_number(date(1990, 1, 1), 5)}, "birth_date", "INSZ"
        )

    def test_an_old_inconsistency_does_not_block_other_changes(self, kcc_client):
        party = PersonFactory(birth_date=date(1970, 1, 1), national_number=national_number(date(1985, 7, 30), 33))
        assert kcc_client.patch(f"{PARTIES}{party.pk}/", {"given_name": "Lotte"}).status_code == 200

    @pytest.mark.parametrize(
        ("first9", "agrees", "contradicts"),
        [
            # BIS number, birth month + 20 (sex unknown), fully known date: 1985-07-30.
            ("852730001", "1985-07-30", "1985-07-29"),
            # BIS number, birth month + 40: 1985-07-30.
            ("854730002", "1985-07-30", "1985-08-30"),
            # BIS number with an unknown month and day (month 20 + 0): only the year counts.
            ("852000003", "1985-11-02", "1984-11-02"),
            # National number whose day counter ran out (day 00): the year and month count.
            ("850700004", "1985-07-12", "1985-06-12"),
            # Issued without any known birth date (00 00 01): nothing to contradict.
            ("000001005", "1962-03-04", None),
        ],
    )
    def test_bis_numbers_and_unknown_parts(self, kcc_client, first9, agrees, contradicts):
        insz = insz_with_check_digits(first9)
        if contradicts:
            refused(
                kcc_client,
                "post",
                PARTIES,
                {"given_name": "Jan", "national_number": insz, "birth_date": contradicts},
                "birth_date",
                "national number",
            )
        response = kcc_client.post(PARTIES, {"given_name": "Jan", "national_number": insz, "birth_date": agrees})
        assert response.status_code == 201, response.content

    @pytest.mark.parametrize("day", ["1899-12-31", "0001-01-01", "1090-05-01"])
    def test_before_1900_is_refused(self, kcc_client, day):
        refused(kcc_client, "post", PARTIES, {"given_name": "Jan", "birth_date": day}, "birth_date", "1900-01-01")

    def test_1900_itself_is_accepted(self, kcc_client):
        assert kcc_client.post(PARTIES, {"given_name": "Jan", "birth_date": "1900-01-01"}).status_code == 201

    def test_resolving_a_party_refuses_the_same_dates(self):
        from django.core.exceptions import ValidationError

        from contacts import services

        with pytest.raises(ValidationError) as refused_:
            services.party_resolve(actor=None, data={"given_name": "Jan", "birth_date": date(1850, 1, 1)})
        assert "birth_date" in refused_.value.message_dict
        assert not Party.objects.exists()

    def test_a_contact_about_a_known_person_does_not_add_a_date_their_insz_contradicts(self):
        from contacts import services

        person = PersonFactory(
            given_name="Jan", birth_date=None, national_number=national_number(date(1985, 7, 30), 33)
        )
        EmailFactory(party=person, value="jan@example.be")

        party, matched_on = services.party_resolve(
            actor=None, data={"given_name": "Jan", "email": "jan@example.be", "birth_date": date(1985, 7, 29)}
        )

        assert (party, matched_on) == (person, "email")
        person.refresh_from_db()
        assert person.birth_date is None


class TestMandates:
    @pytest.mark.parametrize("field", ["valid_from", "valid_until"])
    def test_dates_before_1900_are_refused(self, kcc_client, field):
        association = AssociationFactory()
        refused(
            kcc_client,
            "post",
            f"{PARTIES}{association.pk}/representatives/",
            {"person": PersonFactory().pk, "role": "lid", field: "1800-01-01"},
            field,
            "1900-01-01",
        )

    def test_a_change_before_1900_is_refused(self, kcc_client):
        rep = RepresentativeFactory()
        refused(
            kcc_client,
            "patch",
            f"{PARTIES}{rep.organisation_id}/representatives/{rep.pk}/",
            {"valid_from": "1066-10-14"},
            "valid_from",
        )
