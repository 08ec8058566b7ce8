"""The change history of parties, contact points, representatives and contacts (django-auditlog)."""

import json
from datetime import UTC, date, datetime

import pytest
from auditlog.context import disable_auditlog
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts import services
from contacts.errors import DuplicateIdentifier, IdentifierContended
from contacts.history import created_changes
from contacts.models import AccessLog, Contact, ContactPoint, Party, Representative
from contacts.services import parties
from contacts.services.parties import party_write_new
from tests.contacts.admin_forms import association_renamed
from tests.factories import (
    AssociationFactory,
    ContactFactory,
    EmailFactory,
    OrganisationFactory,
    PersonFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PARTIES = "/api/v1/parties/"


def history(**filters) -> list[tuple[str, str, dict, str | None]]:
    """(model, action, changes, actor) of the entries, oldest first."""
    entries = LogEntry.objects.filter(**filters).select_related("content_type", "actor").order_by("pk")
    return [
        (e.content_type.model, e.get_action_display(), e.changes, e.actor.username if e.actor else None)
        for e in entries
    ]


def entries_of(model: str, **filters) -> list[LogEntry]:
    return list(LogEntry.objects.filter(content_type__model=model, **filters).order_by("pk"))


class TestWrittenByTheServices:
    def test_creating_a_party_records_it_and_its_contact_points_with_the_actor(self, kcc_client):
        response = kcc_client.post(
            PARTIES, {"given_name": "Jan", "family_name": "Peeters", "email": "jan@example.be", "phone": "0470123456"}
        )

        party_id = response.json()["id"]
        party_entry, *point_entries = LogEntry.objects.filter(additional_data__party=party_id).order_by("pk")
        assert party_entry.content_type.model == "party" and party_entry.get_action_display() == "create"
        assert party_entry.changes["family_name"] == [None, "Peeters"]
        # The table's own columns only: not the derived search name, nor the reverse relations.
        assert "search_name" not in party_entry.changes
        assert "contact_points" not in party_entry.changes
        assert sorted(e.changes["value"][1] for e in point_entries) == ["+32470123456", "jan@example.be"]
        assert {e.actor for e in [party_entry, *point_entries]} == {kcc_client.user}

    def test_a_change_records_only_the_changed_fields_old_and_new(self, kcc_client):
        party = PersonFactory(family_name="Peeters")
        LogEntry.objects.all().delete()

        kcc_client.patch(f"{PARTIES}{party.pk}/", {"family_name": "Peters", "language": party.language})

        assert history() == [("party", "update", {"family_name": ["Peeters", "Peters"]}, kcc_client.user.username)]

    def test_a_new_preferred_contact_point_records_the_demotion_of_the_old_one(self, kcc_client):
        old = EmailFactory(value="oud@example.be")
        LogEntry.objects.all().delete()

        kcc_client.post(
            f"{PARTIES}{old.party_id}/contact-points/",
            {"kind": "email", "value": "nieuw@example.be", "preferred": True},
        )

        user = kcc_client.user.username
        assert [(model, action, changes.get("preferred"), actor) for model, action, changes, actor in history()] == [
            ("contactpoint", "update", [True, False], user),
            ("contactpoint", "create", [None, True], user),
        ]
        assert LogEntry.objects.filter(additional_data__party=old.party_id).count() == 2

    def test_removing_a_contact_point_records_it_and_the_successor_made_preferred(self, kcc_client):
        preferred = EmailFactory(value="a@example.be")
        other = EmailFactory(party=preferred.party, value="b@example.be", preferred=False)
        LogEntry.objects.all().delete()

        kcc_client.delete(f"{PARTIES}{preferred.party_id}/contact-points/{preferred.pk}/")

        assert [(e.object_id, e.get_action_display()) for e in entries_of("contactpoint")] == [
            (preferred.pk, "delete"),
            (other.pk, "update"),
        ]

    def test_a_representative_added_changed_and_removed_is_the_organisation_s_history(self, kcc_client):
        association, person = AssociationFactory(), PersonFactory()
        LogEntry.objects.all().delete()
        base = f"{PARTIES}{association.pk}/representatives/"

        rep_id = kcc_client.post(base, {"person": person.pk, "role": "voorzitter"}).json()["id"]
        kcc_client.patch(f"{base}{rep_id}/", {"valid_until": "2026-06-30"})
        kcc_client.delete(f"{base}{rep_id}/")

        entries = entries_of("representative")
        assert [e.get_action_display() for e in entries] == ["create", "update", "delete"]
        assert entries[1].changes == {"valid_until": [None, "2026-06-30"]}
        assert {e.additional_data["party"] for e in entries} == {association.pk}
        assert {e.actor for e in entries} == {kcc_client.user}

    def test_logging_a_contact_records_it_with_the_actor(self):
        clerk, party = UserFactory(role="kcc"), PersonFactory()

        contact = services.contact_log(actor=clerk, party=party, channel="phone", subject="Vraag")

        (entry,) = entries_of("contact")
        assert (entry.object_id, entry.additional_data["party"], entry.actor, entry.get_action_display()) == (
            contact.pk,
            party.pk,
            clerk,
            "create",
        )
        assert entry.changes["subject"] == [None, "Vraag"]
        # Written in the contact's statement, the entry names the contact's id as auditlog's own diff does.
        assert (entry.object_pk, entry.changes["id"]) == (str(contact.pk), [None, contact.pk])
        assert set(entry.changes) == set(model_instance_diff(None, contact, use_json_for_changes=True))

    def test_a_contact_resolving_a_new_party_records_everything_it_wrote_with_the_actor(self):
        clerk = UserFactory(role="front_desk")

        contact = services.contact_log(
            actor=clerk, channel="phone", subject="Vraag", party_data={"given_name": "Noor", "email": "noor@example.be"}
        )

        assert [(model, action, actor) for model, action, _changes, actor in history()] == [
            ("party", "create", clerk.username),
            ("contactpoint", "create", clerk.username),
            ("contact", "create", clerk.username),
        ]
        assert {e.additional_data["party"] for e in LogEntry.objects.all()} == {contact.party_id}

    def test_the_history_of_a_contact_is_written_with_it_and_reads_nothing(self):
        clerk, party = UserFactory(role="kcc"), PersonFactory()

        def queries(**kwargs) -> list[str]:
            with CaptureQueriesContext(connection) as captured:
                services.contact_log(actor=clerk, party=party, channel="phone", subject="Vraag", **kwargs)
            return [query["sql"] for query in captured.captured_queries]

        with disable_auditlog():
            without = queries()
        with_history = queries()

        history_queries = [sql for sql in with_history if "auditlog_logentry" in sql]
        assert len(history_queries) == 1
        if connection.vendor == "postgresql":
            # In the statement that writes the contact: no round trip of its own.
            assert len(with_history) == len(without)
            assert history_queries[0].startswith('WITH new AS (INSERT INTO "contacts_contact"')
        else:
            assert len(with_history) == len(without) + 1
            assert history_queries[0].startswith('INSERT INTO "auditlog_logentry"')

    def test_a_new_party_its_contact_points_and_their_history_are_written_in_one_statement(self):
        clerk = UserFactory(role="kcc")
        address = {"street": "Kerkstraat", "house_number": "1", "postal_code": "9000", "city": "Gent"}

        with CaptureQueriesContext(connection) as captured:
            party = services.party_create(
                actor=clerk, given_name="Noor", family_name="Jacobs", email="noor@example.be", address=address
            )

        writes = [q["sql"] for q in captured.captured_queries if "auditlog_logentry" in q["sql"]]
        if connection.vendor == "postgresql":
            assert len(writes) == 1 and writes[0].startswith('WITH new AS (INSERT INTO "contacts_party"')
        rows = [Party.objects.get(pk=party.pk), *ContactPoint.objects.filter(party=party).order_by("pk")]
        entries = LogEntry.objects.filter(additional_data__party=party.pk).order_by("pk")
        assert [(e.content_type.model, e.object_id) for e in entries] == [
            (type(row)._meta.model_name, row.pk) for row in rows
        ]
        for entry, row in zip(entries, rows, strict=True):
            # What auditlog's own signal would have recorded for the row as it was written.
            assert (entry.object_pk, entry.object_repr, entry.actor) == (str(row.pk), str(row), clerk)
            assert entry.additional_data == {"party": party.pk}
            assert entry.changes == json.loads(json.dumps(model_instance_diff(None, row, use_json_for_changes=True)))

    def test_an_unnamed_new_party_is_named_by_its_number_in_its_entry(self):
        party = services.party_create(actor=UserFactory(role="kcc"), email="iemand@example.be")

        entry = LogEntry.objects.get(content_type__model="party", object_id=party.pk)
        assert entry.object_repr == str(party) and str(party.pk) in entry.object_repr
        assert entry.changes["id"] == [None, party.pk]

    def test_a_refused_change_writes_no_history(self, kcc_client):
        party = PersonFactory(family_name="Peeters")
        LogEntry.objects.all().delete()

        response = kcc_client.patch(f"{PARTIES}{party.pk}/", {"family_name": "Janssens", "phone": "0470"})

        assert response.status_code == 400
        assert not LogEntry.objects.exists()


class TestMerge:
    def test_every_row_that_moved_has_its_entry_and_the_survivor_shows_them(self, make_client):
        survivor, duplicate = PersonFactory(national_number=None), PersonFactory()
        contacts = ContactFactory.create_batch(2, party=duplicate)
        point = EmailFactory(party=duplicate)
        represents = RepresentativeFactory(person=duplicate)
        earlier = PersonFactory(national_number=None, merged_into=duplicate, merged_at="2024-01-01T00:00Z")
        supervisor = make_client("supervisor")
        LogEntry.objects.all().delete()

        response = supervisor.post(f"{PARTIES}{survivor.pk}/merge/", {"duplicate": duplicate.pk})

        assert response.status_code == 200
        moved = {c.pk: e for e in entries_of("contact") for c in contacts if e.object_id == c.pk}
        assert {pk: e.changes for pk, e in moved.items()} == {
            c.pk: {"party": [duplicate.pk, survivor.pk]} for c in contacts
        }
        assert {e.additional_data["party"] for e in moved.values()} == {survivor.pk}
        (point_entry,) = entries_of("contactpoint", object_id=point.pk)
        assert point_entry.changes["party"] == [duplicate.pk, survivor.pk]
        (rep_entry,) = entries_of("representative", object_id=represents.pk)
        assert rep_entry.changes == {"person": [duplicate.pk, survivor.pk]}
        tombstone = entries_of("party", object_id=duplicate.pk)[0]
        assert tombstone.changes["merged_into"] == [None, survivor.pk]
        assert tombstone.changes["national_number"][1] is None
        (repointed,) = entries_of("party", object_id=earlier.pk)
        assert repointed.changes == {"merged_into": [duplicate.pk, survivor.pk]}
        assert {e.actor for e in LogEntry.objects.all()} == {supervisor.user}

        # The survivor's history includes what was recorded about the duplicate before and during the merge.
        shown = supervisor.get(f"{PARTIES}{survivor.pk}/history/", {"page_size": 100}).json()["results"]
        assert {(e["object_type"], e["object_id"]) for e in shown} >= {
            ("party", duplicate.pk),
            ("contactpoint", point.pk),
            *(("contact", c.pk) for c in contacts),
        }

    def test_a_refused_merge_writes_no_history(self, kcc_client):
        survivor, duplicate = PersonFactory(), PersonFactory()
        ContactFactory(party=duplicate)
        LogEntry.objects.all().delete()

        response = kcc_client.post(f"{PARTIES}{survivor.pk}/merge/", {"duplicate": duplicate.pk})

        assert response.status_code == 409
        assert not LogEntry.objects.exists()


class TestHistoryApi:
    def test_supervisors_read_a_party_s_history_newest_first_with_its_rows(self, make_client):
        kcc, supervisor = make_client("kcc"), make_client("supervisor")
        association = kcc.post(PARTIES, {"kind": "association", "name": "Harmonie", "email": "info@harmonie.be"})
        association_id = association.json()["id"]
        person = PersonFactory()
        kcc.post(f"{PARTIES}{association_id}/representatives/", {"person": person.pk, "role": "voorzitter"})
        kcc.patch(f"{PARTIES}{association_id}/", {"name": "Koninklijke Harmonie"})
        services.contact_log(
            actor=kcc.user, party=Party.objects.get(pk=association_id), channel="email", subject="Zaalhuur"
        )
        AccessLog.objects.all().delete()

        response = supervisor.get(f"{PARTIES}{association_id}/history/")

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 5
        assert [(e["object_type"], e["action"]) for e in body["results"]] == [
            ("contact", "create"),
            ("party", "update"),
            ("representative", "create"),
            ("contactpoint", "create"),
            ("party", "create"),
        ]
        change = body["results"][1]
        assert change["changes"] == {"name": ["Harmonie", "Koninklijke Harmonie"]}
        assert change["actor"] == kcc.user.username
        assert change["object_id"] == association_id
        assert list(AccessLog.objects.values_list("party_id", "via", "user")) == [
            (association_id, "api_history", supervisor.user.pk)
        ]

    def test_paginated_with_a_fixed_number_of_queries(self, make_client, django_assert_max_num_queries):
        supervisor = make_client("supervisor")
        party = PersonFactory()
        for rows in (3, 30):
            for i in range(rows):
                services.party_update(actor=UserFactory(), party=party, given_name=f"Naam {rows} {i}")
            with django_assert_max_num_queries(7):
                response = supervisor.get(f"{PARTIES}{party.pk}/history/", {"page_size": 50})
            assert len(response.json()["results"]) == response.json()["count"]

    @pytest.mark.parametrize("role", ["front_desk", "kcc", "handler"])
    def test_other_roles_may_not(self, make_client, role):
        party = PersonFactory()
        assert make_client(role).get(f"{PARTIES}{party.pk}/history/").status_code == 403
        assert not AccessLog.objects.exists()

    def test_an_unknown_party_is_404(self, make_client):
        assert make_client("supervisor").get(f"{PARTIES}424242/history/").status_code == 404


class TestAdmin:
    def test_changes_in_the_admin_are_recorded_with_the_admin_user(self, admin_client, admin_user):
        association = AssociationFactory()
        point = EmailFactory(party=association, value="oud@club.be")
        LogEntry.objects.all().delete()
        data = association_renamed(association, point)

        response = admin_client.post(reverse("admin:contacts_party_change", args=[association.pk]), data)

        assert response.status_code == 302
        assert sorted((model, changes, actor) for model, _action, changes, actor in history()) == [
            ("contactpoint", {"value": ["oud@club.be", "nieuw@club.be"]}, admin_user.username),
            ("party", {"name": [association.name, "Nieuwe naam"]}, admin_user.username),
        ]

    def test_supervisors_see_the_history_on_the_party_page(self, client):
        supervisor = UserFactory(role="supervisor", is_staff=True)
        client.force_login(supervisor)
        party = PersonFactory(family_name="Peeters")
        services.party_update(actor=supervisor, party=party, family_name="Peters")

        page = client.get(reverse("admin:contacts_party_history", args=[party.pk]))

        assert page.status_code == 200
        content = page.content.decode()
        assert "Peeters → Peters" in content
        assert supervisor.username in content
        assert list(AccessLog.objects.values_list("party_id", "via")) == [(party.pk, "admin_history")]

    def test_front_desk_may_not_see_the_history(self, client):
        clerk = UserFactory(role="front_desk", is_staff=True)
        client.force_login(clerk)
        party = PersonFactory()

        assert client.get(reverse("admin:contacts_party_history", args=[party.pk])).status_code == 403

    def test_the_change_log_of_every_row_renders_for_superusers(self, admin_client):
        EmailFactory()
        entry = LogEntry.objects.first()

        assert admin_client.get(reverse("admin:auditlog_logentry_changelist")).status_code == 200
        assert admin_client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk])).status_code == 200


def test_representatives_created_by_a_factory_still_have_their_history():
    """Rows written outside the services (factories, the shell) are recorded too, without an actor."""
    representative = RepresentativeFactory(valid_from=date(2020, 1, 1))

    (entry,) = entries_of("representative")
    assert (entry.object_id, entry.additional_data, entry.actor) == (
        representative.pk,
        {"party": representative.organisation_id},
        None,
    )


def test_the_changes_of_a_new_row_are_auditlog_s_own_diff():
    """``created_changes`` reads each field as auditlog's ``model_instance_diff`` does, for rows written and not."""
    person = PersonFactory(birth_date=date(1985, 7, 30), national_number="85073003328", preferred_channel="email")
    organisation = OrganisationFactory()
    rows = [
        person,
        Party(kind="person", given_name="Noor", family_name="Jacobs"),
        Party(kind="association", name="Vzw", merged_into=organisation, merged_at=datetime(2026, 1, 2, tzinfo=UTC)),
        ContactPoint(party=person, kind="address", street="Kerkstraat", city="Gent", value="Kerkstraat, Gent"),
        EmailFactory(party=person),
        Contact(party=person, channel="phone", subject="Vraag", occurred_at=datetime(2026, 3, 4, 5, 6, tzinfo=UTC)),
        ContactFactory(),
        Representative(organisation=organisation, person=person, role="chair", valid_from=date(2026, 1, 1)),
    ]
    for row in rows:
        assert created_changes(row) == model_instance_diff(None, row, use_json_for_changes=True), row


class TestANewPartyWhoseIdentifierIsTaken:
    """``party_write_new`` writes what its callers checked: an identifier taken by then is refused by the
    statement itself, and nothing of the party is written."""

    def test_the_party_holding_it_is_named(self):
        holder = PersonFactory(national_number="85073003328")
        counts = (Party.objects.count(), ContactPoint.objects.count(), LogEntry.objects.count())
        values = {"kind": "person", "family_name": "Peeters", "national_number": "85073003328"}

        with pytest.raises(DuplicateIdentifier) as raised:
            party_write_new(actor=UserFactory(role="kcc"), values=values, points=[("email", {"value": "p@x.be"}, True)])

        assert raised.value.extra == {"field": "national_number", "existing_party": holder.pk}
        assert (Party.objects.count(), ContactPoint.objects.count(), LogEntry.objects.count()) == counts

    def test_given_up_meanwhile_it_is_a_conflict_to_retry(self, monkeypatch):
        PersonFactory(national_number="85073003328")
        counts = (Party.objects.count(), LogEntry.objects.count())
        # The holder gave it up between the refused insert and the look-up of whose it is (a merge).
        monkeypatch.setattr(parties, "check_identifiers_free", lambda values, **kwargs: None)
        values = {"kind": "person", "family_name": "Peeters", "national_number": "85073003328"}

        with pytest.raises(IdentifierContended):
            party_write_new(actor=UserFactory(role="kcc"), values=values, points=[])

        assert (Party.objects.count(), LogEntry.objects.count()) == counts
