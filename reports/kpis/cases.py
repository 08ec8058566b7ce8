"""KPIs of cases and throughput (docs/reports.md).

The durations are read from the case, where ``cases.services.case_transition`` stores them when the milestone is
stamped (``admissibility_working_days``, ``resolution_days``): they depend on the working-day calendar and the days
the case waited for the citizen, which SQL cannot count portably. Paused days are excluded everywhere.

Every KPI takes the filters ``handler_group`` (id: the case's handler group), ``case_type`` (code) and ``channel``
(the case's channel); a handler group's key in a breakdown is its name, a case type's its code.
"""

from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby

from django.db.models import Avg, Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseKind, HandlerGroup
from cases.workflow import OPEN_STATES, CaseState
from contacts.models import Channel, Source
from notifications.models import Survey

from .. import rollups
from ..models import CaseDay
from ..periods import Period
from .base import DAY, GROUP, Better, Figure, Filters, Kpi, Unit, aggregate_rows, figures, grouped, register, summed

PERCENT = Decimal(100)
PLACES = Decimal("0.01")
ALL_FILTERS = frozenset({"handler_group", "case_type", "channel"})
FIELDS = {"case_type": "case_type__code", "handler_group": "handler_group__name", "channel": "channel"}
# The channels through which a citizen reaches the city digitally; with a source other than staff the intake came
# in without staff (the web form, the virtual assistant, an integration such as the e-mail import).
DIGITAL_CHANNELS = (
    Channel.WEBSITE,
    Channel.EMAIL,
    Channel.WHATSAPP,
    Channel.MESSENGER,
    Channel.CHAT,
    Channel.SOCIAL,
)


def case_filters(filters: Filters, prefix: str = "", *, group: str = "handler_group_id") -> Q:
    """The filters as a condition on cases (``prefix`` ``case__`` from a related row); ``group`` is the column the
    handler group filter compares with."""
    condition = Q()
    if filters.handler_group is not None:
        condition &= Q(**{prefix + group: filters.handler_group})
    if filters.case_type is not None:
        condition &= Q(**{prefix + "case_type__code": filters.case_type})
    if filters.channel is not None:
        condition &= Q(**{prefix + "channel": filters.channel})
    return condition


def in_period(field: str, period: Period) -> Q:
    """``field`` within ``period`` (Brussels time)."""
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def registered_in(period: Period, filters: Filters) -> QuerySet[Case]:
    return Case.objects.filter(in_period("registered_at", period), case_filters(filters))


def registered_days(period: Period, filters: Filters, breakdown: str | None) -> QuerySet[CaseDay] | None:
    """The daily rollup of the cases registered in ``period`` (reports/rollups.py), refreshed first, on
    ``filters.channel`` when given; None where it cannot answer (no rollups here, a filter or breakdown by handler
    group or case type): the KPI then reads the cases."""
    if not rollups.enabled() or filters.given() & {"handler_group", "case_type"}:
        return None
    if breakdown in ("handler_group", "case_type"):
        return None
    rollups.refresh(rollups.CASES.source)
    days = CaseDay.objects.filter(day__gte=period.first, day__lte=period.last)
    return days if filters.channel is None else days.filter(channel=filters.channel)


def resolved_in(period: Period, filters: Filters) -> QuerySet[Case]:
    """The cases whose (latest) resolution falls in ``period``; cancelled ones are no answer and left out."""
    return Case.objects.filter(in_period("resolved_at", period), case_filters(filters)).exclude(
        state=CaseState.CANCELLED
    )


def open_at(moment) -> Q:
    """Open at ``moment``, reconstructed from the stamped times so that a past period gives its own answer:
    registered before it, not resolved before it (or reopened after the resolution, before it), not closed,
    rejected or cancelled before it, and not waiting for the citizen since before it."""
    unresolved = (
        Q(resolved_at__isnull=True)
        | Q(resolved_at__gte=moment)
        | Q(reopened_at__gt=F("resolved_at"), reopened_at__lt=moment)
    )
    not_closed = Q(closed_at__isnull=True) | Q(closed_at__gte=moment)
    not_waiting = Q(paused_at__isnull=True) | Q(paused_at__gte=moment)
    return Q(registered_at__lt=moment) & unresolved & not_closed & not_waiting


def _rounded(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(PLACES, rounding=ROUND_HALF_UP)


def _any(field: str = "id") -> Least:
    """1 when there is a row, 0 when there is none: the denominator of a count, so that a period without any case
    is "no data" rather than 0."""
    return Least(Count(field), Value(1))


# --- the KPIs --------------------------------------------------------------------------------------------------


def admissibility_days(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    cases = Case.objects.filter(
        in_period("admissibility_decided_at", period),
        case_filters(filters),
        admissibility_working_days__isnull=False,
    )
    rows = aggregate_rows(
        grouped(cases, breakdown, FIELDS, "admissibility_decided_at"),
        breakdown,
        numerator=Sum("admissibility_working_days"),
        denominator=Count("id"),
    )
    return figures(rows, breakdown=breakdown)


def resolution_days(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    """Sum, count and median of ``resolution_days`` per key, from one query: the number of cases per key and per
    value (whole days: a frequency table of a few hundred rows at most, whatever the number of cases). The median is
    the middle value, or the mean of the two middle ones, of that distribution."""
    cases = resolved_in(period, filters).filter(resolution_days__isnull=False)
    keys = {}
    if breakdown is not None:
        keys[GROUP] = F(FIELDS[breakdown])
    if breakdown == "case_type":
        keys["norm"] = F("case_type__norm_days")  # each type against its own norm
    frequencies = cases.values(**keys, days=F("resolution_days")).annotate(cases=Count("id")).order_by(*keys, "days")
    result = []
    for key, rows in groupby(frequencies, key=lambda row: (row.get(GROUP), row.get("norm"))):
        distribution = [(row["days"], row["cases"]) for row in rows]
        extra = {"median": _rounded(_median(distribution))}
        if breakdown == "case_type":
            extra["norm"] = Decimal(key[1])
        total = sum(days * number for days, number in distribution)
        result.append(Figure(total, sum(number for _days, number in distribution), key[0], extra))
    if not result and breakdown is None:
        return [Figure(None, 0, None, {"median": None})]
    return result


def _median(distribution: list[tuple[int, int]]) -> float:
    """The median of the values of ``distribution`` ((value, how often), by value): the ((n + 1) ÷ 2)th value in
    integer division, and for an even n the mean of it and the next."""
    count = sum(number for _value, number in distribution)
    lower_position = (count + 1) // 2
    upper_position = lower_position if count % 2 else lower_position + 1
    seen, lower = 0, None
    for value, number in distribution:
        seen += number
        if lower is None and seen >= lower_position:
            lower = value
        if seen >= upper_position:
            return (lower + value) / 2.0
    raise ValueError("an empty distribution has no median")


def within_norm_share(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    cases = grouped(resolved_in(period, filters), breakdown, FIELDS, "resolved_at")
    rows = aggregate_rows(
        cases, breakdown, numerator=Count("id", filter=Q(resolved_at__lte=F("due_at"))), denominator=Count("id")
    )
    return figures(rows, breakdown=breakdown)


def open_overdue(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    """Among the cases registered before the end of the period (one of them makes the denominator 1: no case at all
    is no data), those open and past due at the end. Without a breakdown, two indexed queries: whether there is any
    case, and the overdue ones among those not closed at the end — not closed yet or closed since (three indexes)."""
    end = period.end
    cases = Case.objects.filter(case_filters(filters), registered_at__lt=end)
    overdue = open_at(end) & Q(due_at__lt=end)
    if breakdown is None:
        if not cases.exists():
            return [Figure(0, 0)]
        not_closed = Q(state__in=OPEN_STATES) | Q(state=CaseState.RESOLVED) | Q(closed_at__gte=end)
        return [Figure(cases.filter(not_closed, overdue).count(), 1)]
    rows = aggregate_rows(
        grouped(cases, breakdown, FIELDS, "registered_at"),
        breakdown,
        numerator=Count("id", filter=overdue),
        denominator=_any(),
    )
    return figures(rows, breakdown=breakdown)


def unanswered_complaints(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    """Complaints about an unanswered question registered in the period; no case at all registered is no data."""
    days = registered_days(period, filters, breakdown)
    if days is not None:
        counts = {"numerator": summed("cases", Q(unanswered_complaint=True)), "denominator": Least(summed("cases"), 1)}
        return figures(aggregate_rows(grouped(days, breakdown, {}, DAY), breakdown, **counts), breakdown=breakdown)
    unanswered = Q(case_type__kind=CaseKind.COMPLAINT, case_type__about_unanswered_question=True)
    rows = aggregate_rows(
        grouped(registered_in(period, filters), breakdown, FIELDS, "registered_at"),
        breakdown,
        numerator=Count("id", filter=unanswered),
        denominator=_any(),
    )
    return figures(rows, breakdown=breakdown)


def misdispatch_rate(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    """Of the cases registered in the period that routing sent to a handler group other than the KCC, those returned
    to the KCC (at any time). The group a case was routed to is the one that first returned it, else its own."""
    days = registered_days(period, filters, breakdown)
    if days is not None:
        counts = {"numerator": summed("cases", Q(returned=True)), "denominator": summed("cases")}
        rows = aggregate_rows(grouped(days.filter(routed_to_kcc=False), breakdown, {}, DAY), breakdown, **counts)
        return figures(rows, breakdown=breakdown)
    routed = Coalesce("returned_by_group_id", "handler_group_id")
    cases = (
        Case.objects.annotate(routed_group=routed)
        .filter(in_period("registered_at", period), case_filters(filters, group="routed_group"))
        .exclude(routed_group__in=HandlerGroup.objects.filter(is_kcc=True).values("pk"))
    )
    fields = {**FIELDS, "handler_group": "routed_group_name"}
    if breakdown == "handler_group":
        cases = cases.annotate(routed_group_name=Coalesce("returned_by_group__name", "handler_group__name"))
    rows = aggregate_rows(
        grouped(cases, breakdown, fields, "registered_at"),
        breakdown,
        numerator=Count("id", filter=Q(returned_to_kcc_at__isnull=False)),
        denominator=Count("id"),
    )
    return figures(rows, breakdown=breakdown)


def digital_share(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    digital = Q(channel__in=DIGITAL_CHANNELS) & ~Q(intake_source=Source.STAFF)
    days = registered_days(period, filters, breakdown)
    if days is not None:
        counts = {"numerator": summed("cases", digital), "denominator": summed("cases")}
        return figures(aggregate_rows(grouped(days, breakdown, {}, DAY), breakdown, **counts), breakdown=breakdown)
    rows = aggregate_rows(
        grouped(registered_in(period, filters), breakdown, FIELDS, "registered_at"),
        breakdown,
        numerator=Count("id", filter=digital),
        denominator=Count("id"),
    )
    return figures(rows, breakdown=breakdown)


SCORES = ("answer_score", "speed_score", "service_score")


def satisfaction(period: Period, filters: Filters, breakdown: str | None) -> list[Figure]:
    """The surveys sent (invited) in the period: the mean of every score of those answered (three questions each),
    each question's mean, and the response rate."""
    surveys = Survey.objects.filter(in_period("created_at", period), case_filters(filters, "case__"))
    fields = {name: f"case__{path}" for name, path in FIELDS.items()}
    answered = Q(answered_at__isnull=False)
    rows = aggregate_rows(
        grouped(surveys, breakdown, fields, "created_at"),
        breakdown,
        numerator=Sum(F("answer_score") + F("speed_score") + F("service_score"), filter=answered),
        denominator=Count("id", filter=answered) * len(SCORES),
        sent=Count("id"),
        answer=Avg("answer_score", filter=answered),
        speed=Avg("speed_score", filter=answered),
        service=Avg("service_score", filter=answered),
    )
    result = []
    for figure, row in zip(figures(rows, breakdown=breakdown), rows, strict=True):
        sent, answered_count = row["sent"], (row["denominator"] or 0) // len(SCORES)
        extra = {
            "answer": _rounded(row["answer"]),
            "speed": _rounded(row["speed"]),
            "service": _rounded(row["service"]),
            "surveys_sent": sent,
            "surveys_answered": answered_count,
            "response_rate": _rounded(Decimal(answered_count) / sent * PERCENT) if sent else None,
        }
        result.append(Figure(figure.numerator, figure.denominator, figure.key, extra))
    return result


register(
    Kpi(
        code="admissibility_days",
        name=_("Days to the admissibility decision"),
        definition=_(
            "Average working days from registration to the admissibility decision (accept, reject, start or resolve, "
            "whichever comes first), days waiting for the citizen excluded; the cases decided in the period."
        ),
        unit=Unit.WORKING_DAYS,
        better=Better.LOWER,
        compute=admissibility_days,
        norm=Decimal(3),
        breakdowns=("case_type", "handler_group"),
        filters=ALL_FILTERS,
    )
)
register(
    Kpi(
        code="resolution_days",
        name=_("Days to resolution"),
        definition=_(
            "Average and median days (in the case type's unit) from registration to resolution, days waiting for "
            "the citizen excluded; the cases resolved in the period. The norm is each case type's."
        ),
        unit=Unit.DAYS,
        better=Better.LOWER,
        compute=resolution_days,
        breakdowns=("case_type", "handler_group", "channel"),
        filters=ALL_FILTERS,
    )
)
register(
    Kpi(
        code="within_norm_share",
        name=_("Cases resolved within the norm"),
        definition=_("Cases resolved by their due date ÷ cases resolved in the period."),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        compute=within_norm_share,
        norm=Decimal(90),
        breakdowns=("case_type", "handler_group"),
        filters=ALL_FILTERS,
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="open_overdue",
        name=_("Open cases past due"),
        definition=_("Cases open at the end of the period and past their due date then (waiting cases excepted)."),
        unit=Unit.COUNT,
        better=Better.LOWER,
        compute=open_overdue,
        norm=Decimal(0),
        breakdowns=("handler_group", "case_type"),
        filters=ALL_FILTERS,
    )
)
register(
    Kpi(
        code="unanswered_complaints",
        name=_("Complaints about an unanswered question"),
        definition=_("Complaints registered in the period whose case type is about an unanswered question (a count)."),
        unit=Unit.COUNT,
        better=Better.LOWER,
        compute=unanswered_complaints,
        norm=Decimal(0),
        filters=ALL_FILTERS,
    )
)
register(
    Kpi(
        code="misdispatch_rate",
        name=_("Cases returned to the KCC"),
        definition=_(
            "Cases returned to the KCC as misdispatched ÷ cases registered in the period that routing sent to a "
            "handler group other than the KCC."
        ),
        unit=Unit.PERCENT,
        better=Better.LOWER,
        compute=misdispatch_rate,
        norm=Decimal(0),
        norm_relative=True,
        breakdowns=("handler_group", "case_type"),
        filters=ALL_FILTERS,
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="digital_share",
        name=_("Cases opened digitally"),
        definition=_(
            "Cases registered in the period whose opening contact came through a digital channel (website, e-mail, "
            "WhatsApp, Messenger, chat, social media) without staff ÷ cases registered in the period."
        ),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        compute=digital_share,
        norm=Decimal(50),
        breakdowns=("case_type",),
        filters=ALL_FILTERS,
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="satisfaction",
        name=_("Satisfaction"),
        definition=_(
            "Average score (1–5) of the satisfaction surveys sent in the period and answered, over the three "
            "questions (answer, speed, service); each question's average and the response rate (answered ÷ sent) "
            "besides."
        ),
        unit=Unit.SCORE,
        better=Better.HIGHER,
        compute=satisfaction,
        norm=Decimal(3),
        breakdowns=("case_type", "handler_group"),
        filters=ALL_FILTERS,
    )
)
