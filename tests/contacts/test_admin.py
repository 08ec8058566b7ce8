import re
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from contacts import services
from contacts.demo import national_number
from contacts.models import AccessLog, Contact, ContactPoint, Party, PartyKind, PartyMerge
from tests.contacts.admin_forms import inline
from tests.factories import (
    AssociationFactory,
    ContactFactory,
    EmailFactory,
    OrganisationFactory,
    PersonFactory,
    PhoneFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """The assertions read the English source texts, whatever translations exist."""
    settings.LANGUAGE_CODE = "en"


INSZ = national_number(date(1985, 7, 30), 33)  # 85.07.30-033.28


def url(name: str, *args) -> str:
    return reverse(f"admin:contacts_{name}", args=args)


def person_data(**fields) -> dict:
    return {
        "kind": "person",
        "language": "nl",
        "preferred_channel": "",
        "given_name": "Jan",
        "family_name": "Peeters",
        "birth_date": "",
        "national_number": "",
        "name": "",
        "enterprise_number": "",
        "association_code": "",
        **fields,
    }


def add_party(client, points: list[dict] = (), representatives: list[dict] = (), **fields):
    data = person_data(**fields) | inline("contact_points", points) | inline("representatives", representatives)
    return client.post(url("party_add"), data)


def errors_of(response) -> str:
    """Every error the admin form shows: the form's, each inline form's and each formset's."""
    context = response.context
    parts = [str(context["adminform"].form.errors)]
    for formset in context["inline_admin_formsets"]:
        parts += [str(formset.formset.errors), str(formset.formset.non_form_errors())]
    return " ".join(parts)


@pytest.fixture
def staff_client(client):
    """``staff_client("kcc")``: the test client logged in as a staff user with that role."""

    def make(role: str):
        user = UserFactory(role=role, is_staff=True)
        client.force_login(user)
        client.user = user
        return client

    return make


class TestPages:
    def test_every_changelist_and_change_page_renders(self, admin_client, admin_user):
        association = AssociationFactory()
        person = PersonFactory()
        EmailFactory(party=person)
        RepresentativeFactory(organisation=association, person=person)
        contact = ContactFactory(party=person, handled_by=admin_user)
        services.access_log_record(user=admin_user, party=person, via=AccessLog.Via.API_DETAIL)
        duplicate = PersonFactory(national_number=None)
        merge = services.party_merge(actor=admin_user, survivor=person, duplicate=duplicate)
        log = AccessLog.objects.first()

        for name, obj in (
            ("party", person),
            ("party", association),
            ("party", duplicate),
            ("contact", contact),
            ("accesslog", log),
            ("partymerge", merge),
        ):
            assert admin_client.get(url(f"{name}_changelist")).status_code == 200
            assert admin_client.get(url(f"{name}_change", obj.pk)).status_code == 200
        assert admin_client.get(url("party_add")).status_code == 200
        assert admin_client.get(url("contact_add")).status_code == 200

    def test_party_change_page_shows_contact_points_representatives_and_recent_contacts(self, admin_client):
        association = AssociationFactory(name="Harmonie De Eendracht vzw")
        person = PersonFactory(given_name="Els", family_name="Wouters")
        RepresentativeFactory(organisation=association, person=person, role="penningmeester")
        EmailFactory(party=association, value="info@eendracht.be")
        for i in range(12):
            ContactFactory(party=association, subject=f"Zaalreservatie {i:02d}")

        page = admin_client.get(url("party_change", association.pk)).content.decode()

        assert "info@eendracht.be" in page
        assert "penningmeester" in page
        # The newest ten contacts, not all twelve.
        assert set(re.findall(r"Zaalreservatie (\d+)", page)) == {f"{i:02d}" for i in range(2, 12)}

    def test_a_person_has_no_representatives_inline(self, admin_client):
        person = PersonFactory()

        response = admin_client.get(url("party_change", person.pk))

        prefixes = [formset.formset.prefix for formset in response.context["inline_admin_formsets"]]
        assert prefixes == ["contact_points", "contacts"]

    def test_merge_shows_what_moved_pretty_printed(self, admin_client, admin_user):
        survivor, duplicate = PersonFactory(), PersonFactory(national_number=None)
        ContactFactory(party=duplicate)
        merge = services.party_merge(actor=admin_user, survivor=survivor, duplicate=duplicate)

        page = admin_client.get(url("partymerge_change", merge.pk)).content.decode()

        assert "<pre>{\n" in page
        assert '"contacts.contact": [' in page.replace("&quot;", '"')

    def test_site_titles(self, admin_client):
        page = admin_client.get(reverse("admin:index")).content.decode()

        assert "Midoffice administration" in page


class TestSearch:
    @pytest.mark.parametrize("term", ["85.07.30-033.28", "85073003328", "850730-033", " 85 07 30 033 28 "])
    def test_a_formatted_national_number_finds_the_party(self, admin_client, term):
        party = PersonFactory(national_number=INSZ)
        PersonFactory.create_batch(3)

        response = admin_client.get(url("party_changelist"), {"q": term})

        assert [p.pk for p in response.context["cl"].result_list] == [party.pk]

    @pytest.mark.parametrize("term", ["BE 0403.170.701", "0403 170 701", "0403170701"])
    def test_a_formatted_enterprise_number_finds_the_party(self, admin_client, term):
        party = OrganisationFactory(enterprise_number="0403170701")
        OrganisationFactory()

        response = admin_client.get(url("party_changelist"), {"q": term})

        assert [p.pk for p in response.context["cl"].result_list] == [party.pk]

    @pytest.mark.parametrize("term", ["0470 12 34 56", "+32 470 12.34.56", "12 34 56"])
    def test_a_phone_number_in_any_notation_finds_the_party(self, admin_client, term):
        party = PhoneFactory(value="+32470123456").party
        PhoneFactory(value="+32471999999")

        response = admin_client.get(url("party_changelist"), {"q": term})

        assert [p.pk for p in response.context["cl"].result_list] == [party.pk]

    def test_names_e_mail_postal_code_and_vcode(self, admin_client):
        gerard = PersonFactory(given_name="Gérard", family_name="Van den Bossche", national_number=INSZ)
        EmailFactory(party=gerard, value="gerard.vdb@telenet.be")
        services.contact_point_add(
            actor=None,
            party=gerard,
            kind="address",
            address={"street": "Kouter", "house_number": "9", "postal_code": "9000", "city": "Gent"},
        )
        association = AssociationFactory(association_code="V0001234")
        PersonFactory(given_name="Anna", family_name="Claes", national_number=None)

        def found(term):
            return {p.pk for p in admin_client.get(url("party_changelist"), {"q": term}).context["cl"].result_list}

        assert found("gerard bossche") == {gerard.pk}
        assert found("Gérard") == {gerard.pk}
        assert found("gerard.vdb@telenet.be") == {gerard.pk}
        assert found("v 0001234") == {association.pk}
        assert found("9000") == {gerard.pk}

    def test_autocomplete_for_a_representative_offers_live_persons_only(self, admin_client, admin_user):
        person = PersonFactory(family_name="Maes")
        PersonFactory(family_name="Maes", national_number=None, merged_into=person, merged_at="2024-01-01T00:00Z")
        OrganisationFactory(name="Maes NV")

        response = admin_client.get(
            reverse("admin:autocomplete"),
            {"term": "maes", "app_label": "contacts", "model_name": "representative", "field_name": "person"},
        )

        assert [int(r["id"]) for r in response.json()["results"]] == [person.pk]


class TestAccessLogging:
    def test_opening_a_party_writes_one_access_log_entry(self, admin_client, admin_user):
        party = PersonFactory()

        response = admin_client.get(url("party_change", party.pk))

        assert response.status_code == 200
        log = AccessLog.objects.get()
        assert (log.party_id, log.user_id, log.username, log.via) == (party.pk, admin_user.pk, "admin", "admin")

    def test_saving_and_a_missing_party_log_nothing(self, admin_client):
        party = PersonFactory(given_name="Jan", family_name="Peeters", national_number=None, birth_date=None)

        admin_client.get(url("party_change", 999999))
        admin_client.post(url("party_change", party.pk), person_data() | inline("contact_points") | inline("contacts"))

        assert not AccessLog.objects.exists()

    def test_a_user_without_view_permission_is_refused_and_not_logged(self, staff_client):
        client = staff_client("front_desk")
        Group.objects.get(name="front_desk").permissions.clear()
        party = PersonFactory()

        assert client.get(url("party_change", party.pk)).status_code == 403
        assert not AccessLog.objects.exists()


class TestAddAndChange:
    def test_adding_a_party_goes_through_the_service_with_its_contact_points(self, admin_client, admin_user):
        response = add_party(
            admin_client,
            national_number="85.07.30-033.28",
            birth_date="1985-07-30",
            points=[
                {"kind": "email", "value": "Jan.Peeters@Telenet.be", "country": "BE"},
                {"kind": "phone", "value": "0470 12 34 56", "country": "BE"},
                {"kind": "address", "street": "Kerkstraat", "house_number": "12", "postal_code": "9000"}
                | {"city": "Gent", "country": "be"},
            ],
        )

        assert response.status_code == 302, errors_of(response)
        party = Party.objects.get()
        assert (party.national_number, party.search_name) == (INSZ, "jan peeters")
        points = {p.kind: (p.value, p.preferred) for p in party.contact_points.all()}
        assert points == {
            "email": ("jan.peeters@telenet.be", True),
            "phone": ("+32470123456", True),
            "address": ("Kerkstraat 12, 9000 Gent", True),
        }
        assert party.contact_points.get(kind="address").country == "BE"

    def test_an_association_with_representatives(self, admin_client):
        person = PersonFactory()

        response = add_party(
            admin_client,
            kind="association",
            given_name="",
            family_name="",
            name="Wielerclub De Ketting vzw",
            association_code="v0000042",
            representatives=[{"person": person.pk, "role": "voorzitter", "valid_from": "2020-01-01"}],
        )

        assert response.status_code == 302, errors_of(response)
        association = Party.objects.get(kind="association")
        assert association.association_code == "V0000042"
        assert list(association.representatives.values_list("person_id", "role")) == [(person.pk, "voorzitter")]

    def test_a_party_known_only_by_its_e_mail_address(self, admin_client):
        response = add_party(admin_client, given_name="", family_name="", points=[{"kind": "email", "value": "a@b.be"}])

        assert response.status_code == 302, errors_of(response)
        assert Party.objects.get().contact_points.get().value == "a@b.be"

    def test_a_party_without_name_identifier_or_contact_point_is_refused(self, admin_client):
        response = add_party(admin_client, given_name="", family_name="")

        assert response.status_code == 200
        assert "A party needs a name, an identifier or a contact point." in errors_of(response)
        assert not Party.objects.exists()

    @pytest.mark.parametrize("role", ["front_desk", "kcc", "supervisor"])
    def test_roles_that_may_change_parties_manage_their_contact_points(self, staff_client, role):
        """As in the API, contact points are part of the party: change_party is what it takes."""
        client = staff_client(role)

        response = add_party(client, given_name="", family_name="", points=[{"kind": "phone", "value": "0470123456"}])

        assert response.status_code == 302, errors_of(response)
        party = Party.objects.get()
        page = client.get(url("party_change", party.pk))
        prefixes = {formset.formset.prefix: formset for formset in page.context["inline_admin_formsets"]}
        assert prefixes["contact_points"].has_change_permission
        assert prefixes["contact_points"].has_delete_permission

    def test_handlers_see_contact_points_but_change_nothing(self, staff_client):
        client = staff_client("handler")
        party = EmailFactory(value="jan@telenet.be").party

        page = client.get(url("party_change", party.pk))

        assert "jan@telenet.be" in page.content.decode()
        formsets = {formset.formset.prefix: formset for formset in page.context["inline_admin_formsets"]}
        assert not formsets["contact_points"].has_change_permission
        assert not formsets["contact_points"].has_add_permission

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("85.07.30-033.29", "Invalid national number (INSZ): the check digits are wrong."),
            ("85.07.30-033", "Invalid national number (INSZ): it has the wrong number of digits."),
        ],
    )
    def test_a_bad_national_number_is_a_form_error_and_writes_nothing(self, admin_client, value, message):
        PersonFactory()
        before = Party.objects.count()

        response = add_party(admin_client, national_number=value, points=[{"kind": "email", "value": "x@y.be"}])

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["national_number"] == [message]
        assert Party.objects.count() == before
        assert not ContactPoint.objects.exists()

    def test_a_national_number_already_used_names_the_existing_party_and_writes_nothing(self, admin_client):
        existing = PersonFactory(national_number=INSZ)

        response = add_party(admin_client, national_number="85.07.30-033.28")

        assert response.status_code == 200
        error = response.context["adminform"].form.errors["national_number"][0]
        assert "Another party already has this national number" in error
        assert f"party #{existing.pk}" in error
        assert url("party_change", existing.pk) in error
        assert Party.objects.count() == 1

    @pytest.mark.parametrize(
        ("fields", "field", "message"),
        [
            ({"enterprise_number": "0403170701"}, "enterprise_number", "A party of kind Person cannot have"),
            ({"name": "Jan Peeters"}, "name", "A person has a given and a family name, not a name."),
            ({"birth_date": "2999-01-01"}, "birth_date", "The birth date lies in the future."),
        ],
    )
    def test_kind_rules(self, admin_client, fields, field, message):
        response = add_party(admin_client, **fields)

        assert response.status_code == 200
        assert message in response.context["adminform"].form.errors[field][0]
        assert not Party.objects.exists()

    @pytest.mark.parametrize(
        ("points", "message"),
        [
            ([{"kind": "email", "value": "not-an-address"}], "Invalid e-mail address."),
            ([{"kind": "phone", "value": "12"}], "Invalid phone number."),
            ([{"kind": "address", "street": "Kerkstraat"}], "A postal address needs at least a street and a city."),
            (
                [
                    {"kind": "email", "value": "a@b.be", "preferred": "on"},
                    {"kind": "email", "value": "c@d.be"},
                    {"kind": "email", "value": "e@f.be", "preferred": "on"},
                ],
                "Only one E-mail address can be the preferred one.",
            ),
            (
                [{"kind": "email", "value": "A@b.be"}, {"kind": "email", "value": "a@b.be"}],
                "Please correct the duplicate data for kind and value",
            ),
        ],
    )
    def test_bad_contact_points_are_form_errors(self, admin_client, points, message):
        response = add_party(admin_client, points=points)

        assert response.status_code == 200
        assert message in errors_of(response)
        assert not Party.objects.exists()

    def test_a_representative_must_be_a_live_person(self, admin_client):
        organisation, tombstone_target = OrganisationFactory(), PersonFactory()
        tombstone = PersonFactory(national_number=None, merged_into=tombstone_target, merged_at="2024-01-01T00:00Z")

        response = add_party(
            admin_client,
            kind="association",
            given_name="",
            family_name="",
            name="Buurtcomité Ter Heide",
            representatives=[
                {"person": organisation.pk, "role": "voorzitter"},
                {"person": tombstone.pk, "role": "secretaris"},
                {"person": tombstone_target.pk, "role": "lid", "valid_from": "2024-02-01", "valid_until": "2024-01-01"},
            ],
        )

        errors = errors_of(response)
        assert "A representative must be a person." in errors
        assert f"Party {tombstone.pk} was merged into another party." in errors
        assert "The end of the period lies before its start." in errors
        assert not Party.objects.filter(kind="association").exists()

    def test_changing_a_party_goes_through_the_service(self, admin_client):
        party = PersonFactory(given_name="Jan", family_name="Peeters", national_number=None, birth_date=None)
        point = EmailFactory(party=party, value="oud@telenet.be")
        data = person_data(family_name="Peters", national_number="85.07.30-033.28", birth_date="1985-07-30")
        rows = [{"id": point.pk, "party": party.pk, "kind": "email", "value": point.value, "country": "BE"}]
        rows.append({"kind": "email", "value": "Nieuw@Telenet.be", "preferred": "on", "country": "BE"})
        rows[0]["preferred"] = ""

        response = admin_client.post(
            url("party_change", party.pk), data | inline("contact_points", rows, initial=1) | inline("contacts")
        )

        assert response.status_code == 302, errors_of(response)
        party.refresh_from_db()
        assert (party.family_name, party.search_name, party.national_number) == ("Peters", "jan peters", INSZ)
        assert dict(party.contact_points.values_list("value", "preferred")) == {
            "oud@telenet.be": False,
            "nieuw@telenet.be": True,
        }

    def test_changing_to_a_used_national_number_is_refused(self, admin_client):
        existing = PersonFactory(national_number=INSZ)
        party = PersonFactory(given_name="Jan", family_name="Peeters")
        before = party.national_number

        response = admin_client.post(
            url("party_change", party.pk),
            person_data(national_number=INSZ) | inline("contact_points") | inline("contacts"),
        )

        assert response.status_code == 200
        assert f"party #{existing.pk}" in response.context["adminform"].form.errors["national_number"][0]
        party.refresh_from_db()
        assert party.national_number == before

    def test_a_tombstone_is_read_only(self, admin_client):
        survivor = PersonFactory()
        tombstone = PersonFactory(national_number=None, merged_into=survivor, merged_at="2024-01-01T00:00Z")

        response = admin_client.post(
            url("party_change", tombstone.pk), person_data() | inline("contact_points") | inline("contacts")
        )

        assert response.status_code == 403

    def test_adding_a_contact_goes_through_contact_log(self, admin_client, admin_user):
        party = PersonFactory()
        data = {
            "party": party.pk,
            "channel": "counter",
            "source": "staff",
            "direction": "inbound",
            "occurred_at_0": "2024-03-01",
            "occurred_at_1": "10:00:00",
            "subject": "Aanvraag parkeerkaart",
            "outcome": "answered",
        }

        response = admin_client.post(url("contact_add"), data)

        assert response.status_code == 302
        contact = Contact.objects.get()
        assert (contact.party, contact.handled_by, contact.matched_on) == (party, admin_user, "given")

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"anonymous": "on"}, "An anonymous contact cannot be linked to a party."),
            ({"party": ""}, "Link the contact to a party (party or party_data) or set anonymous explicitly."),
            ({"occurred_at_0": "2999-01-01"}, "The contact cannot lie in the future."),
            ({"started_at_0": "2024-03-02", "started_at_1": "10:00:00"}, "The start lies after the moment of contact."),
            ({"summary": "x" * 10_001}, "Ensure this value has at most 10000 characters (it has 10001)."),
        ],
    )
    def test_a_bad_contact_is_a_form_error(self, admin_client, fields, message):
        party = PersonFactory()
        data = {
            "party": party.pk,
            "channel": "phone",
            "source": "staff",
            "direction": "inbound",
            "occurred_at_0": "2024-03-01",
            "occurred_at_1": "10:00:00",
            "subject": "Vraag over afvalophaling",
        }

        response = admin_client.post(url("contact_add"), data | fields)

        assert response.status_code == 200
        assert message in str(response.context["adminform"].form.errors)
        assert not Contact.objects.exists()


class TestInlineRows:
    """Existing contact points and representatives changed or removed in the party's change form."""

    def post(self, client, party, points=(), representatives=()):
        data = {
            "kind": party.kind,
            "language": party.language,
            "preferred_channel": "",
            "name": party.name,
            "association_code": party.association_code or "",
            "enterprise_number": party.enterprise_number or "",
        }
        data |= inline("contact_points", points, initial=sum(1 for row in points if "id" in row))
        data |= inline("representatives", representatives, initial=sum(1 for row in representatives if "id" in row))
        response = client.post(url("party_change", party.pk), data | inline("contacts"))
        assert response.status_code == 302, errors_of(response)

    @staticmethod
    def point_row(point, **changes):
        row = {"id": point.pk, "party": point.party_id, "kind": point.kind, "value": point.value, "country": "BE"}
        return row | {"preferred": "on" if point.preferred else ""} | changes

    @staticmethod
    def representative_row(representative, **changes):
        row = {"id": representative.pk, "organisation": representative.organisation_id}
        row |= {"person": representative.person_id, "role": representative.role}
        row |= {"valid_from": representative.valid_from or "", "valid_until": representative.valid_until or ""}
        return row | changes

    def test_removing_the_preferred_e_mail_while_preferring_another(self, admin_client):
        association = AssociationFactory()
        first = EmailFactory(party=association, value="a@club.be", preferred=True)
        second = EmailFactory(party=association, value="b@club.be", preferred=False)
        third = EmailFactory(party=association, value="c@club.be", preferred=False)

        self.post(
            admin_client,
            association,
            points=[
                self.point_row(first, DELETE="on"),
                self.point_row(second, preferred="on"),
                self.point_row(third),
            ],
        )

        assert dict(association.contact_points.values_list("value", "preferred")) == {
            "b@club.be": True,
            "c@club.be": False,
        }

    def test_removing_the_preferred_e_mail_makes_another_preferred(self, admin_client):
        association = AssociationFactory()
        first = EmailFactory(party=association, value="a@club.be", preferred=True)
        second = EmailFactory(party=association, value="b@club.be", preferred=False)

        self.post(admin_client, association, points=[self.point_row(first, DELETE="on"), self.point_row(second)])

        assert dict(association.contact_points.values_list("value", "preferred")) == {"b@club.be": True}

    def test_correcting_a_value_keeps_the_preference(self, admin_client):
        association = AssociationFactory()
        point = PhoneFactory(party=association, value="+3292345678", preferred=True)

        self.post(admin_client, association, points=[self.point_row(point, value="09 234 56 79", label="secretariaat")])

        point.refresh_from_db()
        assert (point.value, point.label, point.preferred) == ("+3292345679", "secretariaat", True)

    def test_representatives_changed_ended_reopened_replaced_and_removed(self, admin_client):
        association = AssociationFactory()
        chair, secretary, treasurer, member = (
            RepresentativeFactory(organisation=association, role=role, valid_from=date(2020, 1, 1))
            for role in ("voorzitter", "secretaris", "penningmeester", "lid")
        )
        treasurer.valid_until = date(2023, 12, 31)
        treasurer.save()
        successor = PersonFactory()

        self.post(
            admin_client,
            association,
            representatives=[
                self.representative_row(chair, valid_until="2024-06-30"),
                self.representative_row(secretary, role="contactpersoon"),
                self.representative_row(treasurer, valid_until=""),
                self.representative_row(member, person=successor.pk),
            ],
        )

        rows = set(association.representatives.values_list("person_id", "role", "valid_from", "valid_until"))
        assert rows == {
            (chair.person_id, "voorzitter", date(2020, 1, 1), date(2024, 6, 30)),
            (secretary.person_id, "contactpersoon", date(2020, 1, 1), None),
            (treasurer.person_id, "penningmeester", date(2020, 1, 1), None),
            (successor.pk, "lid", date(2020, 1, 1), None),
        }
        self.post(admin_client, association, representatives=[self.representative_row(chair, DELETE="on")])
        assert not association.representatives.filter(person=chair.person).exists()


class TestMerge:
    def merge(self, client, *parties):
        return client.post(
            url("party_changelist"),
            {"action": "merge_into_oldest", "_selected_action": [p.pk for p in parties]},
            follow=True,
        )

    def test_merges_the_selection_into_the_oldest(self, admin_client, admin_user):
        survivor = PersonFactory(national_number=None)
        duplicate = PersonFactory()
        EmailFactory(party=duplicate)
        contact = ContactFactory(party=duplicate)

        response = self.merge(admin_client, duplicate, survivor)

        assert f"Merged 1 party into party #{survivor.pk}." in [str(m) for m in response.context["messages"]]
        duplicate.refresh_from_db()
        survivor.refresh_from_db()
        contact.refresh_from_db()
        assert duplicate.merged_into == survivor
        assert survivor.national_number is not None
        assert contact.party == survivor
        assert PartyMerge.objects.get().actor == admin_user

    def test_a_refused_merge_shows_an_error_and_changes_nothing(self, admin_client):
        survivor, other, conflicting = PersonFactory(), PersonFactory(national_number=None), PersonFactory()
        contact = ContactFactory(party=other)

        response = self.merge(admin_client, survivor, other, conflicting)

        errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
        assert len(errors) == 1
        assert errors[0].startswith(
            "Nothing was merged: The parties have different identifiers (national number (INSZ))"
        )
        assert not Party.objects.filter(merged_into__isnull=False).exists()
        assert not PartyMerge.objects.exists()
        contact.refresh_from_db()
        assert contact.party == other

    def test_kinds_and_tombstones_are_refused(self, admin_client):
        person, organisation = PersonFactory(), OrganisationFactory()

        response = self.merge(admin_client, person, organisation)

        assert any("cannot be merged with" in str(m) for m in response.context["messages"])
        assert not PartyMerge.objects.exists()

    def test_only_users_who_may_merge_see_the_action(self, staff_client):
        kcc_actions = staff_client("kcc").get(url("party_changelist")).context["action_form"].fields["action"].choices
        assert "merge_into_oldest" in dict(kcc_actions)
        front_desk = staff_client("front_desk")
        a, b = PersonFactory(), PersonFactory(national_number=None)

        assert front_desk.get(url("party_changelist")).context["action_form"] is None
        self.merge(front_desk, a, b)
        assert not PartyMerge.objects.exists()


class TestReadOnlyAudit:
    def test_access_log_offers_no_add_change_or_delete(self, admin_client, admin_user):
        party = PersonFactory()
        log = services.access_log_record(user=admin_user, party=party, via=AccessLog.Via.API_DETAIL)

        assert admin_client.get(url("accesslog_add")).status_code == 403
        assert admin_client.get(url("accesslog_delete", log.pk)).status_code == 403
        response = admin_client.post(url("accesslog_change", log.pk), {"username": "someone-else", "via": "admin"})
        assert response.status_code == 403
        log.refresh_from_db()
        assert (log.username, log.via) == (admin_user.username, "api_detail")
        page = admin_client.get(url("accesslog_change", log.pk))
        assert page.status_code == 200
        assert not page.context["has_change_permission"]
        assert not page.context["has_delete_permission"]

    def test_supervisors_see_the_access_log_and_search_it_by_user_or_party(self, staff_client):
        client = staff_client("supervisor")
        jan, piet = PersonFactory(), PersonFactory()
        services.access_log_record(user=client.user, party=jan, via=AccessLog.Via.ADMIN)
        other = UserFactory(username="piet.kcc")
        services.access_log_record(user=other, party=piet, via=AccessLog.Via.API_DETAIL)

        def found(term):
            return {
                log.party_id for log in client.get(url("accesslog_changelist"), {"q": term}).context["cl"].result_list
            }

        assert found("piet.kcc") == {piet.pk}
        assert found(str(jan.pk)) == {jan.pk}
        assert found("no-such-user") == set()

    def test_handlers_do_not_see_the_access_log(self, staff_client):
        assert staff_client("handler").get(url("accesslog_changelist")).status_code == 403

    def test_party_merges_are_read_only(self, admin_client, admin_user):
        merge = services.party_merge(
            actor=admin_user, survivor=PersonFactory(), duplicate=PersonFactory(national_number=None)
        )

        assert admin_client.get(url("partymerge_add")).status_code == 403
        assert admin_client.post(url("partymerge_change", merge.pk), {}).status_code == 403
        assert admin_client.get(url("partymerge_delete", merge.pk)).status_code == 403


class TestQueryCounts:
    def add_rows(self, user, count):
        for _ in range(count):
            person = PersonFactory()
            EmailFactory(party=person)
            tombstone = PersonFactory(national_number=None)
            services.party_merge(actor=user, survivor=person, duplicate=tombstone)
            ContactFactory(party=person, handled_by=user)
            services.access_log_record(user=user, party=person, via=AccessLog.Via.ADMIN)
        association = AssociationFactory()
        RepresentativeFactory(organisation=association)

    @pytest.mark.parametrize(
        "page",
        ["party_changelist", "contact_changelist", "accesslog_changelist", "partymerge_changelist"],
    )
    def test_changelists_do_not_grow_with_the_rows(self, staff_client, django_assert_max_num_queries, page):
        client = staff_client("supervisor")
        client.user.user_permissions.add(*Group.objects.get(name="functional_admin").permissions.all())
        for rows in (5, 25):
            self.add_rows(client.user, rows)
            with django_assert_max_num_queries(10):
                response = client.get(url(page), {"q": "a"} if page == "party_changelist" else {})
            assert response.status_code == 200
            assert len(response.context["cl"].result_list) >= min(rows, 5)

    def test_party_change_page_does_not_grow_with_contacts_or_contact_points(
        self, admin_client, admin_user, django_assert_max_num_queries
    ):
        association = AssociationFactory()
        RepresentativeFactory.create_batch(2, organisation=association)
        for rows in (2, 12):
            for _ in range(rows):
                ContactFactory(party=association, handled_by=UserFactory())
                EmailFactory(party=association, preferred=False)
            with django_assert_max_num_queries(15):
                assert admin_client.get(url("party_change", association.pk)).status_code == 200


def test_an_organisation_accepts_a_kbo_number_typed_with_its_prefix(admin_client):
    response = add_party(
        admin_client,
        kind=PartyKind.ORGANISATION,
        given_name="",
        family_name="",
        name="Garage Peeters NV",
        enterprise_number="BE 0403.170.701",
    )
    assert response.status_code == 302, errors_of(response)
    assert Party.objects.get(name="Garage Peeters NV").enterprise_number == "0403170701"
