"""Opening, reading, listing, reassigning and annotating cases through the API; who sees what."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case, CaseEvent, EventKind, RoutingRule
from contacts.models import Contact
from tests.factories import CaseTypeFactory, HandlerGroupFactory, PersonFactory, UserFactory, case_in_state, open_case

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
CASES = reverse("v1:case-list")


def detail_url(case):
    return reverse("v1:case-detail", args=[case.reference])


class TestOpening:
    def test_post_cases_routes_dates_and_records(self, client_for, handler, melding, other_group):
        RoutingRule.objects.create(case_type=melding, keyword="verkeerslicht", handler_group=other_group)
        party = PersonFactory()
        client = client_for(UserFactory(role="kcc"))
        registered = datetime(2026, 11, 20, 15, 0, tzinfo=BRUSSELS)  # a Friday

        with time_machine.travel(datetime(2026, 11, 22, 10, 0, tzinfo=BRUSSELS)):
            response = client.post(
                CASES,
                {
                    "case_type": "melding",
                    "party": party.pk,
                    "channel": "phone",
                    "description": "Het Verkeerslicht aan de Kouter knippert.",
                    "registered_at": registered.isoformat(),
                    "postal_code": "9000",
                },
            )

        assert response.status_code == 201, response.data
        data = response.data
        case = Case.objects.get(reference=data["reference"])
        assert data["reference"] == str(case.pk)
        assert len(data["tracking_code"]) == 10
        assert data["handler_group"]["id"] == other_group.pk  # the keyword rule
        assert data["state"] == "new" and data["kind"] == "report"
        # 3 working days after Friday: Monday, Tuesday, Wednesday.
        assert data["due_at"] == "2026-11-25T23:59:59+01:00"
        assert data["overdue"] is False and data["paused_days"] == 0
        event = case.events.get()
        assert (event.kind, event.to_state, event.data["handler_group"]) == ("created", "new", other_group.pk)

    def test_case_from_a_contact_takes_its_party_channel_and_time(self, client_for, melding):
        contact = Contact.objects.create(
            party=PersonFactory(),
            channel="counter",
            subject="Stoeptegel",
            occurred_at=datetime(2026, 11, 16, 9, 30, tzinfo=BRUSSELS),
        )
        response = client_for(UserFactory(role="front_desk")).post(
            CASES, {"case_type": "melding", "contact": contact.pk, "description": "Losse tegel"}
        )
        assert response.status_code == 201, response.data
        case = Case.objects.get(reference=response.data["reference"])
        assert (case.party, case.channel, case.registered_at) == (contact.party, "counter", contact.occurred_at)
        assert list(case.contacts.all()) == [contact]
        contact.refresh_from_db()
        assert contact.outcome == "case_created"

    def test_inline_case_on_post_contacts(self, client_for, melding):
        client = client_for(UserFactory(role="front_desk"))
        response = client.post(
            reverse("v1:contact-list"),
            {
                "party_data": {"given_name": "An", "family_name": "Peeters", "email": "an.peeters@example.be"},
                "channel": "phone",
                "subject": "Put in de weg",
                "case": {"case_type": "melding", "description": "Diepe put in de Veldstraat", "priority": 3},
            },
            format="json",
        )
        assert response.status_code == 201, response.data
        contact = Contact.objects.get(pk=response.data["id"])
        case = contact.cases.get()
        assert response.data["case"] == case.reference
        assert response.data["outcome"] == "case_created"
        assert (case.party_id, case.registered_at, case.priority) == (contact.party_id, contact.occurred_at, 3)
        listed = client.get(reverse("v1:contact-list"), {"party": contact.party_id}).data["results"]
        assert listed[0]["case"] == case.reference

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"case_type": "bestaat-niet", "description": "x", "channel": "phone"}, "case_type"),
            ({"case_type": "melding", "description": "", "channel": "phone"}, "description"),
            ({"case_type": "melding", "description": "x"}, "channel"),
            ({"case_type": "melding", "description": "x", "channel": "fax"}, "channel"),
            ({"case_type": "melding", "description": "x", "channel": "phone", "priority": 9}, "priority"),
            ({"case_type": "melding", "description": "x", "channel": "phone", "latitude": "51.05"}, "longitude"),
            (
                {"case_type": "melding", "description": "x", "channel": "phone", "registered_at": "2099-01-01T10:00"},
                "registered_at",
            ),
        ],
    )
    def test_bad_input_writes_nothing(self, client_for, melding, body, field):
        response = client_for(UserFactory(role="kcc")).post(CASES, body, format="json")
        assert response.status_code == 400
        assert field in response.data
        assert not Case.objects.exists() and not CaseEvent.objects.exists()

    def test_inactive_case_type_is_refused(self, client_for, melding):
        melding.active = False
        melding.save()
        response = client_for(UserFactory(role="kcc")).post(
            CASES, {"case_type": "melding", "description": "x", "channel": "phone"}
        )
        assert response.status_code == 400 and "case_type" in response.data
        assert not Case.objects.exists()

    def test_a_bad_inline_case_writes_no_contact_either(self, client_for, melding):
        party = PersonFactory()
        response = client_for(UserFactory(role="kcc")).post(
            reverse("v1:contact-list"),
            {
                "party": party.pk,
                "channel": "phone",
                "subject": "x",
                "case": {"case_type": "melding", "description": ""},
            },
            format="json",
        )
        assert response.status_code == 400 and "case" in response.data
        assert not Contact.objects.exists() and not Case.objects.exists()

    def test_routing_without_group_or_kcc_is_a_configuration_error(self, client_for, melding, kcc_group):
        orphan = CaseTypeFactory(code="orphan", default_group=None)
        # The KCC disappears behind the back of the admin checks (e.g. a bad data migration).
        from cases.models import HandlerGroup

        HandlerGroup.objects.filter(pk=kcc_group.pk).update(is_kcc=False)
        response = client_for(UserFactory(role="kcc")).post(
            CASES, {"case_type": orphan.code, "description": "x", "channel": "phone"}
        )
        assert response.status_code == 503
        assert response.data["code"] == "routing_not_configured"
        assert not Case.objects.exists()


class TestVisibility:
    def test_handlers_see_only_their_groups_cases(self, client_for, handler, melding, other_group):
        own = open_case(case_type=melding)
        foreign = open_case(case_type=CaseTypeFactory(default_group=other_group))
        client = client_for(handler)

        listed = [c["reference"] for c in client.get(CASES).data["results"]]

        assert listed == [own.reference]
        assert client.get(detail_url(foreign)).status_code == 404
        for url, body in (
            (reverse("v1:case-transitions", args=[foreign.reference]), {"transition": "start"}),
            (reverse("v1:case-events", args=[foreign.reference]), {"text": "hallo"}),
        ):
            assert client.post(url, body).status_code == 404
        assert client.get(reverse("v1:case-events", args=[foreign.reference])).status_code == 404
        foreign.refresh_from_db()
        assert foreign.state == "new" and foreign.events.count() == 1

    def test_kcc_sees_all_but_may_not_handle_another_groups_case(self, client_for, melding):
        case = open_case(case_type=melding)
        kcc = client_for(UserFactory(role="kcc"))

        assert kcc.get(detail_url(case)).status_code == 200
        response = kcc.post(reverse("v1:case-transitions", args=[case.reference]), {"transition": "start"})

        assert response.status_code == 403
        assert response.data["code"] == "permission_denied"
        case.refresh_from_db()
        assert case.state == "new" and case.events.count() == 1

    def test_front_desk_may_not_transition_at_all(self, client_for, melding):
        case = open_case(case_type=melding)
        response = client_for(UserFactory(role="front_desk")).post(
            reverse("v1:case-transitions", args=[case.reference]), {"transition": "cancel", "reason": "x"}
        )
        assert response.status_code == 403
        case.refresh_from_db()
        assert case.state == "new"

    def test_confidential_cases_only_for_their_group(self, client_for, handler, group):
        social = CaseTypeFactory(code="sociaal", default_group=group, confidential=True)
        case = open_case(case_type=social)

        assert client_for(handler).get(detail_url(case)).status_code == 200
        for role in ("kcc", "supervisor", "front_desk"):
            client = client_for(UserFactory(role=role))
            assert client.get(detail_url(case)).status_code == 404, role
            assert client.get(CASES).data["count"] == 0, role

    def test_the_party_timeline_shows_only_visible_cases(self, client_for, handler, group, melding):
        party = PersonFactory()
        visible = open_case(case_type=melding, party=party)
        open_case(case_type=CaseTypeFactory(default_group=group, confidential=True), party=party)
        kcc = client_for(UserFactory(role="kcc"))

        entries = kcc.get(reverse("v1:party-timeline", args=[party.pk])).data["results"]

        assert [(e["kind"], e["detail"]["reference"]) for e in entries] == [("case", visible.reference)]
        assert len(client_for(handler).get(reverse("v1:party-timeline", args=[party.pk])).data["results"]) == 2


class TestListing:
    def test_filters(self, client_for, handler, melding, group, other_group):
        supervisor = client_for(UserFactory(role="supervisor"))
        with time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=BRUSSELS)):
            overdue = open_case(case_type=melding)  # due Thursday 5 November
        with time_machine.travel(datetime(2026, 11, 17, 10, 0, tzinfo=BRUSSELS)):
            due_soon = open_case(case_type=melding)  # due Friday 20 November, warned from Thursday
            waiting = case_in_state("waiting", case_type=melding)
        with time_machine.travel(datetime(2026, 11, 19, 10, 0, tzinfo=BRUSSELS)):
            other = open_case(case_type=CaseTypeFactory(code="parkeer", default_group=other_group))  # due 24th
        Case.objects.filter(pk=other.pk).update(misdispatched=True, assignee=handler)

        def refs(**params):
            with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=BRUSSELS)):
                response = supervisor.get(CASES, params)
            assert response.status_code == 200, response.data
            return sorted(c["reference"] for c in response.data["results"])

        assert refs(overdue="true") == [overdue.reference]
        assert refs(due_soon="true") == [due_soon.reference]
        assert refs(state="waiting") == [waiting.reference]
        assert refs(state=["waiting", "new"]) == sorted(c.reference for c in (overdue, due_soon, waiting, other))
        assert refs(handler_group=other_group.pk) == [other.reference]
        assert refs(case_type="parkeer") == [other.reference]
        assert refs(misdispatched="true") == [other.reference]
        assert refs(assignee=handler.username) == [other.reference]
        assert refs(party=overdue.party_id) == [overdue.reference]
        assert refs(open="false") == []
        with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=BRUSSELS)):
            ordered = supervisor.get(CASES, {"ordering": "due_at"}).data["results"]
        assert ordered[0]["reference"] == overdue.reference and ordered[0]["overdue"] is True

    def test_bad_filters_are_400(self, client_for, melding):
        client = client_for(UserFactory(role="kcc"))
        assert "state" in client.get(CASES, {"state": "sleeping"}).data
        assert "ordering" in client.get(CASES, {"ordering": "reference; drop table"}).data

    def test_list_query_count_does_not_grow(self, client_for, handler, melding, django_assert_max_num_queries):
        client = client_for(handler)
        for _ in range(3):
            open_case(case_type=melding)
        with django_assert_max_num_queries(6) as small:
            assert client.get(CASES).status_code == 200
        for _ in range(20):
            open_case(case_type=melding)
        client = client_for(handler)
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert len(client.get(CASES).data["results"]) == 23

    def test_config_lists(self, client_for, melding, group):
        client = client_for(UserFactory(role="handler"))
        groups = client.get(reverse("v1:handler-group-list")).data
        assert {g["name"]: g["member_count"] for g in groups}["Openbaar Domein"] == 1
        types = client.get(reverse("v1:case-type-list")).data
        assert [t["code"] for t in types] == ["melding"]
        assert types[0]["default_group"]["id"] == group.pk


class TestReassignAndNotes:
    def test_kcc_reassigns_a_misdispatched_case(self, client_for, handler, melding, other_group):
        case = case_in_state("in_progress", case_type=melding)
        client_for(handler).post(
            reverse("v1:case-transitions", args=[case.reference]), {"transition": "return_to_kcc", "reason": "x"}
        )
        case.refresh_from_db()
        due_at = case.due_at

        response = client_for(UserFactory(role="kcc")).post(
            reverse("v1:case-reassign", args=[case.reference]),
            {"handler_group": other_group.pk, "reason": "Is voor Mobiliteit."},
        )

        assert response.status_code == 200, response.data
        case.refresh_from_db()
        assert (case.handler_group, case.state, case.misdispatched, case.due_at) == (other_group, "new", False, due_at)
        event = case.events.get(kind=EventKind.REASSIGNMENT)
        assert event.data["to_group"] == other_group.pk and event.data["was_misdispatched"] is True

    @pytest.mark.parametrize("problem", ["unknown", "inactive", "same"])
    def test_bad_group_is_400(self, client_for, group, melding, other_group, problem):
        case = open_case(case_type=melding)
        target = {"unknown": 999999, "inactive": HandlerGroupFactory(active=False).pk, "same": group.pk}[problem]
        response = client_for(UserFactory(role="supervisor")).post(
            reverse("v1:case-reassign", args=[case.reference]), {"handler_group": target}
        )
        assert response.status_code == 400 and "handler_group" in response.data
        case.refresh_from_db()
        assert case.handler_group == group and case.version == 1
        assert not case.events.filter(kind=EventKind.REASSIGNMENT).exists()

    def test_handlers_may_not_reassign_and_final_cases_stay(self, client_for, handler, melding, other_group):
        case = open_case(case_type=melding)
        url = reverse("v1:case-reassign", args=[case.reference])
        assert client_for(handler).post(url, {"handler_group": other_group.pk}).status_code == 403
        closed = case_in_state("closed", case_type=melding)
        response = client_for(UserFactory(role="kcc")).post(
            reverse("v1:case-reassign", args=[closed.reference]), {"handler_group": other_group.pk}
        )
        assert response.status_code == 409 and response.data["code"] == "case_final"

    def test_notes_and_events(self, client_for, handler, melding):
        case = open_case(case_type=melding)
        url = reverse("v1:case-events", args=[case.reference])
        client = client_for(handler)

        assert client.post(url, {"text": "  "}).status_code == 400
        response = client.post(url, {"text": "Ploeg is ter plaatse geweest.", "public": True})
        assert response.status_code == 201
        events = client.get(url).data["results"]
        assert [(e["kind"], e["public"], e["actor"]) for e in events] == [
            ("note", True, handler.username),
            ("created", False, None),
        ]


def test_merging_parties_moves_their_cases(client_for, melding):
    survivor, duplicate = PersonFactory(), PersonFactory(national_number=None)
    case = open_case(case_type=melding, party=duplicate)
    kcc = client_for(UserFactory(role="kcc"))

    response = kcc.post(reverse("v1:party-merge", args=[survivor.pk]), {"duplicate": duplicate.pk})

    assert response.status_code == 200, response.data
    assert response.data["moved"]["cases.case"] == [case.pk]
    case.refresh_from_db()
    assert case.party == survivor
    # A case opened later for the tombstone lands on the survivor.
    duplicate.refresh_from_db()
    assert open_case(case_type=melding, party=duplicate).party == survivor
