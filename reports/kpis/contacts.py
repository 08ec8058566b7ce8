"""KPIs of contacts and the first line (docs/reports.md).

Two relations between a contact and the cases it is linked to recur here and in ``assistant``: the cases a contact
*opened* are those registered at or after it (a case opened from a contact is registered at the contact's time),
and a contact *about an existing case* is linked to a case registered before it (a reply, a question about the
case). A KPI that counts rows of several tables (``channel_share``, the assistant's shares) runs one ``UNION ALL``
of each table's aggregate per breakdown key (``union_rows``) and adds up the few aggregated rows per key.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from cases.calendar import BRUSSELS
from cases.models import Case as CaseRecord
from contacts.models import Channel, Contact, Direction, Outcome, Source
from public.models import StatusLookup

from .. import rollups
from ..models import ContactDay, ContactPartyDay, CounterVisit
from ..periods import Period
from .base import (
    DAY,
    TIME_BREAKDOWNS,
    Better,
    Figure,
    Filters,
    Kpi,
    Unit,
    aggregate_rows,
    duration,
    figures,
    grouped,
    register,
    summed,
    time_bucket,
    time_key,
)
from .cases import registered_days

PERCENT = Decimal(100)
PLACES = Decimal("0.01")
# The two keys of the breakdown by source: the virtual assistant and every other source.
ASSISTANT, OTHER = Source.VIRTUAL_ASSISTANT.value, "other"
CaseContact = CaseRecord.contacts.through


def contacts_in(period: Period, filters: Filters) -> QuerySet[Contact]:
    """The contacts that occurred in ``period`` (Brussels time), on ``filters.channel`` when given."""
    contacts = Contact.objects.filter(occurred_at__gte=period.start, occurred_at__lt=period.end)
    if filters.channel is not None:
        contacts = contacts.filter(channel=filters.channel)
    return contacts


def contact_days(period: Period, filters: Filters) -> QuerySet[ContactDay]:
    """The daily rollup of the contacts of ``period`` (reports/rollups.py), refreshed first, on ``filters.channel``
    when given."""
    rollups.refresh(rollups.CONTACTS.source)
    days = ContactDay.objects.filter(day__gte=period.first, day__lte=period.last)
    if filters.channel is not None:
        days = days.filter(channel=filters.channel)
    return days


def counted(condition: Q | None = None) -> Coalesce:
    """The contacts of rollup rows (those meeting ``condition``)."""
    return summed("contacts", condition)


def opened_links(**conditions) -> QuerySet:
    """The links of the outer contact to the cases it opened: registered at or after the contact."""
    return CaseContact.objects.filter(
        contact_id=OuterRef("pk"), case__registered_at__gte=OuterRef("occurred_at"), **conditions
    )


def existing_case_links() -> QuerySet:
    """The links of the outer contact to cases registered before it: a contact about an existing case."""
    return CaseContact.objects.filter(contact_id=OuterRef("pk"), case__registered_at__lt=OuterRef("occurred_at"))


def opened_case_type() -> Subquery:
    """The code of the case type of the (first) case the outer contact opened; NULL when it opened none."""
    first = opened_links().order_by("case__registered_at", "case_id").values("case__case_type__code")[:1]
    return Subquery(first, output_field=CharField())


def with_opened_case(contacts: QuerySet[Contact], filters: Filters) -> QuerySet[Contact]:
    """``contacts`` that opened a case of ``filters.case_type`` / ``filters.handler_group``, when given."""
    conditions = {}
    if filters.case_type is not None:
        conditions["case__case_type__code"] = filters.case_type
    if filters.handler_group is not None:
        conditions["case__handler_group_id"] = filters.handler_group
    return contacts.filter(Exists(opened_links(**conditions))) if conditions else contacts


def source_group(source_field: str) -> Case:
    """``virtual_assistant`` or ``other``: the key of the breakdown by source."""
    return Case(When(**{source_field: Source.VIRTUAL_ASSISTANT}, then=Value(ASSISTANT)), default=Value(OTHER))


def share(part, whole) -> Decimal | None:
    """``part ÷ whole`` in percent, to two decimals; None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part or 0) / Decimal(whole) * PERCENT).quantize(PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Part:
    """One table's rows in a KPI that counts several tables: ``rows`` (already in the period and filtered), the
    moment the time breakdowns bucket (``time_field``), the field or expression each other breakdown groups on
    (``keys``) and its aggregates (``aggregates``: the same names in every part)."""

    name: str
    rows: QuerySet
    time_field: str
    aggregates: dict[str, Any]
    keys: dict[str, Any] = field(default_factory=dict)


def union_rows(parts: list[Part], breakdown: str | None) -> dict[str | None, dict[str, dict[str, Any]]]:
    """Each part's aggregates per breakdown key (one key, None, without a breakdown), in ONE query: the parts'
    ``GROUP BY`` queries joined by ``UNION ALL``. Returns ``{key: {part name: {aggregate: value}}}``, time keys
    formatted as the API's periods; a part without rows for a key is missing from that key's entry."""
    names = list(parts[0].aggregates)
    queries = []
    for part in parts:
        rows = part.rows.order_by()
        # Not ``key``: the counter's visits have a field of that name.
        if breakdown is None:
            rows = rows.values(bucket=Value(None, output_field=CharField()))
        elif breakdown in TIME_BREAKDOWNS:
            rows = rows.annotate(bucket=time_bucket(breakdown, part.time_field)).values("bucket")
        else:
            key = part.keys[breakdown]
            rows = rows.values(bucket=F(key) if isinstance(key, str) else key)
        rows = rows.annotate(part=Value(part.name, output_field=CharField()), **part.aggregates)
        queries.append(rows.values("part", "bucket", *names))
    result: dict[str | None, dict[str, dict[str, Any]]] = {}
    for row in queries[0].union(*queries[1:], all=True):
        key = row["bucket"]
        if breakdown in TIME_BREAKDOWNS and key is not None:
            key = time_key(breakdown, key)
        result.setdefault(key, {})[row["part"]] = {name: row[name] for name in names}
    return result


def total(parts: dict[str, dict[str, Any]], name: str, aggregate: str = "n") -> int:
    """The aggregate ``aggregate`` of the part ``name`` in one key's entry of ``union_rows``; 0 when missing."""
    return parts.get(name, {}).get(aggregate) or 0


def contacts_linked_share(period: Period, filters: Filters, breakdown: str | None):
    if rollups.enabled():
        contacts = grouped(contact_days(period, filters), breakdown, {"channel": "channel"}, DAY)
        aggregates = {"numerator": counted(Q(linked=True)), "denominator": counted()}
    else:
        contacts = grouped(contacts_in(period, filters), breakdown, {"channel": "channel"}, "occurred_at")
        aggregates = {"numerator": Count("id", filter=Q(party__isnull=False)), "denominator": Count("id")}
    return figures(aggregate_rows(contacts, breakdown, **aggregates), breakdown=breakdown)


def first_line_resolution(period: Period, filters: Filters, breakdown: str | None):
    question = Q(direction=Direction.INBOUND) & ~Q(outcome=Outcome.NO_ANSWER)
    if rollups.enabled() and breakdown != "handler":
        inbound = grouped(contact_days(period, filters).filter(question), breakdown, {"channel": "channel"}, DAY)
        aggregates = {"numerator": counted(Q(outcome=Outcome.ANSWERED)), "denominator": counted()}
    else:
        inbound = grouped(
            contacts_in(period, filters).filter(question),
            breakdown,
            {"channel": "channel", "handler": "handled_by__username"},
            "occurred_at",
        )
        aggregates = {"numerator": Count("id", filter=Q(outcome=Outcome.ANSWERED)), "denominator": Count("id")}
    return figures(aggregate_rows(inbound, breakdown, **aggregates), breakdown=breakdown)


def guided_share(period: Period, filters: Filters, breakdown: str | None):
    """Per local day the parties guided ÷ the parties with a contact (days with a party's contact only, so never
    ÷ 0); numerator the sum of the daily ratios, denominator the number of days: one query over a subquery."""
    if rollups.enabled():
        rollups.refresh(rollups.CONTACTS.source)
        days = ContactPartyDay.objects.filter(
            day__gte=period.first, day__lte=period.last, channel=filters.channel or ""
        )
        ratio = Cast("guided_parties", FloatField()) / Cast("parties", FloatField())
        return figures([days.aggregate(numerator=Sum(ratio), denominator=Count("day"))], breakdown=None)
    days = (
        contacts_in(period, filters)
        .filter(party__isnull=False)
        .annotate(day=TruncDate("occurred_at", tzinfo=BRUSSELS))
        .values("day")
        .annotate(
            ratio=Cast(Count("party", distinct=True, filter=Q(guided=True)), FloatField())
            / Cast(Count("party", distinct=True), FloatField())
        )
    )
    row = days.aggregate(numerator=Sum("ratio"), denominator=Count("day"))
    return figures([row], breakdown=None)


def inbound_part(
    name: str,
    period: Period,
    filters: Filters,
    *,
    excluded_sources: tuple[str, ...] = (),
    about_case: bool = False,
    measures: tuple[str, ...] = ("n", "assistant"),
) -> Part:
    """The inbound contacts of ``period`` as a part of ``union_rows`` (``about_case``: only those about a case
    registered before them), less ``excluded_sources``; ``measures``: ``n`` (contacts) and ``assistant`` (those of
    the virtual assistant). From the daily rollup where there is one."""
    assistant = Q(source=Source.VIRTUAL_ASSISTANT)
    keys = {"channel": "channel", "source": source_group("source")}
    if rollups.enabled():
        rows = contact_days(period, filters).filter(direction=Direction.INBOUND)
        rows = rows.filter(about_case=True) if about_case else rows
        aggregates, time_field = {"n": counted(), "assistant": counted(assistant)}, DAY
    else:
        rows = contacts_in(period, filters).filter(direction=Direction.INBOUND)
        rows = rows.filter(Exists(existing_case_links())) if about_case else rows
        aggregates, time_field = {"n": Count("id"), "assistant": Count("id", filter=assistant)}, "occurred_at"
    rows = rows.exclude(source__in=excluded_sources) if excluded_sources else rows
    return Part(name, rows, time_field, {measure: aggregates[measure] for measure in measures}, keys)


CHANNEL_SHARE_MEASURES = ("contacts", "intakes", "status_lookups", "appointments")


def intakes_part(period: Period, filters: Filters) -> Part:
    """The cases registered in ``period`` as a part of ``union_rows``: ``n`` and ``assistant``, those that came in
    through the virtual assistant (a contact of the assistant opened it: linked, not after it). From the daily
    rollup where there is one."""
    keys = {"channel": "channel", "source": Case(When(via_assistant=True, then=Value(ASSISTANT)), default=Value(OTHER))}
    days = registered_days(period, filters, None)
    if days is not None:
        return Part(
            "intakes", days, DAY, {"n": summed("cases"), "assistant": summed("cases", Q(via_assistant=True))}, keys
        )
    through_assistant = Exists(
        CaseContact.objects.filter(
            case_id=OuterRef("pk"),
            contact__source=Source.VIRTUAL_ASSISTANT,
            contact__occurred_at__lte=OuterRef("registered_at"),
        )
    )
    intakes = CaseRecord.objects.filter(registered_at__gte=period.start, registered_at__lt=period.end)
    if filters.channel is not None:
        intakes = intakes.filter(channel=filters.channel)
    aggregates = {"n": Count("id"), "assistant": Count("id", filter=Q(via_assistant=True))}
    return Part("intakes", intakes.annotate(via_assistant=through_assistant), "registered_at", aggregates, keys)


def channel_share_parts(period: Period, filters: Filters) -> list[Part]:
    """The inbound contacts, the case intakes, the status look-ups and the counter appointments of ``period``,
    each with ``n`` (rows) and ``assistant`` (rows through the virtual assistant)."""
    lookups = StatusLookup.objects.filter(answered_at__gte=period.start, answered_at__lt=period.end)
    visits = CounterVisit.objects.filter(booked_at__gte=period.start, booked_at__lt=period.end)
    if filters.channel is not None:
        lookups = lookups.filter(channel=filters.channel)
        visits = visits.filter(booking_channel=filters.channel)
    assistant = Q(source=Source.VIRTUAL_ASSISTANT)
    return [
        inbound_part("contacts", period, filters),
        intakes_part(period, filters),
        Part(
            "status_lookups",
            lookups,
            "answered_at",
            {"n": Count("id"), "assistant": Count("id", filter=assistant)},
            {"channel": "channel", "source": source_group("source")},
        ),
        Part(
            "appointments",
            visits,
            "booked_at",
            {"n": Count("id"), "assistant": Count("id", filter=Q(booking_source=Source.VIRTUAL_ASSISTANT))},
            {"channel": "booking_channel", "source": source_group("booking_source")},
        ),
    ]


def channel_share(period: Period, filters: Filters, breakdown: str | None):
    """Without a breakdown and per quarter or month: intakes through the assistant ÷ intakes, and in ``extra`` the
    assistant's share of each measure. Per channel and per source: the key's intakes ÷ all intakes of the period,
    and in ``extra`` the key's share of each measure (the norm is the assistant's: only its source row has it)."""
    rows = union_rows(channel_share_parts(period, filters), breakdown)
    if breakdown in (None, *TIME_BREAKDOWNS):
        return [
            Figure(
                total(parts, "intakes", "assistant"),
                total(parts, "intakes"),
                key,
                {f"{m}_share": share(total(parts, m, "assistant"), total(parts, m)) for m in CHANNEL_SHARE_MEASURES},
            )
            for key, parts in sorted(rows.items(), key=lambda item: str(item[0]))
        ]
    totals = {m: sum(total(parts, m) for parts in rows.values()) for m in CHANNEL_SHARE_MEASURES}
    result = []
    for key, parts in sorted(rows.items(), key=lambda item: str(item[0])):
        extra = {f"{m}_share": share(total(parts, m), totals[m]) for m in CHANNEL_SHARE_MEASURES}
        if not (breakdown == "source" and key == ASSISTANT):
            extra["norm"] = None
        result.append(Figure(total(parts, "intakes"), totals["intakes"], key, extra))
    return result


def start_to_submit_seconds(period: Period, filters: Filters, breakdown: str | None):
    if rollups.enabled() and not filters.given() & {"case_type", "handler_group"} and breakdown != "case_type":
        intakes = grouped(
            contact_days(period, filters).filter(started__gt=0),
            breakdown,
            {"channel": "channel", "source": "source"},
            DAY,
        )
        rows = aggregate_rows(intakes, breakdown, numerator=Sum("start_seconds"), denominator=summed("started"))
        return figures(rows, breakdown=breakdown)
    intakes = with_opened_case(contacts_in(period, filters).filter(started_at__isnull=False), filters)
    if breakdown == "case_type":
        intakes = intakes.annotate(opened_type=opened_case_type())
    intakes = grouped(
        intakes, breakdown, {"case_type": "opened_type", "channel": "channel", "source": "source"}, "occurred_at"
    )
    rows = aggregate_rows(
        intakes, breakdown, numerator=Sum(duration("occurred_at", "started_at")), denominator=Count("id")
    )
    return figures(rows, breakdown=breakdown)


def phone_volume_yoy(period: Period, filters: Filters, breakdown: str | None):
    """The count as numerator; the denominator is 1 when there is a call, NULL (no data) when there is none."""
    if rollups.enabled() and not filters.given() and breakdown is None:
        calls = contact_days(period, filters).filter(direction=Direction.INBOUND, channel=Channel.PHONE)
        return figures([calls.aggregate(numerator=counted(), denominator=Max(Value(1)))], breakdown=None)
    calls = contacts_in(period, filters).filter(direction=Direction.INBOUND, channel=Channel.PHONE)
    calls = with_opened_case(calls, filters)
    if breakdown == "category":
        calls = calls.annotate(category=Coalesce(opened_case_type(), F("subject")))
    calls = grouped(calls, breakdown, {"category": "category"}, "occurred_at")
    rows = aggregate_rows(calls, breakdown, numerator=Count("id"), denominator=Max(Value(1)))
    return figures(rows, breakdown=breakdown)


register(
    Kpi(
        code="contacts_linked_share",
        name=_("Contacts linked to a contact record"),
        definition=_("Contacts linked to an authentic contact record ÷ all contacts."),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        compute=contacts_linked_share,
        norm=Decimal(100),
        breakdowns=("channel", "quarter", "month"),
        filters=frozenset({"channel"}),
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="first_line_resolution",
        name=_("First-line resolution"),
        definition=_(
            "Contacts with outcome answered ÷ inbound contacts with a question (every outcome but no answer)."
        ),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        compute=first_line_resolution,
        norm=Decimal(60),
        breakdowns=("channel", "handler", "quarter", "month"),
        filters=frozenset({"channel"}),
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="guided_share",
        name=_("Citizens guided with a digital application"),
        definition=_(
            "Per day, the parties helped through a digital application ÷ the parties with a contact that day "
            "(anonymous contacts left out), averaged over the days of the period that had such contacts."
        ),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        compute=guided_share,
        norm=Decimal(30),
        filters=frozenset({"channel"}),
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="channel_share",
        name=_("Channel and source shares"),
        definition=_(
            "Cases registered through the virtual assistant ÷ all cases registered. Per channel and per source "
            "(virtual assistant or other): that channel's or source's share of the cases registered, with its "
            "shares of the inbound contacts, the status look-ups and the counter appointments."
        ),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        compute=channel_share,
        norm=Decimal(15),
        breakdowns=("channel", "source", "quarter", "month"),
        filters=frozenset({"channel"}),
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="start_to_submit_seconds",
        name=_("Time from start to submission"),
        definition=_(
            "Average seconds from the moment the citizen began a digital form or conversation to its submission, "
            "over the contacts that say when they began."
        ),
        unit=Unit.SECONDS,
        better=Better.LOWER,
        compute=start_to_submit_seconds,
        norm=Decimal(-15),
        norm_relative=True,
        breakdowns=("case_type", "channel", "source"),
        filters=frozenset({"channel", "case_type", "handler_group"}),
    )
)
register(
    Kpi(
        code="phone_volume_yoy",
        name=_("Inbound phone contacts"),
        definition=_(
            "Inbound phone contacts in the period, against the same period a year earlier. By category: the case "
            "type of the case the call opened, else the contact's subject."
        ),
        unit=Unit.COUNT,
        better=Better.LOWER,
        compute=phone_volume_yoy,
        norm=Decimal(-10),
        norm_relative=True,
        breakdowns=("category",),
        filters=frozenset({"case_type", "handler_group"}),
    )
)
