"""Creating and changing parties, their contact points and representatives."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from contacts.errors import DuplicateIdentifier, PartyMerged
from contacts.identifiers import (
    clean_association_code,
    clean_email,
    clean_enterprise_number,
    clean_national_number,
    clean_phone,
)
from contacts.models import ContactPoint, ContactPointKind, Party, PartyKind, Representative

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
PARTY_FIELDS = (
    "kind",
    "given_name",
    "family_name",
    "name",
    "birth_date",
    "national_number",
    "enterprise_number",
    "association_code",
    "language",
    "preferred_channel",
)
ADDRESS_FIELDS = ("street", "house_number", "box", "postal_code", "city", "country")


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


def check_kind(kind: str, values: dict[str, Any]) -> None:
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
    if birth_date and kind != PartyKind.PERSON:
        errors["birth_date"] = [_("Only a person has a birth date.")]
    if isinstance(birth_date, date) and birth_date > date.today():
        errors["birth_date"] = [_("The birth date lies in the future.")]
    if errors:
        raise ValidationError(errors)


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


def clean_contact_point(kind: str, value: str | None, address: dict | None) -> dict[str, Any]:
    if kind == ContactPointKind.EMAIL:
        return {"value": clean_email(value)}
    if kind == ContactPointKind.PHONE:
        return {"value": clean_phone(value)}
    if kind == ContactPointKind.ADDRESS:
        address = {k: (address or {}).get(k) or "" for k in ADDRESS_FIELDS}
        if not address["street"] or not address["city"]:
            raise ValidationError(_("A postal address needs at least a street and a city."), code="invalid_address")
        address["country"] = (address["country"] or "BE").upper()
        return address
    raise ValidationError(_("Unknown contact point kind %(kind)s.") % {"kind": kind}, code="invalid_kind")


def contact_point_add(
    *, party: Party, kind: str, value: str | None = None, address: dict | None = None, preferred: bool = False, label=""
) -> ContactPoint:
    """Add a contact point (or find the same one); ``preferred`` makes it the party's preferred one."""
    cleaned = clean_contact_point(kind, value, address)
    point = ContactPoint(party=party, kind=kind, label=label, **cleaned)
    if kind == ContactPointKind.ADDRESS:
        point.value = point.address_line()
    existing = ContactPoint.objects.filter(party=party, kind=kind, value=point.value).first()
    has_preferred = ContactPoint.objects.filter(party=party, kind=kind, preferred=True)
    if existing is not None:
        if preferred and not existing.preferred:
            has_preferred.update(preferred=False)
            existing.preferred = True
            existing.save(update_fields=["preferred"])
        return existing
    if preferred:
        has_preferred.update(preferred=False)
    point.preferred = preferred or not has_preferred.exists()
    point.save()
    return point


def _representative_errors(role: str, valid_from: date | None, valid_until: date | None) -> dict[str, list]:
    errors = {}
    if not role:
        errors["role"] = [_("A representative needs a role.")]
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = [_("The end of the period lies before its start.")]
    return errors


def representative_add(
    *, organisation: Party, person: Party, role: str, valid_from: date | None = None, valid_until: date | None = None
) -> Representative:
    """Record that ``person`` represents ``organisation`` in ``role`` for a period (idempotent)."""
    errors = _representative_errors(role, valid_from, valid_until)
    if organisation.kind == PartyKind.PERSON:
        errors["organisation"] = [_("Only an organisation or association has representatives.")]
    if person.kind != PartyKind.PERSON:
        errors["person"] = [_("A representative must be a person.")]
    if person.is_tombstone:
        errors["person"] = [_("Party %(id)s was merged into another party.") % {"id": person.pk}]
    if errors:
        raise ValidationError(errors)
    representative, _created = Representative.objects.update_or_create(
        organisation=organisation,
        person=person,
        role=role,
        defaults={"valid_from": valid_from, "valid_until": valid_until},
    )
    return representative


def require_something_to_know_them_by(values: dict[str, Any], contact_points: list) -> None:
    known = any(values.get(f) for f in ("given_name", "family_name", "name", *IDENTIFIER_CLEANERS))
    if not known and not contact_points:
        raise ValidationError(
            _("A party needs a name, an identifier or a contact point."), code="party_without_identity"
        )


@transaction.atomic
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
    values = {**fields, "kind": kind, **clean_identifiers(fields)}
    points = _preferred_points(email, phone, address) + list(contact_points)
    check_kind(kind, values)
    require_something_to_know_them_by(values, points)
    _validate_points(points)
    check_identifiers_free(values)
    try:
        with transaction.atomic():
            party = Party.objects.create(**values)
    except IntegrityError as exc:
        _raise_for_integrity_error(values, exc)
    for point in points:
        contact_point_add(party=party, **point)
    for representative in representatives:
        representative_add(organisation=party, **representative)
    return party


def _preferred_points(email: str | None, phone: str | None, address: dict | None) -> list[dict]:
    points = [{"kind": ContactPointKind.EMAIL, "value": email, "preferred": True}] if email else []
    points += [{"kind": ContactPointKind.PHONE, "value": phone, "preferred": True}] if phone else []
    points += [{"kind": ContactPointKind.ADDRESS, "address": address, "preferred": True}] if address else []
    return points


def _validate_points(points: Iterable[dict]) -> None:
    """Check every contact point before anything is written; errors are keyed by kind."""
    errors: dict[str, list[str]] = {}
    for point in points:
        try:
            clean_contact_point(point["kind"], point.get("value"), point.get("address"))
        except ValidationError as exc:
            errors.setdefault(point["kind"], []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)


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
    party = Party.objects.select_for_update().get(pk=party.pk)
    if party.is_tombstone:
        raise PartyMerged(party_id=party.pk, survivor_id=party.merged_into_id)
    changes = {**fields, **clean_identifiers(fields)}
    points = _preferred_points(email, phone, address)
    merged = {f: getattr(party, f) for f in PARTY_FIELDS} | changes
    check_kind(merged["kind"], merged)
    _validate_points(points)
    check_identifiers_free(changes, exclude_id=party.pk)
    for field, value in changes.items():
        setattr(party, field, value)
    if changes:
        try:
            with transaction.atomic():
                party.save()
        except IntegrityError as exc:
            _raise_for_integrity_error(changes, exc)
    for point in points:
        contact_point_add(party=party, **point)
    return party


@transaction.atomic
def contact_point_remove(*, actor, point: ContactPoint) -> None:
    """Remove an outdated contact point; another one of its kind becomes preferred."""
    if point.party.is_tombstone:
        raise PartyMerged(party_id=point.party_id, survivor_id=point.party.merged_into_id)
    point.delete()
    if point.preferred:
        successor = (
            ContactPoint.objects.filter(party_id=point.party_id, kind=point.kind).order_by("-created_at").first()
        )
        if successor is not None:
            successor.preferred = True
            successor.save(update_fields=["preferred"])


# A keyword argument left out, as opposed to one given as None (which clears a date).
UNCHANGED = object()


@transaction.atomic
def representative_update(
    *, actor, representative: Representative, role: str | None = None, valid_from=UNCHANGED, valid_until=UNCHANGED
) -> Representative:
    """Change the role or period of a representative: end it with ``valid_until``, reopen it with None."""
    role = representative.role if role is None else role
    valid_from = representative.valid_from if valid_from is UNCHANGED else valid_from
    valid_until = representative.valid_until if valid_until is UNCHANGED else valid_until
    errors = _representative_errors(role, valid_from, valid_until)
    if errors:
        raise ValidationError(errors)
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
    representative.delete()
