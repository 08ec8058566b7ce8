"""Creating and changing parties, their contact points and representatives.

Every rule about them lives here once. The API calls these services; the admin's forms call the same
``clean_*``/``check_*``/``validate_*`` functions to show errors beside the fields, then save through the
services, so both refuse the same things with the same messages.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.errors import DuplicateIdentifier, IdentifierContended, PartyMerged, RowGone
from contacts.history import history_actor, history_of_new, history_record_create
from contacts.identifiers import (
    birth_date_contradicts,
    clean_association_code,
    clean_email,
    clean_enterprise_number,
    clean_name,
    clean_national_number,
    clean_phone,
)
from contacts.models import ContactPoint, ContactPointKind, Party, PartyKind, Representative
from midoffice.db import fetch, insert_with, locking, refers_to, select_list
from midoffice.transactions import atomic_service

IDENTIFIER_CLEANERS = {
    "national_number": clean_national_number,
    "enterprise_number": clean_enterprise_number,
    "association_code": clean_association_code,
}
# Which kinds of party may carry each identifier.
IDENTIFIER_KINDS = {
    "national_number": {PartyKind.PERSON},
    "enterprise_number": {PartyKind.ORGANISATION, PartyKind.ASSOCIATION},
    "association_code": {PartyKind.ASSOCIATION},
}
NAME_FIELDS = ("given_name", "family_name", "name")
PARTY_FIELDS = (
    "kind",
    *NAME_FIELDS,
    "birth_date",
    "national_number",
    "enterprise_number",
    "association_code",
    "language",
    "preferred_channel",
)
ADDRESS_FIELDS = ("street", "house_number", "box", "postal_code", "city", "country")
# The earliest date a record holds (birth dates, mandates): nobody alive was born before, and an earlier date
# is a typing error (1090 for 1990).
EARLIEST_DATE = date(1900, 1, 1)


def _length_errors(model: type[models.Model], values: dict[str, Any]) -> dict[str, list[str]]:
    """The database column's maximum length, with the message Django's forms give."""
    errors = {}
    for field, value in values.items():
        max_length = getattr(model._meta.get_field(field), "max_length", None)
        if isinstance(value, str) and max_length:
            try:
                MaxLengthValidator(max_length)(value)
            except ValidationError as exc:
                errors[field] = exc.messages
    return errors


_PARTY_BY_ID_SQL = f"SELECT {select_list(Party)} FROM {Party._meta.db_table} WHERE id = %s"


def lock_live_party(party: Party) -> Party:
    """``party`` read afresh and locked against a merge, which would leave what we add on a tombstone."""
    # Precompiled: every identity resolution and every change of a party's details takes this lock.
    party = next(iter(fetch(Party, locking(_PARTY_BY_ID_SQL), [party.pk])), None)
    if party is None:
        raise Party.DoesNotExist
    if party.is_tombstone:
        raise PartyMerged(party_id=party.pk, survivor_id=party.merged_into_id)
    return party


def clean_identifiers(data: dict[str, Any]) -> dict[str, str | None]:
    """Compact and validate the identifiers present in ``data``; errors are keyed by field."""
    cleaned, errors = {}, {}
    for field, cleaner in IDENTIFIER_CLEANERS.items():
        if field not in data:
            continue
        value = data[field]
        if value in (None, ""):
            cleaned[field] = None
            continue
        try:
            cleaned[field] = cleaner(value)
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_party_values(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with the names cleaned (``clean_name``) and the identifiers compacted; errors keyed by field."""
    cleaned, errors = dict(fields), {}
    for field in NAME_FIELDS:
        if field in fields:
            try:
                cleaned[field] = clean_name(fields[field])
            except ValidationError as exc:
                errors[field] = exc.messages
    try:
        cleaned.update(clean_identifiers(fields))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    errors = _length_errors(Party, {f: cleaned[f] for f in NAME_FIELDS if f in cleaned}) | errors
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_party(kind: str, values: dict[str, Any], *, changed: Iterable[str] | None = None) -> None:
    """The rules a party's values obey together. The birth date is checked when it or the INSZ is among the
    ``changed`` fields (all are, for a new party), so an old inconsistency does not block other changes."""
    if kind not in PartyKind:
        raise ValidationError({"kind": [_("Unknown kind of party %(kind)s.") % {"kind": kind}]})
    errors = {}
    for field, kinds in IDENTIFIER_KINDS.items():
        if values.get(field) and kind not in kinds:
            errors[field] = [
                _("A party of kind %(kind)s cannot have this identifier.")
                % {"kind": dict(PartyKind.choices).get(kind, kind)}
            ]
    if kind != PartyKind.PERSON and not values.get("name"):
        errors["name"] = [_("An organisation or association needs a name.")]
    if kind == PartyKind.PERSON and values.get("name"):
        errors["name"] = [_("A person has a given and a family name, not a name.")]
    birth_date = values.get("birth_date")
    date_changed = changed is None or not {"birth_date", "national_number"}.isdisjoint(changed)
    if birth_date and kind != PartyKind.PERSON:
        errors["birth_date"] = [_("Only a person has a birth date.")]
    elif birth_date and date_changed:
        errors |= birth_date_errors(birth_date, values.get("national_number"))
    if errors:
        raise ValidationError(errors)


def birth_date_errors(birth_date: date, national_number: str | None) -> dict[str, list[str]]:
    """From 1900 to today, and as the INSZ (when given) encodes it."""
    if birth_date > timezone.localdate():
        return {"birth_date": [_("The birth date lies in the future.")]}
    if birth_date < EARLIEST_DATE:
        return {"birth_date": [_("A birth date before %(date)s is a typing error.") % {"date": EARLIEST_DATE}]}
    if national_number and birth_date_contradicts(national_number, birth_date):
        return {"birth_date": [_("The birth date differs from the one in the national number (INSZ).")]}
    return {}


def check_identifiers_free(values: dict[str, Any], *, exclude_id: int | None = None) -> None:
    for field in IDENTIFIER_CLEANERS:
        value = values.get(field)
        if not value:
            continue
        existing = Party.objects.filter(**{field: value}).exclude(pk=exclude_id).values_list("pk", flat=True).first()
        if existing is not None:
            raise DuplicateIdentifier(field=field, existing_party_id=existing)


def _raise_for_integrity_error(values: dict[str, Any], exc: IntegrityError) -> None:
    """A concurrent writer took an identifier between our check and our insert: say whose."""
    check_identifiers_free(values)
    raise exc


def clean_contact_point(kind: str, value: str | None = None, address: dict | None = None, label: str = "") -> dict:
    """The stored fields of a contact point; errors keyed ``kind``, ``value``, ``address`` or ``label``."""
    try:
        label = clean_name(label)
    except ValidationError as exc:
        raise ValidationError({"label": exc.messages}) from exc
    errors = _length_errors(ContactPoint, {"label": label})
    if errors:
        raise ValidationError(errors)
    try:
        if kind == ContactPointKind.EMAIL:
            return {"value": clean_email(value), "label": label}
        if kind == ContactPointKind.PHONE:
            return {"value": clean_phone(value), "label": label}
    except ValidationError as exc:
        raise ValidationError({"value": exc.messages}) from exc
    if kind != ContactPointKind.ADDRESS:
        raise ValidationError({"kind": [_("Unknown contact point kind %(kind)s.") % {"kind": kind}]})
    parts, messages = {}, []
    for field in ADDRESS_FIELDS:
        try:
            parts[field] = clean_name((address or {}).get(field))
        except ValidationError as exc:
            messages += [f"{ContactPoint._meta.get_field(field).verbose_name}: {m}" for m in exc.messages]
    if messages:
        raise ValidationError({"address": messages})
    if not parts["street"] or not parts["city"]:
        raise ValidationError({"address": [_("A postal address needs at least a street and a city.")]})
    parts["country"] = (parts["country"] or "BE").upper()
    messages = [
        f"{ContactPoint._meta.get_field(field).verbose_name}: {m}"
        for field, ms in _length_errors(ContactPoint, parts).items()
        for m in ms
    ]
    if not (len(parts["country"]) == 2 and parts["country"].isascii() and parts["country"].isalpha()):
        messages.append(_("The country is a two-letter code (ISO 3166), e.g. BE or NL."))
    if messages:
        raise ValidationError({"address": messages})
    return parts | {"label": label}


def _demote_preferred(party_id: int, kind: str) -> None:
    # Saved one by one (there is at most one) so that the change history records it.
    for point in ContactPoint.objects.filter(party_id=party_id, kind=kind, preferred=True):
        point.preferred = False
        point.save(update_fields=["preferred"])


def add_point_to_locked_party(party: Party, kind: str, cleaned: dict[str, Any], preferred: bool) -> ContactPoint:
    point = ContactPoint(party=party, kind=kind, **cleaned)
    if kind == ContactPointKind.ADDRESS:
        point.value = point.address_line()
    existing = ContactPoint.objects.filter(party=party, kind=kind, value=point.value).first()
    if existing is not None:
        if preferred and not existing.preferred:
            _demote_preferred(party.pk, kind)
            existing.preferred = True
            existing.save(update_fields=["preferred"])
        point = existing
    else:
        has_preferred = ContactPoint.objects.filter(party=party, kind=kind, preferred=True).exists()
        if preferred and has_preferred:
            _demote_preferred(party.pk, kind)
        point.preferred = preferred or not has_preferred
        point.save()
    if kind == ContactPointKind.EMAIL and point.preferred:
        party.known_preferred_email = point.value
    return point


@transaction.atomic
def contact_point_add(
    *,
    actor,
    party: Party,
    kind: str,
    value: str | None = None,
    address: dict | None = None,
    preferred: bool = False,
    label: str = "",
) -> ContactPoint:
    """Add a contact point (or find the same one); ``preferred`` makes it the party's preferred one.

    A merged party (tombstone) cannot be changed: ``PartyMerged``.
    """
    cleaned = clean_contact_point(kind, value, address, label)
    with history_actor(actor):
        return add_point_to_locked_party(lock_live_party(party), kind, cleaned, preferred)


def _lock_point(point: ContactPoint) -> ContactPoint:
    try:
        point = ContactPoint.objects.select_for_update(of=("self",)).select_related("party").get(pk=point.pk)
    except ContactPoint.DoesNotExist as exc:
        raise RowGone(ContactPoint) from exc
    if point.party.is_tombstone:
        raise PartyMerged(party_id=point.party_id, survivor_id=point.party.merged_into_id)
    return point


@transaction.atomic
def contact_point_update(
    *,
    actor,
    point: ContactPoint,
    kind: str,
    value: str | None = None,
    address: dict | None = None,
    preferred: bool = False,
    label: str = "",
) -> ContactPoint:
    """Correct a contact point in place; ``preferred`` makes it the preferred one of its kind."""
    cleaned = clean_contact_point(kind, value, address, label)
    with history_actor(actor):
        point = _lock_point(point)
        if kind != ContactPointKind.ADDRESS:
            cleaned |= dict.fromkeys(ADDRESS_FIELDS, "") | {"country": "BE"}
        for field, new in (cleaned | {"kind": kind}).items():
            setattr(point, field, new)
        if kind == ContactPointKind.ADDRESS:
            point.value = point.address_line()
        same = ContactPoint.objects.filter(party_id=point.party_id, kind=kind, value=point.value).exclude(pk=point.pk)
        if same.exists():
            raise ValidationError({"value": [_("The party already has this contact point.")]})
        if preferred and not point.preferred:
            _demote_preferred(point.party_id, kind)
        point.preferred = preferred
        point.save()
        return point


@transaction.atomic
def contact_point_remove(*, actor, point: ContactPoint) -> None:
    """Remove an outdated contact point; another one of its kind becomes preferred."""
    with history_actor(actor):
        point = _lock_point(point)
        point.delete()
        if point.preferred:
            successor = (
                ContactPoint.objects.filter(party_id=point.party_id, kind=point.kind).order_by("-created_at").first()
            )
            if successor is not None:
                successor.preferred = True
                successor.save(update_fields=["preferred"])


def validate_representative(
    *,
    organisation: Party | None,
    person: Party | None,
    role: str | None,
    valid_from: date | None,
    valid_until: date | None,
) -> str:
    """The rules of a mandate; returns the role as stored. Errors keyed by field (``organisation`` too)."""
    errors = {}
    try:
        role = clean_name(role)
    except ValidationError as exc:
        errors["role"] = exc.messages
    else:
        if not role:
            errors["role"] = [_("A representative needs a role.")]
        errors |= _length_errors(Representative, {"role": role})
    if organisation is not None and organisation.kind == PartyKind.PERSON:
        errors["organisation"] = [_("Only an organisation or association has representatives.")]
    if person is not None and person.kind != PartyKind.PERSON:
        errors["person"] = [_("A representative must be a person.")]
    elif person is not None and person.is_tombstone:
        errors["person"] = [_("Party %(id)s was merged into another party.") % {"id": person.pk}]
    for field, day in (("valid_from", valid_from), ("valid_until", valid_until)):
        if day and day < EARLIEST_DATE:
            errors[field] = [_("A date before %(date)s is a typing error.") % {"date": EARLIEST_DATE}]
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = [_("The end of the period lies before its start.")]
    if errors:
        raise ValidationError(errors)
    return role


@transaction.atomic
def representative_add(
    *,
    actor,
    organisation: Party,
    person: Party,
    role: str,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> Representative:
    """Record that ``person`` represents ``organisation`` in ``role`` for a period (idempotent)."""
    role = validate_representative(
        organisation=organisation, person=person, role=role, valid_from=valid_from, valid_until=valid_until
    )
    with history_actor(actor):
        representative, _created = Representative.objects.update_or_create(
            organisation=lock_live_party(organisation),
            person=person,
            role=role,
            defaults={"valid_from": valid_from, "valid_until": valid_until},
        )
    return representative


def require_something_to_know_them_by(values: dict[str, Any], contact_points: list) -> None:
    known = any(values.get(f) for f in (*NAME_FIELDS, *IDENTIFIER_CLEANERS))
    if not known and not contact_points:
        raise ValidationError(
            _("A party needs a name, an identifier or a contact point."), code="party_without_identity"
        )


def preferred_points(email: str | None, phone: str | None, address: dict | None) -> list[tuple[str, dict]]:
    """(the argument it came from, the contact point) of the preferred e-mail, phone and address given."""
    points = []
    if email:
        points.append(("email", {"kind": ContactPointKind.EMAIL, "value": email, "preferred": True}))
    if phone:
        points.append(("phone", {"kind": ContactPointKind.PHONE, "value": phone, "preferred": True}))
    if address:
        points.append(("address", {"kind": ContactPointKind.ADDRESS, "address": address, "preferred": True}))
    return points


def clean_points(points: Iterable[tuple[str, dict]]) -> list[tuple[str, dict, bool]]:
    """(kind, stored fields, preferred) of each point, checked before anything is written; errors keyed by the
    argument each point came from."""
    cleaned, errors = [], {}
    for argument, point in points:
        try:
            fields = clean_contact_point(point["kind"], point.get("value"), point.get("address"), point.get("label"))
        except ValidationError as exc:
            errors.setdefault(argument, []).extend(
                message for messages in exc.message_dict.values() for message in messages
            )
            continue
        cleaned.append((point["kind"], fields, point.get("preferred", False)))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _points_of_new_party(party: Party, points: list[tuple[str, dict, bool]]) -> list[ContactPoint]:
    """A new party's contact points as ``contact_point_add`` would add them one after the other (the same point
    once, one preferred point of each kind), to write with the party."""
    rows: dict[tuple[str, str], ContactPoint] = {}
    for kind, fields, preferred in points:
        point = ContactPoint(party=party, kind=kind, **fields)
        if kind == ContactPointKind.ADDRESS:
            point.value = point.address_line()
        point = rows.setdefault((kind, point.value), point)
        of_kind = [other for other in rows.values() if other.kind == kind]
        if preferred:
            for other in of_kind:
                other.preferred = False
            point.preferred = True
        elif not any(other.preferred for other in of_kind):
            point.preferred = True
    return list(rows.values())


def party_write_new(*, actor, values: dict[str, Any], points: list[tuple[str, dict, bool]]) -> Party:
    """Write a new party whose ``values`` and contact ``points`` (``clean_points``) are checked, with its points
    and their change history, in one statement (``party_create``, and identity resolution, which checked them
    itself). An identifier another party took meanwhile: ``DuplicateIdentifier``, and nothing is written.

    The statement skips a party a unique constraint refuses rather than fail, which would end the transaction
    (or cost a savepoint around every write to catch it)."""
    party = Party(**values)
    party.set_search_name()
    rows = _points_of_new_party(party, points)
    with history_actor(actor):
        # An unnamed party is named by its number (``display_name``) in its entry: recorded once it has one.
        entries = history_of_new(party, of_new_party=True) if party.full_name else []
        for position, point in enumerate(rows):
            entries += history_of_new(point, of=position, of_new_party=True)
        dependents = [*(refers_to(point, "party_id") for point in rows), *entries]
        if not insert_with(party, dependents=dependents, skip_conflicting=True):
            check_identifiers_free(values)
            # The party that held it gave it up meanwhile (a merge): the caller may simply try again.
            raise IdentifierContended
        if not party.full_name:
            history_record_create([party])
    party.known_preferred_email = next(
        (point.value for point in rows if point.kind == ContactPointKind.EMAIL and point.preferred), None
    )
    return party


@atomic_service
def party_create(
    *,
    actor,
    kind: str = PartyKind.PERSON,
    email: str | None = None,
    phone: str | None = None,
    address: dict | None = None,
    contact_points: Iterable[dict] = (),
    representatives: Iterable[dict] = (),
    **fields: Any,
) -> Party:
    """Create a party. Identifiers are validated and must be free (``DuplicateIdentifier``)."""
    unknown = set(fields) - set(PARTY_FIELDS)
    if unknown:
        raise TypeError(f"unknown party fields: {sorted(unknown)}")
    values = clean_party_values(fields) | {"kind": kind}
    points = preferred_points(email, phone, address) + [("contact_points", point) for point in contact_points]
    # A taken identifier first: the party that has it is the most useful answer.
    check_identifiers_free(values)
    check_party(kind, values)
    require_something_to_know_them_by(values, points)
    party = party_write_new(actor=actor, values=values, points=clean_points(points))
    with history_actor(actor):
        for representative in representatives:
            representative_add(actor=actor, organisation=party, **representative)
    return party


@transaction.atomic
def party_update(
    *,
    actor,
    party: Party,
    email: str | None = None,
    phone: str | None = None,
    address: dict | None = None,
    **fields: Any,
) -> Party:
    """Change a party's fields; ``email``/``phone``/``address`` become its preferred contact points."""
    unknown = set(fields) - set(PARTY_FIELDS)
    if unknown:
        raise TypeError(f"unknown party fields: {sorted(unknown)}")
    changes = clean_party_values(fields)
    points = preferred_points(email, phone, address)
    with history_actor(actor):
        party = Party.objects.select_for_update().get(pk=party.pk)
        if party.is_tombstone:
            raise PartyMerged(party_id=party.pk, survivor_id=party.merged_into_id)
        check_identifiers_free(changes, exclude_id=party.pk)
        merged = {f: getattr(party, f) for f in PARTY_FIELDS} | changes
        check_party(merged["kind"], merged, changed=changes)
        cleaned_points = clean_points(points)
        for field, value in changes.items():
            setattr(party, field, value)
        if changes:
            try:
                with transaction.atomic():
                    party.save()
            except IntegrityError as exc:
                _raise_for_integrity_error(changes, exc)
        for kind, cleaned, preferred in cleaned_points:
            add_point_to_locked_party(party, kind, cleaned, preferred)
    return party


# A keyword argument left out, as opposed to one given as None (which clears a date).
UNCHANGED = object()


def _lock_representative(representative: Representative) -> Representative:
    try:
        return (
            Representative.objects.select_for_update(of=("self",))
            .select_related("person", "organisation")
            .get(pk=representative.pk)
        )
    except Representative.DoesNotExist as exc:
        raise RowGone(Representative) from exc


@transaction.atomic
def representative_update(
    *, actor, representative: Representative, role: str | None = None, valid_from=UNCHANGED, valid_until=UNCHANGED
) -> Representative:
    """Change the role or period of a representative: end it with ``valid_until``, reopen it with None.

    The row is locked first: a representative removed meanwhile is ``RowGone`` (404).
    """
    with history_actor(actor):
        representative = _lock_representative(representative)
        role = representative.role if role is None else role
        valid_from = representative.valid_from if valid_from is UNCHANGED else valid_from
        valid_until = representative.valid_until if valid_until is UNCHANGED else valid_until
        role = validate_representative(
            organisation=None, person=None, role=role, valid_from=valid_from, valid_until=valid_until
        )
        clash = Representative.objects.filter(
            organisation_id=representative.organisation_id, person_id=representative.person_id, role=role
        ).exclude(pk=representative.pk)
        if clash.exists():
            raise ValidationError({"role": [_("This person already represents the organisation in this role.")]})
        representative.role, representative.valid_from, representative.valid_until = role, valid_from, valid_until
        representative.save(update_fields=["role", "valid_from", "valid_until"])
        return representative


@transaction.atomic
def representative_remove(*, actor, representative: Representative) -> None:
    """Remove a representative recorded by mistake (an ended mandate keeps its period instead)."""
    with history_actor(actor):
        _lock_representative(representative).delete()
