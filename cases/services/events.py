"""The one writer of case timeline events (``CaseEvent``), used by every app that records on a case."""

from datetime import datetime

from django.db import connection
from django.utils import timezone

from cases.models import CaseEvent

# One precompiled statement: events are written on every case change and every delivery attempt, where
# compiling the ORM's INSERT cost more CPU than running it (docs/performance.md).
_INSERT_SQL = (
    f"INSERT INTO {CaseEvent._meta.db_table}"
    " (case_id, kind, transition, from_state, to_state, text, public, data, actor_id, created_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)


def case_event_add(
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
    """Append one event to a case's timeline, in the caller's transaction. ``actor`` None: the system or
    the citizen."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    event = CaseEvent(
        case_id=case_id,
        kind=kind,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        text=text,
        public=public,
        data=data or {},
        actor_id=actor_id,
        created_at=created_at or timezone.now(),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_SQL,
            [
                case_id,
                kind,
                transition,
                from_state,
                to_state,
                text,
                public,
                connection.ops.adapt_json_value(event.data, None),
                actor_id,
                connection.ops.adapt_datetimefield_value(event.created_at),
            ],
        )
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias
    return event
