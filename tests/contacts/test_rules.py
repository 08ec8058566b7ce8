"""One home for each contacts rule: the services. The API and the admin refuse the same things with the
same messages, and the rules hold for any caller of the services."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.errors import PartyMerged, RowGone
from contacts.models import Contact, ContactPoint, Party, Representative
from tests.contacts.admin_forms import association_renamed, inline
from tests.factories import (
    AssociationFactory,
    EmailFactory,
    OrganisationFactory,
    PersonFactory,
    RepresentativeFactory,
)

pytestmark = pytest.mark.django_db

PARTIES = "/api/v1/parties/"


def tombstone():
    return PersonFactory(national_number=None, merged_into=PersonFactory(), merged_at=timezone.now())


def admin_errors(response) -> str:
    context = response.context
    parts = [str(context["adminform"].form.errors), str(context["adminform"].form.non_field_errors())]
    for formset in context.get("inline_admin_formsets", ()):
        parts += [str(formset.formset.errors), str(formset.formset.non_form_errors())]
    return " ".join(parts)


def add_association_in_admin(client, representatives=(), points=()):
    data = {
        "kind": "association",
        "language": "nl",
        "preferred_channel": "",
        "name": "Buurtcomité",
        "given_name": "",
        "family_name": "",
        "birth_date": "",
        "national_number": "",
        "enterprise_number": "",
        "association_code": "",
    }
    data |= inline("contact_points", points) | inline("representatives", representatives)
    return client.post(reverse("admin:contacts_party_add"), data)


class TestTheTombstoneRuleLivesInTheServices:
    def test_a_contact_point_cannot_be_added_to_a_merged_party(self):
        with pytest.raises(PartyMerged):
            services.contact_point_add(actor=None, party=tombstone(), kind="email", value="a@example.be")
        assert not ContactPoint.objects.exists()

    def test_a_representative_cannot_be_added_to_a_merged_organisation(self):
        organisation = OrganisationFactory(
            enterprise_number=None, merged_into=OrganisationFactory(), merged_at=timezone.now()
        )
        with pytest.raises(PartyMerged):
            services.representative_add(actor=None, organisation=organisation, person=PersonFactory(), role="lid")
        assert not Representative.objects.exists()

    def test_a_caller_found_by_the_point_of_a_party_merged_meanwhile_is_refused_and_nothing_written(self):
        # A merge moves every point to the survivor; one left on the tombstone is what a resolution reads when the
        # merge commits after its look-up began (the look-up locks what it reads, and reads the tombstone then).
        merged = tombstone()
        EmailFactory(party=merged, value="a@example.be")
        parties, contacts = Party.objects.count(), Contact.objects.count()
        with pytest.raises(PartyMerged):
            services.contact_log(
                actor=None,
                channel="phone",
                subject="Vraag",
                party_data={"given_name": merged.given_name, "email": "a@example.be"},
            )
        assert (Party.objects.count(), Contact.objects.count()) == (parties, contacts)

    def test_a_contact_point_of_a_merged_party_cannot_be_corrected(self):
        point = EmailFactory(party=tombstone(), value="a@example.be")
        with pytest.raises(PartyMerged):
            services.contact_point_update(actor=None, point=point, kind="email", value="b@example.be")
        point.refresh_from_db()
        assert point.value == "a@example.be"

    def test_the_api_answers_409_from_the_service(self, kcc_client):
        party = tombstone()
        response = kcc_client.post(f"{PARTIES}{party.pk}/contact-points/", {"kind": "email", "value": "a@b.be"})
        assert response.status_code == 409
        assert response.json()["code"] == "party_merged"
        assert not ContactPoint.objects.exists()


class TestSameRefusalsInTheApiAndTheAdmin:
    @pytest.mark.parametrize(
        ("make_person", "message"),
        [
            (OrganisationFactory, "A representative must be a person."),
            (tombstone, None),
        ],
    )
    def test_who_may_represent(self, kcc_client, admin_client, make_person, message):
        person = make_person()
        message = message or f"Party {person.pk} was merged into another party."
        association = AssociationFactory()

        api = kcc_client.post(f"{PARTIES}{association.pk}/representatives/", {"person": person.pk, "role": "lid"})
        admin = add_association_in_admin(admin_client, representatives=[{"person": person.pk, "role": "lid"}])

        assert api.status_code == 400
        assert api.json()["person"] == [message]
        assert message in admin_errors(admin)
        assert not Representative.objects.exists()

    def test_who_has_representatives(self, kcc_client, admin_client):
        message = "Only an organisation or association has representatives."
        person, other = PersonFactory(), PersonFactory()
        data = {"kind": "person", "language": "nl", "preferred_channel": "", "given_name": "Jan", "family_name": "X"}
        data |= {"name": "", "birth_date": "", "national_number": "", "enterprise_number": "", "association_code": ""}
        data |= inline("contact_points") | inline("representatives", [{"person": other.pk, "role": "lid"}])

        api = kcc_client.post(f"{PARTIES}{person.pk}/representatives/", {"person": other.pk, "role": "lid"})
        admin = admin_client.post(reverse("admin:contacts_party_add"), data)

        assert api.json()["organisation"] == [message]
        assert message in admin_errors(admin)
        assert not Representative.objects.exists()

    @pytest.mark.parametrize(
        ("api_address", "admin_row"),
        [
            ({"street": "Markt"}, {"kind": "address", "street": "Markt"}),
            ({"city": "Gent"}, {"kind": "address", "city": "Gent"}),
        ],
    )
    def test_what_an_address_needs(self, kcc_client, admin_client, api_address, admin_row):
        message = "A postal address needs at least a street and a city."
        party = PersonFactory()

        api = kcc_client.post(f"{PARTIES}{party.pk}/contact-points/", {"kind": "address", "address": api_address})
        admin = add_association_in_admin(admin_client, points=[admin_row | {"country": "BE"}])

        assert api.status_code == 400
        assert api.json()["address"] == [message]
        assert message in admin_errors(admin)
        assert not ContactPoint.objects.exists()

    def test_an_address_without_its_fields(self, kcc_client):
        party = PersonFactory()
        response = kcc_client.post(f"{PARTIES}{party.pk}/contact-points/", {"kind": "address"})
        assert response.status_code == 400
        assert response.json()["address"] == ["A postal address needs at least a street and a city."]

    def test_a_contact_linked_to_nothing(self, kcc_client, admin_client):
        message = "Link the contact to a party (party or party_data) or set anonymous explicitly."

        admin = admin_client.post(
            reverse("admin:contacts_contact_add"),
            {
                "channel": "phone",
                "source": "staff",
                "direction": "inbound",
                "occurred_at_0": "2024-03-01",
                "occurred_at_1": "10:00:00",
                "subject": "Vraag",
            },
        )

        assert message in str(admin.context["adminform"].form.errors)
        with pytest.raises(ValidationError, match=r"Link the contact to a party \(party or party_data\)"):
            services.contact_log(actor=None, channel="phone", subject="Vraag")
        assert not Contact.objects.exists()

    def test_a_contact_for_a_merged_party_goes_to_its_survivor_in_the_admin_too(self, admin_client):
        party = tombstone()

        response = admin_client.post(
            reverse("admin:contacts_contact_add"),
            {
                "party": party.pk,
                "channel": "phone",
                "source": "staff",
                "direction": "inbound",
                "occurred_at_0": "2024-03-01",
                "occurred_at_1": "10:00:00",
                "subject": "Vraag",
            },
        )

        assert response.status_code == 302
        assert Contact.objects.get().party_id == party.merged_into_id

    def test_the_admin_offers_no_case_created_outcome_when_adding_a_contact(self, admin_client):
        form = admin_client.get(reverse("admin:contacts_contact_add")).context["adminform"].form
        assert "case_created" not in [value for value, _label in form.fields["outcome"].choices]


class TestTheAdminReportsARefusalAtSaveTime:
    def test_a_row_removed_meanwhile_is_a_message_and_nothing_is_saved(self, admin_client, monkeypatch):
        association = AssociationFactory(name="Oude naam")
        point = EmailFactory(party=association, value="oud@club.be")

        def gone(**kwargs):
            raise RowGone(ContactPoint)

        monkeypatch.setattr(services, "contact_point_update", gone)
        data = association_renamed(association, point)

        response = admin_client.post(reverse("admin:contacts_party_change", args=[association.pk]), data, follow=True)

        assert "Nothing was saved: This contact point no longer exists." in response.content.decode()
        association.refresh_from_db()
        point.refresh_from_db()
        assert (association.name, point.value) == ("Oude naam", "oud@club.be")


class TestServicesStandAlone:
    def test_a_representative_of_a_person_is_refused(self):
        person = PersonFactory()
        with pytest.raises(ValidationError, match="Only an organisation or association has representatives"):
            services.representative_add(actor=None, organisation=person, person=PersonFactory(), role="lid")

    def test_representative_changes_lock_the_row_and_say_when_it_is_gone(self):
        representative = RepresentativeFactory()
        Representative.objects.filter(pk=representative.pk).delete()

        with pytest.raises(RowGone):
            services.representative_update(actor=None, representative=representative, role="secretaris")
        with pytest.raises(RowGone):
            services.representative_remove(actor=None, representative=representative)

    def test_a_contact_point_removed_twice_is_gone_the_second_time(self):
        point = EmailFactory()
        services.contact_point_remove(actor=None, point=point)
        with pytest.raises(RowGone):
            services.contact_point_remove(actor=None, point=point)
