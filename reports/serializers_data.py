"""The shape of the data integrators send: call records, telephony events and counter visits, one or a list; and
the previous system's cases and contacts (its history)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from cases.models import CaseType, HandlerGroup
from contacts.models import Channel, Contact, Direction, Outcome, Source
from midoffice.serializers import AwareDateTimeField, CleanCharField, Serializer

from .models import CallRecord, CounterCluster, CounterVisit, Queue, TelephonyEvent
from .services.history import DESCRIPTION_MAX_LENGTH, KEY_MAX_LENGTH, FinalState

# Records per request: larger volumes go through the CSV import (manage.py import_calls / import_visits, the admin).
MAX_RECORDS = 5000
KEY_HELP = (
    "Your own unique id of the record (idempotency key): a record sent again with the same content is skipped and "
    "counted as a duplicate; the same key with other content is refused."
)


def _length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


class CallRecordInSerializer(Serializer):
    """One call offered to a queue, as the telephony system recorded it."""

    key = CleanCharField(max_length=_length(CallRecord, "key"), help_text=KEY_HELP + " The telephony system's call id.")
    queue = CleanCharField(max_length=_length(Queue, "code"), help_text="The queue's code (admin: telephony queues).")
    caller_number = CleanCharField(max_length=_length(CallRecord, "caller_number"), allow_blank=True, default="")
    offered_at = AwareDateTimeField(help_text="When the call reached the queue.")
    answered_at = AwareDateTimeField(
        allow_null=True, default=None, help_text="When an agent answered; not before `offered_at`."
    )
    ended_at = AwareDateTimeField(allow_null=True, default=None, help_text="Not before `offered_at` nor the answer.")
    abandoned = serializers.BooleanField(default=False, help_text="The caller hung up before an answer.")
    agent = CleanCharField(max_length=_length(CallRecord, "agent"), allow_blank=True, default="")


class TelephonyEventSerializer(Serializer):
    """One live event of a call."""

    call_id = CleanCharField(
        max_length=_length(TelephonyEvent, "call_id"),
        help_text="The telephony system's call id: the call record's key. One event of each kind per call id: an "
        "event sent again changes nothing.",
    )
    kind = serializers.ChoiceField(choices=TelephonyEvent.Kind.choices)
    at = AwareDateTimeField(help_text="When it happened.")
    queue = CleanCharField(
        max_length=_length(Queue, "code"),
        allow_blank=True,
        default="",
        help_text="The queue's code: required for `new_call`.",
    )
    caller_number = CleanCharField(max_length=_length(TelephonyEvent, "caller_number"), allow_blank=True, default="")
    agent = CleanCharField(
        max_length=_length(TelephonyEvent, "agent"), allow_blank=True, default="", help_text="Who answered."
    )


class CounterVisitInSerializer(Serializer):
    """One appointment at a counter cluster."""

    key = CleanCharField(max_length=_length(CounterVisit, "key"), help_text=KEY_HELP + " The appointment's id.")
    cluster = CleanCharField(
        max_length=_length(CounterCluster, "code"), help_text="The counter cluster's code (admin: counter clusters)."
    )
    booked_at = AwareDateTimeField(help_text="When the appointment was made.")
    scheduled_start = AwareDateTimeField(help_text="The appointment's time.")
    called_at = AwareDateTimeField(
        allow_null=True, default=None, help_text="When the citizen was called to the counter (the actual start)."
    )
    booking_channel = serializers.ChoiceField(choices=Channel.choices)
    booking_source = serializers.ChoiceField(choices=Source.choices, default=Source.STAFF)
    started_at = AwareDateTimeField(
        allow_null=True,
        default=None,
        help_text="When the conversation that booked it began (the virtual assistant's): not after `booked_at`.",
    )


class ImportCountsSerializer(Serializer):
    """What a batch stored."""

    created = serializers.IntegerField(help_text="Records (events) stored now.")
    duplicates = serializers.IntegerField(help_text="Sent before with the same content: skipped.")


def validated_records(serializer_class: type[Serializer], data: Any) -> list[dict[str, Any]]:
    """One record (an object) or several (a list); the errors of bad ones under ``records``, by index (a single
    object is index 0)."""
    if not isinstance(data, list):
        serializer = serializer_class(data=data)
        if not serializer.is_valid():
            raise ValidationError({"records": {"0": serializer.errors}})
        return [serializer.validated_data]
    if not data:
        raise ValidationError({"records": [_("Send at least one record.")]})
    if len(data) > MAX_RECORDS:
        message = _("Send at most %(count)d records at a time (more in a CSV import).") % {"count": MAX_RECORDS}
        raise ValidationError({"records": [message]})
    serializer = serializer_class(data=data, many=True)
    if not serializer.is_valid():
        # By index: a dict of the bad ones (DRF ≥ 3.16) or a list with an empty dict for each good one.
        errors = serializer.errors
        items = errors.items() if isinstance(errors, dict) else enumerate(errors)
        bad = {str(index): record_errors for index, record_errors in items if record_errors}
        raise ValidationError({"records": bad})
    return serializer.validated_data


def records_error(errors: dict[int, dict[str, list[str]]]) -> ValidationError:
    """The service's bad records, shaped as the API's."""
    return ValidationError({"records": {str(index): record_errors for index, record_errors in errors.items()}})


# --- The history of the previous system (scope ``history``) ------------------------------------------------------

HISTORY_KEY_HELP = (
    "The previous system's id of the record (idempotency key): sent again with the same content it is skipped and "
    "counted as a duplicate; the same key with other content is refused."
)
IDENTIFIERS_HELP = "The party is found (or created) by party resolution, as for any contact."

WaitInSerializer = type(
    "WaitInSerializer",
    (Serializer,),
    {
        "__doc__": "A wait for the citizen: the case was suspended at `from` and resumed at `to`.",
        "__module__": __name__,
        "from": AwareDateTimeField(help_text="When the case was suspended: at or after the admissibility decision."),
        "to": AwareDateTimeField(help_text="When it resumed: after `from`, by the resolution (else the closing)."),
    },
)


class _IdentifiersMixin(Serializer):
    national_number = CleanCharField(max_length=20, allow_blank=True, default="", help_text=IDENTIFIERS_HELP)
    enterprise_number = CleanCharField(
        max_length=20, allow_blank=True, default="", help_text="An organisation's; not with a national number."
    )
    email = CleanCharField(max_length=254, allow_blank=True, default="")


class HistoryCaseInSerializer(_IdentifiersMixin):
    """One final case of the previous system, with its milestones and waits."""

    key = CleanCharField(max_length=KEY_MAX_LENGTH, help_text=HISTORY_KEY_HELP)
    case_type = CleanCharField(
        max_length=_length(CaseType, "code"), help_text="The case type's code (inactive types are accepted)."
    )
    channel = serializers.ChoiceField(choices=Channel.choices)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.STAFF, help_text="The intake source.")
    handler_group = CleanCharField(
        max_length=_length(HandlerGroup, "name"),
        allow_blank=True,
        default="",
        help_text="The handler group's name; empty: the case type's default group, else the KCC.",
    )
    state = serializers.ChoiceField(
        choices=FinalState.choices,
        help_text="Final states only; `resolved` only while its reopen window runs (then the hourly close closes it).",
    )
    registered_at = AwareDateTimeField()
    admissibility_decided_at = AwareDateTimeField(
        allow_null=True, default=None, help_text="Empty: the rejection's or the resolution's time, as the workflow."
    )
    resolved_at = AwareDateTimeField(allow_null=True, default=None, help_text="Required for resolved and closed.")
    closed_at = AwareDateTimeField(
        allow_null=True, default=None, help_text="Required for closed, rejected and cancelled; not for resolved."
    )
    waiting = WaitInSerializer(many=True, default=list, help_text="The waits for the citizen, in order.")
    description = CleanCharField(max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, default="")

    def validate_waiting(self, waits: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
        """As the service takes them: (from, to) pairs."""
        return [(wait["from"], wait["to"]) for wait in waits]


class HistoryContactInSerializer(_IdentifiersMixin):
    """One contact of the previous system."""

    key = CleanCharField(max_length=KEY_MAX_LENGTH, help_text=HISTORY_KEY_HELP)
    channel = serializers.ChoiceField(choices=Channel.choices)
    source = serializers.ChoiceField(choices=Source.choices, default=Source.STAFF)
    direction = serializers.ChoiceField(choices=Direction.choices, default=Direction.INBOUND)
    occurred_at = AwareDateTimeField()
    subject = CleanCharField(max_length=_length(Contact, "subject"))
    summary = CleanCharField(max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=Outcome.choices, allow_blank=True, default="")
    guided = serializers.BooleanField(default=False, help_text="Guided through a digital channel.")
    case_key = CleanCharField(
        max_length=KEY_MAX_LENGTH,
        allow_blank=True,
        default="",
        help_text="The key of a case imported before (send the cases first): the contact is linked to it. Required "
        "for the outcome `case_created`.",
    )
