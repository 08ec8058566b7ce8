"""Input limits of the cases API: overlong, invisible or out-of-range input is a clear 400 that writes nothing,
and no moment a client sends can make the working-day arithmetic slow or overflow."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case, CaseEvent, EventKind
from cases.services import case_transition
from contacts.models import Contact
from tests.factories import UserFactory, open_case

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
CASES = reverse("v1:case-list")
# Invisible: a zero-width space, bidi marks and isolates, a byte-order mark, NUL, a soft hyphen.
INVISIBLE = "\u200b\u200e\u202e\u2066\ufeff\x00\u00ad"
VALID = {"case_type": "melding", "description": "Losliggende stoeptegel", "channel": "phone"}


@pytest.fixture
def kcc(client_for):
    return client_for(UserFactory(role="kcc"))


def refused(response, field: str, message: str) -> None:
    assert response.status_code == 400, response.data
    assert message in " ".join(str(m) for m in response.data[field])


class TestOpening:
    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"description": "x" * 10_001}, "description", "no more than 10000 characters"),
            ({"description": INVISIBLE + " \n\t"}, "description", "may not be blank"),
            ({"postal_code": "9" * 11}, "postal_code", "no more than 10 characters"),
            ({"location": "x" * 301}, "location", "no more than 300 characters"),
            ({"latitude": "90.000001", "longitude": "3.7"}, "latitude", "less than or equal to 90"),
            ({"latitude": "-91", "longitude": "3.7"}, "latitude", "greater than or equal to -90"),
            ({"latitude": "51.05", "longitude": "180.5"}, "longitude", "less than or equal to 180"),
            ({"latitude": "51.05", "longitude": "-181"}, "longitude", "greater than or equal to -180"),
            ({"latitude": "51.05"}, "longitude", "both latitude and longitude"),
            ({"registered_at": "0200-03-01T10:00:00+01:00"}, "registered_at", "on or after 1990-01-01"),
            ({"registered_at": "0001-01-01T00:00:00+00:00"}, "registered_at", "on or after 1990-01-01"),
            ({"registered_at": "1989-12-31T23:59:59+01:00"}, "registered_at", "on or after 1990-01-01"),
            (
                {"registered_at": "2026-11-20T10:00:00"},
                "registered_at",
                "with its offset, e.g. 2026-03-01T10:00:00+01:00",
            ),
            ({"registered_at": "2026-11-20"}, "registered_at", "with its offset"),
        ],
    )
    def test_refused_and_nothing_written(self, kcc, melding, changes, field, message):
        with time_machine.travel(datetime(2026, 11, 22, 10, tzinfo=BRUSSELS)):
            response = kcc.post(CASES, {**VALID, **changes}, format="json")
        refused(response, field, message)
        assert not Case.objects.exists() and not CaseEvent.objects.exists()

    def test_the_bounds_themselves_are_accepted(self, kcc, melding):
        body = {
            **VALID,
            "description": "x" * 10_000,
            "latitude": "-90",
            "longitude": "180",
            "registered_at": "1990-01-01T00:00:00+01:00",
        }
        response = kcc.post(CASES, body, format="json")
        assert response.status_code == 201, response.data
        case = Case.objects.get()
        assert case.registered_at == datetime(1990, 1, 1, tzinfo=BRUSSELS)
        # 1 January is a holiday: Tuesday 2, Wednesday 3 and Thursday 4 January 1990.
        assert case.due_at == datetime(1990, 1, 4, 23, 59, 59, tzinfo=BRUSSELS)

    def test_the_lower_bound_is_a_setting(self, kcc, melding, settings):
        settings.MIDOFFICE_MIN_DATE = date(2020, 1, 1)
        response = kcc.post(CASES, {**VALID, "registered_at": "2019-12-31T10:00:00+01:00"}, format="json")
        refused(response, "registered_at", "on or after 2020-01-01")
        assert not Case.objects.exists()

    def test_invisible_characters_are_removed(self, kcc, melding):
        response = kcc.post(
            CASES,
            {
                **VALID,
                "description": f" Losse{INVISIBLE} tegel\r\nVeldstraat 12 ",
                "location": f"Veldstraat\u200b 12{INVISIBLE}",
                "postal_code": "\u200e9000",
            },
            format="json",
        )
        assert response.status_code == 201, response.data
        case = Case.objects.get()
        assert (case.description, case.location, case.postal_code) == (
            "Losse tegel\nVeldstraat 12",
            "Veldstraat 12",
            "9000",
        )

    def test_an_invisible_inline_case_writes_no_contact(self, client_for, melding):
        response = client_for(UserFactory(role="front_desk")).post(
            reverse("v1:contact-list"),
            {
                "party_data": {"given_name": "An", "family_name": "Peeters"},
                "channel": "phone",
                "subject": "Put in de weg",
                "case": {"case_type": "melding", "description": INVISIBLE},
            },
            format="json",
        )
        assert response.status_code == 400
        assert "may not be blank" in str(response.data["case"]["description"])
        assert not Contact.objects.exists() and not Case.objects.exists()


class TestChanging:
    @pytest.fixture
    def case(self, melding):
        return open_case(case_type=melding)

    @pytest.fixture
    def handler_client(self, client_for, handler):
        return client_for(handler)

    def transitions(self, case):
        return reverse("v1:case-transitions", args=[case.reference])

    def test_an_invisible_answer_is_no_answer(self, handler_client, case):
        response = handler_client.post(
            self.transitions(case), {"transition": "resolve", "public_message": INVISIBLE}, format="json"
        )
        refused(response, "public_message", "Write the message the citizen will read.")
        case.refresh_from_db()
        assert case.state == "new" and case.public_message == ""
        assert not case.events.filter(kind=EventKind.TRANSITION).exists()

    @pytest.mark.parametrize(
        ("body", "field", "message"),
        [
            ({"transition": "resolve", "public_message": "x" * 10_001}, "public_message", "no more than 10000"),
            ({"transition": "cancel", "reason": "x" * 2_001}, "reason", "no more than 2000"),
            ({"transition": "cancel", "reason": INVISIBLE}, "reason", "Give a reason for this transition."),
        ],
    )
    def test_overlong_or_invisible_transition_texts(self, handler_client, case, body, field, message):
        refused(handler_client.post(self.transitions(case), body, format="json"), field, message)
        case.refresh_from_db()
        assert case.state == "new" and case.version == 1

    def test_an_overlong_reassignment_reason(self, client_for, case, other_group):
        response = client_for(UserFactory(role="kcc")).post(
            reverse("v1:case-reassign", args=[case.reference]),
            {"handler_group": other_group.pk, "reason": "x" * 2_001},
            format="json",
        )
        refused(response, "reason", "no more than 2000")
        case.refresh_from_db()
        assert case.handler_group != other_group
        assert not case.events.filter(kind=EventKind.REASSIGNMENT).exists()

    @pytest.mark.parametrize(
        ("text", "message"), [("x" * 10_001, "no more than 10000"), (INVISIBLE + "  ", "may not be blank")]
    )
    def test_notes(self, handler_client, case, text, message):
        response = handler_client.post(reverse("v1:case-events", args=[case.reference]), {"text": text}, format="json")
        refused(response, "text", message)
        assert not case.events.filter(kind=EventKind.NOTE).exists()

    def test_a_note_is_stored_without_invisible_characters(self, handler_client, case):
        response = handler_client.post(
            reverse("v1:case-events", args=[case.reference]), {"text": f"Ploeg\u200b ingepland{INVISIBLE}"}
        )
        assert response.status_code == 201
        assert case.events.get(kind=EventKind.NOTE).text == "Ploeg ingepland"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"case_type": "x" * 51}, "case_type"),
        ({"assignee": "x" * 151}, "assignee"),
        ({"case_type": "\u200b"}, "case_type"),
        ({"party": str(2**63)}, "party"),  # beyond SQLite's integers: was a 500
        ({"handler_group": "0"}, "handler_group"),
    ],
)
def test_list_filters_are_bounded(kcc, params, field):
    response = kcc.get(CASES, params)
    assert response.status_code == 400 and field in response.data


@pytest.mark.parametrize(("params", "field"), [({"case": "1" * 21}, "case"), ({"party": str(2**63)}, "party")])
def test_the_outbox_filters_are_bounded(client_for, params, field):
    response = client_for(UserFactory(role="supervisor")).get(reverse("v1:notification-list"), params)
    assert response.status_code == 400 and field in response.data


def test_a_case_registered_centuries_ago_is_read_quickly_and_the_same_way(client_for, melding, handler):
    """A row from before the bound (an import, an older version) is counted from the calendar's first day: it is
    read at once, never through centuries of days (13 s of CPU for year 200) nor past the calendar (year 1)."""
    for year in (1, 200):
        case = open_case(case_type=melding, registered_at=datetime(1990, 1, 2, 9, tzinfo=BRUSSELS))
        resolved = datetime(1990, 1, 5, 10, tzinfo=BRUSSELS)
        case_transition(actor=handler, case=case, transition="resolve", public_message="klaar", now=resolved)
        Case.objects.filter(pk=case.pk).update(registered_at=datetime(year, 3, 1, 10, tzinfo=BRUSSELS))

        response = client_for(handler).get(reverse("v1:case-detail", args=[case.reference]))

        assert response.status_code == 200
        # Working days after the calendar's first day up to Friday 5 January 1990: Tue 2, Wed 3, Thu 4, Fri 5.
        assert response.data["durations"]["to_resolved"] == 4
