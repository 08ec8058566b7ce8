"""KPIs of the counter's appointments (docs/reports.md).

``counter_wait`` puts a visit in the period (Brussels time) of its scheduled start, the moment the wait is about;
``appointment_lead_days`` puts it in the period of its booking, the moment the citizen asked for an appointment.
The derived values (``CounterVisit.wait_seconds``, ``lead_working_days``) are stored when a visit is written.
"""

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from ..models import CounterVisit
from ..periods import Period
from .base import Better, Figure, Filters, Kpi, Unit, figures, grouped_rows, register

# The wait is summed in seconds; the value is in minutes.
PER_MINUTE = Decimal(1) / Decimal(60)


def visits_scheduled_in(period: Period) -> QuerySet[CounterVisit]:
    return CounterVisit.objects.filter(scheduled_start__gte=period.start, scheduled_start__lt=period.end)


def visits_booked_in(period: Period, filters: Filters) -> QuerySet[CounterVisit]:
    """The visits booked in ``period``, through ``filters.channel`` (the booking channel) when given."""
    visits = CounterVisit.objects.filter(booked_at__gte=period.start, booked_at__lt=period.end)
    if filters.channel is not None:
        visits = visits.filter(booking_channel=filters.channel)
    return visits


def counter_wait(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    """Numerator: the waits of the visits called, in seconds (NULL for those not called: SUM leaves them out);
    denominator: the visits called. ``extra["not_called"]``: the visits scheduled but never called. By cluster,
    each row carries the cluster's norm (``extra["norm"]``)."""
    rows = grouped_rows(
        visits_scheduled_in(period),
        breakdown,
        {"cluster": "cluster__code"},
        "scheduled_start",
        carried={"norm": "cluster__norm_minutes"} if breakdown == "cluster" else None,
        numerator=Sum("wait_seconds"),
        denominator=Count("id", filter=Q(called_at__isnull=False)),
        not_called=Count("id", filter=Q(called_at__isnull=True)),
    )
    return figures(rows, breakdown=breakdown, extra_fields=("norm", "not_called"))


def appointment_lead_days(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    rows = grouped_rows(
        visits_booked_in(period, filters),
        breakdown,
        {"cluster": "cluster__code", "channel": "booking_channel"},
        "booked_at",
        numerator=Sum("lead_working_days"),
        denominator=Count("id"),
    )
    return figures(rows, breakdown=breakdown)


register(
    Kpi(
        code="counter_wait",
        name=_("Wait at the counter"),
        definition=_(
            "Average minutes from an appointment's scheduled start to its actual start (called), an early start "
            "counting as 0, of the appointments called whose scheduled start lies in the period. Each counter "
            "cluster has its own norm (broken down by cluster); the whole has none."
        ),
        unit=Unit.MINUTES,
        better=Better.LOWER,
        compute=counter_wait,
        breakdowns=("cluster", "quarter", "month"),
        scale=PER_MINUTE,
    )
)
register(
    Kpi(
        code="appointment_lead_days",
        name=_("Lead time of appointments"),
        definition=_(
            "Average working days from booking an appointment to its scheduled day, of the appointments booked in "
            "the period."
        ),
        unit=Unit.WORKING_DAYS,
        better=Better.LOWER,
        compute=appointment_lead_days,
        norm=Decimal(5),
        breakdowns=("cluster", "channel", "quarter", "month"),
        filters=frozenset({"channel"}),
    )
)
