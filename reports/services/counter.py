"""Counter visits (appointments) in: batches from the appointment system (API, CSV).

Derived when written, never taken from input: ``wait_seconds`` (called − scheduled start in whole seconds, the
fraction dropped; an early start is 0; none while not called) and ``lead_working_days`` (working days after the
booking's Brussels date up to and including the scheduled start's: booked and scheduled the same day is 0, Friday for
Monday is 1; a booking after the scheduled start is 0).
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.utils.translation import gettext as _

from cases.calendar import working_days_between
from contacts.models import Channel, Source

from ..models import CounterCluster, CounterVisit
from . import Errors, ImportCounts, Importer, choice_column, moment_column, moment_errors, text_column

SECOND = timedelta(seconds=1)
KEY_MAX_LENGTH = CounterVisit._meta.get_field("key").max_length
CLUSTER_MAX_LENGTH = CounterCluster._meta.get_field("code").max_length
CHANNELS = frozenset(Channel.values)
SOURCES = frozenset(Source.values)


def visit_wait_seconds(scheduled_start: datetime, called_at: datetime | None) -> int | None:
    return None if called_at is None else max(0, (called_at - scheduled_start) // SECOND)


class VisitImporter(Importer):
    model = CounterVisit
    columns = {
        "key": text_column(KEY_MAX_LENGTH, required=True),
        "cluster": text_column(CLUSTER_MAX_LENGTH, required=True),
        "booked_at": moment_column(required=True),
        "scheduled_start": moment_column(required=True),
        "called_at": moment_column(),
        "booking_channel": choice_column(Channel),
        "booking_source": choice_column(Source, default=Source.STAFF),
        "started_at": moment_column(),
    }
    content_fields = (
        "cluster_id",
        "booked_at",
        "scheduled_start",
        "called_at",
        "booking_channel",
        "booking_source",
        "started_at",
    )
    moment_fields = ("booked_at", "scheduled_start", "called_at", "started_at")

    def __init__(self):
        super().__init__()
        self.clusters = dict(CounterCluster.objects.values_list("code", "pk"))

    def check(self, values: dict[str, Any]) -> Errors:
        errors = moment_errors(values, self.moment_fields, self.earliest)
        cluster_id = self.clusters.get(values["cluster"])
        if cluster_id is None:
            errors["cluster"] = [
                _("There is no counter cluster with the code “{code}”.").format(code=values["cluster"])
            ]
        values["cluster_id"] = cluster_id
        if values["booking_channel"] not in CHANNELS:
            errors["booking_channel"] = [_("Not a channel.")]
        if values["booking_source"] not in SOURCES:
            errors["booking_source"] = [_("Not a source.")]
        started_at = values["started_at"]
        comparable = started_at is not None and "started_at" not in errors and "booked_at" not in errors
        if comparable and started_at > values["booked_at"]:
            errors["started_at"] = [_("The conversation cannot have started after the booking.")]
        return errors

    def build(self, values: dict[str, Any]) -> dict[str, Any]:
        return {
            "key": values["key"],
            "cluster_id": values["cluster_id"],
            "booked_at": values["booked_at"],
            "scheduled_start": values["scheduled_start"],
            "called_at": values["called_at"],
            "booking_channel": values["booking_channel"],
            "booking_source": values["booking_source"],
            "started_at": values["started_at"],
            "wait_seconds": visit_wait_seconds(values["scheduled_start"], values["called_at"]),
            "lead_working_days": working_days_between(values["booked_at"], values["scheduled_start"]),
        }


def visits_import(*, records: Iterable[Mapping[str, Any]]) -> ImportCounts:
    """A batch of counter visits (all or nothing; idempotent by ``key``)."""
    return VisitImporter().import_records(records)
