"""The KPIs of contacts and the first line (guided share, channel shares, start to submit, phone volume) through
the KPI API, each on a small data set whose answer is computed by hand in the fixture's docstring."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.services import case_contact_link
from notifications.services import notifications_silenced
from public.models import StatusLookup
from reports.kpis import NO_FILTERS, REGISTRY
from reports.models import CounterCluster, CounterVisit
from reports.periods import parse_period
from reports.selectors import kpi_report
from tests.factories import CaseTypeFactory, ContactFactory, PersonFactory, open_case

from .helpers import KPIS, at, headline, kpi, kpi_queries, rows

pytestmark = pytest.mark.django_db
CODES = ("guided_share", "channel_share", "start_to_submit_seconds", "phone_volume_yoy")


def intake(*, channel: str, source: str, occurred_at: datetime, case_type=None, started_at=None, **fields):
    """A contact that opened a case (registered at the contact's time, through the contact's channel)."""
    contact = ContactFactory(channel=channel, source=source, occurred_at=occurred_at, started_at=started_at, **fields)
    with notifications_silenced():
        case = open_case(case_type=case_type, party=contact.party, contact=contact, channel=channel)
    return contact, case


# ---------------------------------------------------------------------------------------------------- guided_share


@pytest.fixture
def guided_data():
    """Q3 2026 (parties with a contact per local day; anonymous contacts left out):
    3 August: A (guided at the counter, and a phone call), B, and an anonymous guided contact → 1 of 2 = 0.5.
    4 August: C, D at 00:30 local (still 3 August in UTC), E, F guided → 1 of 4 = 0.25.
    Average of the days: (0.5 + 0.25) / 2 = 37.5 % (≥ 30: met). On the counter alone: 3 August, A → 1 of 1.
    Q3 2025: one day, G guided, H not → 50 %. And 1 October 2026 00:30: I guided: Q4 (1 of 1), not Q3."""
    a, b, c, d, e, f, g, h, i = (PersonFactory() for _ in range(9))
    ContactFactory(party=a, channel="counter", guided=True, occurred_at=at(2026, 8, 3, 10))
    ContactFactory(party=a, channel="phone", occurred_at=at(2026, 8, 3, 14))
    ContactFactory(party=b, occurred_at=at(2026, 8, 3, 23, 59))
    ContactFactory(party=None, anonymous=True, guided=True, occurred_at=at(2026, 8, 3, 11))
    ContactFactory(party=c, occurred_at=at(2026, 8, 4, 9))
    ContactFactory(party=d, occurred_at=at(2026, 8, 4, 0, 30))
    ContactFactory(party=e, occurred_at=at(2026, 8, 4, 12))
    ContactFactory(party=f, guided=True, occurred_at=at(2026, 8, 4, 15))
    ContactFactory(party=g, guided=True, occurred_at=at(2025, 9, 1, 9))
    ContactFactory(party=h, occurred_at=at(2025, 9, 1, 10))
    ContactFactory(party=i, guided=True, occurred_at=at(2026, 10, 1, 0, 30))


def test_guided_share_averages_the_daily_shares_of_parties(supervisor_api, guided_data):
    body = kpi(supervisor_api, "guided_share", period="2026-Q3")
    assert headline(body) == (0.75, 2, 37.5, "met")
    assert (body["norm"], body["unit"]) == (30.0, "percent")
    earlier = body["year_earlier"]
    assert (earlier["numerator"], earlier["denominator"], earlier["value"]) == (0.5, 1, 50.0)


def test_guided_share_a_contact_at_half_past_midnight_on_1_october_is_q4(supervisor_api, guided_data):
    assert headline(kpi(supervisor_api, "guided_share", period="2026-Q4")) == (1, 1, 100.0, "met")


def test_guided_share_by_channel_filter(supervisor_api, guided_data):
    assert headline(kpi(supervisor_api, "guided_share", period="2026-Q3", channel="counter")) == (1, 1, 100.0, "met")


def test_guided_share_has_no_breakdown(supervisor_api, guided_data):
    assert supervisor_api.get(f"{KPIS}guided_share/", {"period": "2026", "breakdown": "channel"}).status_code == 400


def test_guided_share_without_contacts_is_no_data(supervisor_api, guided_data):
    body = kpi(supervisor_api, "guided_share", period="2031-Q1")
    assert (body["value"], body["status"], body["year_earlier"]["status"]) == (None, "no_data", "no_data")


# --------------------------------------------------------------------------------------------------- channel_share


def visit(n: int, *, channel: str, source: str, booked_at: datetime, started_at=None) -> CounterVisit:
    cluster, _created = CounterCluster.objects.get_or_create(code="burgerzaken", name="Burgerzaken", norm_minutes=10)
    return CounterVisit.objects.create(
        key=f"visit-{n}",
        cluster=cluster,
        booked_at=booked_at,
        scheduled_start=booked_at + timedelta(days=3),
        booking_channel=channel,
        booking_source=source,
        started_at=started_at,
        lead_working_days=3,
    )


def lookup(*, channel: str, source: str, answered_at: datetime, case=None, started_at=None) -> StatusLookup:
    return StatusLookup.objects.create(
        case=case, channel=channel, source=source, answered_at=answered_at, started_at=started_at, found=bool(case)
    )


@pytest.fixture
def channel_data():
    """Q3 2026:
    intakes (cases registered): website via the assistant, website via the web form, two by phone (staff; one
    gets a later reply through the assistant, which does not make it the assistant's) → 1 of 4 = 25 % (met);
    per channel of 4: website 2 (50 %), phone 2 (50 %); per source: assistant 1 (25 %), other 3 (75 %).
    inbound contacts: those 4, an answered WhatsApp question to the assistant and the reply → 6, the assistant's 3
    (50 %); website 2 of 6, phone 2, whatsapp 2 (the outbound call is left out).
    status look-ups: 2 of the assistant (WhatsApp), 2 of the web form (website) → 50 %.
    appointments: 1 of the assistant (website), 3 by staff (counter) → 25 %.
    1 October 2026 00:30: an intake through the assistant: Q4 (1 of 1), not Q3.
    Q3 2025: one phone intake → 0 of 1 (not met)."""
    intake(channel="website", source="virtual_assistant", occurred_at=at(2026, 7, 2, 10))
    intake(channel="website", source="web_form", occurred_at=at(2026, 8, 5, 10))
    _contact, phoned = intake(channel="phone", source="staff", occurred_at=at(2026, 8, 6, 10))
    intake(channel="phone", source="staff", occurred_at=at(2026, 9, 30, 23, 59))
    reply = ContactFactory(
        channel="whatsapp", source="virtual_assistant", party=phoned.party, occurred_at=at(2026, 8, 7, 10)
    )
    case_contact_link(case=phoned, contact=reply, note="Antwoord")
    ContactFactory(channel="whatsapp", source="virtual_assistant", outcome="answered", occurred_at=at(2026, 8, 8))
    ContactFactory(channel="phone", direction="outbound", occurred_at=at(2026, 8, 9))
    for source, channel in (("virtual_assistant", "whatsapp"),) * 2 + (("web_form", "website"),) * 2:
        lookup(channel=channel, source=source, answered_at=at(2026, 8, 10))
    visit(1, channel="website", source="virtual_assistant", booked_at=at(2026, 8, 11))
    for n in (2, 3, 4):
        visit(n, channel="counter", source="staff", booked_at=at(2026, 8, 12))
    intake(channel="website", source="virtual_assistant", occurred_at=at(2026, 10, 1, 0, 30))
    intake(channel="phone", source="staff", occurred_at=at(2025, 8, 1, 10))


def test_channel_share_is_the_assistants_share_of_intakes(supervisor_api, channel_data):
    body = kpi(supervisor_api, "channel_share", period="2026-Q3")
    assert headline(body) == (1, 4, 25.0, "met")
    earlier = body["year_earlier"]
    assert (earlier["numerator"], earlier["denominator"], earlier["value"], earlier["status"]) == (0, 1, 0.0, "not_met")


def test_channel_share_reports_the_assistants_share_of_each_measure(channel_data):
    report = kpi_report("channel_share", parse_period("2026-Q3"))
    shares = {name: report[f"{name}_share"] for name in ("contacts", "intakes", "status_lookups", "appointments")}
    assert shares == {"contacts": 50, "intakes": 25, "status_lookups": 50, "appointments": 25}


def test_channel_share_by_channel_is_each_channels_share_without_norm(supervisor_api, channel_data):
    body = kpi(supervisor_api, "channel_share", period="2026-Q3", breakdown="channel")
    assert rows(body) == {
        "counter": (0, 4, 0.0, "no_norm"),
        "phone": (2, 4, 50.0, "no_norm"),
        "website": (2, 4, 50.0, "no_norm"),
        "whatsapp": (0, 4, 0.0, "no_norm"),
    }
    report = kpi_report("channel_share", parse_period("2026-Q3"), breakdown="channel")
    website = next(row for row in report["breakdown"]["rows"] if row["key"] == "website")
    assert (website["contacts_share"], website["status_lookups_share"], website["appointments_share"]) == (
        Decimal("33.33"),
        50,
        25,
    )


def test_channel_share_by_source_has_the_norm_on_the_assistants_row(supervisor_api, channel_data):
    body = kpi(supervisor_api, "channel_share", period="2026-Q3", breakdown="source")
    assert rows(body) == {"other": (3, 4, 75.0, "no_norm"), "virtual_assistant": (1, 4, 25.0, "met")}


def test_channel_share_by_quarter_puts_half_past_midnight_on_1_october_in_q4(supervisor_api, channel_data):
    body = kpi(supervisor_api, "channel_share", period="2026", breakdown="quarter")
    assert rows(body) == {"2026-Q3": (1, 4, 25.0, "met"), "2026-Q4": (1, 1, 100.0, "met")}


def test_channel_share_filtered_by_channel(supervisor_api, channel_data):
    assert headline(kpi(supervisor_api, "channel_share", period="2026-Q3", channel="website")) == (1, 2, 50.0, "met")


def test_channel_share_without_intakes_is_no_data(supervisor_api, channel_data):
    body = kpi(supervisor_api, "channel_share", period="2031-Q1")
    assert (body["value"], body["denominator"], body["status"]) == (None, 0, "no_data")


# -------------------------------------------------------------------------------------------- start_to_submit_seconds


@pytest.fixture
def submit_data():
    """Digital intakes (contacts with ``started_at``), Q3 2026, all in August:
    website web form, 120 s, opened a "melding"; WhatsApp assistant, 60 s, opened an "afval" case; website
    assistant, 30 s, answered (no case); a phone call without a start (left out).
    Average (120 + 60 + 30) / 3 = 70 s. By case type: melding 120, afval 60, none (null) 30; by channel: website
    (120 + 30) / 2 = 75, whatsapp 60; by source: web_form 120, virtual_assistant (60 + 30) / 2 = 45.
    Q3 2025 (September): one intake of 100 s → the norm is 100 × 0.85 = 85 s: 70 s is met. August 2025 has none:
    2026-08 has no norm. 1 October 2026 00:30: an intake of 10 s in Q4, not Q3."""
    melding = CaseTypeFactory(code="melding")
    afval = CaseTypeFactory(code="afval")
    start = at(2026, 8, 3, 10)
    intake(
        channel="website",
        source="web_form",
        occurred_at=start,
        started_at=start - timedelta(seconds=120),
        case_type=melding,
    )
    end = at(2026, 8, 4, 11)
    intake(
        channel="whatsapp",
        source="virtual_assistant",
        occurred_at=end,
        started_at=end - timedelta(seconds=60),
        case_type=afval,
    )
    end = at(2026, 8, 5, 12)
    ContactFactory(
        channel="website",
        source="virtual_assistant",
        outcome="answered",
        occurred_at=end,
        started_at=end - timedelta(seconds=30),
    )
    ContactFactory(channel="phone", occurred_at=at(2026, 8, 6, 9))
    end = at(2025, 9, 3, 10)
    intake(
        channel="website",
        source="web_form",
        occurred_at=end,
        started_at=end - timedelta(seconds=100),
        case_type=melding,
    )
    end = at(2026, 10, 1, 0, 30)
    ContactFactory(channel="website", source="web_form", occurred_at=end, started_at=end - timedelta(seconds=10))
    return {"melding": melding, "afval": afval}


def test_start_to_submit_is_the_average_against_the_year_before(supervisor_api, submit_data):
    body = kpi(supervisor_api, "start_to_submit_seconds", period="2026-Q3")
    assert headline(body) == (210, 3, 70.0, "met")
    assert (body["unit"], body["norm"], body["norm_relative"]) == ("seconds", -15.0, True)
    earlier = body["year_earlier"]
    assert (earlier["numerator"], earlier["denominator"], earlier["value"]) == (100, 1, 100.0)


def test_start_to_submit_has_no_norm_without_the_year_before(supervisor_api, submit_data):
    body = kpi(supervisor_api, "start_to_submit_seconds", period="2026-08")
    assert (body["value"], body["status"], body["year_earlier"]["status"]) == (70.0, "no_norm", "no_data")


def test_start_to_submit_breakdowns(supervisor_api, submit_data):
    def by(breakdown):
        return rows(kpi(supervisor_api, "start_to_submit_seconds", period="2026-Q3", breakdown=breakdown))

    assert by("case_type") == {
        None: (30, 1, 30.0, "no_norm"),
        "afval": (60, 1, 60.0, "no_norm"),
        "melding": (120, 1, 120.0, "no_norm"),
    }
    assert by("channel") == {"website": (150, 2, 75.0, "no_norm"), "whatsapp": (60, 1, 60.0, "no_norm")}
    assert by("source") == {"virtual_assistant": (90, 2, 45.0, "no_norm"), "web_form": (120, 1, 120.0, "no_norm")}


def test_start_to_submit_filters(supervisor_api, submit_data):
    def value(**filters):
        return kpi(supervisor_api, "start_to_submit_seconds", period="2026-Q3", **filters)["value"]

    assert value(case_type="melding") == 120.0
    assert value(handler_group=submit_data["afval"].default_group_id) == 60.0
    assert value(channel="website") == 75.0


def test_start_to_submit_half_past_midnight_on_1_october_is_q4(supervisor_api, submit_data):
    assert headline(kpi(supervisor_api, "start_to_submit_seconds", period="2026-Q4"))[:3] == (10, 1, 10.0)


def test_start_to_submit_without_intakes_is_no_data(supervisor_api, submit_data):
    body = kpi(supervisor_api, "start_to_submit_seconds", period="2031-Q1")
    assert (body["value"], body["status"]) == (None, "no_data")


# ---------------------------------------------------------------------------------------------------- phone_volume_yoy


@pytest.fixture
def phone_data():
    """Inbound phone contacts, Q3 2026 (August): one opened a "riolering" case, two about "Afvalophaling" (answered) →
    3; an outbound call and an inbound e-mail are left out. By category: riolering 1, Afvalophaling 2.
    Q3 2025 (September): 4 → the norm is 4 × 0.9 = 3.6: 3 is met. 2025-08 has none: 2026-08 has no norm.
    1 October 2026 00:30: a call in Q4, not Q3."""
    intake(channel="phone", source="staff", occurred_at=at(2026, 8, 3, 10), case_type=CaseTypeFactory(code="riolering"))
    for hour in (11, 12):
        ContactFactory(channel="phone", subject="Afvalophaling", outcome="answered", occurred_at=at(2026, 8, 3, hour))
    ContactFactory(channel="phone", direction="outbound", subject="Terugbellen", occurred_at=at(2026, 8, 3, 13))
    ContactFactory(channel="email", subject="Afvalophaling", occurred_at=at(2026, 8, 3, 14))
    for day in (1, 2, 3, 4):
        ContactFactory(channel="phone", subject="Parkeren", occurred_at=at(2025, 9, day, 10))
    ContactFactory(channel="phone", subject="Afvalophaling", occurred_at=at(2026, 10, 1, 0, 30))


def test_phone_volume_is_the_count_against_the_year_before(supervisor_api, phone_data):
    body = kpi(supervisor_api, "phone_volume_yoy", period="2026-Q3")
    assert headline(body) == (3, 1, 3.0, "met")
    assert (body["unit"], body["norm"], body["norm_relative"]) == ("count", -10.0, True)
    assert (body["year_earlier"]["numerator"], body["year_earlier"]["value"]) == (4, 4.0)


def test_phone_volume_not_met_when_it_falls_too_little(supervisor_api, phone_data):
    ContactFactory(channel="phone", subject="Parkeren", occurred_at=at(2026, 9, 1, 10))
    assert headline(kpi(supervisor_api, "phone_volume_yoy", period="2026-Q3")) == (4, 1, 4.0, "not_met")


def test_phone_volume_by_category(supervisor_api, phone_data):
    body = kpi(supervisor_api, "phone_volume_yoy", period="2026-Q3", breakdown="category")
    assert rows(body) == {"Afvalophaling": (2, 1, 2.0, "no_norm"), "riolering": (1, 1, 1.0, "no_norm")}


def test_phone_volume_filtered_by_the_case_type_of_the_case_opened(supervisor_api, phone_data):
    body = kpi(supervisor_api, "phone_volume_yoy", period="2026-Q3", case_type="riolering")
    assert (body["numerator"], body["value"], body["status"]) == (1, 1.0, "no_norm")


def test_phone_volume_no_norm_without_the_year_before_and_q4_from_half_past_midnight(supervisor_api, phone_data):
    body = kpi(supervisor_api, "phone_volume_yoy", period="2026-08")
    assert (body["value"], body["status"]) == (3.0, "no_norm")
    assert headline(kpi(supervisor_api, "phone_volume_yoy", period="2026-Q4"))[:3] == (1, 1, 1.0)


def test_phone_volume_without_calls_is_no_data(supervisor_api, phone_data):
    body = kpi(supervisor_api, "phone_volume_yoy", period="2031-Q1")
    assert (body["value"], body["status"]) == (None, "no_data")


# ----------------------------------------------------------------------------------------------------------- queries


@pytest.fixture
def every_data(guided_data, channel_data, submit_data, phone_data):
    return None


@pytest.mark.parametrize("code", CODES)
def test_each_kpi_and_each_breakdown_is_one_query(every_data, code):
    period = parse_period("2026")
    for breakdown in (None, *REGISTRY[code].breakdowns):
        with CaptureQueriesContext(connection) as queries:
            found = REGISTRY[code].compute(period, NO_FILTERS, breakdown)
        assert len(kpi_queries(queries)) == 1, (breakdown, kpi_queries(queries))
        assert found


def test_the_api_asks_as_many_queries_whatever_the_data(supervisor_api, every_data):
    def count():
        with CaptureQueriesContext(connection) as queries:
            for code in CODES:
                kpi(
                    supervisor_api,
                    code,
                    period="2026-Q3",
                    **({"breakdown": REGISTRY[code].breakdowns[0]} if REGISTRY[code].breakdowns else {}),
                )
        return len(kpi_queries(queries))

    kpi(supervisor_api, "guided_share", period="2026")  # the user's permissions, cached afterwards
    before = count()
    for day in range(1, 20):
        intake(
            channel="chat",
            source="virtual_assistant",
            occurred_at=at(2026, 7, day, 9),
            started_at=at(2026, 7, day, 8, 59),
        )
        ContactFactory(channel="phone", subject=f"Onderwerp {day}", guided=True, occurred_at=at(2026, 8, day, 9))
    assert count() == before
