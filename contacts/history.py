"""Change history of parties, contact points, representatives and contacts (django-auditlog).

Model signals write one ``auditlog.LogEntry`` per created, changed or deleted row, in the transaction of the
change, with the party it belongs to in ``additional_data`` (indexed: migration contacts 0004). The services
name who made the change with ``history_actor``; rows a service writes without model signals (``bulk_create``,
``midoffice.db.insert``, ``QuerySet.update()``) are recorded with ``history_record_create`` and
``history_record_update``.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC
from functools import cache
from typing import Any

from auditlog.context import auditlog_disabled
from auditlog.diff import is_primitive, model_instance_diff, track_field
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.encoding import smart_str

from midoffice.db import NEW_ID, OF_ID, Dependent, insert

_actor: ContextVar = ContextVar("history_actor", default=None)


@contextmanager
def history_actor(actor) -> Iterator[None]:
    """The history written inside is ``actor``'s (None or an anonymous user: nobody, e.g. a scheduled task)."""
    token = _actor.set(actor if actor is not None and actor.is_authenticated else None)
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor_of_entry(sender, instance, **kwargs) -> None:
    """pre_save of ``LogEntry``: the actor of the service writing it (one receiver, connected once, where
    auditlog's own ``set_actor`` connects and disconnects one per use and forgets an outer actor)."""
    if instance.actor_id is None:
        instance.actor = _actor.get()


def history_record_create(rows: Iterable[models.Model]) -> None:
    """Record rows written with ``bulk_create`` as created, as the signals would have: one INSERT."""
    _record(rows, LogEntry.Action.CREATE, created_changes)


def history_record_update(rows: Iterable[models.Model], changes: dict[str, tuple[Any, Any]]) -> None:
    """Record that ``rows`` (as they are now) were changed by ``changes`` (field → (old, new)): one INSERT."""
    as_lists = {field: [old, new] for field, (old, new) in changes.items()}
    _record(rows, LogEntry.Action.UPDATE, lambda row: as_lists)


def history_of_new(row: models.Model, *, of: int | None = None, of_new_party: bool = False) -> list[Dependent]:
    """The "created" entry of ``row``, a new row not written yet, to write in the statement that writes it
    (``midoffice.db.insert_with``): its id goes into the entry there. The other values are the row's as they stand:
    a model with fields set on save (``auto_now``) records those with ``history_record_create`` after the write.
    Nothing where history is off.

    ``of``: ``row`` is itself a dependent of that statement, at this position (a new party's contact point).
    ``of_new_party``: the party ``row`` belongs to is the statement's new row (a new party, or its contact point):
    the entry names it as the party, and a contact point's ``party`` field as changed to it.
    """
    if auditlog_disabled.get() or not auditlog.contains(type(row)):
        return []
    entry = _entry(row, LogEntry.Action.CREATE, created_changes(row))
    own_id = NEW_ID if of is None else OF_ID
    changes = f"jsonb_set(%s, '{{id}}', jsonb_build_array(NULL, {own_id}))"
    columns = {"object_id": own_id, "object_pk": f"{own_id}::text", "changes": changes}
    if of_new_party:
        columns["additional_data"] = f"jsonb_set(%s, '{{party}}', to_jsonb({NEW_ID}))"
        if of is not None:
            columns["changes"] = f"jsonb_set({changes}, '{{party}}', jsonb_build_array(NULL, {NEW_ID}))"
    return [Dependent(entry, columns, _complete_entry(of_new_party=of_new_party, of_row=of is not None), of)]


@cache
def _complete_entry(*, of_new_party: bool, of_row: bool) -> Callable[..., None]:
    """What ``history_of_new``'s expressions write, in Python (``Dependent.complete``)."""

    def complete(entry: LogEntry, pk: int, of_pk: int | None = None) -> None:
        own_id = of_pk if of_row else pk
        entry.object_id, entry.object_pk = own_id, str(own_id)
        entry.changes = {"id": [None, own_id], **entry.changes}
        if of_new_party:
            entry.additional_data = {**entry.additional_data, "party": pk}
            if of_row:
                entry.changes["party"] = [None, pk]

    return complete


_DATETIME, _FOREIGN_KEY, _PLAIN = "datetime", "foreign key", "plain"


@cache
def _created_fields(model: type[models.Model]) -> tuple[tuple[str, str, models.Field], ...] | None:
    """(name, how its value is read, field) of each field auditlog records for ``model``; None when it masks one."""
    config = auditlog.get_model_fields(model)
    if config["mask_fields"]:
        return None
    fields = []
    for field in (f for f in model._meta.get_fields() if track_field(f)):
        if config["include_fields"] and field.name not in config["include_fields"]:
            continue
        if field.name in config["exclude_fields"]:
            continue
        if isinstance(field, models.DateTimeField):
            how = _DATETIME
        elif (
            not settings.AUDITLOG_USE_FK_STRING_REPRESENTATION
            and (field.one_to_one or field.many_to_one)
            and hasattr(field, "rel_class")
        ):
            how = _FOREIGN_KEY
        else:
            how = _PLAIN
        fields.append((field.name, how, field))
    return tuple(fields)


def created_changes(row: models.Model) -> dict[str, tuple[None, Any]]:
    """The changes auditlog records for a new row (``model_instance_diff(None, row, use_json_for_changes=True)``),
    worked out from the fields it records, listed once per model: its general diff, run for every entry, cost
    more than writing the entries."""
    fields = _created_fields(type(row))
    if fields is None:
        return model_instance_diff(None, row, use_json_for_changes=True)
    changes = {}
    for name, how, field in fields:
        if how is _FOREIGN_KEY:
            value = smart_str(getattr(row, field.attname), strings_only=True)
        else:
            value = getattr(row, name)
            if how is _DATETIME:
                value = field.to_python(value)
                if value is not None and settings.USE_TZ and not timezone.is_naive(value):
                    value = timezone.make_naive(value, timezone=UTC)
        if value is None:
            continue
        changes[name] = (None, value if is_primitive(value) else smart_str(value))
    return changes


def _entry(row: models.Model, action: int, changes: dict) -> LogEntry:
    return LogEntry(
        content_type=ContentType.objects.get_for_model(row),
        object_pk=str(row.pk),
        object_id=row.pk,
        object_repr=str(row),
        action=action,
        changes=changes,
        actor=_actor.get(),
        additional_data=row.get_additional_data(),
    )


def _record(rows: Iterable[models.Model], action: int, changes_of: Callable[[models.Model], dict]) -> None:
    # Off where auditlog's own signals are off (``auditlog.context.disable_auditlog``).
    rows = [row for row in rows if auditlog.contains(type(row))] if not auditlog_disabled.get() else []
    if rows:
        insert([_entry(row, action, changes_of(row)) for row in rows])
