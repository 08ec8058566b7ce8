"""Data in for the reports: call records and live events from the telephony system (scope ``telephony``), counter
visits from the appointment system (scope ``counter``), the previous system's cases and contacts (scope ``history``).
One record or a list per request, all or nothing."""

from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from midoffice.parsers import JSONParser
from public.auth import HasScope, ServiceClientAuthentication
from public.models import Scope

from .serializers_data import (
    MAX_RECORDS,
    CallRecordInSerializer,
    CounterVisitInSerializer,
    HistoryCaseInSerializer,
    HistoryContactInSerializer,
    ImportCountsSerializer,
    TelephonyEventSerializer,
    records_error,
    validated_records,
)
from .services import RecordsInvalid
from .services.counter import visits_import
from .services.history import history_contacts_import, history_import
from .services.telephony import calls_import, telephony_events_record

BATCH = (
    f"One record (an object) or a list of at most {MAX_RECORDS}, all or nothing: when one is refused, nothing is "
    "stored and 400 answers `records`, the errors of each bad record by its index in the list (`0` for a single "
    'object), e.g. `{"records": {"3": {"answered_at": ["…"]}}}`. Timestamps need their UTC offset. Idempotent: '
    "a record whose key was stored before with the same content is skipped and counted in `duplicates`, so a "
    "batch sent again stores nothing twice; the same key with other content is an error of that record. "
)


def _batch(component: str, serializer_class) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name=component,
        serializers=[serializer_class, serializer_class(many=True)],
        resource_type_field_name=None,
        many=False,
    )


class _DataApi(GenericAPIView):
    authentication_classes = [ServiceClientAuthentication]
    parser_classes = [JSONParser]
    serializer_class = CallRecordInSerializer

    def _store(self, request, service):
        records = validated_records(self.serializer_class, request.data)
        try:
            counts = service(records)
        except RecordsInvalid as exc:
            raise records_error(exc.errors) from exc
        return Response(ImportCountsSerializer(counts).data, status=status.HTTP_201_CREATED)


class CallRecordsApi(_DataApi):
    permission_classes = [HasScope(Scope.TELEPHONY)]
    serializer_class = CallRecordInSerializer

    @extend_schema(
        operation_id="reports_calls_create",
        summary="Send call records",
        description="For the telephony system (service clients with the scope `telephony`): calls offered to a "
        "queue, known by the queue's code. "
        + BATCH
        + "Refused: an unknown queue, an answer or an end before the offer, an end before the answer, an abandoned "
        "call with an answer. Derived, not sent: whether the call came inside the queue's opening hours "
        "(Brussels time, not on a public holiday or closing day) and the wait in whole seconds.",
        request=_batch("CallRecordBatch", CallRecordInSerializer),
        responses={201: ImportCountsSerializer},
        examples=[
            OpenApiExample(
                "One answered call",
                request_only=True,
                value={
                    "key": "call-20260302-0001",
                    "queue": "kcc",
                    "caller_number": "+3293001234",
                    "offered_at": "2026-03-02T08:59:30+01:00",
                    "answered_at": "2026-03-02T09:00:05+01:00",
                    "ended_at": "2026-03-02T09:04:40+01:00",
                    "abandoned": False,
                    "agent": "jpeeters",
                },
            )
        ],
    )
    def post(self, request):
        return self._store(request, lambda records: calls_import(records=records))


class TelephonyEventsApi(_DataApi):
    permission_classes = [HasScope(Scope.TELEPHONY)]
    serializer_class = TelephonyEventSerializer

    @extend_schema(
        operation_id="reports_telephony_events_create",
        summary="Send live telephony events",
        description="For the telephony system (scope `telephony`): `new_call` (with its queue), `answered` (with "
        "the agent) and `hang_up`, per call id. They build the call record whose key is the call id: `new_call` "
        "makes it, `answered` sets the answer and the wait, `hang_up` the end and, when never answered, "
        "`abandoned`. An event arriving before its `new_call` is kept and applied when the `new_call` comes. One "
        "event of each kind per call id: an event sent again changes nothing (`duplicates`). A call sent as a call "
        "record takes no events. One event or a list, all or nothing: 400 answers the errors of each bad event by "
        "its index under `records`; `created` counts the events stored.",
        request=_batch("TelephonyEventBatch", TelephonyEventSerializer),
        responses={201: ImportCountsSerializer},
    )
    def post(self, request):
        return self._store(request, lambda events: telephony_events_record(events=events))


class CounterVisitsApi(_DataApi):
    permission_classes = [HasScope(Scope.COUNTER)]
    serializer_class = CounterVisitInSerializer

    @extend_schema(
        operation_id="reports_visits_create",
        summary="Send counter visits",
        description="For the appointment system (service clients with the scope `counter`): appointments at a "
        "counter cluster, known by its code. "
        + BATCH
        + "Refused: an unknown cluster, a conversation `started_at` after `booked_at`. Derived, not sent: the wait "
        "after the scheduled start in whole seconds (an early start is 0) and the lead time in working days from "
        "booking to the scheduled day.",
        request=_batch("CounterVisitBatch", CounterVisitInSerializer),
        responses={201: ImportCountsSerializer},
    )
    def post(self, request):
        return self._store(request, lambda records: visits_import(records=records))


HISTORY = (
    "Imported once, so that the reports' figures of a year earlier work from the first day; larger volumes go "
    "through `manage.py import_history` or the admin's CSV import. "
)


class HistoryCasesApi(_DataApi):
    permission_classes = [HasScope(Scope.HISTORY)]
    serializer_class = HistoryCaseInSerializer

    @extend_schema(
        operation_id="reports_history_cases_create",
        summary="Send cases of the previous system",
        description="For the migration from the previous system (service clients with the scope `history`): its "
        "final cases, known by the previous system's id (`key`). "
        + HISTORY
        + BATCH
        + "An imported case is never work (final states only: `closed`, `rejected`, `cancelled`, and `resolved` "
        "while its reopen window runs), is routed to no one (the handler group named, else the case type's default "
        "group, else the KCC; no assignee) and notifies no one. Refused: an unknown case type or handler group; "
        "moments in the future or out of order (registered ≤ decided ≤ resolved ≤ closed); the milestones a state "
        "needs missing; a wait before the admissibility decision, overlapping the one before it or ending after "
        "the resolution (or, without one, the closing); a rejected case with waits; invalid identifiers, or a "
        "national number with an enterprise number. Derived, not sent: the due date, the paused days and the "
        "durations, as the live workflow computes them, and the case's timeline. The content compared for "
        "`duplicates`: type, handler group, channel, state, the four moments and the days waited.",
        request=_batch("HistoryCaseBatch", HistoryCaseInSerializer),
        responses={201: ImportCountsSerializer},
        examples=[
            OpenApiExample(
                "A closed case that waited once",
                request_only=True,
                value={
                    "key": "OUD-2025-000123",
                    "case_type": "melding",
                    "channel": "phone",
                    "state": "closed",
                    "handler_group": "Openbaar Domein",
                    "registered_at": "2025-03-03T10:00:00+01:00",
                    "admissibility_decided_at": "2025-03-05T09:00:00+01:00",
                    "waiting": [{"from": "2025-03-06T10:00:00+01:00", "to": "2025-03-10T09:00:00+01:00"}],
                    "resolved_at": "2025-03-12T15:00:00+01:00",
                    "closed_at": "2025-03-26T10:00:00+01:00",
                    "email": "an.peeters@example.be",
                },
            )
        ],
    )
    def post(self, request):
        return self._store(request, history_import)


class HistoryContactsApi(_DataApi):
    permission_classes = [HasScope(Scope.HISTORY)]
    serializer_class = HistoryContactInSerializer

    @extend_schema(
        operation_id="reports_history_contacts_create",
        summary="Send contacts of the previous system",
        description="For the migration from the previous system (scope `history`): its contacts, known by the "
        "previous system's id (`key`); send the cases first, a contact names its case by `case_key`. "
        + HISTORY
        + BATCH
        + "Checked as a contact logged live (channel, source, direction and outcome, a subject, not in the future); "
        "refused besides: a `case_key` no imported case has, the outcome `case_created` without a `case_key`, "
        "invalid identifiers. Its party is found by party resolution of the identifiers; without identifiers, a "
        "contact that names a case is the case's party's, otherwise anonymous. No handler, no notification. The "
        "content compared for `duplicates`: channel, source, direction, time, subject, outcome and guided.",
        request=_batch("HistoryContactBatch", HistoryContactInSerializer),
        responses={201: ImportCountsSerializer},
    )
    def post(self, request):
        return self._store(request, history_contacts_import)
