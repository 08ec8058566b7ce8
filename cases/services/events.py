"""Case timeline events (``CaseEvent``): every app that records on a case makes its events here and writes them
with ``case_events_write``, except an event about a row being written (a new case's first event, the queuing of a
notification), which is written in that row's statement (``midoffice.db.insert_with``)."""

from datetime import datetime

from django.utils import timezone

from cases.models import CaseEvent
from midoffice.db import insert


def case_event_new(
    *,
    case_id: int,
    kind: str,
    actor=None,
    text: str = "",
    public: bool = False,
    data: dict | None = None,
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
    created_at: datetime | None = None,
) -> CaseEvent:
    """An event not written yet, for ``case_events_write``. ``actor`` None: the system or the citizen."""
    return CaseEvent(
        case_id=case_id,
        kind=kind,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        text=text,
        public=public,
        data=data or {},
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        created_at=created_at or timezone.now(),
    )


def case_events_write(events: list[CaseEvent], *, preceded_by: tuple[str, list] | None = None) -> list[CaseEvent]:
    """Append events to case timelines, in the caller's transaction, in one statement (events are written on every
    case change and every delivery attempt: a precompiled INSERT, docs/performance.md); ``preceded_by``: the change
    they record, an UPDATE and its parameters, run in the same statement where the database can
    (``midoffice.db.insert``)."""
    insert(events, preceded_by=preceded_by)
    return events


def case_event_add(**event) -> CaseEvent:
    """Append one event (the arguments of ``case_event_new``) to a case's timeline, in the caller's transaction."""
    return case_events_write([case_event_new(**event)])[0]
