#!/usr/bin/env python
"""Fill a PostgreSQL database with a benchmark-sized Midoffice data set (default 1 M parties, 5 M contacts, 2 M cases).

Steps, each timed: create the database if missing, ``manage.py migrate``, create the staff users and the
benchmark user (role kcc, API token in bench/out/token-<database>.json), then in ONE transaction: truncate
the contacts tables, drop their non-unique indexes, and COPY ... FREEZE parties, contact points, representatives and
contacts; then rebuild the dropped indexes (two at a time: the machine has two cores), ANALYZE, and check
referential integrity. Then the cases domain, by bench/generate_cases.py on top of those parties and contacts
(default 2 cases per party, 10 events per case; ``--cases 0`` leaves the cases tables empty).

Why it is fast and still honest:
- COPY FREEZE into tables truncated in the same transaction writes the rows frozen and all-visible, so no
  VACUUM is needed for index-only scans afterwards.
- Primary keys and unique indexes stay in place during the load (they are constraints); the plain indexes are
  dropped and recreated from their exact definitions (``pg_get_indexdef``), so the schema ends up identical.
- Check constraints are enforced by PostgreSQL during COPY. Foreign-key triggers are skipped
  (``session_replication_role = replica``, as pg_restore --disable-triggers does): the generator produces
  consistent keys by construction, and every foreign key is verified with an anti-join at the end.

Usage: .venv/bin/python bench/generate.py [--parties 1000000] [--contacts 5000000] [--cases 2000000]
       [--case-events 20000000] [--database-url URL]
"""

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from array import array
from datetime import UTC, date, datetime, timedelta
from queue import Empty, Queue

import names
import psycopg
from common import (
    OUT_DIR,
    ROOT,
    bench_database_url,
    database_name,
    django_setup,
    ensure_bench_user,
    index_file,
    maintenance_url,
    plain_indexes,
    refuse_unless_bench,
    restore_leftover_indexes,
)

LOADED_TABLES = ("contacts_party", "contacts_contactpoint", "contacts_representative", "contacts_contact")
STAFF_USERS = 40
CONTACT_YEARS = 3
PARTY_YEARS = 8

# Party kinds as stored per party id while generating contacts.
PERSON_NO_ID, PERSON_INSZ, ORGANISATION, ASSOCIATION, TOMBSTONE = range(5)
IDENTIFIER_MATCH = {PERSON_INSZ: "national_number", ORGANISATION: "enterprise_number", ASSOCIATION: "association_code"}


class Phases:
    """Prints the elapsed time of each phase as it ends, and a summary."""

    def __init__(self):
        self.start = time.perf_counter()
        self.times: list[tuple[str, float]] = []
        self._t = self.start

    def done(self, name: str, detail: str = "") -> None:
        now = time.perf_counter()
        self.times.append((name, now - self._t))
        print(f"  {name:<38} {now - self._t:8.1f} s  {detail}", flush=True)
        self._t = now

    def summary(self) -> float:
        total = time.perf_counter() - self.start
        print(f"  {'TOTAL':<38} {total:8.1f} s ({total / 60:.1f} min)", flush=True)
        return total


# --- timestamps as COPY text, without datetime objects per row -------------------------------------------


class Clock:
    """Formats integer seconds since ``base`` (a UTC midnight) as ``YYYY-MM-DD HH:MM:SS+00``."""

    def __init__(self, base: datetime, days: int):
        self.base = base
        self.days = [(base + timedelta(days=d)).strftime("%Y-%m-%d ") for d in range(days)]
        self.hm = [f"{h:02d}:{m:02d}:" for h in range(24) for m in range(60)]
        self.ss = [f"{s:02d}+00" for s in range(60)]

    def fmt(self, seconds: int) -> str:
        day, rest = divmod(seconds, 86400)
        minute, second = divmod(rest, 60)
        return self.days[day] + self.hm[minute] + self.ss[second]

    def seconds(self, moment: datetime) -> int:
        return int((moment - self.base).total_seconds())


# --- names ------------------------------------------------------------------------------------------------


def zipf_cum_weights(n: int, s: float = 1.0, offset: float = 3.0) -> list[float]:
    total, cum = 0.0, []
    for k in range(n):
        total += 1.0 / (k + offset) ** s
        cum.append(total)
    return cum


def family_name_tiers() -> tuple[list[str], list[str], list[str]]:
    common = list(dict.fromkeys(names.FAMILY_NAMES))
    medium = sorted(
        {f"{prefix}{root}{suffix}" for prefix in names.NAME_PREFIXES for root in names.NAME_ROOTS for suffix in "sn"}
        | {f"{prefix}{root}" for prefix in names.NAME_PREFIXES for root in names.NAME_ROOTS}
        | {f"{root}{suffix}" for root in names.NAME_ROOTS for suffix in names.NAME_SUFFIXES if suffix}
    )
    # Two syllables and an ending: ~22 000 names for 3 % of the persons, so each is held by 1-4 people.
    rare = {
        f"{a}{b.lower()}{tail}"
        for a in names.RARE_HEADS
        for b in names.RARE_HEADS
        if a != b
        for tail in names.RARE_TAILS
    }
    return common, sorted(set(medium) - set(common)), sorted(set(rare) - set(common))


def slug(text: str, normalise) -> str:
    return "".join(c for c in normalise(text) if c.isalnum() and c.isascii())


# --- parties and contact points --------------------------------------------------------------------------


class PartyGenerator:
    """Yields COPY lines for parties; collects their contact points and representatives on the way."""

    def __init__(self, n: int, rng: random.Random, clock: Clock, now_s: int):
        from contacts.demo import association_code, enterprise_number, national_number
        from contacts.models import normalise_name

        self.n, self.rng, self.clock, self.now_s = n, rng, clock, now_s
        self.national_number, self.enterprise_number, self.association_code = (
            national_number,
            enterprise_number,
            association_code,
        )
        self.normalise = normalise_name
        self.kinds = bytearray(n + 1)  # index = party id
        self.contact_points: list[str] = []
        self.representatives: list[str] = []
        self.cp_id = 0
        self.stats = {"persons": 0, "with_insz": 0, "organisations": 0, "associations": 0, "tombstones": 0}
        self.stats |= {"emails": 0, "phones": 0, "addresses": 0, "representatives": 0}
        self._emails: set[str] = set()
        self._phone_seq = 0
        self._last_email = self._last_phone = None
        self._insz_used: set[int] = set()
        self._kbo_seq = 0
        self._vcode_seq = 0
        common, medium, rare = family_name_tiers()
        self.family_common, self.family_medium, self.family_rare = common, medium, rare
        self.family_cum = zipf_cum_weights(len(common), s=0.9, offset=4)
        self.male, self.female = names.MALE_GIVEN_NAMES, names.FEMALE_GIVEN_NAMES
        self.male_cum = zipf_cum_weights(len(self.male), s=0.7, offset=5)
        self.female_cum = zipf_cum_weights(len(self.female), s=0.7, offset=5)
        self.domains = [d for d, _ in names.EMAIL_DOMAINS]
        total = 0
        self.domain_cum = []
        for _, w in names.EMAIL_DOMAINS:
            total += w
            self.domain_cum.append(total)
        self._name_cache: dict[str, str] = {}
        self._slug_cache: dict[str, str] = {}
        self.first_day = date(1930, 1, 1).toordinal()
        self.last_day = date(2024, 12, 31).toordinal()
        self.live_persons = array("q")

    def norm(self, text: str) -> str:
        value = self._name_cache.get(text)
        if value is None:
            value = self._name_cache[text] = self.normalise(text)
        return value

    def slug(self, text: str) -> str:
        value = self._slug_cache.get(text)
        if value is None:
            value = self._slug_cache[text] = slug(text, self.normalise)
        return value

    def family_name(self) -> str:
        r = self.rng.random()
        if r < 0.80:
            return self.rng.choices(self.family_common, cum_weights=self.family_cum)[0]
        if r < 0.97:
            return self.rng.choice(self.family_medium)
        return self.rng.choice(self.family_rare)

    def insz(self) -> tuple[str, str, bool]:
        """A unique valid national number, its birth date (ISO) and whether the person is male."""
        rng = self.rng
        while True:
            day = rng.randint(self.first_day, self.last_day)
            serial = rng.randint(1, 997)
            key = day * 1000 + serial
            if key not in self._insz_used:
                self._insz_used.add(key)
                born = date.fromordinal(day)
                return self.national_number(born, serial), born.isoformat(), serial % 2 == 1

    # Contact points ---------------------------------------------------------------------------------------

    def _point(self, party_id: int, kind: str, value: str, created: str, address=("", "", "", "", ""), label=""):
        self.cp_id += 1
        street, number, box, postal_code, city = address
        self.contact_points.append(
            f"{self.cp_id}\t{party_id}\t{kind}\t{value}\t{street}\t{number}\t{box}\t{postal_code}\t{city}"
            f"\tBE\t{label}\tt\t{created}\n"
        )

    def email(self, local: str) -> str:
        rng = self.rng
        if self._last_email and rng.random() < 0.01:
            return self._last_email  # a shared family address
        domain = rng.choices(self.domains, cum_weights=self.domain_cum)[0]
        address = f"{local}@{domain}"
        n = 1
        while address in self._emails:
            n += rng.randint(1, 9)
            address = f"{local}{n}@{domain}"
        self._emails.add(address)
        self._last_email = address
        return address

    def phone(self) -> str:
        if self._last_phone and self.rng.random() < 0.01:
            return self._last_phone  # a shared landline or family phone
        self._phone_seq += 1
        index = (self._phone_seq * 7919 + 1_234_567) % 40_000_000  # a permutation: unique
        self._last_phone = f"+324{6 + index // 10_000_000}{index % 10_000_000:07d}"
        return self._last_phone

    def address(self) -> tuple[tuple[str, str, str, str, str], str]:
        rng = self.rng
        street = rng.choice(names.STREETS).strip()
        number = str(rng.randint(1, 250)) + ("" if rng.random() < 0.93 else rng.choice("ABC"))
        box = "" if rng.random() < 0.88 else str(rng.randint(1, 40))
        postal_code, city = rng.choice(names.MUNICIPALITIES)
        value = f"{street} {number}{' bus ' + box if box else ''}, {postal_code} {city}"
        return (street, number, box, postal_code, city), value

    def points(self, party_id: int, created: str, local: str | None, p_email: float, p_phone: float, p_addr: float):
        rng = self.rng
        if local and rng.random() < p_email:
            self._point(party_id, "email", self.email(local), created)
            self.stats["emails"] += 1
        if rng.random() < p_phone:
            self._point(party_id, "phone", self.phone(), created)
            self.stats["phones"] += 1
        if rng.random() < p_addr:
            parts, value = self.address()
            self._point(party_id, "address", value, created, parts, rng.choice(names.STREET_LABELS))
            self.stats["addresses"] += 1

    # Parties ----------------------------------------------------------------------------------------------

    def lines(self, chunk: int = 20_000):
        rng, clock, n = self.rng, self.clock, self.n
        start_s = self.now_s - PARTY_YEARS * 365 * 86400
        span = self.now_s - start_s - 3600
        out: list[str] = []
        for pid in range(1, n + 1):
            created_s = start_s + (pid - 1) * span // n
            created = clock.fmt(created_s)
            updated = clock.fmt(min(self.now_s, created_s + int(rng.random() ** 4 * 365 * 86400)))
            language = "nl" if rng.random() < 0.9 else rng.choice(("fr", "fr", "en", "de"))
            preferred = rng.choice(("", "", "", "email", "email", "phone", "letter", "profile"))
            r = rng.random()
            if r < 0.85:
                line = self._person(pid, created, updated, language, preferred)
            elif r < 0.95:
                line = self._organisation(pid, created, updated, language, preferred)
            else:
                line = self._association(pid, created, updated, language, preferred)
            out.append(line)
            if len(out) >= chunk:
                yield "".join(out)
                out.clear()
        if out:
            yield "".join(out)

    def _person(self, pid, created, updated, language, preferred) -> str:
        rng = self.rng
        self.stats["persons"] += 1
        family = self.family_name()
        tombstone = len(self.live_persons) > 10 and rng.random() < 0.003
        if not tombstone and rng.random() < 0.94:
            insz, born, male = self.insz()
            self.kinds[pid] = PERSON_INSZ
            self.stats["with_insz"] += 1
        else:
            insz, male = "\\N", rng.random() < 0.5
            born = date.fromordinal(rng.randint(self.first_day, self.last_day)).isoformat()
            born = born if rng.random() < 0.5 else "\\N"
            self.kinds[pid] = TOMBSTONE if tombstone else PERSON_NO_ID
        if male:
            given = rng.choices(self.male, cum_weights=self.male_cum)[0]
        else:
            given = rng.choices(self.female, cum_weights=self.female_cum)[0]
        search_name = self.norm(f"{given} {family}")
        merged_into = merged_at = "\\N"
        if tombstone:
            self.stats["tombstones"] += 1
            merged_into = str(self.live_persons[rng.randrange(len(self.live_persons))])
            merged_at = updated
        else:
            self.live_persons.append(pid)
            g, f = self.slug(given), self.slug(family)
            style = rng.random()
            local = (
                f"{g}.{f}"
                if style < 0.5
                else f"{g}{f}"
                if style < 0.7
                else f"{g[0]}{f}"
                if style < 0.85
                else f"{f}.{g}"
            )
            self.points(pid, created, local, 0.72, 0.62, 0.35)
        return (
            f"{pid}\tperson\t{given}\t{family}\t\t{born}\t{insz}\t\\N\t\\N\t{language}\t{preferred}\t{search_name}"
            f"\t{merged_into}\t{merged_at}\t{created}\t{updated}\n"
        )

    def _kbo(self) -> str:
        self._kbo_seq += 1
        return self.enterprise_number(self._kbo_seq)

    def _organisation(self, pid, created, updated, language, preferred) -> str:
        rng = self.rng
        self.stats["organisations"] += 1
        self.kinds[pid] = ORGANISATION
        pattern = rng.choice(names.ORGANISATION_PATTERNS)
        city = rng.choice(names.MUNICIPALITIES)[1]
        given = rng.choice(self.male if rng.random() < 0.5 else self.female)
        name = pattern.format(f=self.family_name(), c=city, g=given)
        legal = rng.choice(names.LEGAL_FORMS)
        name = f"{name} {legal}" if legal else name
        self.points(pid, created, f"info.{self.slug(name)}", 0.75, 0.70, 0.70)
        if self.live_persons and rng.random() < 0.3:
            self._representative(pid, rng.choice(("zaakvoerder", "bestuurder", "contactpersoon")))
        return (
            f"{pid}\torganisation\t\t\t{name}\t\\N\t\\N\t{self._kbo()}\t\\N\t{language}\t{preferred}"
            f"\t{self.norm(name)}\t\\N\t\\N\t{created}\t{updated}\n"
        )

    def _association(self, pid, created, updated, language, preferred) -> str:
        rng = self.rng
        self.stats["associations"] += 1
        self.kinds[pid] = ASSOCIATION
        pattern = rng.choice(names.ASSOCIATION_PATTERNS)
        city = rng.choice(names.MUNICIPALITIES)[1]
        name = pattern.format(c=city, s=rng.choice(names.STREETS).strip())
        self._vcode_seq += 1
        kbo = self._kbo() if rng.random() < 0.4 else "\\N"
        self.points(pid, created, f"secretariaat.{self.slug(name)}", 0.70, 0.45, 0.40)
        if self.live_persons and rng.random() < 0.5:
            self._representative(pid, rng.choice(("voorzitter", "secretaris", "penningmeester")))
        return (
            f"{pid}\tassociation\t\t\t{name}\t\\N\t\\N\t{kbo}\t{self.association_code(self._vcode_seq)}"
            f"\t{language}\t{preferred}\t{self.norm(name)}\t\\N\t\\N\t{created}\t{updated}\n"
        )

    def _representative(self, organisation_id: int, role: str) -> None:
        self.stats["representatives"] += 1
        person = self.live_persons[self.rng.randrange(len(self.live_persons))]
        since = date(2015, 1, 1) + timedelta(days=self.rng.randint(0, 3000))
        self.representatives.append(
            f"{self.stats['representatives']}\t{organisation_id}\t{person}\t{role}\t{since.isoformat()}\t\\N\n"
        )


# --- contacts --------------------------------------------------------------------------------------------

SOURCES = ["staff", "web_form", "virtual_assistant", "integration"]
SOURCE_CUM = [55, 75, 85, 100]
CHANNELS = {
    "staff": (["phone", "counter", "email", "letter", "social", "other"], [40, 75, 90, 95, 98, 100]),
    "web_form": (["website"], [1]),
    "virtual_assistant": (["chat", "whatsapp", "messenger"], [60, 85, 100]),
    "integration": (["email", "letter", "other"], [50, 70, 100]),
}
# How the party was found, per source: identifier means the party's own kind of identifier.
MATCHES = {
    "staff": (["given", "identifier", "email", "phone", "created"], [80, 90, 93, 97, 100]),
    "web_form": (["identifier", "email", "created"], [50, 80, 100]),
    "virtual_assistant": (["phone", "email", "created"], [40, 80, 100]),
    "integration": (["identifier", "email"], [70, 100]),
}
OUTCOMES = (["answered", "case_created", "referred", "no_answer", ""], [50, 65, 80, 85, 100])


def hour_weight(moment: datetime) -> float:
    local_hour = (moment.hour + 1) % 24  # roughly Brussels time
    if moment.weekday() < 5:
        return 10.0 if 8 <= local_hour < 17 else 3.0 if 17 <= local_hour < 22 else 0.4
    return 2.0 if 9 <= local_hour < 20 else 0.3


class ContactGenerator:
    """Contacts in chronological order (ids follow time), over the last three years, skewed over parties."""

    def __init__(self, n: int, parties: PartyGenerator, staff_ids: list[int], rng, clock: Clock, now_s: int):
        self.n, self.parties, self.staff_ids, self.rng, self.clock, self.now_s = (
            n,
            parties,
            staff_ids,
            rng,
            clock,
            now_s,
        )
        kinds = parties.kinds
        live = array("q", (pid for pid in range(1, len(kinds)) if kinds[pid] != TOMBSTONE))
        orgs = [pid for pid in live if kinds[pid] in (ORGANISATION, ASSOCIATION)]
        persons = [pid for pid in live if kinds[pid] in (PERSON_INSZ, PERSON_NO_ID)]
        scale = len(live) / 1_000_000
        self.live = live
        orgs = orgs or list(live)  # a tiny data set may hold no organisation
        persons = persons or list(live)

        def pick(population: list[int], wanted: float) -> list[int]:
            return rng.sample(population, max(1, min(len(population), round(wanted * scale))))

        self.mega = pick(orgs, 10)  # ~10,000 contacts each at full size
        self.heavy = pick(orgs, 150) + pick(persons, 50)  # ~1,000 each
        self.frequent = pick(persons, 8000) + pick(orgs, 2000)  # ~50 each
        self.stats = {"anonymous": 0}

    def lines(self, chunk: int = 25_000):
        rng, clock, kinds = self.rng, self.clock, self.parties.kinds
        live, mega, heavy, frequent, staff = self.live, self.mega, self.heavy, self.frequent, self.staff_ids
        subjects = [s.strip() for s in names.SUBJECTS if s.strip()]
        summaries = names.SUMMARIES
        random_ = rng.random
        choices = rng.choices
        end = clock.base + timedelta(seconds=self.now_s - 7200)
        start = end - timedelta(days=365 * CONTACT_YEARS)
        hour0 = start.replace(minute=0, second=0, microsecond=0)
        hours = int((end - hour0).total_seconds() // 3600)
        weights = [hour_weight(hour0 + timedelta(hours=h)) for h in range(hours)]
        total_w = sum(weights)
        start_s = clock.seconds(hour0)
        cid, cum, done = 0, 0.0, 0
        out: list[str] = []
        for h in range(hours):
            cum += weights[h]
            upto = round(self.n * cum / total_w)
            count = upto - done
            if count <= 0:
                continue
            done = upto
            base = start_s + h * 3600
            offsets = sorted(rng.randrange(3600) for _ in range(count))
            sources = choices(SOURCES, cum_weights=SOURCE_CUM, k=count)
            for offset, source in zip(offsets, sources, strict=True):
                cid += 1
                occurred_s = base + offset
                r = random_()
                if r < 0.03:
                    party = kind = None
                elif r < 0.05:
                    party = mega[int(random_() * len(mega))]
                elif r < 0.09:
                    party = heavy[int(random_() * len(heavy))]
                elif r < 0.19:
                    party = frequent[int(random_() * len(frequent))]
                else:
                    party = live[int(random_() * len(live))]
                channel_list, channel_cum = CHANNELS[source]
                channel = (
                    channel_list[0] if len(channel_list) == 1 else choices(channel_list, cum_weights=channel_cum)[0]
                )
                if party is None:
                    self.stats["anonymous"] += 1
                    party_col, anonymous, matched_on = "\\N", "t", ""
                else:
                    kind = kinds[party]
                    party_col, anonymous = str(party), "f"
                    matched_on = choices(MATCHES[source][0], cum_weights=MATCHES[source][1])[0]
                    if matched_on == "identifier":
                        matched_on = IDENTIFIER_MATCH.get(kind, "given")
                if source == "staff":
                    handled_by = str(staff[int(random_() * len(staff))])
                    direction = "outbound" if random_() < 0.2 else "inbound"
                    guided = "t" if channel == "counter" and random_() < 0.25 else "f"
                    started = "\\N"
                    created_s = occurred_s + int(random_() * 900)
                else:
                    handled_by, direction, guided = "\\N", "inbound", "f"
                    if source in ("web_form", "virtual_assistant"):
                        started = clock.fmt(occurred_s - 20 - int(random_() * 1800))
                    else:
                        started = "\\N"
                    created_s = occurred_s + int(random_() * 60)
                outcome = choices(OUTCOMES[0], cum_weights=OUTCOMES[1])[0]
                summary = summaries[int(random_() * len(summaries))] if random_() < 0.55 else ""
                subject = subjects[int(random_() * len(subjects))]
                out.append(
                    f"{cid}\t{party_col}\t{anonymous}\t{matched_on}\t{channel}\t{source}\t{direction}"
                    f"\t{clock.fmt(occurred_s)}\t{started}\t{subject}\t{summary}\t{outcome}\t{guided}"
                    f"\t{handled_by}\t{clock.fmt(created_s)}\n"
                )
                if len(out) >= chunk:
                    yield "".join(out)
                    out.clear()
        if out:
            yield "".join(out)
        self.count = cid


# --- database plumbing -----------------------------------------------------------------------------------


def create_database(url: str, drop: bool) -> str:
    name = database_name(url)
    with psycopg.connect(maintenance_url(url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and drop:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            return "created"
    return "exists"


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def ensure_staff(url: str) -> list[int]:
    """Staff members who handled the contacts (handled_by), in the front desk and KCC roles."""
    django_setup(url)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from midoffice.roles import FRONT_DESK, KCC

    user_model = get_user_model()
    groups = [Group.objects.get(name=FRONT_DESK), Group.objects.get(name=KCC)]
    ids = []
    for i in range(1, STAFF_USERS + 1):
        user, created = user_model.objects.get_or_create(
            username=f"bench_staff_{i:02d}", defaults={"first_name": "Medewerker", "last_name": f"{i:02d}"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(groups[i % 2])
        ids.append(user.pk)
    connection.close()
    return ids


def copy_lines(conn, table: str, columns: str, chunks) -> int:
    nbytes = 0
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FREEZE)") as copy:
        for chunk in chunks:
            copy.write(chunk)
            nbytes += len(chunk)
    return nbytes


def run_parallel(url: str, statements: list[str], workers: int = 2) -> list[tuple[str, float]]:
    """Run statements on ``workers`` connections, longest first; returns (statement, seconds)."""
    queue: Queue[str] = Queue()
    for statement in statements:
        queue.put(statement)
    results: list[tuple[str, float]] = []
    errors: list[BaseException] = []

    def work():
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("SET maintenance_work_mem = '1GB'")
                conn.execute("SET max_parallel_maintenance_workers = 0")
                while True:
                    try:
                        statement = queue.get_nowait()
                    except Empty:
                        return
                    t = time.perf_counter()
                    conn.execute(statement)
                    results.append((statement, time.perf_counter() - t))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def index_cost(definition: str) -> int:
    """Rough build cost, to start the longest builds first."""
    table_weight = {"contacts_contact": 5, "contacts_party": 1, "contacts_contactpoint": 1}
    table = next((t for t in table_weight if f" ON public.{t} " in definition), "")
    return (20 if "gin" in definition else 1) * table_weight.get(table, 1)


# --- main ------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int, default=5_000_000)
    parser.add_argument("--cases", type=int, default=None, help="default: 2 per party; 0: no cases")
    parser.add_argument("--case-events", type=int, default=None, help="default: 10 per case")
    parser.add_argument(
        "--fresh-crossings", type=int, default=1000, help="the most recent crossings left to the chase (escalation)"
    )
    parser.add_argument("--database-url", help="default: $BENCH_DATABASE_URL or postgres://.../midoffice_bench")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--drop-database", action="store_true", help="drop and recreate the database first")
    parser.add_argument("--force", action="store_true", help="allow a database whose name lacks 'bench'")
    parser.add_argument("--skip-verify", action="store_true", help="skip the foreign-key check at the end")
    args = parser.parse_args()
    url = bench_database_url(args.database_url)
    refuse_unless_bench(url, args.force)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    cases = args.cases if args.cases is not None else 2 * args.parties
    case_events = args.case_events if args.case_events is not None else 10 * cases
    print(
        f"Generating {args.parties:,} parties, {args.contacts:,} contacts, {cases:,} cases and {case_events:,} case "
        f"events into {database_name(url)}",
        flush=True,
    )
    phases = Phases()

    state = create_database(url, args.drop_database)
    phases.done("create database", state)
    migrate(url)
    restored = restore_leftover_indexes(url)
    phases.done("manage.py migrate", f"(restored {restored} leftover indexes)" if restored else "")
    staff_ids = ensure_staff(url)
    token = ensure_bench_user(url)
    phases.done(
        "users and token", f"{len(staff_ids)} staff, token in bench/out/token-{database_name(url)}.json ({token[:6]}…)"
    )

    now = datetime.now(UTC).replace(microsecond=0)
    base = datetime(now.year - PARTY_YEARS - 1, 1, 1, tzinfo=UTC)
    clock = Clock(base, (now - base).days + 3)
    now_s = clock.seconds(now)

    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers; verified at the end
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute(
            f"TRUNCATE {', '.join(LOADED_TABLES)}, contacts_accesslog, contacts_partymerge RESTART IDENTITY CASCADE"
        )
        dropped = plain_indexes(conn, LOADED_TABLES)
        index_file(url).write_text("".join(f"{definition};\n" for _, _, definition in dropped))
        for _table, index, _definition in dropped:
            conn.execute(f'DROP INDEX "{index}"')
        phases.done("truncate, drop plain indexes", f"{len(dropped)} indexes dropped")

        parties = PartyGenerator(args.parties, rng, clock, now_s)
        nbytes = copy_lines(
            conn,
            "contacts_party",
            "id, kind, given_name, family_name, name, birth_date, national_number, enterprise_number, "
            "association_code, language, preferred_channel, search_name, merged_into_id, merged_at, "
            "created_at, updated_at",
            parties.lines(),
        )
        stats = parties.stats
        phases.done(
            "COPY parties",
            f"{args.parties:,} rows, {nbytes / 1e6:.0f} MB: {stats['persons']:,} persons "
            f"({stats['with_insz']:,} with INSZ, {stats['tombstones']:,} tombstones), "
            f"{stats['organisations']:,} organisations, {stats['associations']:,} associations",
        )
        nbytes = copy_lines(
            conn,
            "contacts_contactpoint",
            "id, party_id, kind, value, street, house_number, box, postal_code, city, country, label, preferred, "
            "created_at",
            ("".join(parties.contact_points[i : i + 20000]) for i in range(0, len(parties.contact_points), 20000)),
        )
        copy_lines(
            conn,
            "contacts_representative",
            "id, organisation_id, person_id, role, valid_from, valid_until",
            iter(["".join(parties.representatives)]) if parties.representatives else iter([]),
        )
        phases.done(
            "COPY contact points, representatives",
            f"{parties.cp_id:,} points ({stats['emails']:,} e-mail, {stats['phones']:,} phone, "
            f"{stats['addresses']:,} address), {stats['representatives']:,} representatives, {nbytes / 1e6:.0f} MB",
        )
        parties.contact_points.clear()

        contacts = ContactGenerator(args.contacts, parties, staff_ids, rng, clock, now_s)
        nbytes = copy_lines(
            conn,
            "contacts_contact",
            "id, party_id, anonymous, matched_on, channel, source, direction, occurred_at, started_at, subject, "
            "summary, outcome, guided, handled_by_id, created_at",
            contacts.lines(),
        )
        for table in LOADED_TABLES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(max(id), 1), max(id) IS NOT NULL) "
                f"FROM {table}"
            )
        conn.commit()
        phases.done(
            "COPY contacts, commit",
            f"{contacts.count:,} rows ({contacts.stats['anonymous']:,} anonymous), {nbytes / 1e6:.0f} MB; "
            f"{len(contacts.mega)} parties with ~{args.contacts * 0.02 / len(contacts.mega):,.0f} contacts, "
            f"{len(contacts.heavy)} with ~{args.contacts * 0.04 / len(contacts.heavy):,.0f}",
        )

    statements = sorted((d for _, _, d in dropped), key=index_cost, reverse=True)
    timings = run_parallel(url, statements)
    index_file(url).unlink()
    slowest = max(timings, key=lambda t: t[1]) if timings else ("", 0)
    phases.done(
        "recreate indexes (2 at a time)",
        f"{len(timings)} indexes; slowest {slowest[1]:.0f} s: "
        f"{slowest[0].split(' ON ')[0].removeprefix('CREATE INDEX ')}",
    )
    run_parallel(url, [f"ANALYZE {table}" for table in (*LOADED_TABLES, "auth_user")])
    phases.done("ANALYZE")

    with psycopg.connect(url, autocommit=True) as conn:
        if not args.skip_verify:
            orphans = conn.execute(
                """
                SELECT
                  (SELECT count(*) FROM contacts_contact c WHERE c.party_id IS NOT NULL
                     AND NOT EXISTS (SELECT 1 FROM contacts_party p WHERE p.id = c.party_id)),
                  (SELECT count(*) FROM contacts_contact c WHERE c.handled_by_id IS NOT NULL
                     AND NOT EXISTS (SELECT 1 FROM auth_user u WHERE u.id = c.handled_by_id)),
                  (SELECT count(*) FROM contacts_contactpoint c
                     WHERE NOT EXISTS (SELECT 1 FROM contacts_party p WHERE p.id = c.party_id)),
                  (SELECT count(*) FROM contacts_party c WHERE c.merged_into_id IS NOT NULL
                     AND NOT EXISTS (SELECT 1 FROM contacts_party p WHERE p.id = c.merged_into_id)),
                  (SELECT count(*) FROM contacts_representative r
                     WHERE NOT EXISTS (SELECT 1 FROM contacts_party p WHERE p.id = r.organisation_id)
                        OR NOT EXISTS (SELECT 1 FROM contacts_party p WHERE p.id = r.person_id))
                """
            ).fetchone()
            if any(orphans):
                print(
                    f"FOREIGN KEY VIOLATIONS (contact.party, contact.handled_by, point.party, merged_into, "
                    f"representative): {orphans}",
                    file=sys.stderr,
                )
                return 1
            phases.done("verify foreign keys", "no orphans")
        sizes = conn.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class WHERE relname = ANY(%s)",
            [list(LOADED_TABLES)],
        ).fetchall()
    print("  sizes: " + ", ".join(f"{name} {size}" for name, size in sorted(sizes)))
    status = 0
    if cases:
        import generate_cases  # imports this module: only when run, never at import time

        status = generate_cases.load(
            url,
            cases=cases,
            events=case_events,
            seed=args.seed + 1,
            phases=phases,
            skip_verify=args.skip_verify,
            fresh_crossings=args.fresh_crossings,
        )
    phases.summary()
    return status


if __name__ == "__main__":
    sys.exit(main())
