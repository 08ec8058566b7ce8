"""The KPIs of the virtual assistant and of status information through the KPI API, each on a small data set whose
answer is computed by hand in the fixture's docstring. Sessions, look-ups and "web page updated" are written by
the public services, as the assistant's client and the web editors write them."""

from datetime import datetime, timedelta
from itertools import count

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.services import case_contact_link
from notifications.models import Notification
from notifications.services import notifications_silenced
from public.selectors_assistant import assistant_feedback_per_month
from public.services import service_client_create, status_lookup_record
from public.services_assistant import assistant_questions_mark_updated, assistant_session_record
from reports.kpis import NO_FILTERS, REGISTRY
from reports.models import CounterCluster, CounterVisit
from reports.periods import parse_period
from tests.factories import CaseTypeFactory, ContactFactory, UserFactory, open_case

from .helpers import KPIS, at, headline, kpi, kpi_queries, rows

pytestmark = pytest.mark.django_db
CODES = (
    "assistant_session_share",
    "assistant_automated_share",
    "assistant_signins",
    "status_lookup_share",
    "start_to_status_seconds",
    "start_to_appointment_seconds",
    "statuses_read_share",
    "feedback_pages_updated_share",
)
SESSION_IDS = count(1)


@pytest.fixture
def assistant():
    """The virtual assistant's service client."""
    client, _key = service_client_create(
        actor=None,
        name="Virtuele assistent",
        scopes=["statistics", "status"],
        channels=["website", "whatsapp", "messenger", "chat"],
        sources=["virtual_assistant"],
    )
    return client


def session(
    client, *, channel: str, ended_at: datetime, signed_in=False, automated=0, outcome="answered", questions=()
):
    stored, _created = assistant_session_record(
        client=client,
        session_id=f"conv-{next(SESSION_IDS)}",
        channel=channel,
        started_at=ended_at - timedelta(minutes=4),
        ended_at=ended_at,
        signed_in=signed_in,
        topics=[],
        automated_actions=automated,
        outcome=outcome,
        unanswered_questions=list(questions),
    )
    return stored


def lookup(*, channel: str, source: str, answered_at: datetime, case=None, seconds=None, client=None):
    """A status look-up recorded by the service at ``answered_at``, the conversation ``seconds`` before."""
    with time_machine.travel(answered_at, tick=False):
        started_at = None if seconds is None else answered_at - timedelta(seconds=seconds)
        return status_lookup_record(client=client, case=case, channel=channel, source=source, started_at=started_at)


def case_registered(registered_at: datetime, **fields):
    with notifications_silenced():
        return open_case(registered_at=registered_at, **fields)


# ------------------------------------------------------------------------------------- the assistant's sessions


@pytest.fixture
def session_data(assistant):
    """Sessions, Q3 2026 (August): website signed in, 3 automated actions, answered; website handed over to staff,
    0 automated; WhatsApp signed in, 1 automated, status looked up. Other inbound contacts: 4 by phone, 1 through
    the website's form (the assistant's own website contact and an outbound call are left out).
    Session share: 3 ÷ (3 + 5) = 37.5 % (met); website 2 ÷ 3 = 66.67 %, WhatsApp 1 ÷ 1, phone 0 ÷ 4 (no norm:
    not a channel of the assistant). Automated: 4 ÷ (4 + 1 handed over) = 80 %; website 3 ÷ 4, WhatsApp 1 ÷ 1.
    Sign-ins: 2 of 3 = 66.67 %; website 1 of 2, WhatsApp 1 of 1. Q3 2025 (September): 1 of 2 signed in = 50 %:
    66.67 > 50 is met; 2025-08 has no session: 2026-08 has no norm.
    1 October 2026 00:30: a chat session (signed in, 2 automated): Q4, not Q3."""
    session(assistant, channel="website", ended_at=at(2026, 8, 3, 10), signed_in=True, automated=3)
    session(assistant, channel="website", ended_at=at(2026, 8, 4, 10), outcome="handed_over")
    session(
        assistant,
        channel="whatsapp",
        ended_at=at(2026, 8, 5, 10),
        signed_in=True,
        automated=1,
        outcome="status_looked_up",
    )
    for day in (3, 4, 5, 6):
        ContactFactory(channel="phone", occurred_at=at(2026, 8, day, 9))
    ContactFactory(channel="website", source="web_form", occurred_at=at(2026, 8, 7, 9))
    ContactFactory(channel="website", source="virtual_assistant", occurred_at=at(2026, 8, 3, 10))
    ContactFactory(channel="phone", direction="outbound", occurred_at=at(2026, 8, 8, 9))
    session(assistant, channel="chat", ended_at=at(2026, 10, 1, 0, 30), signed_in=True, automated=2)
    session(assistant, channel="website", ended_at=at(2025, 9, 3, 10), signed_in=True)
    session(assistant, channel="website", ended_at=at(2025, 9, 4, 10))


def test_assistant_session_share(supervisor_api, session_data):
    body = kpi(supervisor_api, "assistant_session_share", period="2026-Q3")
    assert headline(body) == (3, 8, 37.5, "met")
    assert rows(kpi(supervisor_api, "assistant_session_share", period="2026-Q3", breakdown="channel")) == {
        "phone": (0, 4, 0.0, "no_norm"),
        "website": (2, 3, 66.67, "met"),
        "whatsapp": (1, 1, 100.0, "met"),
    }
    assert headline(kpi(supervisor_api, "assistant_session_share", period="2026-Q3", channel="website"))[:2] == (2, 3)


def test_assistant_session_share_by_quarter_puts_half_past_midnight_in_q4(supervisor_api, session_data):
    body = kpi(supervisor_api, "assistant_session_share", period="2026", breakdown="quarter")
    assert rows(body) == {"2026-Q3": (3, 8, 37.5, "met"), "2026-Q4": (1, 1, 100.0, "met")}


def test_assistant_automated_share(supervisor_api, session_data):
    assert headline(kpi(supervisor_api, "assistant_automated_share", period="2026-Q3")) == (4, 5, 80.0, "met")
    body = kpi(supervisor_api, "assistant_automated_share", period="2026-Q3", breakdown="channel")
    assert rows(body) == {"website": (3, 4, 75.0, "met"), "whatsapp": (1, 1, 100.0, "met")}
    body = kpi(supervisor_api, "assistant_automated_share", period="2026", breakdown="quarter")
    assert rows(body) == {"2026-Q3": (4, 5, 80.0, "met"), "2026-Q4": (2, 2, 100.0, "met")}


def test_assistant_automated_share_without_actions_is_no_data(supervisor_api, session_data):
    """The 2025 sessions answered with no automated action and no hand-over: 0 ÷ 0."""
    body = kpi(supervisor_api, "assistant_automated_share", period="2025-Q3")
    assert (body["numerator"], body["denominator"], body["value"], body["status"]) == (0, 0, None, "no_data")


def test_assistant_signins_against_the_year_before(supervisor_api, session_data):
    body = kpi(supervisor_api, "assistant_signins", period="2026-Q3")
    assert headline(body) == (2, 3, 66.67, "met")
    assert (body["norm"], body["norm_relative"], body["year_earlier"]["value"]) == (0.0, True, 50.0)
    body = kpi(supervisor_api, "assistant_signins", period="2026-Q3", breakdown="channel")
    assert rows(body) == {"website": (1, 2, 50.0, "no_norm"), "whatsapp": (1, 1, 100.0, "no_norm")}


def test_assistant_signins_not_met_when_not_higher_and_no_norm_without_the_year_before(
    supervisor_api, session_data, assistant
):
    body = kpi(supervisor_api, "assistant_signins", period="2026-08")
    assert (body["value"], body["status"], body["year_earlier"]["status"]) == (66.67, "no_norm", "no_data")
    session(assistant, channel="website", ended_at=at(2026, 8, 20, 10))
    assert headline(kpi(supervisor_api, "assistant_signins", period="2026-Q3")) == (2, 4, 50.0, "not_met")


# ------------------------------------------------------------------------------------------------- status look-ups


@pytest.fixture
def lookup_data(assistant):
    """Q3 2026 (August), status requests: look-ups through the assistant 2 on WhatsApp (30 s, and one without a
    start) and 1 on the website (90 s); 2 through the website's own form; contacts about a case registered in June:
    1 by phone, 1 by e-mail. Not status requests: the citizen's answer on the status page (web form), the phone
    call that opened its case, a phone call about nothing registered.
    Share: 3 ÷ (5 + 2) = 42.86 % (met). By channel: WhatsApp 2 ÷ 2, website 1 ÷ 3 = 33.33 %, phone 0 ÷ 1 and
    e-mail 0 ÷ 1 (no norm). By source: the assistant 3 ÷ 7 (met), other 4 ÷ 7 = 57.14 % (no norm).
    Start to status: (30 + 90) ÷ 2 = 60 s (≤ 60: met); WhatsApp 30, website 90 (not met); a look-up that found
    nothing is left out. 1 October 2026 00:30: a WhatsApp look-up through the assistant (10 s): Q4."""
    june = case_registered(at(2026, 6, 10, 10))
    lookup(
        channel="whatsapp",
        source="virtual_assistant",
        answered_at=at(2026, 8, 3, 10),
        case=june,
        seconds=30,
        client=assistant,
    )
    lookup(channel="whatsapp", source="virtual_assistant", answered_at=at(2026, 8, 3, 11), case=june, client=assistant)
    lookup(
        channel="website",
        source="virtual_assistant",
        answered_at=at(2026, 8, 4, 10),
        case=june,
        seconds=90,
        client=assistant,
    )
    lookup(channel="website", source="web_form", answered_at=at(2026, 8, 5, 10), case=june)
    lookup(channel="website", source="web_form", answered_at=at(2026, 8, 5, 11), seconds=5)  # not found
    for channel in ("phone", "email"):
        asked = ContactFactory(channel=channel, party=june.party, occurred_at=at(2026, 8, 6, 10))
        case_contact_link(case=june, contact=asked, note="Vraag naar de stand van zaken")
    answer = ContactFactory(channel="website", source="web_form", party=june.party, occurred_at=at(2026, 8, 7, 10))
    case_contact_link(case=june, contact=answer, note="Antwoord", public=True)
    opening = ContactFactory(channel="phone", occurred_at=at(2026, 8, 8, 10))
    with notifications_silenced():
        open_case(party=opening.party, contact=opening, channel="phone")
    ContactFactory(channel="phone", occurred_at=at(2026, 8, 9, 10))
    lookup(
        channel="whatsapp",
        source="virtual_assistant",
        answered_at=at(2026, 10, 1, 0, 30),
        case=june,
        seconds=10,
        client=assistant,
    )


def test_status_lookup_share(supervisor_api, lookup_data):
    assert headline(kpi(supervisor_api, "status_lookup_share", period="2026-Q3")) == (3, 7, 42.86, "met")
    assert rows(kpi(supervisor_api, "status_lookup_share", period="2026-Q3", breakdown="channel")) == {
        "email": (0, 1, 0.0, "no_norm"),
        "phone": (0, 1, 0.0, "no_norm"),
        "website": (1, 3, 33.33, "met"),
        "whatsapp": (2, 2, 100.0, "met"),
    }
    assert rows(kpi(supervisor_api, "status_lookup_share", period="2026-Q3", breakdown="source")) == {
        "other": (4, 7, 57.14, "no_norm"),
        "virtual_assistant": (3, 7, 42.86, "met"),
    }
    assert headline(kpi(supervisor_api, "status_lookup_share", period="2026-Q3", channel="website"))[:2] == (1, 3)


def test_status_lookup_share_by_quarter_puts_half_past_midnight_in_q4(supervisor_api, lookup_data):
    body = kpi(supervisor_api, "status_lookup_share", period="2026", breakdown="quarter")
    assert rows(body) == {"2026-Q3": (3, 7, 42.86, "met"), "2026-Q4": (1, 1, 100.0, "met")}


def test_start_to_status_seconds(supervisor_api, lookup_data):
    body = kpi(supervisor_api, "start_to_status_seconds", period="2026-Q3")
    assert headline(body) == (120, 2, 60.0, "met")
    assert (body["unit"], body["norm"]) == ("seconds", 60.0)
    body = kpi(supervisor_api, "start_to_status_seconds", period="2026-Q3", breakdown="channel")
    assert rows(body) == {"website": (90, 1, 90.0, "not_met"), "whatsapp": (30, 1, 30.0, "met")}
    assert headline(kpi(supervisor_api, "start_to_status_seconds", period="2026-Q4"))[:3] == (10, 1, 10.0)


# ---------------------------------------------------------------------------------------------------- appointments


def visit(n: int, *, channel: str, source: str, booked_at: datetime, seconds=None) -> CounterVisit:
    cluster, _created = CounterCluster.objects.get_or_create(code="burgerzaken", name="Burgerzaken", norm_minutes=10)
    return CounterVisit.objects.create(
        key=f"visit-{n}",
        cluster=cluster,
        booked_at=booked_at,
        scheduled_start=booked_at + timedelta(days=3),
        booking_channel=channel,
        booking_source=source,
        started_at=None if seconds is None else booked_at - timedelta(seconds=seconds),
        lead_working_days=3,
    )


@pytest.fixture
def appointment_data():
    """Appointments booked in Q3 2026: through the assistant on the website 60 s after the conversation began, on
    WhatsApp 150 s; at the counter by staff, no start (left out). Average (60 + 150) ÷ 2 = 105 s (> 90: not met);
    website 60 (met), WhatsApp 150. 1 October 2026 00:30: one of 45 s, Q4."""
    visit(1, channel="website", source="virtual_assistant", booked_at=at(2026, 8, 3, 10), seconds=60)
    visit(2, channel="whatsapp", source="virtual_assistant", booked_at=at(2026, 8, 4, 10), seconds=150)
    visit(3, channel="counter", source="staff", booked_at=at(2026, 8, 5, 10))
    visit(4, channel="website", source="virtual_assistant", booked_at=at(2026, 10, 1, 0, 30), seconds=45)


def test_start_to_appointment_seconds(supervisor_api, appointment_data):
    body = kpi(supervisor_api, "start_to_appointment_seconds", period="2026-Q3")
    assert headline(body) == (210, 2, 105.0, "not_met")
    assert body["norm"] == 90.0
    body = kpi(supervisor_api, "start_to_appointment_seconds", period="2026-Q3", breakdown="channel")
    assert rows(body) == {"website": (60, 1, 60.0, "met"), "whatsapp": (150, 1, 150.0, "not_met")}
    body = kpi(supervisor_api, "start_to_appointment_seconds", period="2026-Q3", channel="whatsapp")
    assert headline(body)[:3] == (150, 1, 150.0)
    assert headline(kpi(supervisor_api, "start_to_appointment_seconds", period="2026-Q4")) == (45, 1, 45.0, "met")


# ---------------------------------------------------------------------------------------------------- statuses read


def notification(case, *, backend="email", kind="case_accepted", sent_at=None, read_at=None, status="sent"):
    return Notification.objects.create(
        case=case,
        party=case.party,
        backend=backend,
        kind=kind,
        recipient="burger@example.be",
        language="nl",
        status=status,
        created_at=sent_at or at(2026, 8, 1),
        sent_at=sent_at if status == "sent" else None,
        read_at=read_at,
    )


@pytest.fixture
def read_data():
    """Case changes sent to the citizen in Q3 2026: case 1 ("melding"), 3 August by e-mail, read 4 August; by DOSIS,
    not read but the case was looked up 5 August → read. Case 2, 10 August by Mijn Burgerprofiel, looked up only
    9 August (before) → not read; by e-mail, not read. Left out: the survey's invitation (read), a notification
    still pending. Share 2 ÷ 4 = 50 % (met). By channel (backend): e-mail 1 ÷ 2, DOSIS 1 ÷ 1, Mijn Burgerprofiel
    0 ÷ 1 (not met). Case type "melding" only: 2 ÷ 2. 1 October 2026 00:30: an e-mail, read: Q4."""
    first = case_registered(at(2026, 7, 1, 10), case_type=CaseTypeFactory(code="melding"))
    second = case_registered(at(2026, 7, 2, 10))
    notification(first, sent_at=at(2026, 8, 3, 10), read_at=at(2026, 8, 4, 10))
    notification(first, backend="dosis", sent_at=at(2026, 8, 3, 10))
    lookup(channel="website", source="web_form", answered_at=at(2026, 8, 5, 10), case=first)
    lookup(channel="website", source="web_form", answered_at=at(2026, 8, 9, 10), case=second)
    notification(second, backend="burgerprofiel", sent_at=at(2026, 8, 10, 10))
    notification(second, sent_at=at(2026, 8, 10, 10))
    notification(second, kind="survey_invitation", sent_at=at(2026, 8, 11, 10), read_at=at(2026, 8, 11, 11))
    notification(second, status="pending")
    notification(second, sent_at=at(2026, 10, 1, 0, 30), read_at=at(2026, 10, 2, 10))
    return {"first": first, "second": second}


def test_statuses_read_share(supervisor_api, read_data):
    assert headline(kpi(supervisor_api, "statuses_read_share", period="2026-Q3")) == (2, 4, 50.0, "met")
    assert rows(kpi(supervisor_api, "statuses_read_share", period="2026-Q3", breakdown="channel")) == {
        "burgerprofiel": (0, 1, 0.0, "not_met"),
        "dosis": (1, 1, 100.0, "met"),
        "email": (1, 2, 50.0, "met"),
    }
    assert rows(kpi(supervisor_api, "statuses_read_share", period="2026", breakdown="quarter")) == {
        "2026-Q3": (2, 4, 50.0, "met"),
        "2026-Q4": (1, 1, 100.0, "met"),
    }
    assert headline(kpi(supervisor_api, "statuses_read_share", period="2026-Q3", case_type="melding"))[:2] == (2, 2)
    group = read_data["second"].handler_group_id
    assert headline(kpi(supervisor_api, "statuses_read_share", period="2026-Q3", handler_group=group))[:2] == (0, 2)


# ---------------------------------------------------------------------------------------------- assistant feedback


@pytest.fixture
def feedback_data(assistant):
    """Questions the assistant could not answer. July 2026: "Waar is het containerpark?" (twice, one group),
    "Hoe laat sluit het zwembad?", "Wanneer is de markt?" (WhatsApp) → 3 groups. August: "Waar is het
    containerpark" again and "Parkeerkaart aanvragen" → 2 groups. The containerpark's web page was updated:
    July 1 of 3 (33.33 %), August 1 of 2 (50 %); Q3 (1 + 1) ÷ (3 + 2) = 40 % (met). On WhatsApp: 0 of 1.
    1 October 2026 00:30: "Waar kan ik zwemmen?" → October, not Q3."""
    session(
        assistant,
        channel="website",
        ended_at=at(2026, 7, 10, 10),
        questions=["Waar is het containerpark?", "waar is het containerpark", "Hoe laat sluit het zwembad?"],
    )
    session(assistant, channel="whatsapp", ended_at=at(2026, 7, 20, 10), questions=["Wanneer is de markt?"])
    session(
        assistant,
        channel="website",
        ended_at=at(2026, 8, 5, 10),
        questions=["Waar is het containerpark", "Parkeerkaart aanvragen"],
    )
    session(assistant, channel="website", ended_at=at(2026, 10, 1, 0, 30), questions=["Waar kan ik zwemmen?"])
    assistant_questions_mark_updated(actor=UserFactory(role="kcc"), normalised_text="waar is het containerpark")


def test_feedback_pages_updated_share(supervisor_api, feedback_data):
    assert headline(kpi(supervisor_api, "feedback_pages_updated_share", period="2026-Q3")) == (2, 5, 40.0, "met")
    assert rows(kpi(supervisor_api, "feedback_pages_updated_share", period="2026-Q3", breakdown="month")) == {
        "2026-07": (1, 3, 33.33, "met"),
        "2026-08": (1, 2, 50.0, "met"),
    }
    body = kpi(supervisor_api, "feedback_pages_updated_share", period="2026-Q3", channel="whatsapp")
    assert headline(body) == (0, 1, 0.0, "not_met")
    assert headline(kpi(supervisor_api, "feedback_pages_updated_share", period="2026-Q4"))[:2] == (0, 1)


def test_feedback_pages_updated_share_agrees_with_the_feedback_page(feedback_data):
    """The assistant's feedback page (groups and updated per month) and the KPI count the same months."""
    page = {row["month"].strftime("%Y-%m"): (row["updated"], row["groups"]) for row in assistant_feedback_per_month()}
    figures = REGISTRY["feedback_pages_updated_share"].compute(parse_period("2026"), NO_FILTERS, "month")
    assert {figure.key: (figure.numerator, figure.denominator) for figure in figures} == page


# --------------------------------------------------------------------------------------------- no data, queries


@pytest.fixture
def every_data(session_data, lookup_data, appointment_data, read_data, feedback_data):
    return None


@pytest.mark.parametrize("code", CODES)
def test_no_data_is_no_data(supervisor_api, every_data, code):
    body = kpi(supervisor_api, code, period="2031-Q1")
    assert (body["value"], body["status"]) == (None, "no_data")
    assert body["year_earlier"]["status"] == "no_data"


@pytest.mark.parametrize("code", CODES)
def test_each_kpi_and_each_breakdown_is_one_query(every_data, code):
    period = parse_period("2026")
    for breakdown in (None, *REGISTRY[code].breakdowns):
        with CaptureQueriesContext(connection) as queries:
            found = REGISTRY[code].compute(period, NO_FILTERS, breakdown)
        assert len(kpi_queries(queries)) == 1, (breakdown, kpi_queries(queries))
        assert found


def test_the_api_asks_as_many_queries_whatever_the_data(supervisor_api, every_data, assistant):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            for code in CODES:
                kpi(supervisor_api, code, period="2026-Q3", breakdown=REGISTRY[code].breakdowns[0])
        return len(kpi_queries(queries))

    kpi(supervisor_api, "assistant_signins", period="2026")  # the user's permissions, cached afterwards
    before = count_queries()
    case = case_registered(at(2026, 6, 1, 10))
    for day in range(1, 15):
        session(assistant, channel="chat", ended_at=at(2026, 7, day, 9), automated=1, questions=[f"Vraag {day}"])
        lookup(
            channel="chat",
            source="virtual_assistant",
            answered_at=at(2026, 7, day, 10),
            case=case,
            seconds=20,
            client=assistant,
        )
        notification(case, sent_at=at(2026, 7, day, 8), read_at=at(2026, 7, day, 12))
        visit(100 + day, channel="chat", source="virtual_assistant", booked_at=at(2026, 7, day, 11), seconds=40)
    assert count_queries() == before


def test_the_list_of_every_kpi_carries_them(supervisor_api, every_data):
    """Every data set at once: the status look-ups of ``read_data`` (2 through the web form) make the status
    requests 9: 3 ÷ 9 = 33.33 %; the 3 sessions of ``feedback_data`` in Q3 (not signed in, no action) make the
    sign-ins 2 of 6 = 33.33 % and the session share 6 ÷ (6 + 5 + the 5 contacts of ``lookup_data``) = 37.5 %."""
    body = supervisor_api.get(KPIS, {"period": "2026-Q3"}).json()
    values = {report["code"]: report["value"] for report in body["kpis"]}
    assert {code: values[code] for code in CODES} == {
        "assistant_session_share": 37.5,
        "assistant_automated_share": 80.0,
        "assistant_signins": 33.33,
        "status_lookup_share": 33.33,
        "start_to_status_seconds": 60.0,
        "start_to_appointment_seconds": 105.0,
        "statuses_read_share": 50.0,
        "feedback_pages_updated_share": 40.0,
    }
    group = supervisor_api.get(KPIS, {"period": "2026-Q3", "handler_group": 1}).json()
    assert set(CODES) - set(group["not_filterable"]) == {"statuses_read_share"}
