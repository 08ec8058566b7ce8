#!/usr/bin/env python
"""Load the cases domain into the bench database on top of its parties and contacts (issue 3).

Called by ``bench/generate.py`` after the contacts load (so ``make bench-data`` produces everything), or on
its own to reload only the cases: 300 handler groups (one the KCC), 500 case types, routing rules, 2,000 staff
users in 1–5 groups each, the two benchmark users of the case scenarios (API tokens in
``bench/out/case-users-<database>.json``), and by default 2 cases per party and 10 events per case.

Like the contacts load: one transaction truncates the cases tables, drops their plain indexes and ``COPY …
FREEZE``s every row (check constraints enforced, foreign-key triggers off and verified by anti-joins at the end);
the indexes are rebuilt from their own definitions. Due and warning times come from a working-day table built
with ``cases.calendar`` and are checked against ``cases.deadlines`` on a sample before the load, and so are the
durations each case stores for the KPI reports (``admissibility_working_days``, ``resolution_days``), written with
the other KPI columns (``intake_source``, ``returned_to_kcc_at``, ``returned_by_group``). Case events are written
in time order (event ids follow ``created_at`` across cases, as in production) through a temporary file.

Usage: .venv/bin/python bench/generate_cases.py [--cases 2000000] [--case-events 20000000] [--database-url URL]
"""

import argparse
import contextlib
import json
import math
import random
import re
import sys
import tempfile
import unicodedata
from array import array
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import names
import psycopg
from common import (
    CASE_HANDLER_USERNAME,
    CASE_SUPERVISOR_USERNAME,
    OUT_DIR,
    bench_database_url,
    case_users_file,
    database_name,
    django_setup,
    index_file,
    plain_indexes,
    refuse_unless_bench,
    restore_leftover_indexes,
)
from generate import Clock, Phases, copy_lines, hour_weight, run_parallel, slug

# Truncated, in this order, by the load; the first three are big: their plain indexes are dropped for it.
INDEXED_TABLES = ("cases_case", "cases_caseevent", "cases_case_contacts")
INDEX_FILE = "dropped-indexes-cases"
CASE_TABLES = (
    *INDEXED_TABLES,
    "cases_groupmessage",
    "cases_routingrule",
    "cases_casetype",
    "cases_handlergroup_members",
    "cases_handlergroup",
)
HANDLER_GROUPS = 300
CASE_TYPES = 500
ROUTING_RULES = 150
STAFF = 2000
CASE_YEARS = 3
LINKED_SHARE = 0.35  # cases opened from a contact with outcome case_created (party, channel and time from it)
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RUNNING = ("new", "accepted", "in_progress")
# Roles of the 2,000 staff users, in shares of 1,000.
ROLE_SHARES = [("handler", 850), ("kcc", 75), ("front_desk", 40), ("supervisor", 25), ("functional_admin", 10)]
# The intake source of a case opened without a contact of the load, by its channel (no random draw, so the data
# set is the one of a given seed whatever the KPI columns): the public channels' own sources, staff elsewhere.
SOURCE_OF_CHANNEL = {"website": "web_form", "email": "integration", "chat": "virtual_assistant"}
# Every fifth complaint type is about an unanswered question (the KPI unanswered complaints).
UNANSWERED_EVERY = 5
# The benchmark handler is a member of the groups at these ranks by case volume (the KCC left out): the
# largest group, a few large ones and a middling one.
HANDLER_GROUP_RANKS = (0, 2, 9, 29, 99)

DEPARTMENTS = names._bar_list("""
Burgerzaken|Burgerlijke Stand|Omgeving|Ruimtelijke Planning|Mobiliteit|Parkeren|Verkeer|Wegen|Riolering|Wonen
Financiën|Belastingen|Openbaar Domein|Groen|Afvalbeleid|Milieu|Sociaal Huis|Welzijn|Seniorenbeleid|Gezondheid
Vrije Tijd|Cultuur|Sport|Jeugd|Onderwijs|Kinderopvang|Economie|Markten en Foren|Toerisme|Evenementen|Erfgoed
Begraafplaatsen|Preventie|Communicatie|Personeel|ICT|Juridische Dienst|Ombudsdienst
""")
TEAMS = names._bar_list("""
Loket|Backoffice|Noord|Zuid|Oost|West|Centrum|Team A|Team B|Vergunningen|Handhaving|Planning|Onthaal
""")
QUALIFIERS = ["", " – particulieren", " – ondernemingen", " – verenigingen", " (digitaal)", " – tweede lijn"]
KIND_WORDS = {
    "report": ("melden", "defect", "overlast", "niet gebeurd", "beschadigd", "hinder", "valt om", "verstopping"),
    "complaint": ("klacht", "betwisten", "bezwaar", "ontevreden"),
    "suggestion": ("compliment", "suggestie", "idee"),
    "request": ("aanvraag", "aanvragen", "premie", "vergunning", "inschrijving", "reserveren", "abonnement", "kaart"),
}
NOTES = [
    "Burger gebeld, bijkomende info gevraagd.",
    "Technische dienst ter plaatse geweest.",
    "Dossier besproken op het teamoverleg.",
    "Offerte gevraagd aan de aannemer.",
    "Advies gevraagd aan de juridische dienst.",
    "Foto's van de situatie toegevoegd.",
    "Wacht op antwoord van de nutsmaatschappij.",
    "Burger belde opnieuw, stand van zaken gegeven.",
    "Collega van het Sociaal Huis contacteert de burger.",
    "Herinnering gestuurd naar de behandelende dienst.",
]
PUBLIC_NOTES = [
    "We hebben uw melding goed ontvangen en bekijken ze.",
    "Onze technische dienst plant een interventie.",
    "We hebben nog een document van u nodig.",
]
ANSWERS = [
    "Het probleem is opgelost. Bedankt voor uw melding.",
    "Uw aanvraag is goedgekeurd; u ontvangt de documenten per post.",
    "U vindt het antwoord op uw vraag in de bijlage.",
    "De werken zijn uitgevoerd.",
    "Uw klacht is onderzocht; we passen onze werking aan.",
]
SUSPEND_REASONS = ["Wacht op bijkomende documenten.", "Wacht op antwoord van de burger.", "Burger is onbereikbaar."]
REJECT_MESSAGES = ["Uw aanvraag is onontvankelijk: de stad is niet bevoegd.", "Uw aanvraag is onvolledig."]
CANCEL_REASONS = ["Dubbel dossier.", "Burger trekt de vraag in.", "Foutief aangemaakt."]
CLOSE_REASON = "Automatisch gesloten: de heropentermijn is verstreken."
RETURN_REASON = "Niet voor onze dienst."
NULL = "\\N"
# The chase has not run since the most recent ``limit`` threshold crossings of running cases: take their
# escalation back (one level) with the event that recorded it, so the chase finds real work.
FRESH_SQL = [
    """
    CREATE TEMP TABLE fresh ON COMMIT DROP AS
    SELECT id, escalation, warn_at < due_at AS warned_first FROM cases_case
    WHERE state IN ('new', 'accepted', 'in_progress') AND escalation > 0
    ORDER BY CASE WHEN escalation = 2 THEN due_at ELSE warn_at END DESC, id DESC
    LIMIT %(limit)s
    """,
    """
    UPDATE cases_case c SET escalation = CASE WHEN f.escalation = 2 AND f.warned_first THEN 1 ELSE 0 END
    FROM fresh f WHERE c.id = f.id
    """,
    """
    DELETE FROM cases_caseevent e USING fresh f
    WHERE e.case_id = f.id AND e.kind = 'escalation'
      AND e.text = CASE WHEN f.escalation = 2 THEN 'overdue' ELSE 'due_soon' END
    """,
]
# A few cases gather very many notes (complex complaints, long-running files).
BUSY_SHARE, BUSY_MEAN = 0.002, 200


def zipf_cum(n: int, s: float, offset: float) -> list[float]:
    total, cum = 0.0, []
    for k in range(n):
        total += 1.0 / (k + offset) ** s
        cum.append(total)
    return cum


def code_of(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:40]


def kind_of(subject: str, rng: random.Random) -> str:
    lowered = subject.lower()
    for kind, words in KIND_WORDS.items():
        if any(word in lowered for word in words):
            return kind
    return rng.choices(["question", "request", "report"], [60, 25, 15])[0]


# --- working days ----------------------------------------------------------------------------------------


class FastCalendar:
    """Working-day arithmetic on day indexes, from ``cases.calendar``'s answer for every day of the span.

    ``add``/``sub`` give the n-th working day after/before a day, as ``add_working_days`` and
    ``subtract_working_days`` do; ``eod`` is the end of each local day (23:59:59 Brussels) in clock seconds.
    """

    def __init__(self, first: date, last: date, clock: Clock):
        from cases.calendar import BRUSSELS, WorkingCalendar, end_of_day

        if first != clock.base.date():
            raise ValueError("the calendar starts on the clock's first day")

        calendar = WorkingCalendar(first, last)
        self.first = first
        n = (last - first).days + 1
        self.working = bytearray(n)
        self.rank = array("i", bytes(4 * n))  # working days up to and including the day
        self.workdays = array("i")
        self.eod = array("q", bytes(8 * n))
        count = 0
        for i in range(n):
            day = first + timedelta(days=i)
            if calendar.is_working_day(day):
                self.working[i] = 1
                self.workdays.append(i)
                count += 1
            self.rank[i] = count
            self.eod[i] = clock.seconds(end_of_day(day))
        # Local day index of every clock hour (Brussels is a whole number of hours from UTC).
        origin = first.toordinal()
        self.local_day_of_hour = array(
            "i",
            ((clock.base + timedelta(hours=h)).astimezone(BRUSSELS).date().toordinal() - origin for h in range(n * 24)),
        )

    def day(self, seconds: int) -> int:
        return self.local_day_of_hour[seconds // 3600]

    def add(self, day: int, n: int) -> int:
        return day if n == 0 else self.workdays[self.rank[day] + n - 1]

    def sub(self, day: int, n: int) -> int:
        return day if n == 0 else self.workdays[self.rank[day] - self.working[day] - n]

    def deadlines(self, registered_s: int, norm: int, working: bool, warning: int, paused: int) -> tuple[int, int]:
        """(due_at, warn_at) in clock seconds, the due date moved on by ``paused`` days (``shift_due``)."""
        registered = self.day(registered_s)
        if working:
            due = self.add(self.add(registered, norm), paused)
            warn = self.sub(due, warning)
        else:
            due = registered + norm + paused
            warn = due - warning
        return self.eod[due], self.eod[warn]

    def later(self, day: int, n: int, working: bool) -> int:
        return self.add(day, n) if working else day + n

    def between(self, start_s: int, end_s: int, working: bool) -> int:
        """Days from the local day of ``start_s`` to that of ``end_s``, as ``cases.deadlines.days_between``."""
        start, end = self.day(start_s), self.day(end_s)
        if working:
            return self.rank[end] - self.rank[start] if end > start else 0
        return max(0, end - start)


def check_deadlines(calendar: FastCalendar, clock: Clock, types: list[dict], rng: random.Random, start_s, now_s):
    """The fast table must agree with cases.deadlines on a sample (due dates, and the durations stored for the KPI
    reports); the load stops otherwise."""
    from types import SimpleNamespace

    from cases.deadlines import days_between, deadlines_for, shift_due

    spans = random.Random(start_s)  # its own draws: the load's stream (and so its data set) stays the seed's
    for _ in range(3000):
        t = types[rng.randrange(len(types))]
        registered_s = rng.randrange(start_s, now_s)
        paused = 0 if rng.random() < 0.5 else rng.randint(1, 20)
        case_type = SimpleNamespace(norm_days=t["norm"], norm_unit=t["unit"], warning_days=t["warning"])
        due, warn = deadlines_for(case_type, clock.base + timedelta(seconds=registered_s))
        if paused:
            due, warn = shift_due(case_type, due, paused)
        expected = (clock.seconds(due), clock.seconds(warn))
        got = calendar.deadlines(registered_s, t["norm"], t["unit"] == "working_days", t["warning"], paused)
        if got != expected:
            sys.exit(f"working-day table disagrees with cases.deadlines for {t} at {registered_s}: {got} != {expected}")
        end_s = min(now_s, registered_s + spans.randrange(1, 90 * 86400))
        expected_days = days_between(
            case_type, clock.base + timedelta(seconds=registered_s), clock.base + timedelta(seconds=end_s)
        )
        got_days = calendar.between(registered_s, end_s, t["unit"] == "working_days")
        if got_days != expected_days:
            sys.exit(
                f"working-day table disagrees with cases.deadlines.days_between for {t}: {got_days} != {expected_days}"
            )


# --- users -----------------------------------------------------------------------------------------------


def ensure_case_users(url: str, count: int, rng: random.Random) -> tuple[dict[str, list[int]], dict[str, int]]:
    """The staff users of the cases domain and the two benchmark users, with their role (one Django group each).

    Returns (role -> user ids, benchmark username -> id). Idempotent: existing ``bench_case_*`` users are reused.
    """
    django_setup(url)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    user_model = get_user_model()
    wanted = [f"bench_case_{i:04d}" for i in range(1, count + 1)]
    bench = {CASE_HANDLER_USERNAME: "handler", CASE_SUPERVISOR_USERNAME: "supervisor"}
    with transaction.atomic():
        user_model.objects.filter(username__startswith="bench_case_").exclude(username__in=wanted).delete()
        existing = set(user_model.objects.filter(username__in=[*wanted, *bench]).values_list("username", flat=True))
        new = []
        for i, username in enumerate([*wanted, *bench], 1):
            if username in existing:
                continue
            given = rng.choice(names.MALE_GIVEN_NAMES + names.FEMALE_GIVEN_NAMES)
            family = rng.choice(names.FAMILY_NAMES)
            email = f"{slug(given, str.lower)}.{slug(family, str.lower)}.{i}@stad.example"
            new.append(
                user_model(
                    username=username, first_name=given, last_name=family, email=email, password=make_password(None)
                )
            )
        user_model.objects.bulk_create(new, batch_size=1000)
        ids = dict(user_model.objects.filter(username__in=[*wanted, *bench]).values_list("username", "id"))
        roles: dict[str, list[int]] = {role: [] for role, _ in ROLE_SHARES}
        cum = 0
        bounds = []
        for role, share in ROLE_SHARES:
            cum += share
            bounds.append((cum, role))
        for i, username in enumerate(wanted):
            position = (i * 7919) % 1000  # spread the roles over the numbering
            roles[next(role for bound, role in bounds if position < bound)].append(ids[username])
        groups = {g.name: g.pk for g in Group.objects.filter(name__in=[role for role, _ in ROLE_SHARES])}
        through = user_model.groups.through
        all_ids = [ids[u] for u in [*wanted, *bench]]
        through.objects.filter(user_id__in=all_ids).delete()
        rows = [through(user_id=uid, group_id=groups[role]) for role, uids in roles.items() for uid in uids]
        rows += [through(user_id=ids[u], group_id=groups[role]) for u, role in bench.items()]
        through.objects.bulk_create(rows, batch_size=2000)
    connection.close()
    return roles, {u: ids[u] for u in bench}


def write_case_users(url: str, bench_ids: dict[str, int], memberships: dict[str, list[int]]) -> None:
    """API tokens of the benchmark users of the case scenarios, with their groups, for bench/run.py."""
    django_setup(url)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from knox.models import AuthToken

    users = {}
    for username, uid in bench_ids.items():
        # Only a hash of a key is stored: replace the user's tokens by one that never expires and keep its key.
        AuthToken.objects.filter(user_id=uid).delete()
        _, key = AuthToken.objects.create(get_user_model().objects.get(pk=uid), expiry=None)
        users[username] = {"id": uid, "token": key, "handler_groups": memberships.get(username, [])}
    case_users_file(url).write_text(json.dumps({"database": database_name(url), "users": users}, indent=1) + "\n")
    connection.close()


# --- configuration: groups, case types, routing rules, memberships ---------------------------------------


class Configuration:
    def __init__(self, rng: random.Random, roles: dict[str, list[int]], bench_ids: dict[str, int]):
        self.rng = rng
        combos = [(d, t) for d in DEPARTMENTS for t in TEAMS]
        rng.shuffle(combos)
        self.groups = [{"id": 1, "name": "KCC", "public": "Klantencontactcentrum", "kcc": True}]
        for gid, (department, team) in enumerate(combos[: HANDLER_GROUPS - 1], 2):
            self.groups.append(
                {"id": gid, "name": f"{department} – {team}", "public": f"Dienst {department} ({team})", "kcc": False}
            )
        self.kcc = 1
        group_cum = zipf_cum(HANDLER_GROUPS - 1, s=0.9, offset=3)
        group_ids = [g["id"] for g in self.groups[1:]]
        subjects = [s for s in names.SUBJECTS if s.strip()]
        self.types = []
        seen_codes = set()
        for tid in range(1, CASE_TYPES + 1):
            subject = subjects[(tid - 1) % len(subjects)]
            qualifier = QUALIFIERS[((tid - 1) // len(subjects)) % len(QUALIFIERS)]
            name = f"{subject}{qualifier}"
            code = code_of(name)
            code = f"{code}-{tid}" if code in seen_codes else code
            seen_codes.add(code)
            kind = kind_of(subject, rng)
            if kind == "report":
                norm, working = rng.randint(2, 10), rng.random() < 0.85
            elif kind in ("complaint", "suggestion"):
                norm, working = rng.randint(15, 30), rng.random() < 0.8
            elif kind == "request":
                norm, working = rng.choice((10, 14, 20, 30, 30)), rng.random() < 0.6
            else:
                norm, working = rng.randint(3, 10), rng.random() < 0.75
            warning = min(norm - 1, rng.choices((0, 1, 2, 3, 5), (5, 45, 30, 12, 8))[0])
            if tid < HANDLER_GROUPS:  # every group is the default of a case type, so every group has cases
                default_group = group_ids[tid - 1]
            else:
                default_group = None if rng.random() < 0.2 else rng.choices(group_ids, cum_weights=group_cum)[0]
            self.types.append(
                {
                    "id": tid,
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "norm": norm,
                    "unit": "working_days" if working else "calendar_days",
                    "working": working,
                    "normcal": norm * (1.45 if working else 1.0),
                    "warning": warning,
                    "admissibility": kind in ("request", "complaint") and rng.random() < 0.4,
                    "unanswered": kind == "complaint" and tid % UNANSWERED_EVERY == 0,
                    "survey": rng.random() < 0.5,
                    "ipdc": str(rng.randint(1000, 9999)) if rng.random() < 0.3 else "",
                    "confidential": rng.random() < 0.02,
                    "active": rng.random() < 0.97,
                    "group": default_group,
                    "home": default_group or self.kcc,
                }
            )
        order = list(range(CASE_TYPES))
        rng.shuffle(order)
        type_cum = zipf_cum(CASE_TYPES, s=1.0, offset=2)
        self.type_by_rank = [self.types[i] for i in order]
        self.type_cum = type_cum
        # Expected case volume per group, to size memberships and pick the benchmark handler's groups.
        volume = dict.fromkeys((g["id"] for g in self.groups), 0.0)
        previous = 0.0
        for t, cum in zip(self.type_by_rank, type_cum, strict=True):
            volume[t["home"]] += cum - previous
            previous = cum
        self.volume = volume
        self.rules = []
        for rid in range(1, ROUTING_RULES + 1):
            t = rng.choice(self.types) if rng.random() < 0.7 else None
            keyword = rng.choice(("", "", "fietspad", "verlichting", "parkeer", "huur", "premie", "school", "afval"))
            postal = rng.choice(names.MUNICIPALITIES)[0] if rng.random() < 0.3 else ""
            channel = rng.choice(("", "", "", "phone", "website", "email"))
            self.rules.append(
                {
                    "id": rid,
                    "order": rid * 10,
                    "type": t["id"] if t else None,
                    "keyword": keyword,
                    "postal": postal,
                    "channel": channel,
                    "ipdc": "",
                    "group": rng.choices(group_ids, cum_weights=group_cum)[0],
                    "active": rng.random() < 0.95,
                }
            )
        self._memberships(roles, bench_ids)

    def _memberships(self, roles: dict[str, list[int]], bench_ids: dict[str, int]) -> None:
        rng = self.rng
        non_kcc = sorted((g["id"] for g in self.groups if not g["kcc"]), key=lambda g: -self.volume[g])
        weights = [math.sqrt(self.volume[g]) + 1e-3 for g in non_kcc]
        members: dict[int, set[int]] = {g["id"]: set() for g in self.groups}
        of_user: dict[int, set[int]] = {}
        for role, uids in roles.items():
            for uid in uids:
                n = rng.choices((1, 2, 3, 4, 5), (30, 30, 20, 12, 8))[0]
                groups = {self.kcc} if role in ("kcc", "front_desk") else set()
                while len(groups) < n:
                    groups.add(rng.choices(non_kcc, weights)[0])
                of_user[uid] = groups
        size = Counter(g for groups in of_user.values() for g in groups)
        handlers = roles["handler"]
        for g in members:  # at least two members per group, to assign its cases to
            while size[g] < 2:
                uid = handlers[rng.randrange(len(handlers))]
                if len(of_user[uid]) < 5 and g not in of_user[uid]:
                    of_user[uid].add(g)
                    size[g] += 1
        handler = bench_ids[CASE_HANDLER_USERNAME]
        of_user[handler] = {non_kcc[rank] for rank in HANDLER_GROUP_RANKS}
        of_user[bench_ids[CASE_SUPERVISOR_USERNAME]] = {self.kcc}
        for uid, groups in of_user.items():
            for g in groups:
                members[g].add(uid)
        self.members = {g: sorted(uids) for g, uids in members.items()}
        self.bench_memberships = {
            CASE_HANDLER_USERNAME: sorted(of_user[handler]),
            CASE_SUPERVISOR_USERNAME: [self.kcc],
        }
        self.kcc_staff = sorted(roles["kcc"] + roles["front_desk"])

    def group_lines(self) -> str:
        return "".join(
            f"{g['id']}\t{g['name']}\t{g['public']}\t{slug(g['name'].lower(), str.lower)}@stad.example"
            f"\t{'t' if g['kcc'] else 'f'}\tt\n"
            for g in self.groups
        )

    def type_lines(self) -> str:
        from cases.models import all_notification_kinds

        b = lambda v: "t" if v else "f"  # noqa: E731
        notify = json.dumps(all_notification_kinds())  # COPY applies no Django default
        # name_fr, name_en, public, location_required, resume_on_citizen_reply: the model's defaults.
        return "".join(
            f"{t['id']}\t{t['code']}\t{t['name']}\t{t['kind']}\t{t['norm']}\t{t['unit']}\t{b(t['admissibility'])}"
            f"\t{t['warning']}\t{b(t['survey'])}\t{t['ipdc']}\t{b(t['confidential'])}\t{b(t['active'])}"
            f"\t{t['group'] or NULL}\t{notify}\t\t\tt\tf\tt\t{b(t['unanswered'])}\n"
            for t in self.types
        )

    def rule_lines(self) -> str:
        return "".join(
            f"{r['id']}\t{r['order']}\t{r['postal']}\t{r['keyword']}\t{r['ipdc']}\t{r['channel']}"
            f"\t{'t' if r['active'] else 'f'}\t{r['type'] or NULL}\t{r['group']}\n"
            for r in self.rules
        )

    def member_lines(self) -> str:
        rows, mid = [], 0
        for g, uids in sorted(self.members.items()):
            for uid in uids:
                mid += 1
                rows.append(f"{mid}\t{g}\t{uid}\n")
        return "".join(rows)


# --- cases and events ------------------------------------------------------------------------------------


class EventSink:
    """Collects case events by day and writes them in time order (ids follow created_at) to a temporary file.

    Cases are generated in registration order and no event precedes its case's registration, so once the
    generator reaches day D every event of an earlier day is known: those days are sorted and written.
    """

    def __init__(self, clock: Clock, file):
        self.clock, self.file = clock, file
        self.buckets: dict[int, list] = {}
        self.next_day = 0
        self.count = 0
        self.peak = 0
        self.pending = 0

    def add(self, t: int, case_id: int, rest: str) -> None:
        day = t // 86400
        bucket = self.buckets.get(day)
        if bucket is None:
            bucket = self.buckets[day] = []
        bucket.append((t, case_id, rest))
        self.pending += 1

    def flush_before(self, day: int) -> None:
        if day <= self.next_day:
            return
        if self.pending > self.peak:
            self.peak = self.pending
        fmt, out, eid = self.clock.fmt, [], self.count
        for d in sorted(k for k in self.buckets if k < day):
            bucket = self.buckets.pop(d)
            bucket.sort()
            for t, case_id, rest in bucket:
                eid += 1
                out.append(f"{eid}\t{rest}\t{fmt(t)}\t{case_id}\n")
            self.pending -= len(bucket)
            if len(out) > 50_000:
                self.file.write("".join(out))
                out.clear()
        self.file.write("".join(out))
        self.count = eid
        self.next_day = day

    def chunks(self, size: int = 4 << 20):
        self.flush_before(max(self.buckets, default=0) + 1)
        self.file.flush()
        self.file.seek(0)
        while True:
            chunk = self.file.read(size)
            if not chunk:
                return
            yield chunk


class CaseGenerator:
    """Cases in registration order (ids follow registered_at), with their timeline and originating contact."""

    def __init__(self, n, n_events, config, parties, busy_parties, contacts, rng, clock, calendar, now_s, tmp):
        self.n, self.n_events, self.config, self.rng, self.clock = n, n_events, config, rng, clock
        self.calendar, self.now_s = calendar, now_s
        self.parties, self.busy_parties, self.contacts = parties, busy_parties, contacts
        self.sink = EventSink(clock, tmp)
        self.case_contacts: list[str] = []
        self.stats: Counter[str] = Counter()
        self.kcc = config.kcc
        self.group_names = {g["id"]: g["name"] for g in config.groups}
        self.created_data = {
            gid: json.dumps({"handler_group": gid, "handler_group_name": name}, ensure_ascii=False)
            for gid, name in self.group_names.items()
        }

    def registration_times(self) -> tuple[array, array]:
        """Sorted registration times of all cases and the originating contact of each (0: none)."""
        rng, clock = self.rng, self.clock
        ids, times, _info = self.contacts
        linked = min(len(ids), int(self.n * LINKED_SHARE))
        chosen = sorted(rng.sample(range(len(ids)), linked))
        epoch = int(clock.base.timestamp())  # contact times are Unix seconds
        contact_times = [(times[i] - epoch, ids[i]) for i in chosen]
        free = self.n - linked
        end = clock.base + timedelta(seconds=self.now_s - 3600)
        start = end - timedelta(days=365 * CASE_YEARS)
        hour0 = start.replace(minute=0, second=0, microsecond=0)
        hours = int((end - hour0).total_seconds() // 3600)
        # Volume grows by half over the period (the platform is taken up by more services).
        weights = [hour_weight(hour0 + timedelta(hours=h)) * (1 + 0.5 * h / hours) for h in range(hours)]
        total_w = sum(weights)
        start_s = clock.seconds(hour0)
        free_times = array("q")
        cum, done = 0.0, 0
        for h in range(hours):
            cum += weights[h]
            upto = round(free * cum / total_w)
            if upto > done:
                base = start_s + h * 3600
                free_times.extend(sorted(base + rng.randrange(3600) for _ in range(upto - done)))
                done = upto
        merged_t, merged_c = array("q"), array("q")
        i = j = 0
        while i < len(free_times) or j < len(contact_times):
            if j >= len(contact_times) or (i < len(free_times) and free_times[i] <= contact_times[j][0]):
                merged_t.append(free_times[i])
                merged_c.append(0)
                i += 1
            else:
                merged_t.append(contact_times[j][0])
                merged_c.append(contact_times[j][1])
                j += 1
        return merged_t, merged_c

    def lines(self, chunk: int = 10_000):
        rng, clock, cal, config = self.rng, self.clock, self.calendar, self.config
        fmt, now_s = clock.fmt, self.now_s
        random_, expo, lognorm = rng.random, rng.expovariate, rng.lognormvariate
        types, type_cum, rules = config.type_by_rank, config.type_cum, config.rules
        members, kcc, kcc_staff = config.members, self.kcc, config.kcc_staff
        parties, busy = self.parties, self.busy_parties
        contact_info = self.contacts[2]
        sink, stats = self.sink, self.stats
        times, linked = self.registration_times()
        last_case_of_party: dict[int, int] = {}
        municipalities = names.MUNICIPALITIES
        streets = [s.strip() for s in names.STREETS]
        summaries = names.SUMMARIES
        channel_list = ["website", "phone", "email", "counter", "chat", "whatsapp", "letter", "other"]
        channel_cum = [35, 55, 75, 85, 91, 95, 98, 100]
        events_left, out = self.n_events, []
        for cid in range(1, self.n + 1):
            reg = times[cid - 1]
            sink.flush_before(reg // 86400)
            t = types[_pick(type_cum, random_() * type_cum[-1])]
            contact = linked[cid - 1]
            if contact:
                party, channel, handled_by, source = contact_info[contact]
            else:
                r = random_()
                if r < 0.05:
                    party = None  # an anonymous report
                elif r < 0.15:
                    party = busy[int(random_() * len(busy))]
                else:
                    party = parties[int(random_() * len(parties))]
                channel = channel_list[_pick(channel_cum, random_() * 100)]
                handled_by = kcc_staff[int(random_() * len(kcc_staff))] if channel in ("phone", "counter") else None
                source = SOURCE_OF_CHANNEL.get(channel, "staff")
            group = t["home"]
            if random_() < 0.08:  # a routing rule sent it elsewhere
                rule = rules[int(random_() * len(rules))]
                if rule["active"]:
                    group = rule["group"]
            created = reg + (int(random_() * 600) if handled_by else int(random_() * 5))
            # How long handling takes: most within the norm, some late, a fifth stuck for a long time.
            normcal = t["normcal"]
            r = random_()
            stuck = r < 0.22
            if stuck:
                handling = (normcal + expo(1 / 900)) * 86400
            elif r < 0.40:
                handling = normcal * lognorm(0.4, 0.6) * 86400
            else:
                handling = normcal * lognorm(-0.6, 0.5) * 86400
            end = reg + max(900, int(handling))  # resolved, rejected or cancelled
            start = created + min(int((end - created) * 0.7), 300 + int(expo(1 / (0.12 * normcal * 86400))))
            admissibility, working = t["admissibility"], t["working"]
            group_members = members[group]
            assignee = group_members[int(random_() * len(group_members))]
            events = [(created, "created", "", "", "new", "", False, self.created_data[group], handled_by)]
            if random_() < 0.05 and group != kcc:
                data = json.dumps(
                    {"from_group": kcc, "from_group_name": "KCC", "to_group": group,
                     "to_group_name": self.group_names[group], "was_misdispatched": False},
                    ensure_ascii=False,
                )  # fmt: skip
                actor = kcc_staff[int(random_() * len(kcc_staff))]
                events.append((created + 1800, "reassignment", "", "", "", "", False, data, actor))
            misdispatched, duplicate_of, public_message = False, None, ""
            decided = resolved = closed = paused_at = returned = None
            returned_by = None
            finished = end <= now_s
            r = random_()
            if finished and r < (0.10 if admissibility else 0.01):
                state, decided, closed, running_until = "rejected", start, start, start
                frm = "new"
                if admissibility and random_() < 0.5:
                    events.append((start - 600, "transition", "accept", "new", "accepted", "", False, "{}", assignee))
                    frm = "accepted"
                public_message = REJECT_MESSAGES[int(random_() * len(REJECT_MESSAGES))]
                data = json.dumps({"public_message": public_message}, ensure_ascii=False)
                events.append((start, "transition", "reject", frm, "rejected", "Onontvankelijk.", True, data, assignee))
            elif finished and r < 0.03:
                state = "cancelled"
                closed = running_until = cancel_s = created + (end - created) // 2
                frm = "new"
                if cancel_s > start:
                    decided, frm = start, "in_progress"
                    events.append((start, "transition", "start", "new", "in_progress", "", False, "{}", assignee))
                data = "{}"
                earlier = last_case_of_party.get(party) if party else None
                if earlier and random_() < 0.4:
                    duplicate_of = earlier
                    public_message = f"Uw vraag wordt opgevolgd in dossier {earlier}."
                    data = json.dumps({"public_message": public_message, "duplicate_of": str(earlier)})
                reason = CANCEL_REASONS[int(random_() * len(CANCEL_REASONS))]
                events.append(
                    (cancel_s, "transition", "cancel", frm, "cancelled", reason, bool(duplicate_of), data, assignee)
                )
            elif finished:
                decided, resolved, running_until = start, end, end
                if admissibility:
                    events.append((start - 600, "transition", "accept", "new", "accepted", "", False, "{}", assignee))
                    events.append((start, "transition", "start", "accepted", "in_progress", "", False, "{}", assignee))
                else:
                    events.append((start, "transition", "start", "new", "in_progress", "", False, "{}", assignee))
                public_message = ANSWERS[int(random_() * len(ANSWERS))]
                data = json.dumps({"public_message": public_message}, ensure_ascii=False)
                events.append((end, "transition", "resolve", "in_progress", "resolved", "", True, data, assignee))
                events.append((end + 2, "notification_queued", "", "", "", "", False, '{"channel": "email"}', None))
                events.append((end + 40, "notification_sent", "", "", "", "", False, '{"channel": "email"}', None))
                if random_() < 0.35:  # closed by the handler, else automatically after the reopen window
                    close_s, actor, text = end + 600 + int(expo(1 / 86400)), assignee, ""
                else:
                    close_s, actor, text = end + 14 * 86400 + int(random_() * 3600), None, CLOSE_REASON
                if close_s < now_s:
                    state, closed = "closed", close_s
                    events.append((close_s, "transition", "close", "resolved", "closed", text, False, "{}", actor))
                    if t["survey"] and random_() < 0.15 and close_s + 86400 < now_s:
                        data = json.dumps({"score": rng.randint(1, 5)})
                        events.append((close_s + int(random_() * 86400), "survey_answer", "", "", "", "", False, data,
                                       None))  # fmt: skip
                else:
                    state = "resolved"
            elif start > now_s or (stuck and random_() < 0.08):
                state, running_until = "new", now_s
                assignee = assignee if random_() < 0.1 else None
            else:  # open, taken up
                decided, running_until = start, now_s
                if admissibility:
                    events.append((start - 600, "transition", "accept", "new", "accepted", "", False, "{}", assignee))
                if admissibility and random_() < 0.25:
                    state = "accepted"
                else:
                    frm = "accepted" if admissibility else "new"
                    events.append((start, "transition", "start", frm, "in_progress", "", False, "{}", assignee))
                    state = "in_progress"
                if random_() < (0.40 if stuck else 0.12):
                    mean_wait = 30 * 86400 if stuck else 5 * 86400
                    paused_at = min(now_s - 1, max(start + 60, now_s - int(expo(1 / mean_wait))))
                    reason = SUSPEND_REASONS[int(random_() * len(SUSPEND_REASONS))]
                    events.append((paused_at, "transition", "suspend", state, "waiting", reason, False, "{}", assignee))
                    state, running_until = "waiting", paused_at
                elif group != kcc and random_() < 0.01:  # misdispatched: back to the KCC, to be routed again
                    returned = min(now_s - 1, start + 3600)
                    data = json.dumps({"from_group": group, "to_group": kcc})
                    events.append(
                        (returned, "transition", "return_to_kcc", state, "new", RETURN_REASON, False, data, assignee)
                    )
                    state, group, assignee, misdispatched, returned_by = "new", kcc, None, True, group
            # An earlier wait for the citizen: the due date moved on by the days paused.
            paused_days = 0
            if state in ("in_progress", "resolved", "closed"):
                until = running_until
                if random_() < 0.18 and until - start > 3 * 86400:
                    suspend_s = start + int((until - start) * random_() * 0.5)
                    days = rng.randint(1, 15)
                    resume_day = cal.later(cal.day(suspend_s), days, working)
                    resume_s = cal.eod[resume_day] - 86399 + 7 * 3600 + int(random_() * 9 * 3600)
                    if suspend_s < resume_s < until:
                        paused_days = days
                        reason = SUSPEND_REASONS[int(random_() * len(SUSPEND_REASONS))]
                        events.append(
                            (
                                suspend_s,
                                "transition",
                                "suspend",
                                "in_progress",
                                "waiting",
                                reason,
                                False,
                                "{}",
                                assignee,
                            )
                        )
                        events.append(
                            (resume_s, "transition", "resume", "waiting", "in_progress", "", False, "{}", assignee)
                        )
            due, warn = cal.deadlines(reg, t["norm"], working, t["warning"], paused_days)
            # The durations the KPI reports read, as case_transition stores them: no pause precedes the decision.
            admissibility_days = cal.between(reg, decided, True) if decided is not None else None
            resolution_days = max(0, cal.between(reg, resolved, working) - paused_days) if resolved else None
            # Escalations: the chase raised the case at each threshold crossed while it ran (the most recent
            # crossings are taken back after the load: see FRESH_SQL).
            escalation = 0
            for threshold_s, level, name in ((warn, 1, "due_soon"), (due, 2, "overdue")):
                if threshold_s < running_until and (level == 2 or warn < due):
                    escalation = level
                    data = f'{{"threshold": "{name}", "due_at": "{_iso(fmt(due))}"}}'
                    events.append((threshold_s + 1 + int(random_() * 300), "escalation", "", "", "", name, False,
                                   data, None))  # fmt: skip
            # Notes: as many as bring the average to the events asked for, with a few very busy cases.
            extra = events_left / (self.n - cid + 1) - len(events)
            notes = 0
            if extra > BUSY_SHARE * BUSY_MEAN and random_() < BUSY_SHARE:
                notes = rng.randint(BUSY_MEAN // 4, BUSY_MEAN * 7 // 4)
            elif extra > 0:
                notes = int(expo(1 / max(0.05, (extra - BUSY_SHARE * BUSY_MEAN) / (1 - BUSY_SHARE))) + 0.5)
            if notes:
                span = max(60, (closed or resolved or now_s) - created)
                for _ in range(notes):
                    if random_() < 0.15:
                        text, public = PUBLIC_NOTES[int(random_() * len(PUBLIC_NOTES))], True
                    else:
                        text, public = NOTES[int(random_() * len(NOTES))], False
                    at = created + 60 + int(random_() * span)
                    events.append((at, "note", "", "", "", text, public, "{}", assignee or handled_by))
            events_left -= len(events)
            version = 1 + sum(1 for e in events if e[1] == "transition" or e[1] == "reassignment")
            updated = max(e[0] for e in events if e[1] != "note" and e[1] != "escalation")
            for at, kind, transition, frm, to, text, public, data, actor in events:
                sink.add(
                    created if at < created else now_s if at > now_s else at,
                    cid,
                    f"{kind}\t{transition}\t{frm}\t{to}\t{text}\t{'t' if public else 'f'}\t{data}"
                    f"\t{actor if actor else NULL}",
                )
            stats[state] += 1
            stats["escalated"] += escalation > 0
            if contact:
                self.case_contacts.append(f"{len(self.case_contacts) + 1}\t{cid}\t{contact}\n")
            if party and state not in ("rejected", "cancelled"):
                last_case_of_party[party] = cid
            if t["kind"] == "report" or random_() < 0.2:
                postal = municipalities[int(random_() * len(municipalities))][0]
                location = f"{streets[int(random_() * len(streets))]} {1 + int(random_() * 200)}"
                if random_() < 0.6:
                    lat, lon = f"{50.8 + random_() * 0.5:.6f}", f"{3.0 + random_() * 2.5:.6f}"
                else:
                    lat = lon = NULL
            else:
                postal, location, lat, lon = "", "", NULL, NULL
            description = f"{t['name']}: {summaries[int(random_() * len(summaries))]}"
            r = random_()
            priority = 2 if r < 0.8 else 1 if r < 0.9 else 3 if r < 0.98 else 4
            tracking = "".join(rng.choices(TRACKING_ALPHABET, k=10))
            out.append(
                f"{cid}\t{cid}\t{tracking}\t{channel}\t{state}\t{priority}\t{description}\t{postal}\t{location}"
                f"\t{lat}\t{lon}\t{'t' if t['confidential'] else 'f'}\t{fmt(reg)}\t{fmt(due)}\t{fmt(warn)}"
                f"\t{fmt(paused_at) if paused_at else NULL}\t{paused_days}\t{'t' if misdispatched else 'f'}"
                f"\t{escalation}\t{fmt(decided) if decided else NULL}\t{fmt(resolved) if resolved else NULL}"
                f"\t{fmt(closed) if closed else NULL}\t{public_message}\t{version}\t{fmt(created)}\t{fmt(updated)}"
                f"\t{assignee or NULL}\t{t['id']}\t{duplicate_of or NULL}\t{group}\t{party or NULL}"
                f"\t{NULL if admissibility_days is None else admissibility_days}"
                f"\t{NULL if resolution_days is None else resolution_days}\t{NULL}"
                f"\t{fmt(returned) if returned else NULL}\t{returned_by or NULL}\t{source}\tf\n"
            )
            if len(out) >= chunk:
                yield "".join(out)
                out.clear()
        if out:
            yield "".join(out)


def _pick(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _iso(formatted: str) -> str:
    """'YYYY-MM-DD HH:MM:SS+00' -> the isoformat() of the same UTC datetime."""
    return f"{formatted[:10]}T{formatted[11:19]}+00:00"


# --- database plumbing -----------------------------------------------------------------------------------


def read_parties_and_contacts(url: str) -> tuple[array, array, tuple]:
    """Live party ids, the parties with most contacts, and the contacts whose outcome was case_created."""
    with psycopg.connect(url) as conn:
        parties = array(
            "q", (row[0] for row in conn.execute("SELECT id FROM contacts_party WHERE merged_into_id IS NULL"))
        )
        busy = array(
            "q",
            (
                row[0]
                for row in conn.execute(
                    "SELECT party_id FROM contacts_contact WHERE party_id IS NOT NULL AND id % 10 = 0 "
                    "GROUP BY 1 ORDER BY count(*) DESC LIMIT 10000"
                )
            ),
        )
        ids, times, info = array("q"), array("q"), {}
        cursor = conn.execute(
            "SELECT id, party_id, channel, handled_by_id, source, extract(epoch FROM occurred_at)::bigint "
            "FROM contacts_contact WHERE outcome = 'case_created' ORDER BY occurred_at, id"
        )
        for cid, party, channel, handled_by, source, epoch in cursor:
            ids.append(cid)
            times.append(epoch)
            info[cid] = (party, channel, handled_by, source)
    return parties, busy or parties, (ids, times, info)


def index_cost(definition: str) -> int:
    """Rough build cost, to start the longest builds first: events outnumber cases ten to one."""
    return 10 if " ON public.cases_caseevent " in definition else 1


def add_closing_days(url: str, years: range) -> int:
    """A few city closing days (bridge days) so the working-day calendar has them, as a real city does."""
    django_setup(url)
    from django.db import connection

    from cases.calendar import forget_closing_days
    from cases.models import ClosingDay

    days = []
    for year in years:
        days.append(ClosingDay(date=date(year, 12, 26), reason="Sluitingsdag (tweede kerstdag)"))
        days.append(ClosingDay(date=date(year, 1, 2), reason="Sluitingsdag (nieuwjaar)"))
    ClosingDay.objects.all().delete()
    ClosingDay.objects.bulk_create(days)
    forget_closing_days()
    connection.close()
    return len(days)


def load(
    url: str,
    *,
    cases: int,
    events: int,
    seed: int,
    phases: Phases | None = None,
    skip_verify: bool = False,
    fresh_crossings: int = 1000,
) -> int:
    """Load the whole cases domain; returns 0, or 1 when the foreign-key check finds orphans."""
    phases = phases or Phases()
    rng = random.Random(seed)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    restored = restore_leftover_indexes(url, INDEX_FILE)
    now = datetime.now(UTC).replace(microsecond=0)
    closing = add_closing_days(url, range(now.year - CASE_YEARS - 1, now.year + 3))
    roles, bench_ids = ensure_case_users(url, STAFF, random.Random(seed + 1))
    config = Configuration(rng, roles, bench_ids)
    write_case_users(url, bench_ids, config.bench_memberships)
    phases.done(
        "cases: users, configuration",
        f"{STAFF:,} staff + 2 benchmark users, {closing} closing days"
        + (f", restored {restored} leftover indexes" if restored else ""),
    )

    django_setup(url)
    base = datetime(now.year - CASE_YEARS - 1, 1, 1, tzinfo=UTC)
    days = (now - base).days + 500  # due dates of open cases lie ahead (norm, pauses)
    clock = Clock(base, days + 1)
    now_s = clock.seconds(now)
    calendar = FastCalendar(base.date(), base.date() + timedelta(days=days), clock)
    check_deadlines(calendar, clock, config.types, rng, clock.seconds(now - timedelta(days=365 * CASE_YEARS)), now_s)
    parties, busy, contacts = read_parties_and_contacts(url)
    from django.db import connection

    connection.close()
    phases.done(
        "cases: calendar, read parties",
        f"{len(parties):,} live parties, {len(contacts[0]):,} case_created contacts; due dates checked",
    )

    with contextlib.ExitStack() as stack:
        conn = stack.enter_context(psycopg.connect(url))
        conn.execute("SET session_replication_role = replica")  # no FK triggers; verified at the end
        conn.execute("SET synchronous_commit = off")
        conn.execute(f"TRUNCATE {', '.join(CASE_TABLES)} RESTART IDENTITY CASCADE")
        dropped = plain_indexes(conn, INDEXED_TABLES)
        index_file(url, INDEX_FILE).write_text("".join(f"{definition};\n" for _, _, definition in dropped))
        for _table, index, _definition in dropped:
            conn.execute(f'DROP INDEX "{index}"')
        copy_lines(conn, "cases_handlergroup", "id, name, public_name, email, is_kcc, active", [config.group_lines()])
        copy_lines(
            conn,
            "cases_casetype",
            "id, code, name, kind, norm_days, norm_unit, admissibility_step, warning_days, survey_enabled, "
            "ipdc_product_id, confidential, active, default_group_id, notify_kinds, name_fr, name_en, public, "
            "location_required, resume_on_citizen_reply, about_unanswered_question",
            [config.type_lines()],
        )
        copy_lines(
            conn,
            "cases_routingrule",
            'id, "order", postal_code, keyword, ipdc_product_id, channel, active, case_type_id, handler_group_id',
            [config.rule_lines()],
        )
        copy_lines(conn, "cases_handlergroup_members", "id, handlergroup_id, user_id", [config.member_lines()])
        phases.done(
            "cases: truncate, configuration rows",
            f"{len(dropped)} indexes dropped; {HANDLER_GROUPS} groups, {CASE_TYPES} case types, "
            f"{ROUTING_RULES} rules, {sum(len(m) for m in config.members.values()):,} memberships",
        )

        tmp = stack.enter_context(
            tempfile.TemporaryFile(mode="w+", encoding="utf-8", dir=OUT_DIR, prefix="case-events-", suffix=".tmp")
        )
        generator = CaseGenerator(cases, events, config, parties, busy, contacts, rng, clock, calendar, now_s, tmp)
        nbytes = copy_lines(
            conn,
            "cases_case",
            "id, reference, tracking_code, channel, state, priority, description, postal_code, location, latitude, "
            "longitude, confidential, registered_at, due_at, warn_at, paused_at, paused_days, misdispatched, "
            "escalation, admissibility_decided_at, resolved_at, closed_at, public_message, version, created_at, "
            "updated_at, assignee_id, case_type_id, duplicate_of_id, handler_group_id, party_id, "
            "admissibility_working_days, resolution_days, reopened_at, returned_to_kcc_at, returned_by_group_id, "
            "intake_source, imported",
            generator.lines(),
        )
        stats = generator.stats
        states = ", ".join(f"{k} {v:,}" for k, v in sorted(stats.items(), key=lambda kv: -kv[1]))
        phases.done("COPY cases", f"{cases:,} rows, {nbytes / 1e6:.0f} MB: {states}")
        copy_lines(
            conn,
            "cases_case_contacts",
            "id, case_id, contact_id",
            ("".join(generator.case_contacts[i : i + 20000]) for i in range(0, len(generator.case_contacts), 20000)),
        )
        sink = generator.sink
        nbytes = copy_lines(
            conn,
            "cases_caseevent",
            "id, kind, transition, from_state, to_state, text, public, data, actor_id, created_at, case_id",
            sink.chunks(),
        )
        for statement in FRESH_SQL:
            conn.execute(statement, {"now": now, "limit": fresh_crossings})
        fresh = conn.execute("SELECT count(*), count(*) FILTER (WHERE escalation = 2) FROM fresh").fetchone()
        for table in (*CASE_TABLES, "cases_closingday"):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(max(id), 1), max(id) IS NOT NULL) "
                f"FROM {table}"
            )
        conn.commit()
        phases.done(
            "COPY case events, case contacts, commit",
            f"{sink.count:,} events ({nbytes / 1e6:.0f} MB, at most {sink.peak:,} held back for time order), "
            f"{len(generator.case_contacts):,} case–contact links; {fresh[0]:,} crossings left to the chase "
            f"({fresh[1]:,} overdue)",
        )

    statements = sorted((d for _, _, d in dropped), key=index_cost, reverse=True)
    timings = run_parallel(url, statements)
    index_file(url, INDEX_FILE).unlink()
    slowest = max(timings, key=lambda t: t[1]) if timings else ("", 0)
    phases.done(
        "cases: recreate indexes (2 at a time)",
        f"{len(timings)} indexes; slowest {slowest[1]:.0f} s: "
        f"{slowest[0].split(' ON ')[0].removeprefix('CREATE INDEX ')}",
    )
    # VACUUM: the fresh crossings' rows were updated and deleted after the frozen load.
    analyze = [f"VACUUM (ANALYZE) {table}" for table in INDEXED_TABLES[:2]]
    analyze += [f"ANALYZE {table}" for table in (*CASE_TABLES[2:], "auth_user", "cases_closingday")]
    run_parallel(url, analyze)
    phases.done("cases: VACUUM, ANALYZE")

    with psycopg.connect(url, autocommit=True) as conn:
        if not skip_verify:
            checks = {
                "case.party": "SELECT count(*) FROM cases_case c WHERE c.party_id IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM contacts_party p WHERE p.id = c.party_id AND p.merged_into_id IS NULL)",
                "case.case_type": "SELECT count(*) FROM cases_case c WHERE NOT EXISTS "
                "(SELECT 1 FROM cases_casetype t WHERE t.id = c.case_type_id)",
                "case.handler_group": "SELECT count(*) FROM cases_case c WHERE NOT EXISTS "
                "(SELECT 1 FROM cases_handlergroup g WHERE g.id = c.handler_group_id)",
                "case.assignee": "SELECT count(*) FROM cases_case c WHERE c.assignee_id IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM cases_handlergroup_members m WHERE m.user_id = c.assignee_id "
                "AND m.handlergroup_id = c.handler_group_id)",
                "case.duplicate_of": "SELECT count(*) FROM cases_case c WHERE c.duplicate_of_id IS NOT NULL AND "
                "NOT EXISTS (SELECT 1 FROM cases_case d WHERE d.id = c.duplicate_of_id)",
                "case.returned_by_group": "SELECT count(*) FROM cases_case c WHERE c.returned_by_group_id IS NOT NULL "
                "AND NOT EXISTS (SELECT 1 FROM cases_handlergroup g WHERE g.id = c.returned_by_group_id)",
                "case.confidential": "SELECT count(*) FROM cases_case c JOIN cases_casetype t ON t.id = c.case_type_id "
                "WHERE c.confidential <> t.confidential",
                "event.case": "SELECT count(*) FROM cases_caseevent e WHERE NOT EXISTS "
                "(SELECT 1 FROM cases_case c WHERE c.id = e.case_id)",
                "event.actor": "SELECT count(*) FROM cases_caseevent e WHERE e.actor_id IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM auth_user u WHERE u.id = e.actor_id)",
                "case_contacts": "SELECT count(*) FROM cases_case_contacts x WHERE NOT EXISTS "
                "(SELECT 1 FROM contacts_contact c WHERE c.id = x.contact_id) OR NOT EXISTS "
                "(SELECT 1 FROM cases_case c WHERE c.id = x.case_id)",
                "members": "SELECT count(*) FROM cases_handlergroup_members m WHERE NOT EXISTS "
                "(SELECT 1 FROM auth_user u WHERE u.id = m.user_id)",
            }
            bad = {name: conn.execute(sql).fetchone()[0] for name, sql in checks.items()}
            bad = {name: count for name, count in bad.items() if count}
            if bad:
                print(f"INCONSISTENT ROWS: {bad}", file=sys.stderr)
                return 1
            phases.done("cases: verify foreign keys", f"no orphans ({len(checks)} checks)")
        chase = conn.execute(
            "SELECT count(*) FILTER (WHERE due_at < now()), count(*) FILTER (WHERE due_at >= now()) FROM cases_case "
            "WHERE state IN ('new', 'accepted', 'in_progress') AND escalation < 2 AND warn_at <= now() "
            "AND (escalation < 1 OR due_at < now())"
        ).fetchone()
        sizes = conn.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class WHERE relname = ANY(%s)",
            [list(INDEXED_TABLES)],
        ).fetchall()
    print(f"  chase candidates now: {chase[0]:,} overdue and {chase[1]:,} due-soon crossings")
    print("  sizes: " + ", ".join(f"{name} {size}" for name, size in sorted(sizes)))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2_000_000)
    parser.add_argument("--case-events", type=int, default=None, help="default: 10 per case")
    parser.add_argument(
        "--fresh-crossings", type=int, default=1000, help="the most recent crossings left to the chase (escalation)"
    )
    parser.add_argument("--database-url", help="default: $BENCH_DATABASE_URL or postgres://.../midoffice_bench")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--force", action="store_true", help="allow a database whose name lacks 'bench'")
    parser.add_argument("--skip-verify", action="store_true", help="skip the foreign-key check at the end")
    args = parser.parse_args()
    url = bench_database_url(args.database_url)
    refuse_unless_bench(url, args.force)
    events = args.case_events if args.case_events is not None else 10 * args.cases
    print(f"Generating {args.cases:,} cases and {events:,} case events into {database_name(url)}", flush=True)
    phases = Phases()
    status = load(
        url,
        cases=args.cases,
        events=events,
        seed=args.seed,
        phases=phases,
        skip_verify=args.skip_verify,
        fresh_crossings=args.fresh_crossings,
    )
    phases.summary()
    return status


if __name__ == "__main__":
    sys.exit(main())
