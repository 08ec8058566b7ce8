"""Demo data of the reports (``manage.py seed_demo``): eighteen months of calls to the KCC's queues, counter visits,
the virtual assistant's sessions and status look-ups, so that the dashboard and the PDF show meaningful figures on
the first run. Calls and visits go through the import services (their derived values computed as in production);
sessions and look-ups are history, written with the moments they happened."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from cases.calendar import BRUSSELS, is_holiday_or_closing_day
from cases.models import Case
from contacts.models import Channel, Source
from public.models import AssistantOutcome, AssistantSession, StatusLookup, UnansweredQuestion
from public.services import service_client_create
from public.services_assistant import question_normalise

from .models import CounterCluster, OpeningInterval, Queue
from .services.counter import visits_import
from .services.telephony import calls_import

# Queue code, name, (weekday, opens, closes) intervals.
QUEUES = (
    (
        "kcc",
        "Algemeen nummer (KCC)",
        [(d, "08:30", "12:30") for d in range(5)] + [(d, "13:00", "17:00") for d in range(4)],
    ),
    ("burgerzaken", "Burgerzaken", [(d, "09:00", "12:00") for d in range(5)] + [(5, "09:00", "12:00")]),
)
# Code, name, norm in minutes (the plans' norms).
CLUSTERS = (
    ("burgerzaken", "Burgerzaken", "1"),
    ("energieloket", "Energieloket", "5"),
    ("mobiliteit", "Mobiliteit", "2"),
    ("ocmw", "OCMW", "10"),
    ("omgeving", "Omgeving", "5"),
    ("wonen", "Wonen", "5"),
)
ASSISTANT_CHANNELS = (Channel.WEBSITE, Channel.WHATSAPP, Channel.MESSENGER)
# What the assistant could not answer (the web editors' feedback list).
QUESTIONS = (
    "Wanneer is het containerpark open op feestdagen?",
    "Hoe vraag ik een bewonerskaart aan?",
    "Kan ik mijn rijbewijs online verlengen?",
    "Waar betaal ik een GAS-boete?",
    "Hoe lang duurt een omgevingsvergunning?",
    "Mag ik mijn haag snoeien in het broedseizoen?",
    "Waar vind ik de agenda van de gemeenteraad?",
    "Hoe meld ik een verhuis van mijn bedrijf?",
)


def _at(day: date, clock: str, seconds: float = 0) -> datetime:
    hours, minutes = map(int, clock.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=BRUSSELS) + timedelta(seconds=seconds)


def seed_reports(*, rng: random.Random, now: datetime, days: int, editor) -> dict[str, int]:
    """Queues with opening hours, counter clusters with their norms, and ``days`` days of history up to ``now``;
    ``editor`` marked the older unanswered questions "web page updated"."""
    for code, name, intervals in QUEUES:
        queue = Queue.objects.create(code=code, name=name)
        OpeningInterval.objects.bulk_create(
            OpeningInterval(queue=queue, weekday=weekday, opens=opens, closes=closes)
            for weekday, opens, closes in intervals
        )
    clusters = [
        CounterCluster.objects.create(code=code, name=name, norm_minutes=Decimal(norm)) for code, name, norm in CLUSTERS
    ]
    today = now.astimezone(BRUSSELS).date()
    first = today - timedelta(days=days)
    calls, visits = [], []
    for offset in range(days):
        day = first + timedelta(days=offset)
        calls.extend(_calls(rng, day))
        visits.extend(_visits(rng, day, clusters))
    calls = [call for call in calls if call["ended_at"] is None or call["ended_at"] < now]
    visits = [visit for visit in visits if visit["booked_at"] < now and (visit["called_at"] or now) <= now]
    calls_import(records=calls)
    visits_import(records=visits)
    sessions, lookups = _assistant(rng, first, today, now, editor)
    return {"calls": len(calls), "visits": len(visits), "sessions": sessions, "lookups": lookups}


def _calls(rng: random.Random, day: date) -> list[dict]:
    """A day's calls: busy on weekday mornings, a few outside opening hours and on closed days; most answered within
    half a minute, about one in eight abandoned."""
    weekday = day.weekday()
    count = rng.randint(30, 55) if weekday < 5 else rng.randint(0, 4)
    if is_holiday_or_closing_day(day):
        count = rng.randint(0, 6)
    records = []
    for n in range(count):
        queue = "kcc" if rng.random() < 0.8 else "burgerzaken"
        if rng.random() < 0.04:  # before opening, over lunch, after closing
            offered = _at(day, rng.choice(["07:40", "12:35", "17:05"]), rng.uniform(0, 1200))
        elif queue == "kcc":
            offered = _at(
                day,
                rng.choices(
                    ["08:30", "09:30", "10:30", "11:30", "13:00", "14:00", "15:00", "16:00"], [9, 8, 7, 5, 4, 5, 4, 3]
                )[0],
                rng.uniform(0, 3599),
            )
        else:
            offered = _at(day, rng.choice(["09:00", "10:00", "11:00"]), rng.uniform(0, 3599))
        roll = rng.random()
        answered = ended = None
        abandoned = False
        if roll < 0.12:
            abandoned = True
            ended = offered + timedelta(seconds=rng.uniform(5, 180))
        else:
            wait = min(rng.expovariate(1 / 28), 600)
            answered = offered + timedelta(seconds=wait)
            ended = answered + timedelta(seconds=rng.uniform(40, 600))
        records.append(
            {
                "key": f"demo-{day.isoformat()}-{n}",
                "queue": queue,
                "caller_number": f"+3292{rng.randint(100000, 999999)}",
                "offered_at": offered,
                "answered_at": answered,
                "ended_at": ended,
                "abandoned": abandoned,
                "agent": rng.choice(["kcc", "Katrien", "Kobe", "Lotte"]) if answered else "",
            }
        )
    return records


def _visits(rng: random.Random, day: date, clusters: list[CounterCluster]) -> list[dict]:
    """A working day's appointments: booked a few working days ahead, most started within the cluster's norm, some
    early; one in six booked through the virtual assistant."""
    if day.weekday() >= 5 or is_holiday_or_closing_day(day):
        return []
    records = []
    for n in range(rng.randint(12, 24)):
        cluster = rng.choice(clusters)
        scheduled = _at(day, rng.choice(["09:00", "09:30", "10:15", "11:00", "13:30", "14:15", "15:00"]))
        booked = scheduled - timedelta(days=rng.choice([0, 1, 2, 3, 4, 6, 8, 11]), hours=rng.uniform(1, 6))
        wait = rng.gauss(float(cluster.norm_minutes) * 0.7, float(cluster.norm_minutes) * 0.6 + 0.5) * 60
        via_assistant = rng.random() < 0.17
        channel = Channel.WEBSITE if via_assistant else rng.choice([Channel.WEBSITE, Channel.PHONE, Channel.COUNTER])
        records.append(
            {
                "key": f"demo-visit-{day.isoformat()}-{n}",
                "cluster": cluster.code,
                "booked_at": booked,
                "scheduled_start": scheduled,
                "called_at": None if rng.random() < 0.04 else scheduled + timedelta(seconds=wait),
                "booking_channel": channel,
                "booking_source": Source.VIRTUAL_ASSISTANT if via_assistant else Source.STAFF,
                "started_at": booked - timedelta(seconds=rng.uniform(45, 160)) if via_assistant else None,
            }
        )
    return records


def _assistant(rng: random.Random, first: date, today: date, now: datetime, editor) -> tuple[int, int]:
    """The assistant's sessions (growing over the months) and status look-ups by the assistant and the website."""
    client, _key = service_client_create(
        actor=None,
        name="Virtuele assistent (demo)",
        scopes=["intake", "status", "statistics"],
        channels=list(ASSISTANT_CHANNELS),
        sources=[Source.VIRTUAL_ASSISTANT],
    )
    case_ids = list(Case.objects.values_list("pk", flat=True)[:500])
    sessions, lookups, questions = [], [], []
    day, n = first, 0
    while day <= today:
        growth = 0.5 + (day - first).days / max((today - first).days, 1)
        for _ in range(round(rng.randint(1, 4) * growth)):
            started = _at(day, "08:00", rng.uniform(0, 12 * 3600))
            ended = started + timedelta(seconds=rng.uniform(40, 400))
            if ended >= now:
                continue
            n += 1
            outcome = rng.choices(list(AssistantOutcome.values), [40, 12, 20, 10, 18])[0]
            sessions.append(
                AssistantSession(
                    client=client,
                    session_id=f"demo-{n}",
                    channel=rng.choices(ASSISTANT_CHANNELS, [6, 3, 1])[0],
                    started_at=started,
                    ended_at=ended,
                    signed_in=rng.random() < 0.22,
                    topics=[],
                    automated_actions=rng.choice([0, 1, 1, 2, 3]),
                    outcome=outcome,
                    received_at=ended,
                )
            )
            if outcome == AssistantOutcome.STATUS_LOOKED_UP and case_ids:
                answered = started + timedelta(seconds=rng.uniform(25, 110))
                lookups.append(_lookup(rng, client, case_ids, started, answered, Source.VIRTUAL_ASSISTANT))
            if outcome == AssistantOutcome.HANDED_OVER and rng.random() < 0.5:
                text = rng.choice(QUESTIONS)
                # The web editors caught up with the questions of the older months.
                handled = ended + timedelta(days=rng.randint(3, 20)) if rng.random() < 0.3 else None
                questions.append((len(sessions) - 1, text, ended, handled if handled and handled < now else None))
        if case_ids and rng.random() < 0.8:
            started = _at(day, "09:00", rng.uniform(0, 9 * 3600))
            if started < now:
                lookups.append(_lookup(rng, None, case_ids, None, started + timedelta(seconds=20), Source.WEB_FORM))
        day += timedelta(days=1)
    AssistantSession.objects.bulk_create(sessions, batch_size=500)
    UnansweredQuestion.objects.bulk_create(
        UnansweredQuestion(
            session=sessions[index],
            text=text,
            normalised_text=question_normalise(text),
            asked_at=asked,
            handled_at=handled,
            handled_by=editor if handled else None,
        )
        for index, text, asked, handled in questions
    )
    StatusLookup.objects.bulk_create(lookups, batch_size=500)
    return len(sessions), len(lookups)


def _lookup(rng, client, case_ids, started, answered, source) -> StatusLookup:
    return StatusLookup(
        client=client,
        case_id=rng.choice(case_ids),
        channel=Channel.WEBSITE if client is None else rng.choice(ASSISTANT_CHANNELS),
        source=source,
        started_at=started,
        answered_at=answered,
        found=True,
    )
