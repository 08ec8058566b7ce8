"""The case and throughput KPIs through the API, each on a small data set whose answer is computed by hand.

Cases are opened and moved by the real services (``open_case``, ``case_transition``) at fixed moments, so the
durations are the ones the services store. The 2026 calendar used: Monday 2 March, Saturday 7 March, Monday 16
March; no public holiday in March; Thursday 1 January 2026 is one. Two case types: ``melding`` (a report, 3 working
days, group Openbaar Domein) and ``factuur`` (30 calendar days, group Mobiliteit).
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import CaseKind, NormUnit
from cases.services import case_reassign, case_transition
from notifications.models import Survey
from notifications.surveys import survey_answer
from reports.kpis import REGISTRY
from reports.periods import parse_period
from reports.selectors import kpi_report
from tests.factories import CaseTypeFactory, ContactFactory, EmailFactory, PersonFactory, UserFactory, open_case

from .helpers import at, headline, kpi, kpi_queries

pytestmark = pytest.mark.django_db
CASE_KPIS = (
    "admissibility_days",
    "resolution_days",
    "within_norm_share",
    "open_overdue",
    "unanswered_complaints",
    "misdispatch_rate",
    "digital_share",
    "satisfaction",
)


def act(case, transition, moment, actor=None, **fields):
    fields.setdefault("reason", "reden")
    fields.setdefault("public_message", "bericht")
    return case_transition(actor=actor, case=case, transition=transition, now=moment, **fields)


def rows(body) -> dict:
    return {
        row["key"]: (row["numerator"], row["denominator"], row["value"], row["norm"], row["status"])
        for row in body["breakdown"]["rows"]
    }


@pytest.fixture
def melding(group):
    """A report: 3 working days, an admissibility step, a survey."""
    return CaseTypeFactory(
        code="melding",
        name="Melding",
        kind=CaseKind.REPORT,
        default_group=group,
        admissibility_step=True,
        survey_enabled=True,
    )


@pytest.fixture
def factuur(other_group):
    """An invoice: 30 calendar days, handled by Mobiliteit, a survey."""
    return CaseTypeFactory(
        code="factuur",
        name="Factuur",
        kind=CaseKind.REQUEST,
        default_group=other_group,
        norm_days=30,
        warning_days=5,
        norm_unit=NormUnit.CALENDAR_DAYS,
        survey_enabled=True,
    )


@pytest.fixture
def types(melding, factuur, group, other_group):
    return SimpleNamespace(melding=melding, factuur=factuur, group=group, other_group=other_group)


def resolved(case_type, registered, resolved_at, *, channel="phone", pause=None):
    """A case started at registration and resolved at ``resolved_at``; ``pause`` (suspend, resume) in between."""
    case = open_case(case_type=case_type, registered_at=registered, channel=channel)
    act(case, "start", registered)
    if pause:
        act(case, "suspend", pause[0])
        act(case, "resume", pause[1])
    return act(case, "resolve", resolved_at)


# --- admissibility_days ------------------------------------------------------------------------------------------


@pytest.fixture
def decisions(types):
    """2026-Q1, decided in the quarter (working days, registration → decision):
    melding Sat 7 Mar → accepted Thu 12 Mar: Mon–Thu = 4 (website); melding Mon 2 Mar → started the same day = 0;
    melding registered Tue 30 Dec 2025 → started Fri 2 Jan: Wed 31 Dec, Fri 2 Jan (1 January is a holiday) = 2;
    factuur Mon 2 Mar → rejected Fri 6 Mar = 4 (the type's calendar days do not matter: working days).
    Left out: a melding decided on 1 April (Q2), one never decided.
    2025-Q1: melding Mon 3 Mar 2025 → accepted Mon 10 Mar 2025 = 5."""
    melding, factuur = types.melding, types.factuur
    act(open_case(case_type=melding, registered_at=at(2026, 3, 7, 10), channel="website"), "accept", at(2026, 3, 12, 9))
    act(open_case(case_type=melding, registered_at=at(2026, 3, 2, 10)), "start", at(2026, 3, 2, 15))
    act(open_case(case_type=melding, registered_at=at(2025, 12, 30, 10)), "start", at(2026, 1, 2, 9))
    act(open_case(case_type=factuur, registered_at=at(2026, 3, 2, 10)), "reject", at(2026, 3, 6, 9))
    act(open_case(case_type=melding, registered_at=at(2026, 3, 30, 10)), "accept", at(2026, 4, 1, 9))
    open_case(case_type=melding, registered_at=at(2026, 3, 3, 10))
    act(open_case(case_type=melding, registered_at=at(2025, 3, 3, 10)), "accept", at(2025, 3, 10, 9))


def test_admissibility_days(supervisor_api, decisions):
    body = kpi(supervisor_api, "admissibility_days", period="2026-Q1")
    assert headline(body) == (10, 4, 2.5, "met")
    assert (body["unit"], body["norm"], body["better"]) == ("working_days", 3.0, "lower")
    earlier = body["year_earlier"]
    assert (earlier["period"]["label"], earlier["numerator"], earlier["denominator"], earlier["value"]) == (
        "2025-Q1",
        5,
        1,
        5.0,
    )
    assert earlier["status"] == "not_met"


def test_admissibility_days_breakdowns_and_filters(supervisor_api, decisions, types):
    by_type = kpi(supervisor_api, "admissibility_days", period="2026-Q1", breakdown="case_type")
    assert rows(by_type) == {"melding": (6, 3, 2.0, 3.0, "met"), "factuur": (4, 1, 4.0, 3.0, "not_met")}
    by_group = kpi(supervisor_api, "admissibility_days", period="2026-Q1", breakdown="handler_group")
    assert rows(by_group) == {"Openbaar Domein": (6, 3, 2.0, 3.0, "met"), "Mobiliteit": (4, 1, 4.0, 3.0, "not_met")}

    assert headline(kpi(supervisor_api, "admissibility_days", period="2026-Q1", case_type="factuur"))[:3] == (4, 1, 4.0)
    by_id = kpi(supervisor_api, "admissibility_days", period="2026-Q1", handler_group=types.other_group.pk)
    assert headline(by_id)[:3] == (4, 1, 4.0)
    assert headline(kpi(supervisor_api, "admissibility_days", period="2026-Q1", channel="website"))[:3] == (4, 1, 4.0)


# --- resolution_days and within_norm_share -----------------------------------------------------------------------


@pytest.fixture
def resolutions(types):
    """2026-Q1, resolved in the quarter (days in the type's unit, paused days excluded; due date):
    melding Mon 2 Mar → Wed 4 Mar: 2 (due Thu 5: in time)
    melding Sat 7 Mar → Thu 12 Mar: Mon–Thu 4 (website; due Wed 11: late)
    melding Mon 2 Mar → Tue 10 Mar, waiting Tue 3 → Fri 6 Mar (Wed, Thu, Fri: 3): 6 − 3 = 3 (due Thu 5 moved on by 3
        working days to Tue 10: in time)
    melding Mon 16 Mar → Mon 30 Mar: 10 (due Thu 19: late)
    factuur (e-mail) Mon 2 Mar → Mon 16 Mar: 14 calendar days (due 1 April: in time)
    factuur (e-mail) Sun 1 Mar → Tue 31 Mar, waiting Thu 5 → Sun 15 Mar (10 days): 30 − 10 = 20 (due 31 March + 10)
    factuur (e-mail) Mon 2 Feb → Sat 28 Feb: 26 (due 4 March: in time)
    melding: 2, 3, 4, 10 → 19 / 4 = 4.75, median 3.5; factuur: 14, 20, 26 → 60 / 3 = 20, median 20;
    all: 2, 3, 4, 10, 14, 20, 26 → 79 / 7 = 11.29, median 10. In time: melding 2 of 4, factuur 3 of 3, all 5 of 7.
    Left out: a melding resolved on 20 March and then cancelled; one resolved on 2 April; one resolved on 3 February,
    reopened on 10 February and resolved again on 8 April (its latest resolution is in Q2).
    2025-Q1: factuur Mon 3 Mar 2025 → Thu 13 Mar 2025: 10, in time."""
    melding, factuur = types.melding, types.factuur
    resolved(melding, at(2026, 3, 2, 10), at(2026, 3, 4, 10))
    resolved(melding, at(2026, 3, 7, 10), at(2026, 3, 12, 10), channel="website")
    resolved(melding, at(2026, 3, 2, 10), at(2026, 3, 10, 10), pause=(at(2026, 3, 3, 10), at(2026, 3, 6, 10)))
    resolved(melding, at(2026, 3, 16, 10), at(2026, 3, 30, 10))
    resolved(factuur, at(2026, 3, 2, 10), at(2026, 3, 16, 10), channel="email")
    resolved(factuur, at(2026, 3, 1, 10), at(2026, 3, 31, 10), channel="email", pause=(at(2026, 3, 5), at(2026, 3, 15)))
    resolved(factuur, at(2026, 2, 2, 10), at(2026, 2, 28, 10), channel="email")

    cancelled = resolved(melding, at(2026, 3, 16, 10), at(2026, 3, 20, 10))
    act(cancelled, "cancel", at(2026, 3, 21, 10))
    resolved(melding, at(2026, 3, 30, 10), at(2026, 4, 2, 10))
    reopened = resolved(melding, at(2026, 2, 2, 10), at(2026, 2, 3, 10))
    act(reopened, "reopen", at(2026, 2, 10, 10))
    act(reopened, "resolve", at(2026, 4, 8, 10))

    resolved(factuur, at(2025, 3, 3, 10), at(2025, 3, 13, 10), channel="email")


def test_resolution_days_average_median_and_per_type_norms(supervisor_api, resolutions):
    body = kpi(supervisor_api, "resolution_days", period="2026-Q1")
    assert headline(body) == (79, 7, 11.29, "no_norm")  # no single norm over case types
    assert (body["unit"], body["norm"]) == ("days", None)
    assert body["year_earlier"]["value"] == 10.0

    by_type = kpi(supervisor_api, "resolution_days", period="2026-Q1", breakdown="case_type")
    # Each type against its own norm: melding 4.75 > 3 working days, factuur 20 ≤ 30 calendar days.
    assert rows(by_type) == {"factuur": (60, 3, 20.0, 30.0, "met"), "melding": (19, 4, 4.75, 3.0, "not_met")}
    by_channel = kpi(supervisor_api, "resolution_days", period="2026-Q1", breakdown="channel")
    assert rows(by_channel) == {
        "email": (60, 3, 20.0, None, "no_norm"),
        "phone": (15, 3, 5.0, None, "no_norm"),
        "website": (4, 1, 4.0, None, "no_norm"),
    }
    assert headline(kpi(supervisor_api, "resolution_days", period="2026-Q1", channel="phone"))[:3] == (15, 3, 5.0)


def test_the_median_of_resolution_days(resolutions):
    """The median is in the figure's extra (the middle value, or the mean of the two middle ones)."""
    period = parse_period("2026-Q1")
    assert kpi_report("resolution_days", period)["median"] == Decimal("10.00")
    by_type = kpi_report("resolution_days", period, breakdown="case_type")["breakdown"]["rows"]
    assert {row["key"]: row["median"] for row in by_type} == {"factuur": Decimal("20.00"), "melding": Decimal("3.50")}
    by_channel = kpi_report("resolution_days", period, breakdown="channel")["breakdown"]["rows"]
    assert {row["key"]: row["median"] for row in by_channel} == {
        "email": Decimal("20.00"),
        "phone": Decimal("3.00"),  # 2, 3, 10
        "website": Decimal("4.00"),
    }
    assert kpi_report("resolution_days", parse_period("2031"))["median"] is None


def test_within_norm_share(supervisor_api, resolutions, types):
    body = kpi(supervisor_api, "within_norm_share", period="2026-Q1")
    assert headline(body) == (5, 7, 71.43, "not_met")
    assert body["norm"] == 90.0
    assert headline(body["year_earlier"])[:3] == (1, 1, 100.0)
    by_type = kpi(supervisor_api, "within_norm_share", period="2026-Q1", breakdown="case_type")
    assert rows(by_type) == {"factuur": (3, 3, 100.0, 90.0, "met"), "melding": (2, 4, 50.0, 90.0, "not_met")}
    by_group = kpi(supervisor_api, "within_norm_share", period="2026-Q1", breakdown="handler_group")
    assert set(rows(by_group)) == {"Mobiliteit", "Openbaar Domein"}
    assert headline(kpi(supervisor_api, "within_norm_share", period="2026-Q1", handler_group=types.group.pk))[:2] == (
        2,
        4,
    )


# --- open_overdue -------------------------------------------------------------------------------------------------


@pytest.fixture
def overdue(types):
    """At the end of March 2026 (1 April 00:00), open and past due:
    melding registered Mon 2 Mar (due Thu 5 Mar), still new;
    melding registered Mon 2 Mar, resolved only on 3 April (open at the end of March);
    melding registered Mon 2 Mar, resolved Wed 4 Mar and reopened Mon 9 Mar, still in progress;
    factuur registered Mon 5 Jan (due 4 Feb), still new (Mobiliteit).
    Not counted: a melding resolved in time on 4 March; a melding registered Mon 30 Mar (due 2 April); a melding
    waiting for the citizen since 3 March; a factuur registered 5 January and cancelled on 31 March 23:00; a melding
    registered on 2 April.
    At the end of February (1 March): the two factuur cases registered on 5 January, both open then → 2.
    At the end of March 2025: no case registered yet → no data."""
    melding, factuur = types.melding, types.factuur
    open_case(case_type=melding, registered_at=at(2026, 3, 2, 10))
    resolved(melding, at(2026, 3, 2, 10), at(2026, 4, 3, 10))
    reopened = resolved(melding, at(2026, 3, 2, 10), at(2026, 3, 4, 10))
    act(reopened, "reopen", at(2026, 3, 9, 10))
    open_case(case_type=factuur, registered_at=at(2026, 1, 5, 10))

    resolved(melding, at(2026, 3, 2, 10), at(2026, 3, 4, 10))
    open_case(case_type=melding, registered_at=at(2026, 3, 30, 10))
    waiting = open_case(case_type=melding, registered_at=at(2026, 3, 2, 10))
    act(waiting, "start", at(2026, 3, 2, 11))
    act(waiting, "suspend", at(2026, 3, 3, 10))
    act(open_case(case_type=factuur, registered_at=at(2026, 1, 5, 10)), "cancel", at(2026, 3, 31, 23))
    open_case(case_type=melding, registered_at=at(2026, 4, 2, 10))


def test_open_overdue_at_the_end_of_the_period(supervisor_api, overdue):
    body = kpi(supervisor_api, "open_overdue", period="2026-03")
    assert headline(body) == (4, 1, 4.0, "not_met")
    assert (body["unit"], body["norm"], body["better"]) == ("count", 0.0, "lower")
    assert body["year_earlier"]["status"] == "no_data"  # nothing registered before April 2025

    by_group = kpi(supervisor_api, "open_overdue", period="2026-03", breakdown="handler_group")
    assert rows(by_group) == {"Mobiliteit": (1, 1, 1.0, 0.0, "not_met"), "Openbaar Domein": (3, 1, 3.0, 0.0, "not_met")}
    by_type = kpi(supervisor_api, "open_overdue", period="2026-03", breakdown="case_type")
    assert {key: row[0] for key, row in rows(by_type).items()} == {"factuur": 1, "melding": 3}


def test_a_past_period_gives_its_own_open_overdue(supervisor_api, overdue):
    assert headline(kpi(supervisor_api, "open_overdue", period="2026-02"))[:3] == (2, 1, 2.0)
    # In January the invoices were not past due yet (due 4 February).
    assert headline(kpi(supervisor_api, "open_overdue", period="2026-01")) == (0, 1, 0.0, "met")


# --- unanswered_complaints ----------------------------------------------------------------------------------------


@pytest.fixture
def complaints(group):
    """2026-Q1: two complaints about an unanswered question (February), one other complaint (March).
    2026-Q2: one about an unanswered question (April). 2025-Q1: nothing registered at all."""
    unanswered = CaseTypeFactory(
        code="klacht-geen-antwoord", kind=CaseKind.COMPLAINT, default_group=group, about_unanswered_question=True
    )
    other = CaseTypeFactory(code="klacht", kind=CaseKind.COMPLAINT, default_group=group)
    open_case(case_type=unanswered, registered_at=at(2026, 2, 3, 10))
    open_case(case_type=unanswered, registered_at=at(2026, 2, 17, 10), channel="email")
    open_case(case_type=other, registered_at=at(2026, 3, 3, 10))
    open_case(case_type=unanswered, registered_at=at(2026, 4, 3, 10))


def test_unanswered_complaints(supervisor_api, complaints):
    body = kpi(supervisor_api, "unanswered_complaints", period="2026-Q1")
    assert headline(body) == (2, 1, 2.0, "not_met")
    assert body["year_earlier"]["status"] == "no_data"
    assert headline(kpi(supervisor_api, "unanswered_complaints", period="2026-Q1", channel="email"))[:3] == (1, 1, 1.0)
    # Cases registered, none of them about an unanswered question: 0, and the norm met.
    assert headline(kpi(supervisor_api, "unanswered_complaints", period="2026-Q1", case_type="klacht")) == (
        0,
        1,
        0.0,
        "met",
    )


# --- misdispatch_rate ---------------------------------------------------------------------------------------------


@pytest.fixture
def misdispatches(types, kcc_group):
    """2026-Q1, registered in the quarter and routed to a group other than the KCC: three melding cases (Openbaar
    Domein), one returned to the KCC on 3 March and then handed to Mobiliteit; one factuur (Mobiliteit). A case of a
    type without a default group goes to the KCC itself: not routed, left out. 1 of 4 = 25 %.
    2025-Q1: two melding cases, one returned: 50 %."""
    kcc = UserFactory(role="kcc")
    melding, factuur = types.melding, types.factuur
    returned = open_case(case_type=melding, registered_at=at(2026, 3, 2, 10))
    returned = act(returned, "return_to_kcc", at(2026, 3, 3, 10))
    case_reassign(actor=kcc, case=returned, handler_group=types.other_group)
    open_case(case_type=melding, registered_at=at(2026, 3, 2, 10))
    open_case(case_type=melding, registered_at=at(2026, 3, 2, 10))
    open_case(case_type=factuur, registered_at=at(2026, 3, 2, 10))
    open_case(case_type=CaseTypeFactory(default_group=None), registered_at=at(2026, 3, 2, 10))
    act(open_case(case_type=melding, registered_at=at(2025, 3, 3, 10)), "return_to_kcc", at(2025, 3, 4, 10))
    open_case(case_type=melding, registered_at=at(2025, 3, 3, 10))


def test_misdispatch_rate_falls_against_a_year_earlier(supervisor_api, misdispatches, types):
    body = kpi(supervisor_api, "misdispatch_rate", period="2026-Q1")
    assert headline(body) == (1, 4, 25.0, "met")  # lower than 50 % a year earlier
    assert (body["norm"], body["norm_relative"], body["better"]) == (0.0, True, "lower")
    assert headline(body["year_earlier"])[:3] == (1, 2, 50.0)

    # The returned case counts for the group it was routed to (and returned it), not the one that has it now.
    by_group = kpi(supervisor_api, "misdispatch_rate", period="2026-Q1", breakdown="handler_group")
    assert rows(by_group) == {
        "Mobiliteit": (0, 1, 0.0, 0.0, "no_norm"),
        "Openbaar Domein": (1, 3, 33.33, 0.0, "no_norm"),
    }
    by_type = kpi(supervisor_api, "misdispatch_rate", period="2026-Q1", breakdown="case_type")
    assert {key: row[:3] for key, row in rows(by_type).items()} == {"factuur": (0, 1, 0.0), "melding": (1, 3, 33.33)}
    filtered = kpi(supervisor_api, "misdispatch_rate", period="2026-Q1", handler_group=types.group.pk)
    assert headline(filtered)[:2] == (1, 3)


# --- digital_share ------------------------------------------------------------------------------------------------


@pytest.fixture
def intakes(types):
    """2026-Q1 (opening contact: channel, source): melding website web_form, e-mail integration (the mail import),
    website staff (typed in by staff: not without staff), phone staff; factuur WhatsApp virtual_assistant.
    melding 2 of 4, factuur 1 of 1, all 3 of 5."""
    for case_type, channel, source in (
        (types.melding, "website", "web_form"),
        (types.melding, "email", "integration"),
        (types.melding, "website", "staff"),
        (types.melding, "phone", "staff"),
        (types.factuur, "whatsapp", "virtual_assistant"),
    ):
        contact = ContactFactory(channel=channel, source=source, occurred_at=at(2026, 3, 2, 10))
        open_case(case_type=case_type, contact=contact, party=contact.party, channel=channel)


def test_digital_share(supervisor_api, intakes):
    body = kpi(supervisor_api, "digital_share", period="2026-Q1")
    assert headline(body) == (3, 5, 60.0, "met")
    assert body["norm"] == 50.0
    by_type = kpi(supervisor_api, "digital_share", period="2026-Q1", breakdown="case_type")
    assert rows(by_type) == {"factuur": (1, 1, 100.0, 50.0, "met"), "melding": (2, 4, 50.0, 50.0, "met")}


# --- satisfaction -------------------------------------------------------------------------------------------------


def surveyed(case_type, resolved_at, scores=None):
    """A case of a party with an e-mail address, resolved at ``resolved_at``: the outbox invites to the survey then;
    ``scores`` (answer, speed, service) answered the next day."""
    party = PersonFactory()
    EmailFactory(party=party)
    case = open_case(case_type=case_type, party=party, registered_at=at(2026, 1, 5, 10))
    act(case, "start", at(2026, 1, 5, 11))
    with time_machine.travel(resolved_at, tick=False):
        act(case, "resolve", resolved_at)
    survey = Survey.objects.get(case=case)
    if scores is not None:
        with time_machine.travel(resolved_at.replace(day=resolved_at.day + 1), tick=False):
            survey_answer(survey=survey, answer_score=scores[0], speed_score=scores[1], service_score=scores[2])
    return survey


@pytest.fixture
def surveys(types):
    """2026-Q1, surveys sent: melding (5, 4, 3), melding (2, 2, 2), melding unanswered, factuur (4, 4, 4).
    All: (12 + 6 + 12) / 9 scores = 3.33; answer (5 + 2 + 4) / 3 = 3.67, speed 10 / 3 = 3.33, service 9 / 3 = 3;
    response rate 3 of 4 = 75 %. melding 18 / 6 = 3.00, factuur 12 / 3 = 4.00.
    Left out: a survey sent on 2 April."""
    surveyed(types.melding, at(2026, 2, 2, 10), (5, 4, 3))
    surveyed(types.melding, at(2026, 2, 3, 10), (2, 2, 2))
    surveyed(types.melding, at(2026, 2, 4, 10))
    surveyed(types.factuur, at(2026, 3, 2, 10), (4, 4, 4))
    surveyed(types.factuur, at(2026, 4, 2, 10), (1, 1, 1))


def test_satisfaction(supervisor_api, surveys):
    body = kpi(supervisor_api, "satisfaction", period="2026-Q1")
    assert headline(body) == (30, 9, 3.33, "met")
    assert (body["unit"], body["norm"]) == ("score", 3.0)
    by_type = kpi(supervisor_api, "satisfaction", period="2026-Q1", breakdown="case_type")
    assert rows(by_type) == {"factuur": (12, 3, 4.0, 3.0, "met"), "melding": (18, 6, 3.0, 3.0, "met")}
    by_group = kpi(supervisor_api, "satisfaction", period="2026-Q1", breakdown="handler_group")
    assert set(rows(by_group)) == {"Mobiliteit", "Openbaar Domein"}
    assert headline(kpi(supervisor_api, "satisfaction", period="2026-Q1", case_type="factuur"))[:3] == (12, 3, 4.0)


def test_satisfaction_per_question_and_response_rate(surveys):
    report = kpi_report("satisfaction", parse_period("2026-Q1"))
    assert {name: report[name] for name in ("answer", "speed", "service", "response_rate")} == {
        "answer": Decimal("3.67"),
        "speed": Decimal("3.33"),
        "service": Decimal("3.00"),
        "response_rate": Decimal("75.00"),
    }
    assert (report["surveys_sent"], report["surveys_answered"]) == (4, 3)


# --- every case KPI -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", CASE_KPIS)
def test_no_data_is_no_data_never_zero(supervisor_api, types, code):
    body = kpi(supervisor_api, code, period="2026-Q1")
    assert (body["value"], body["status"], body["year_earlier"]["status"]) == (None, "no_data", "no_data")
    breakdown = REGISTRY[code].breakdowns[0] if REGISTRY[code].breakdowns else None
    if breakdown:
        assert kpi(supervisor_api, code, period="2026-Q1", breakdown=breakdown)["breakdown"]["rows"] == []


@pytest.mark.parametrize("code", CASE_KPIS)
def test_every_case_kpi_takes_the_case_filters(supervisor_api, code):
    assert REGISTRY[code].filters == {"handler_group", "case_type", "channel"}
    body = kpi(supervisor_api, code, period="2026-Q1", handler_group=1, case_type="x", channel="phone")
    assert (body["value"], body["status"]) == (None, "no_data")


def _queries(api, code, breakdown) -> int:
    query = {"period": "2026-Q1"} | ({"breakdown": breakdown} if breakdown else {})
    with CaptureQueriesContext(connection) as queries:
        kpi(api, code, **query)
    return len(kpi_queries(queries))


@pytest.mark.parametrize("code", CASE_KPIS)
def test_a_constant_number_of_queries(supervisor_api, types, kcc_group, code):
    """Norms, the period, the year earlier and the breakdown: four queries (and the request's own, and the daily
    rollups' refresh), whatever the number of cases, types and groups."""
    breakdown = REGISTRY[code].breakdowns[0] if REGISTRY[code].breakdowns else None
    surveyed(types.melding, at(2026, 2, 2, 10), (5, 4, 3))
    _queries(supervisor_api, code, breakdown)  # the first request reads the user's permissions
    few = _queries(supervisor_api, code, breakdown)
    more_types = [CaseTypeFactory(survey_enabled=True, kind=kind) for kind in (CaseKind.REPORT, CaseKind.COMPLAINT)]
    for case_type in (types.melding, types.factuur, *more_types):
        surveyed(case_type, at(2026, 2, 3, 10), (4, 4, 4))
        act(open_case(case_type=case_type, registered_at=at(2026, 3, 2, 10)), "return_to_kcc", at(2026, 3, 3, 10))
    assert _queries(supervisor_api, code, breakdown) == few
    with CaptureQueriesContext(connection) as queries:
        kpi_report(code, parse_period("2026-Q1"), breakdown=breakdown)
    # The open and overdue cases of a period: whether there is any case, then (there is in 2026, none a year
    # earlier) the overdue ones: two indexed queries.
    overdue = 1 if code == "open_overdue" else 0
    assert len(kpi_queries(queries)) == 3 + overdue + (1 if breakdown else 0)
