"""Call records in: batches from the telephony system (API, CSV) and its live events, which build the same records.

Derived when written, never taken from input: ``inside_hours`` (offered, in Brussels local time, inside one of the
queue's opening intervals of that weekday, ``opens`` ≤ time < ``closes``, on a day that is no public holiday or
closing day) and ``wait_seconds`` (answered − offered in whole seconds, the fraction dropped).
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from cases.calendar import BRUSSELS, is_holiday_or_closing_day

from ..models import CallRecord, OpeningInterval, Queue, TelephonyEvent
from . import (
    Errors,
    ImportCounts,
    Importer,
    RecordsInvalid,
    earliest_moment,
    flag_column,
    moment_column,
    moment_errors,
    text_column,
)

SECOND = timedelta(seconds=1)
KEY_MAX_LENGTH = CallRecord._meta.get_field("key").max_length
CALLER_MAX_LENGTH = CallRecord._meta.get_field("caller_number").max_length
AGENT_MAX_LENGTH = CallRecord._meta.get_field("agent").max_length
QUEUE_MAX_LENGTH = Queue._meta.get_field("code").max_length
Kind = TelephonyEvent.Kind


class QueueSchedule:
    """A queue's weekly opening hours, read once per batch: weekday → its (opens, closes) intervals."""

    def __init__(self, queue_id: int, intervals: Iterable[OpeningInterval]):
        self.queue_id = queue_id
        by_weekday: dict[int, list[tuple[time, time]]] = defaultdict(list)
        for interval in intervals:
            by_weekday[interval.weekday].append((interval.opens, interval.closes))
        self.intervals = {weekday: tuple(spans) for weekday, spans in by_weekday.items()}

    def is_open(self, local: datetime) -> bool:
        moment = local.time()
        return any(opens <= moment < closes for opens, closes in self.intervals.get(local.weekday(), ()))


def queue_schedules() -> dict[str, QueueSchedule]:
    """Every queue by its code, with its schedule (two queries)."""
    return {
        queue.code: QueueSchedule(queue.pk, queue.opening_intervals.all())
        for queue in Queue.objects.prefetch_related("opening_intervals")
    }


class ClosedDays:
    """Whether a day is a public holiday or a closing day, asked once per day of a batch."""

    def __init__(self):
        self.known: dict[date, bool] = {}

    def __contains__(self, day: date) -> bool:
        closed = self.known.get(day)
        if closed is None:
            closed = self.known[day] = is_holiday_or_closing_day(day)
        return closed


def call_inside_hours(schedule: QueueSchedule, offered_at: datetime, closed: ClosedDays) -> bool:
    local = offered_at.astimezone(BRUSSELS)
    return schedule.is_open(local) and local.date() not in closed


def call_wait_seconds(offered_at: datetime, answered_at: datetime | None) -> int | None:
    return None if answered_at is None else (answered_at - offered_at) // SECOND


def call_order_errors(
    offered_at: datetime | None, answered_at: datetime | None, ended_at: datetime | None, abandoned: bool
) -> Errors:
    """What the telephony system cannot have seen: an answer or an end before the offer, an end before the answer,
    an abandoned call that was answered. (Events may not know the offer yet: None.)"""
    errors: Errors = {}
    if offered_at is not None and answered_at is not None and answered_at < offered_at:
        errors["answered_at"] = [_("The call was answered before it was offered.")]
    if offered_at is not None and ended_at is not None and ended_at < offered_at:
        errors["ended_at"] = [_("The call ended before it was offered.")]
    elif ended_at is not None and answered_at is not None and ended_at < answered_at:
        errors["ended_at"] = [_("The call ended before it was answered.")]
    if abandoned and answered_at is not None:
        errors["abandoned"] = [_("An abandoned call cannot have been answered.")]
    return errors


def unknown_queue(code: str) -> list[str]:
    return [_("There is no telephony queue with the code “{code}”.").format(code=code)]


class CallImporter(Importer):
    model = CallRecord
    columns = {
        "key": text_column(KEY_MAX_LENGTH, required=True),
        "queue": text_column(QUEUE_MAX_LENGTH, required=True),
        "caller_number": text_column(CALLER_MAX_LENGTH),
        "offered_at": moment_column(required=True),
        "answered_at": moment_column(),
        "ended_at": moment_column(),
        "abandoned": flag_column(),
        "agent": text_column(AGENT_MAX_LENGTH),
    }
    content_fields = ("queue_id", "caller_number", "offered_at", "answered_at", "ended_at", "abandoned", "agent")
    moment_fields = ("offered_at", "answered_at", "ended_at")

    def __init__(self):
        super().__init__()
        self.queues = queue_schedules()
        self.closed = ClosedDays()

    def check(self, values: dict[str, Any]) -> Errors:
        errors = moment_errors(values, self.moment_fields, self.earliest)
        schedule = self.queues.get(values["queue"])
        if schedule is None:
            errors["queue"] = unknown_queue(values["queue"])
        else:
            values["queue_id"] = schedule.queue_id
        if not errors:
            errors = call_order_errors(
                values["offered_at"], values["answered_at"], values["ended_at"], values["abandoned"]
            )
        return errors

    def build(self, values: dict[str, Any]) -> dict[str, Any]:
        offered_at, answered_at = values["offered_at"], values["answered_at"]
        return {
            "key": values["key"],
            "queue_id": values["queue_id"],
            "caller_number": values["caller_number"],
            "offered_at": offered_at,
            "answered_at": answered_at,
            "ended_at": values["ended_at"],
            "abandoned": values["abandoned"],
            "agent": values["agent"],
            "inside_hours": call_inside_hours(self.queues[values["queue"]], offered_at, self.closed),
            "wait_seconds": call_wait_seconds(offered_at, answered_at),
        }


def calls_import(*, records: Iterable[Mapping[str, Any]]) -> ImportCounts:
    """A batch of call records (all or nothing; idempotent by ``key``)."""
    return CallImporter().import_records(records)


# --- Live events --------------------------------------------------------------------------------------------------

_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext(k)) FROM (SELECT unnest(%s::text[]) AS k ORDER BY 1) AS keys"


def _lock_calls(call_ids: Sequence[str]) -> None:
    """Events of one call are applied one request at a time (PostgreSQL; SQLite writes one at a time anyway):
    otherwise two requests could each rebuild the record without the other's event."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_LOCK_SQL, [[f"reports.call:{call_id}" for call_id in call_ids]])


def _event_errors(
    event: TelephonyEvent,
    queue_code: str,
    queues: Mapping[str, QueueSchedule],
    known: Mapping[str, TelephonyEvent],
    record: CallRecord | None,
) -> Errors:
    errors = moment_errors({"at": event.at}, ["at"], earliest_moment())
    if queue_code:
        schedule = queues.get(queue_code)
        if schedule is None:
            errors["queue"] = unknown_queue(queue_code)
        else:
            event.queue_id = schedule.queue_id
    elif event.kind == Kind.NEW_CALL:
        errors["queue"] = [_("A new call needs its queue.")]
    if record is not None and Kind.NEW_CALL not in known:
        errors["call_id"] = [_("This call was sent as a call record, not as events: send its changes that way.")]
    if errors:
        return errors
    at = {kind: other.at for kind, other in known.items()} | {event.kind: event.at}
    order = call_order_errors(at.get(Kind.NEW_CALL), at.get(Kind.ANSWERED), at.get(Kind.HANG_UP), abandoned=False)
    if order:
        errors["at"] = [message for messages in order.values() for message in messages]
    return errors


def _call_from_events(
    call_id: str,
    events: Mapping[str, TelephonyEvent],
    record: CallRecord | None,
    schedules: Mapping[int, QueueSchedule],
    closed: ClosedDays,
) -> None:
    """The call record as its events tell it; nothing before its ``new_call`` has arrived."""
    new_call = events.get(Kind.NEW_CALL)
    if new_call is None:
        return
    answered, hang_up = events.get(Kind.ANSWERED), events.get(Kind.HANG_UP)
    record = record or CallRecord(key=call_id)
    record.queue_id = new_call.queue_id
    record.caller_number = next((e.caller_number for e in (new_call, answered, hang_up) if e and e.caller_number), "")
    record.offered_at = new_call.at
    record.answered_at = answered.at if answered else None
    record.ended_at = hang_up.at if hang_up else None
    record.abandoned = hang_up is not None and answered is None
    record.agent = (answered.agent or (hang_up.agent if hang_up else "")) if answered else ""
    record.inside_hours = call_inside_hours(schedules[record.queue_id], record.offered_at, closed)
    record.wait_seconds = call_wait_seconds(record.offered_at, record.answered_at)
    record.save()


@transaction.atomic
def telephony_events_record(*, events: Sequence[Mapping[str, Any]]) -> ImportCounts:
    """Live events (``new_call``, ``answered``, ``hang_up``), each stored once per call id and kind (an event sent
    again changes nothing), and the call record they build (key = call id): ``new_call`` makes it (offered at its
    moment, in its queue), ``answered`` sets the answer and the wait, ``hang_up`` the end and, when the call was
    never answered, ``abandoned``. An event that arrives before its ``new_call`` is kept and applied when it comes.
    All or nothing, like a batch of records."""
    queues = queue_schedules()
    call_ids = sorted({event["call_id"] for event in events})
    _lock_calls(call_ids)
    known: dict[str, dict[str, TelephonyEvent]] = defaultdict(dict)
    for stored in TelephonyEvent.objects.filter(call_id__in=call_ids):
        known[stored.call_id][stored.kind] = stored
    records = {record.key: record for record in CallRecord.objects.filter(key__in=call_ids)}
    errors: dict[int, Errors] = {}
    new: list[TelephonyEvent] = []
    duplicates = 0
    for index, data in enumerate(events):
        call_id, kind = data["call_id"], data["kind"]
        if kind in known[call_id]:
            duplicates += 1
            continue
        event = TelephonyEvent(
            call_id=call_id,
            kind=kind,
            at=data["at"],
            caller_number=data.get("caller_number", ""),
            agent=data.get("agent", ""),
        )
        event_errors = _event_errors(event, data.get("queue") or "", queues, known[call_id], records.get(call_id))
        if event_errors:
            errors[index] = event_errors
            continue
        known[call_id][kind] = event
        new.append(event)
    if errors:
        raise RecordsInvalid(errors)
    TelephonyEvent.objects.bulk_create(new)
    schedules = {schedule.queue_id: schedule for schedule in queues.values()}
    closed = ClosedDays()
    for call_id in sorted({event.call_id for event in new}):
        _call_from_events(call_id, known[call_id], records.get(call_id), schedules, closed)
    return ImportCounts(created=len(new), duplicates=duplicates)
