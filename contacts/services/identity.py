"""Identity resolution: partial data about a citizen → one authentic party.

Exact identifier first (INSZ, KBO, vCode), then exact e-mail or phone, else a new party.
Fuzzy name matches are never merged here; they surface as duplicate suggestions.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection

from contacts.errors import PartyMerged
from contacts.history import history_actor
from contacts.identifiers import birth_date_contradicts
from contacts.models import ContactPoint, ContactPointKind, MatchedOn, Party, PartyKind, normalise_name
from midoffice.db import row_reader, select_list, statement_cursor
from midoffice.transactions import atomic_service

from .parties import (
    IDENTIFIER_CLEANERS,
    IDENTIFIER_KINDS,
    NAME_FIELDS,
    PARTY_FIELDS,
    add_point_to_locked_party,
    birth_date_errors,
    check_party,
    clean_identifiers,
    clean_party_values,
    clean_points,
    party_write_new,
    preferred_points,
    require_something_to_know_them_by,
)

ENRICHABLE_FIELDS = ("given_name", "family_name", "name", "birth_date")
PERSON_ONLY_FIELDS = {"given_name", "family_name", "birth_date"}


def _names_compatible(party: Party, data: dict[str, Any]) -> bool:
    """A shared e-mail or phone only identifies the party if the names do not contradict it."""
    if data.get("kind", party.kind) != party.kind:
        return False
    fields = ("given_name", "family_name") if party.kind == PartyKind.PERSON else ("name",)
    for field in fields:
        theirs, ours = normalise_name(data.get(field) or ""), normalise_name(getattr(party, field))
        if theirs and ours and theirs != ours:
            return False
    return True


def _identifiers_compatible(party: Party, identifiers: dict[str, str | None]) -> bool:
    return all(
        not value or not getattr(party, field) or getattr(party, field) == value for field, value in identifiers.items()
    )


# The look-ups of every resolution, precompiled (compiling them through the ORM cost more CPU than running them),
# each party with its preferred e-mail address.
_PARTY = Party._meta.db_table
_POINT = ContactPoint._meta.db_table
_PREFERRED_EMAIL = (
    f"(SELECT value FROM {_POINT} WHERE party_id = {_PARTY}.id AND kind = '{ContactPointKind.EMAIL}' AND preferred)"
)
_PARTY_BY_IDENTIFIER_SQL = {
    field: f"SELECT {select_list(Party)}, {_PREFERRED_EMAIL} FROM {_PARTY}"
    f" WHERE {Party._meta.get_field(field).column} = %s"
    for field in IDENTIFIER_CLEANERS
}
_PARTIES_BY_CONTACT_POINT_SQL = (
    f"SELECT {select_list(Party)}, {_PREFERRED_EMAIL} FROM {_PARTY} WHERE id IN"
    f" (SELECT party_id FROM {_POINT} WHERE kind = %s AND value = %s) ORDER BY id LIMIT 20"
)
# On PostgreSQL the same look-ups, after advisory locks on what identifies the party, in one round trip: the
# function contacts_party_candidates (migration contacts 0008) returns each party found with what found it.
_CANDIDATES_SQL = (
    f"SELECT {select_list(Party, '(r.party)')}, r.preferred_email, r.matched"
    " FROM contacts_party_candidates(%s::text[], %s::text, %s::text, %s::text, %s::text, %s::text) AS r"
)


def _read(rows: list[tuple]) -> list[Party]:
    """The parties in rows of ``select_list(Party)`` followed by the preferred e-mail address."""
    read, end = row_reader(Party), len(Party._meta.concrete_fields)
    parties = []
    for row in rows:
        party = read(row)
        party.known_preferred_email = row[end]
        parties.append(party)
    return parties


def _candidates(identifiers: dict[str, str], email: str | None, phone: str | None) -> list[tuple[Party, str]]:
    """The parties that the data may describe, locked, with what found each: the party holding an identifier (the
    first found in the order of ``IDENTIFIER_CLEANERS``), else the parties holding the e-mail address, then those
    holding the phone number, each by id (at most 20 of each).

    On PostgreSQL, concurrent resolutions of the same identifier, e-mail or phone wait for each other first
    (transaction-scoped advisory locks): the second sees the party the first one created instead of creating a
    twin. A merge moves every contact point to the survivor: a party holding one is live, unless a merge committed
    meanwhile (it then reads the tombstone, locked). SQLite serialises writers anyway.
    """
    keys = [f"party:{field}:{value}" for field, value in identifiers.items()]
    keys += [f"party:email:{email}"] if email else []
    keys += [f"party:phone:{phone}"] if phone else []
    if not keys:
        return []
    cursor = statement_cursor()
    if connection.vendor == "postgresql":
        cursor.execute(_CANDIDATES_SQL, [keys, *(identifiers.get(f) for f in IDENTIFIER_CLEANERS), email, phone])
        rows = cursor.fetchall()
        return list(zip(_read(rows), (row[-1] for row in rows), strict=True))
    for field, value in identifiers.items():
        cursor.execute(_PARTY_BY_IDENTIFIER_SQL[field], [value])
        found = _read(cursor.fetchall())
        if found:
            return [(found[0], field)]
    candidates = []
    for kind, value in ((ContactPointKind.EMAIL, email), (ContactPointKind.PHONE, phone)):
        if value:
            cursor.execute(_PARTIES_BY_CONTACT_POINT_SQL, [kind, value])
            candidates += [(party, kind) for party in _read(cursor.fetchall())]
    return candidates


def _enrich(
    party: Party,
    data: dict[str, Any],
    identifiers: dict[str, str | None],
    points: list[tuple],
    found_by: str | None = None,
) -> Party:
    """Only once: what the citizen tells us and we did not know yet is added to the (locked) record. The point
    the party was ``found_by`` is known already."""
    changed = []
    for field in ENRICHABLE_FIELDS:
        if (field in PERSON_ONLY_FIELDS) != (party.kind == PartyKind.PERSON):
            continue
        # A birth date the record's INSZ contradicts is the caller's mistake, not news.
        if (
            field == "birth_date"
            and party.national_number
            and data.get(field)
            and birth_date_contradicts(party.national_number, data[field])
        ):
            continue
        if data.get(field) and not getattr(party, field):
            setattr(party, field, data[field])
            changed.append(field)
    for field, value in identifiers.items():
        # Only identifiers this kind of party may carry and that nobody else holds (we hold its lock).
        if (
            value
            and party.kind in IDENTIFIER_KINDS[field]
            and not getattr(party, field)
            and not Party.objects.filter(**{field: value}).exists()
        ):
            setattr(party, field, value)
            changed.append(field)
    if changed:
        party.save(update_fields=changed)
    for kind, fields, _preferred in points:
        if kind != found_by:
            add_point_to_locked_party(party, kind, fields, False)
    return party


@atomic_service
def party_resolve(*, actor, data: dict[str, Any]) -> tuple[Party, str]:
    """Find or create the party that ``data`` describes; returns it and how it was found."""
    with history_actor(actor):
        return _resolve(actor, data)


def _resolve(actor, data: dict[str, Any]) -> tuple[Party, str]:
    data = data | clean_party_values({f: data[f] for f in NAME_FIELDS if f in data})
    identifiers = clean_identifiers({f: data.get(f) for f in IDENTIFIER_CLEANERS if data.get(f)})
    given = preferred_points(data.get("email"), data.get("phone"), data.get("address"))
    errors, points = {}, []
    try:
        points = clean_points(given)
    except ValidationError as exc:
        errors = exc.message_dict
    if data.get("birth_date"):
        errors |= birth_date_errors(data["birth_date"], identifiers.get("national_number"))
    if errors:
        raise ValidationError(errors)
    # E-mail and phone identify; a postal address (no single value) does not.
    found = {kind: fields["value"] for kind, fields, _preferred in points if kind != ContactPointKind.ADDRESS}
    email, phone = found.get(ContactPointKind.EMAIL), found.get(ContactPointKind.PHONE)

    for party, matched in _candidates(identifiers, email, phone):
        if matched in IDENTIFIER_CLEANERS:
            return _enrich(party, data, identifiers, points), MatchedOn(matched).value
        # A shared e-mail or phone: the first party whose names and identifiers agree.
        if _identifiers_compatible(party, identifiers) and _names_compatible(party, data):
            if party.is_tombstone:
                raise PartyMerged(party_id=party.pk, survivor_id=party.merged_into_id)
            return _enrich(party, data, identifiers, points, found_by=matched), MatchedOn(matched).value

    # Nobody holds the identifiers (looked up above, under the locks): ``party_create``'s checks, less that one,
    # on the values cleaned above.
    values = {f: data[f] for f in PARTY_FIELDS if data.get(f) not in (None, "")} | identifiers
    values["kind"] = data.get("kind") or PartyKind.PERSON
    check_party(values["kind"], values)
    require_something_to_know_them_by(values, given)
    return party_write_new(actor=actor, values=values, points=points), MatchedOn.CREATED.value
