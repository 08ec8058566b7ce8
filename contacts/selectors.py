"""Reads of the contacts domain, with the related rows each screen needs already joined."""

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Max, Prefetch, Q, QuerySet, prefetch_related_objects

from midoffice.db import planned_per_value

from .identifiers import (
    clean_association_code,
    clean_email,
    clean_enterprise_number,
    clean_national_number,
    clean_phone,
)
from .models import (
    NOT_KNOWN,
    AccessLog,
    Contact,
    ContactPoint,
    ContactPointKind,
    Party,
    PartyKind,
    PartyMerge,
    Representative,
    normalise_name,
)


def party_queryset() -> QuerySet[Party]:
    """Parties with their contact points; ``load_representatives`` adds those of organisations."""
    return Party.objects.prefetch_related(
        Prefetch("contact_points", queryset=ContactPoint.objects.order_by("kind", "-preferred", "id")),
    )


def load_representatives(parties: Iterable[Party]) -> list[Party]:
    """Load the representatives of the organisations and associations among ``parties`` in one query.

    Persons have none, so a page of persons (most look-ups) costs no query at all.
    """
    parties = list(parties)
    organisations = [p for p in parties if p.kind != PartyKind.PERSON]
    prefetch_related_objects(
        organisations, Prefetch("representatives", queryset=Representative.objects.select_related("person"))
    )
    return parties


def party_get(pk: int) -> Party:
    party = party_queryset().get(pk=pk)
    load_representatives([party])
    return party


def party_ids_shown(parties: Iterable[Party]) -> list[int]:
    """Whom a party's record shows: the party and, for an organisation, the persons representing it (read from
    ``load_representatives``). The access log names each of them."""
    ids = []
    for party in parties:
        ids.append(party.pk)
        if party.kind != PartyKind.PERSON:
            ids += [representative.person_id for representative in party.representatives.all()]
    return ids


# Read on every case change that notifies the citizen: one precompiled statement rather than an ORM query.
_PREFERRED_POINT_SQL = (
    f"SELECT value FROM {ContactPoint._meta.db_table} WHERE party_id = %s AND kind = %s AND preferred LIMIT 1"
)


def preferred_point_value(party_id: int, kind: str) -> str | None:
    """The value of the party's preferred contact point of ``kind`` (an e-mail address, a phone number)."""
    with connection.cursor() as cursor:
        cursor.execute(_PREFERRED_POINT_SQL, [party_id, kind])
        row = cursor.fetchone()
    return row[0] if row else None


def preferred_email(party: Party) -> str | None:
    """The party's preferred e-mail address: as the instance knows it (``Party.known_preferred_email``), else read."""
    if party.known_preferred_email is not NOT_KNOWN:
        return party.known_preferred_email
    return preferred_point_value(party.pk, ContactPointKind.EMAIL)


def party_history(party: Party) -> QuerySet[LogEntry]:
    """The changes of ``party``, of its contact points, representatives and contacts, and of the parties merged
    into it, newest first (``additional_data`` names the party of each change: see contacts.history)."""
    merged = list(Party.objects.filter(merged_into=party).values_list("pk", flat=True))
    return (
        LogEntry.objects.filter(additional_data__party__in=[party.pk, *merged])
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def _with_contact_point(kind: str, value: str) -> Q:
    return Q(pk__in=ContactPoint.objects.filter(kind=kind, value=value).values("party_id"))


def _guess_query(q: str) -> Q | None:
    """A search box that understands INSZ, KBO, vCode, e-mail and phone, else searches names."""
    compact = re.sub(r"[\s.\-/]", "", q)
    guesses = []
    if "@" in q:
        guesses.append((clean_email, lambda v: _with_contact_point(ContactPointKind.EMAIL, v)))
    elif compact.upper().startswith("V") and compact[1:].isdigit():
        guesses.append((clean_association_code, lambda v: Q(association_code=v)))
    elif compact.upper().removeprefix("BE").isdigit() or compact.startswith("+"):
        guesses.append((clean_national_number, lambda v: Q(national_number=v)))
        guesses.append((clean_enterprise_number, lambda v: Q(enterprise_number=v)))
        guesses.append((clean_phone, lambda v: _with_contact_point(ContactPointKind.PHONE, v)))
    conditions = Q()
    for cleaner, condition in guesses:
        try:
            conditions |= condition(cleaner(q))
        except ValidationError:
            continue
    return conditions or None


# A name search sorts and pages at most this many matches; a count of NAME_SEARCH_LIMIT means "refine".
NAME_SEARCH_LIMIT = 500


class NameSearchResults(Sequence):
    """The parties a name search found, sorted by name, at most ``NAME_SEARCH_LIMIT`` of them.

    One query reads (name, id) of the matches through the trigram index; a page then loads only its own
    parties by primary key. Ordering every match in SQL instead either reads all of them (tens of ms for a
    common name) or lets PostgreSQL walk the name index in order until it has a page (seconds when the
    matches sort late, e.g. "wout peeters"); an exact COUNT(*) reads all matches again.
    """

    def __init__(self, matches: QuerySet[Party], parties: QuerySet[Party]):
        rows = matches.prefetch_related(None).order_by().values_list("search_name", "pk")[:NAME_SEARCH_LIMIT]
        self._keys = sorted(rows)
        self._parties = parties

    def __len__(self) -> int:
        return len(self._keys)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0] if index >= 0 else self[len(self) + index]
        pks = [pk for _, pk in self._keys[index]]
        by_pk = self._parties.in_bulk(pks)
        return [by_pk[pk] for pk in pks]


_PARTY = Party._meta.db_table
_PARTY_COLUMNS = ", ".join(f"p.{f.column}" for f in Party._meta.concrete_fields)
_CONTACT_POINT_COLUMNS = ", ".join(f.column for f in ContactPoint._meta.concrete_fields)
_WITH_CONTACT_POINT_SQL = f"p.id IN (SELECT party_id FROM {ContactPoint._meta.db_table} WHERE kind = %s AND value = %s)"


class ExactMatches(Sequence):
    """The parties an exact look-up found (an identifier, an e-mail address, a phone number: the most frequent
    reads of the API and the front desk), sorted by name, with their contact points.

    Read with precompiled statements, a page at a time: building and compiling the ORM's query and its prefetch
    cost twice what the rest of a look-up did (docs/performance.md). Same rows, order and contact points as
    ``party_queryset()`` with the same filters.
    """

    def __init__(self, conditions: list[str], params: list):
        self._where, self._params = " AND ".join(conditions), params
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {_PARTY} p WHERE {self._where}", self._params)
                self._count = cursor.fetchone()[0]
        return self._count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0] if index >= 0 else self[len(self) + index]
        start, stop = index.start or 0, index.stop
        if index.step not in (None, 1) or start < 0 or (stop is not None and stop < 0):
            return self[:][index]
        stop = len(self) if stop is None else stop
        if stop <= start:
            return []
        sql = (
            f"SELECT {_PARTY_COLUMNS} FROM {_PARTY} p WHERE {self._where} ORDER BY p.search_name, p.id"
            " LIMIT %s OFFSET %s"
        )
        parties = list(Party.objects.raw(sql, [*self._params, stop - start, start]))
        _load_contact_points(parties)
        return parties

    def __iter__(self):
        return iter(self[:])


def _load_contact_points(parties: list[Party]) -> None:
    """Each party's contact points, as ``party_queryset()`` prefetches them: one query."""
    if not parties:
        return
    marks = ", ".join(["%s"] * len(parties))
    sql = (
        f"SELECT {_CONTACT_POINT_COLUMNS} FROM {ContactPoint._meta.db_table} WHERE party_id IN ({marks})"
        " ORDER BY kind, preferred DESC, id"
    )
    points: dict[int, list[ContactPoint]] = {party.pk: [] for party in parties}
    for point in ContactPoint.objects.raw(sql, [party.pk for party in parties]):
        points[point.party_id].append(point)
    for party in parties:
        # As Django's prefetch leaves them: the related manager's queryset with its rows already read.
        rows = party.contact_points.get_queryset()
        rows._result_cache, rows._prefetch_done = points[party.pk], True
        party._prefetched_objects_cache = {"contact_points": rows}


def party_search(
    *,
    q: str = "",
    national_number: str = "",
    enterprise_number: str = "",
    association_code: str = "",
    email: str = "",
    phone: str = "",
    kind: str = "",
    include_merged: bool = False,
) -> QuerySet[Party] | NameSearchResults | ExactMatches:
    """Parties matching every filter given. Raises ValidationError for a malformed identifier."""
    parties = party_queryset()
    # The same filters as SQL, for an exact look-up (``ExactMatches``).
    conditions, params = [], []
    if not include_merged:
        parties = parties.filter(merged_into__isnull=True)
        conditions.append("p.merged_into_id IS NULL")
    if kind:
        parties = parties.filter(kind=kind)
        conditions.append("p.kind = %s")
        params.append(kind)
    exact = (
        ("national_number", national_number, clean_national_number),
        ("enterprise_number", enterprise_number, clean_enterprise_number),
        ("association_code", association_code, clean_association_code),
    )
    errors, exact_given = {}, False
    for name, value, cleaner in exact:
        if value:
            try:
                cleaned = cleaner(value)
            except ValidationError as exc:
                errors[name] = exc.messages
                continue
            parties = parties.filter(**{name: cleaned})
            conditions.append(f"p.{Party._meta.get_field(name).column} = %s")
            params.append(cleaned)
            exact_given = True
    for kind_, value, cleaner in (
        (ContactPointKind.EMAIL, email, clean_email),
        (ContactPointKind.PHONE, phone, clean_phone),
    ):
        if value:
            try:
                cleaned = cleaner(value)
            except ValidationError as exc:
                errors[kind_.value] = exc.messages
                continue
            parties = parties.filter(_with_contact_point(kind_, cleaned))
            conditions.append(_WITH_CONTACT_POINT_SQL)
            params += [kind_.value, cleaned]
            exact_given = True
    if errors:
        raise ValidationError(errors)
    q = q.strip()
    if exact_given and not q:
        return ExactMatches(conditions, params)
    if q:
        identifier = _guess_query(q)
        if identifier is not None:
            parties = parties.filter(identifier)
        else:
            matches = parties
            for term in normalise_name(q).split():
                matches = matches.filter(search_name__contains=term)
            return NameSearchResults(matches, party_queryset())
    return parties.order_by("search_name", "pk")


# What a user may read of a contact depends on the cases it opened: a contact that opened a confidential case
# the user may not see is ``restricted`` (its subject and summary are withheld) and ``visible_cases`` holds
# only the cases they may see. The cases app registers that rule here (contacts does not depend on cases); every read of
# contacts goes through contact_queryset_for_user.
CONTACT_VISIBILITY: list[Callable[[Any, QuerySet[Contact]], QuerySet[Contact]]] = []


def last_contact_dates(party_ids: list[int]) -> dict[int, datetime]:
    """When each party last had contact with us (the date only, nothing of the contact's content): one grouped
    query, to tell namesakes apart in search results."""
    rows = Contact.objects.filter(party_id__in=party_ids).values("party_id").annotate(last=Max("occurred_at"))
    return {row["party_id"]: row["last"] for row in rows}


def contact_queryset_for_user(user) -> QuerySet[Contact]:
    contacts = Contact.objects.select_related("party", "handled_by")
    for restrict in CONTACT_VISIBILITY:
        contacts = restrict(user, contacts)
    return contacts


def contact_get_for_user(user, pk: int) -> Contact:
    return contact_queryset_for_user(user).get(pk=pk)


def contact_list_for_user(user, *, party: int | None = None, channel: str = "", source: str = "") -> QuerySet[Contact]:
    contacts = contact_queryset_for_user(user)
    if party:
        contacts = contacts.filter(party_id=party)
    if channel:
        contacts = contacts.filter(channel=channel)
    if source:
        contacts = contacts.filter(source=source)
    return contacts.order_by("-occurred_at", "-pk")


@dataclass
class TimelineEntry:
    kind: str
    id: int
    at: datetime
    title: str
    detail: dict = field(default_factory=dict)


def _contact_entries(party: Party, limit: int, user) -> tuple[int, list[TimelineEntry]]:
    # The timeline names no cases of a contact (they are entries of their own): no need to load them.
    contacts = (
        contact_queryset_for_user(user).prefetch_related(None).filter(party=party).order_by("-occurred_at", "-pk")
    )
    entries = [
        TimelineEntry(
            kind="contact",
            id=c.pk,
            at=c.occurred_at,
            title="" if c.restricted else c.subject,
            detail={
                "restricted": c.restricted,
                "channel": c.channel,
                "source": c.source,
                "direction": c.direction,
                "outcome": c.outcome,
                "summary": "" if c.restricted else c.summary,
                "guided": c.guided,
                "handled_by": c.handled_by.get_username() if c.handled_by else None,
            },
        )
        for c in contacts[:limit]
    ]
    return contacts.count(), entries


def _merge_entries(party: Party, limit: int, user) -> tuple[int, list[TimelineEntry]]:
    merges = PartyMerge.objects.filter(survivor=party).select_related("actor", "duplicate").order_by("-merged_at")
    entries = [
        TimelineEntry(
            kind="merge",
            id=m.pk,
            at=m.merged_at,
            title=f"#{m.duplicate_id} {m.duplicate.display_name}",
            detail={"duplicate": m.duplicate_id, "actor": m.actor.get_username() if m.actor else None},
        )
        for m in merges[:limit]
    ]
    return merges.count(), entries


# Each source gives the newest ``limit`` entries ``user`` may see and their total. Other apps register
# theirs in their AppConfig.ready (cases; notifications to come).
TIMELINE_SOURCES = [_contact_entries, _merge_entries]


def party_timeline(party: Party, *, user, offset: int, limit: int) -> tuple[int, list[TimelineEntry]]:
    """One page of the 360° view, newest first, merged over every source without loading all rows."""
    total, entries = 0, []
    # A party's rows: from a few to 10,000 contacts and cases.
    with planned_per_value():
        for source in TIMELINE_SOURCES:
            count, rows = source(party, offset + limit, user)
            total += count
            entries.extend(rows)
    entries.sort(key=lambda e: (e.at, e.id), reverse=True)
    return total, entries[offset : offset + limit]


@dataclass
class DuplicateSuggestion:
    party: Party
    reasons: list[dict]

    @property
    def score(self) -> int:
        return sum(reason["weight"] for reason in self.reasons)


REASON_WEIGHTS = {
    "same_email": 40,
    "same_phone": 40,
    "similar_name_same_birth_date": 60,
    "similar_name": 20,
}


def _similar_names(party: Party, limit: int) -> list[tuple[Party, float]]:
    """Parties whose normalised name looks like this one's (pg_trgm on PostgreSQL)."""
    if not party.search_name:
        return []
    threshold = settings.MIDOFFICE_DUPLICATE_NAME_SIMILARITY
    candidates = Party.objects.filter(merged_into__isnull=True, kind=party.kind).exclude(pk=party.pk)
    if party.kind == PartyKind.PERSON and party.birth_date:
        candidates = candidates.filter(Q(birth_date=party.birth_date) | Q(birth_date__isnull=True))
    if connection.vendor == "postgresql":
        rows = (
            candidates.filter(search_name__trigram_similar=party.search_name)
            .annotate(similarity=TrigramSimilarity("search_name", party.search_name))
            .filter(similarity__gte=threshold)
            .order_by("-similarity")[:limit]
        )
        return [(row, row.similarity) for row in rows]
    # SQLite: compare against parties sharing a name part; fine at embedded (demo) scale.
    terms = Q()
    for term in party.search_name.split():
        if len(term) >= 3:
            terms |= Q(search_name__contains=term)
    scored = [
        (row, difflib.SequenceMatcher(None, row.search_name, party.search_name).ratio())
        for row in candidates.filter(terms)[: limit * 10]
    ]
    return sorted([s for s in scored if s[1] >= threshold], key=lambda s: -s[1])[:limit]


def party_duplicate_suggestions(party: Party, *, limit: int = 20) -> list[DuplicateSuggestion]:
    """Parties that may be the same as ``party``, each with why; never merged automatically."""
    found: dict[int, DuplicateSuggestion] = {}

    def add(other: Party, reason: str, **detail):
        suggestion = found.setdefault(other.pk, DuplicateSuggestion(party=other, reasons=[]))
        suggestion.reasons.append({"code": reason, "weight": REASON_WEIGHTS[reason], **detail})

    points = [p for p in party.contact_points.all() if p.kind in (ContactPointKind.EMAIL, ContactPointKind.PHONE)]
    if points:
        condition = Q()
        for point in points:
            condition |= Q(kind=point.kind, value=point.value)
        shared = (
            ContactPoint.objects.filter(condition, party__merged_into__isnull=True)
            .exclude(party=party)
            .select_related("party")[: limit * 2]
        )
        for point in shared:
            add(point.party, f"same_{point.kind}", value=point.value)
    for other, similarity in _similar_names(party, limit):
        same_birth_date = party.birth_date is not None and other.birth_date == party.birth_date
        add(
            other,
            "similar_name_same_birth_date" if same_birth_date else "similar_name",
            similarity=round(similarity, 2),
        )
    suggestions = sorted(found.values(), key=lambda s: (-s.score, s.party.pk))[:limit]
    # Load what the serializer shows for the suggested parties in two queries, not per party.
    by_pk = party_queryset().in_bulk([s.party.pk for s in suggestions])
    load_representatives(by_pk.values())
    for suggestion in suggestions:
        suggestion.party = by_pk[suggestion.party.pk]
    return suggestions


def access_log_list(*, party: int | None = None, username: str = "") -> QuerySet[AccessLog]:
    entries = AccessLog.objects.select_related("party")
    if party:
        entries = entries.filter(party_id=party)
    if username:
        entries = entries.filter(username=username)
    return entries.order_by("-accessed_at", "-pk")
