"""KPIs of the contact centre's telephony (docs/reports.md).

A call belongs to the period (Brussels time) in which it was offered. Only calls offered inside the queue's
opening hours (``CallRecord.inside_hours``, derived when the record is written) count as answered or missed; the
calls offered outside them are reported on their own, by ``calls_outside_hours``.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum, Value
from django.utils.translation import gettext_lazy as _

from .. import rollups
from ..models import CallDay, CallRecord
from ..periods import Period
from .base import DAY, Better, Figure, Filters, Kpi, Unit, figures, grouped_rows, register, summed

PERCENT = Decimal(100)
PLACES = Decimal("0.01")
BREAKDOWNS = ("queue", "quarter", "month")
FIELDS = {"queue": "queue__code"}
# The wait buckets of answered calls in whole seconds, both bounds included (None: no upper bound).
WAIT_BUCKETS = ((0, 30), (31, 60), (61, 90), (91, 120), (121, 300), (301, None))
# Each bucket's count of answered calls in ``CallDay``.
BUCKET_FIELDS = ("wait_0_30", "wait_31_60", "wait_61_90", "wait_91_120", "wait_121_300", "wait_301")


# The breakdown's key is named ``group``: ``key`` is a field of CallRecord and CounterVisit (their idempotency
# key), which ``base.grouped`` cannot annotate over.
def calls_in(period: Period) -> QuerySet[CallRecord]:
    """The calls offered in ``period`` (Brussels time), inside or outside opening hours."""
    return CallRecord.objects.filter(offered_at__gte=period.start, offered_at__lt=period.end)


def answered_inside_hours(period: Period) -> QuerySet[CallRecord]:
    return calls_in(period).filter(inside_hours=True, answered_at__isnull=False)


def call_days(period: Period, **conditions) -> QuerySet[CallDay]:
    """The daily rollup of the calls of ``period`` (reports/rollups.py), refreshed first."""
    rollups.refresh(rollups.CALLS.source)
    return CallDay.objects.filter(day__gte=period.first, day__lte=period.last, **conditions)


def call_wait_avg(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    if rollups.enabled():
        calls, time_field, answered = call_days(period, inside_hours=True, answered__gt=0), DAY, summed("answered")
    else:
        calls, time_field, answered = answered_inside_hours(period), "offered_at", Count("id")
    rows = grouped_rows(calls, breakdown, FIELDS, time_field, numerator=Sum("wait_seconds"), denominator=answered)
    return figures(rows, breakdown=breakdown)


def bucket_label(low: int, high: int | None) -> str:
    """``0-30`` … ``121-300``, and ``300+`` for the open bucket (301 s and longer)."""
    return f"{low - 1}+" if high is None else f"{low}-{high}"


def _bucket_filter(low: int, high: int | None) -> Q:
    condition = Q(wait_seconds__gte=low)
    return condition if high is None else condition & Q(wait_seconds__lte=high)


def call_wait_buckets(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    """One query: the answered calls and, with ``Count(filter=…)``, those in each bucket; the value is the share
    in the first bucket, ``extra["buckets"]`` lists all six with their count and share (percent, two decimals)."""
    # The first bucket's count is the numerator.
    names = ["numerator", *(f"bucket_{index}" for index in range(1, len(WAIT_BUCKETS)))]
    bounds = dict(zip(names, WAIT_BUCKETS, strict=True))
    if rollups.enabled():
        calls, time_field, answered = call_days(period, inside_hours=True, answered__gt=0), DAY, summed("answered")
        counts = {name: summed(field) for name, field in zip(names, BUCKET_FIELDS, strict=True)}
    else:
        calls, time_field, answered = answered_inside_hours(period), "offered_at", Count("id")
        counts = {name: Count("id", filter=_bucket_filter(low, high)) for name, (low, high) in bounds.items()}
    rows = grouped_rows(calls, breakdown, FIELDS, time_field, denominator=answered, **counts)
    result = []
    for row, figure in zip(rows, figures(rows, breakdown=breakdown), strict=True):
        buckets = [
            {
                "label": bucket_label(low, high),
                "from_seconds": low,
                "to_seconds": high,
                "count": row[name],
                "share": _share(row[name], figure.denominator),
            }
            for name, (low, high) in bounds.items()
        ]
        result.append(Figure(figure.numerator, figure.denominator, figure.key, {"buckets": buckets}))
    return result


def _share(count: int, total: int | None) -> Decimal | None:
    if not total:
        return None
    return (Decimal(count) / Decimal(total) * PERCENT).quantize(PLACES, rounding=ROUND_HALF_UP)


def calls_missed_share(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    if rollups.enabled():
        calls, time_field = call_days(period, inside_hours=True), DAY
        aggregates = {"numerator": summed("abandoned"), "denominator": summed("calls")}
    else:
        calls, time_field = calls_in(period).filter(inside_hours=True), "offered_at"
        aggregates = {"numerator": Count("id", filter=Q(abandoned=True)), "denominator": Count("id")}
    return figures(grouped_rows(calls, breakdown, FIELDS, time_field, **aggregates), breakdown=breakdown)


def calls_outside_hours(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    """A count: the numerator is the calls offered outside opening hours, the denominator 1 when the period (or
    the breakdown's key) has any call at all, else NULL — no call records at all is "no data", not 0."""
    if rollups.enabled():
        calls, time_field = call_days(period), DAY
        outside = summed("calls", Q(inside_hours=False))
    else:
        calls, time_field, outside = calls_in(period), "offered_at", Count("id", filter=Q(inside_hours=False))
    rows = grouped_rows(calls, breakdown, FIELDS, time_field, numerator=outside, denominator=Max(Value(1)))
    return figures(rows, breakdown=breakdown)


register(
    Kpi(
        code="call_wait_avg",
        name=_("Average wait of answered calls"),
        definition=_(
            "Average wait of the calls answered that were offered inside the queue's opening hours; a wait is "
            "answered − offered in whole seconds (the fraction dropped). The norm, under 45 seconds, is met at "
            "44.99 seconds or less."
        ),
        unit=Unit.SECONDS,
        better=Better.LOWER,
        compute=call_wait_avg,
        # "< 45 s": the status is met when value ≤ norm, and the value has two decimals.
        norm=Decimal("44.99"),
        breakdowns=BREAKDOWNS,
    )
)
register(
    Kpi(
        code="call_wait_buckets",
        name=_("Calls answered within 30 seconds"),
        definition=_(
            "Share of the calls answered (offered inside opening hours) by wait in whole seconds: 0–30, 31–60, "
            "61–90, 91–120, 121–300 and over 300 seconds, each upper bound included. The value is the share "
            "answered within 0–30 seconds."
        ),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        compute=call_wait_buckets,
        norm=Decimal(70),
        breakdowns=BREAKDOWNS,
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="calls_missed_share",
        name=_("Missed calls"),
        definition=_(
            "Calls abandoned by the caller before an answer ÷ calls offered, both inside the queue's opening hours."
        ),
        unit=Unit.PERCENT,
        better=Better.LOWER,
        compute=calls_missed_share,
        norm=Decimal(20),
        breakdowns=BREAKDOWNS,
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="calls_outside_hours",
        name=_("Calls outside opening hours"),
        definition=_(
            "Number of calls offered outside the queue's opening hours (closing days included). They count as "
            "neither answered nor missed in the other telephony KPIs."
        ),
        unit=Unit.COUNT,
        better=Better.LOWER,
        compute=calls_outside_hours,
        breakdowns=BREAKDOWNS,
    )
)
