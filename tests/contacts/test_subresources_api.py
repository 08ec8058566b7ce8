from datetime import date

import pytest
from django.utils import timezone

from contacts.models import AccessLog, ContactPoint, Representative
from tests.factories import AssociationFactory, EmailFactory, PersonFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db


class TestContactPoints:
    def test_add_preferred_phone_demotes_the_old_one(self, kcc_client):
        party = PersonFactory()
        old = ContactPoint.objects.create(party=party, kind="phone", value="+32470000001", preferred=True)
        response = kcc_client.post(
            f"/api/v1/parties/{party.pk}/contact-points/", {"kind": "phone", "value": "09 223 45 67", "preferred": True}
        )
        assert response.status_code == 201, response.json()
        assert response.json()["value"] == "+3292234567"
        old.refresh_from_db()
        assert old.preferred is False

    def test_add_address(self, kcc_client):
        party = PersonFactory()
        response = kcc_client.post(
            f"/api/v1/parties/{party.pk}/contact-points/",
            {
                "kind": "address",
                "address": {"street": "Markt", "house_number": "1", "postal_code": "8000", "city": "Brugge"},
            },
        )
        assert response.status_code == 201
        assert response.json()["value"] == "Markt 1, 8000 Brugge"

    @pytest.mark.parametrize(
        "payload",
        [{"kind": "email", "value": "nope"}, {"kind": "phone", "value": "1"}, {"kind": "address"}, {"kind": "fax"}],
    )
    def test_bad_contact_point_writes_nothing(self, kcc_client, payload):
        party = PersonFactory()
        response = kcc_client.post(f"/api/v1/parties/{party.pk}/contact-points/", payload)
        assert response.status_code == 400
        assert not ContactPoint.objects.exists()

    def test_adding_to_a_tombstone_is_a_conflict(self, kcc_client):
        tombstone = PersonFactory(national_number=None, merged_into=PersonFactory(), merged_at=timezone.now())
        response = kcc_client.post(
            f"/api/v1/parties/{tombstone.pk}/contact-points/", {"kind": "email", "value": "a@example.be"}
        )
        assert response.status_code == 409
        assert not ContactPoint.objects.exists()

    def test_removing_the_preferred_promotes_another(self, kcc_client):
        party = PersonFactory()
        preferred = EmailFactory(party=party, value="a@example.be")
        other = EmailFactory(party=party, value="b@example.be", preferred=False)
        response = kcc_client.delete(f"/api/v1/parties/{party.pk}/contact-points/{preferred.pk}/")
        assert response.status_code == 204
        other.refresh_from_db()
        assert other.preferred is True
        assert kcc_client.get(f"/api/v1/parties/{party.pk}/").json()["email"] == "b@example.be"

    def test_point_of_another_party_is_404(self, kcc_client):
        point = EmailFactory()
        other = PersonFactory()
        assert kcc_client.delete(f"/api/v1/parties/{other.pk}/contact-points/{point.pk}/").status_code == 404
        assert ContactPoint.objects.filter(pk=point.pk).exists()

    def test_handler_may_not_change(self, make_client):
        party = PersonFactory()
        response = make_client("handler").post(
            f"/api/v1/parties/{party.pk}/contact-points/", {"kind": "email", "value": "a@example.be"}
        )
        assert response.status_code == 403
        assert not ContactPoint.objects.exists()


class TestRepresentatives:
    def test_add_list_end_and_remove(self, kcc_client):
        association, person = AssociationFactory(), PersonFactory()
        base = f"/api/v1/parties/{association.pk}/representatives/"
        created = kcc_client.post(base, {"person": person.pk, "role": "penningmeester", "valid_from": "2025-01-01"})
        assert created.status_code == 201, created.json()
        rep_id = created.json()["id"]
        assert [r["id"] for r in kcc_client.get(base).json()] == [rep_id]
        ended = kcc_client.patch(f"{base}{rep_id}/", {"valid_until": "2026-06-30"})
        assert ended.status_code == 200
        assert Representative.objects.get().valid_until == date(2026, 6, 30)
        assert kcc_client.delete(f"{base}{rep_id}/").status_code == 204
        assert not Representative.objects.exists()

    @pytest.mark.parametrize(
        ("make_payload", "field"),
        [
            (lambda: {"person": AssociationFactory().pk, "role": "voorzitter"}, "person"),
            (lambda: {"person": PersonFactory().pk, "role": ""}, "role"),
            (
                lambda: {
                    "person": PersonFactory().pk,
                    "role": "voorzitter",
                    "valid_from": "2026-01-01",
                    "valid_until": "2025-01-01",
                },
                "valid_until",
            ),
        ],
    )
    def test_bad_representative_writes_nothing(self, kcc_client, make_payload, field):
        association = AssociationFactory()
        response = kcc_client.post(f"/api/v1/parties/{association.pk}/representatives/", make_payload())
        assert response.status_code == 400
        assert field in response.json()
        assert not Representative.objects.exists()

    def test_a_person_has_no_representatives(self, kcc_client):
        person, other = PersonFactory(), PersonFactory()
        response = kcc_client.post(f"/api/v1/parties/{person.pk}/representatives/", {"person": other.pk, "role": "x"})
        assert response.status_code == 400
        assert "organisation" in response.json()

    def test_period_ending_before_start_is_refused_on_change(self, kcc_client):
        rep = RepresentativeFactory(valid_from=date(2025, 1, 1))
        response = kcc_client.patch(
            f"/api/v1/parties/{rep.organisation_id}/representatives/{rep.pk}/", {"valid_until": "2024-01-01"}
        )
        assert response.status_code == 400
        rep.refresh_from_db()
        assert rep.valid_until is None


class TestAccessLogApi:
    def test_supervisor_sees_who_looked_at_whom(self, make_client):
        party, other = PersonFactory(), PersonFactory()
        clerk = make_client("front_desk")
        clerk.get(f"/api/v1/parties/{party.pk}/")
        clerk.get(f"/api/v1/parties/{other.pk}/")
        supervisor = make_client("supervisor")
        response = supervisor.get("/api/v1/access-log/", {"party": party.pk})
        assert response.status_code == 200
        assert [(e["username"], e["party"], e["via"]) for e in response.json()["results"]] == [
            (clerk.user.username, party.pk, "api_detail")
        ]

    def test_front_desk_may_not_read_the_access_log(self, make_client):
        assert make_client("front_desk").get("/api/v1/access-log/").status_code == 403

    def test_access_log_list_has_no_n_plus_one(self, make_client, django_assert_max_num_queries):
        clerk = make_client("kcc")
        for party in PersonFactory.create_batch(20):
            clerk.get(f"/api/v1/parties/{party.pk}/")
        supervisor = make_client("supervisor")
        with django_assert_max_num_queries(6):
            response = supervisor.get("/api/v1/access-log/")
        assert response.json()["count"] == AccessLog.objects.count() == 20
