"""KPIs of contacts and the first line (docs/reports.md)."""

from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact, Direction, Outcome

from ..periods import Period
from .base import Better, Filters, Kpi, Unit, aggregate_rows, figures, grouped, register

PERCENT = Decimal(100)


def contacts_in(period: Period, filters: Filters) -> QuerySet[Contact]:
    """The contacts that occurred in ``period`` (Brussels time), on ``filters.channel`` when given."""
    contacts = Contact.objects.filter(occurred_at__gte=period.start, occurred_at__lt=period.end)
    if filters.channel is not None:
        contacts = contacts.filter(channel=filters.channel)
    return contacts


def contacts_linked_share(period: Period, filters: Filters, breakdown: str | None):
    contacts = grouped(contacts_in(period, filters), breakdown, {"channel": "channel"}, "occurred_at")
    rows = aggregate_rows(
        contacts, breakdown, numerator=Count("id", filter=Q(party__isnull=False)), denominator=Count("id")
    )
    return figures(rows, breakdown=breakdown)


def first_line_resolution(period: Period, filters: Filters, breakdown: str | None):
    inbound = contacts_in(period, filters).filter(direction=Direction.INBOUND).exclude(outcome=Outcome.NO_ANSWER)
    inbound = grouped(inbound, breakdown, {"channel": "channel", "handler": "handled_by__username"}, "occurred_at")
    rows = aggregate_rows(
        inbound, breakdown, numerator=Count("id", filter=Q(outcome=Outcome.ANSWERED)), denominator=Count("id")
    )
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
