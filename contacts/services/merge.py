"""Merging a duplicate party into a survivor.

Everything that points at the duplicate moves to the survivor — contacts now, and every
model added later with a foreign key to Party (cases, notifications) without changes here.
The duplicate stays as a tombstone pointing at the survivor; PartyMerge records what moved,
and the change history has an entry for every row that moved.
"""

import logging
from collections.abc import Sequence

from auditlog.registry import auditlog
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.errors import MergeRefused
from contacts.history import history_actor, history_record_update
from contacts.models import AccessLog, ContactPoint, Party, PartyMerge, Representative

from .parties import IDENTIFIER_CLEANERS

logger = logging.getLogger(__name__)

# Relations that stay with the duplicate or that are handled one by one below.
KEPT_OR_SPECIAL = {
    (Party, "merged_into"),
    (PartyMerge, "survivor"),
    (PartyMerge, "duplicate"),
    (AccessLog, "party"),
    (ContactPoint, "party"),
    (Representative, "organisation"),
    (Representative, "person"),
}
FILLABLE_FIELDS = ("given_name", "family_name", "name", "birth_date", "preferred_channel")


def _tombstone_refused(party: Party) -> MergeRefused:
    return MergeRefused(
        _("Party %(id)s was already merged into party %(survivor)s.")
        % {"id": party.pk, "survivor": party.merged_into_id},
        reason="tombstone",
        party=party.pk,
        merged_into=party.merged_into_id,
    )


def _lock(pks: Sequence[int]) -> dict[int, Party]:
    """Lock the parties one by one, lowest id first, refusing at the first tombstone.

    One order for every merge, so that two merges of overlapping parties wait for each other instead of
    each holding a row the other needs. A tombstone is refused before the next row is waited for: a merge
    bound to be refused must not hold a tombstone that the merge which made it moves on (its earlier
    tombstones are repointed).
    """
    locked = {}
    for pk in sorted(set(pks)):
        party = Party.objects.select_for_update().get(pk=pk)
        if party.is_tombstone:
            raise _tombstone_refused(party)
        locked[pk] = party
    return locked


def _refuse_unless_mergeable(survivor: Party, duplicate: Party) -> None:
    """Same party and tombstones are refused before and while locking; these need both rows."""
    if survivor.kind != duplicate.kind:
        raise MergeRefused(
            _("A %(a)s cannot be merged with a %(b)s.")
            % {"a": duplicate.get_kind_display(), "b": survivor.get_kind_display()},
            reason="kind_mismatch",
        )
    conflicts = [
        field
        for field in IDENTIFIER_CLEANERS
        if getattr(survivor, field)
        and getattr(duplicate, field)
        and getattr(survivor, field) != getattr(duplicate, field)
    ]
    if conflicts:
        raise MergeRefused(
            _("The parties have different identifiers (%(fields)s): they are not the same party.")
            % {"fields": ", ".join(str(Party._meta.get_field(field).verbose_name) for field in conflicts)},
            reason="conflicting_identifiers",
            fields=conflicts,
        )


def _move_contact_points(survivor: Party, duplicate: Party) -> dict[str, list[int]]:
    moved, dropped = [], []
    survivor_points = {(p.kind, p.value) for p in survivor.contact_points.all()}
    kinds_with_preferred = set(survivor.contact_points.filter(preferred=True).values_list("kind", flat=True))
    for point in duplicate.contact_points.all():
        if (point.kind, point.value) in survivor_points:
            dropped.append(point.pk)
            point.delete()
            continue
        point.party = survivor
        if point.preferred and point.kind in kinds_with_preferred:
            point.preferred = False
        kinds_with_preferred |= {point.kind} if point.preferred else set()
        point.save(update_fields=["party", "preferred"])
        moved.append(point.pk)
    return {"contact_points": moved, "contact_points_dropped_as_same": dropped}


def _move_representatives(survivor: Party, duplicate: Party) -> dict[str, list[int]]:
    moved, dropped = [], []
    for field, other in (("organisation", "person"), ("person", "organisation")):
        # Both parties joined: the change history names the representative by them.
        for rep in Representative.objects.filter(**{field: duplicate}).select_related("person", "organisation"):
            clash = Representative.objects.filter(**{field: survivor, other: getattr(rep, other), "role": rep.role})
            if getattr(rep, f"{other}_id") == survivor.pk or clash.exists():
                dropped.append(rep.pk)
                rep.delete()
                continue
            setattr(rep, field, survivor)
            rep.save(update_fields=[field])
            moved.append(rep.pk)
    return {"representatives": moved, "representatives_dropped_as_same": dropped}


def _move_references(survivor: Party, duplicate: Party) -> dict[str, list[int]]:
    """Every other foreign key to Party (contacts, cases, notifications) moves, in one UPDATE per relation."""
    moved = {}
    for relation in Party._meta.related_objects:
        if not relation.one_to_many or (relation.related_model, relation.field.name) in KEPT_OR_SPECIAL:
            continue
        model, field = relation.related_model, relation.field
        ids = list(model._default_manager.filter(**{field.name: duplicate}).values_list("pk", flat=True))
        if ids:
            model._default_manager.filter(pk__in=ids).update(**{field.name: survivor})
            if auditlog.contains(model):
                history_record_update(
                    model._default_manager.filter(pk__in=ids), {field.name: (duplicate.pk, survivor.pk)}
                )
            moved[model._meta.label_lower] = ids
    return moved


@transaction.atomic
def party_merge(*, actor, survivor: Party, duplicate: Party) -> PartyMerge:
    """Merge ``duplicate`` into ``survivor``: everything moves, the duplicate becomes a tombstone."""
    return party_merge_all(actor=actor, survivor=survivor, duplicates=[duplicate])[0]


@transaction.atomic
def party_merge_all(*, actor, survivor: Party, duplicates: Sequence[Party]) -> list[PartyMerge]:
    """Merge each of ``duplicates`` into ``survivor``, all or none (``MergeRefused``)."""
    for duplicate in duplicates:
        if duplicate.pk == survivor.pk:
            raise MergeRefused(_("A party cannot be merged into itself."), reason="same_party")
    locked = _lock([survivor.pk, *(duplicate.pk for duplicate in duplicates)])
    survivor = locked[survivor.pk]
    with history_actor(actor):
        return [_merge(actor, survivor, locked[duplicate.pk]) for duplicate in duplicates]


def _merge(actor, survivor: Party, duplicate: Party) -> PartyMerge:
    _refuse_unless_mergeable(survivor, duplicate)
    taken_identifiers = {
        field: getattr(duplicate, field)
        for field in IDENTIFIER_CLEANERS
        if getattr(duplicate, field) and not getattr(survivor, field)
    }
    filled = {
        field: getattr(duplicate, field)
        for field in FILLABLE_FIELDS
        if getattr(duplicate, field) and not getattr(survivor, field)
    }
    now = timezone.now()
    # The tombstone gives up its identifiers first: they are unique across parties.
    for field in IDENTIFIER_CLEANERS:
        setattr(duplicate, field, None)
    duplicate.merged_into, duplicate.merged_at = survivor, now
    duplicate.save()
    for field, value in (taken_identifiers | filled).items():
        setattr(survivor, field, value)
    survivor.save()

    moved = {
        **_move_references(survivor, duplicate),
        **_move_contact_points(survivor, duplicate),
        **_move_representatives(survivor, duplicate),
        "identifiers": taken_identifiers,
        "fields": {k: str(v) for k, v in filled.items()},
    }
    # Earlier tombstones of the duplicate now point straight at the survivor.
    earlier = list(Party.objects.filter(merged_into=duplicate).values_list("pk", flat=True))
    if earlier:
        Party.objects.filter(pk__in=earlier).update(merged_into=survivor)
        history_record_update(Party.objects.filter(pk__in=earlier), {"merged_into": (duplicate.pk, survivor.pk)})
    moved["tombstones_repointed"] = earlier
    merge = PartyMerge.objects.create(survivor=survivor, duplicate=duplicate, actor=actor, merged_at=now, moved=moved)
    # Once committed (a merge rolled back did not happen); how many rows of each kind moved, no personal data.
    counts = {kind: len(rows) for kind, rows in moved.items() if isinstance(rows, list | dict)}
    transaction.on_commit(
        lambda: logger.info(
            "party.merge",
            extra={
                "survivor": survivor.pk,
                "duplicate": duplicate.pk,
                "moved": counts,
                "actor": actor.get_username() if actor is not None else None,
            },
        )
    )
    return merge
