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
from typing import Any

from auditlog.context import auditlog_disabled
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import models

from midoffice.db import NEW_ID, Dependent, insert

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
    _record(rows, LogEntry.Action.CREATE, lambda row: model_instance_diff(None, row, use_json_for_changes=True))


def history_record_update(rows: Iterable[models.Model], changes: dict[str, tuple[Any, Any]]) -> None:
    """Record that ``rows`` (as they are now) were changed by ``changes`` (field → (old, new)): one INSERT."""
    as_lists = {field: [old, new] for field, (old, new) in changes.items()}
    _record(rows, LogEntry.Action.UPDATE, lambda row: as_lists)


def history_of_new(row: models.Model) -> list[Dependent]:
    """The "created" entry of ``row``, a new row not written yet, to write in the statement that writes it
    (``midoffice.db.insert_with``): its id goes into the entry there. The other values are the row's as they stand:
    a model with fields set on save (``auto_now``) records those with ``history_record_create`` after the write.
    Nothing where history is off."""
    if auditlog_disabled.get() or not auditlog.contains(type(row)):
        return []
    entry = _entry(row, LogEntry.Action.CREATE, model_instance_diff(None, row, use_json_for_changes=True))
    return [
        Dependent(
            entry,
            {
                "object_id": NEW_ID,
                "object_pk": f"{NEW_ID}::text",
                "changes": f"jsonb_set(%s, '{{id}}', jsonb_build_array(NULL, {NEW_ID}))",
            },
            _complete_entry,
        )
    ]


def _complete_entry(entry: LogEntry, pk: int) -> None:
    entry.object_id, entry.object_pk = pk, str(pk)
    entry.changes = {"id": [None, pk], **entry.changes}


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
