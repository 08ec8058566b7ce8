"""KPIs of the virtual assistant and of status information (docs/reports.md).

The assistant's sessions (``public.AssistantSession``, as its client reports them afterwards) belong to the period
in which they ended, as their unanswered questions do. Its channels are the website, WhatsApp, Messenger and the
chat: in a breakdown by channel, the rows of other channels carry no norm.
"""

from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext_lazy as _

from cases.calendar import BRUSSELS
from contacts.models import Channel, Source
from notifications.models import Backend, Notification, NotificationKind, Status
from public.models import AssistantOutcome, AssistantSession, StatusLookup, UnansweredQuestion

from ..models import CounterVisit
from ..periods import Period
from .base import GROUP, Better, Figure, Filters, Kpi, Unit, aggregate_rows, duration, figures, grouped, register
from .contacts import ASSISTANT, PERCENT, Part, inbound_part, source_group, total, union_rows

ASSISTANT_CHANNELS = frozenset({Channel.WEBSITE, Channel.WHATSAPP, Channel.MESSENGER, Channel.CHAT})
# The backends that publish a status to the citizen, each with a link to the status page and its read receipt.
CITIZEN_BACKENDS = (Backend.EMAIL, Backend.DOSIS, Backend.BURGERPROFIEL)


def sessions_in(period: Period, filters: Filters) -> QuerySet[AssistantSession]:
    """The assistant's sessions that ended in ``period``, on ``filters.channel`` when given."""
    sessions = AssistantSession.objects.filter(ended_at__gte=period.start, ended_at__lt=period.end)
    if filters.channel is not None:
        sessions = sessions.filter(channel=filters.channel)
    return sessions


def lookups_in(period: Period, filters: Filters) -> QuerySet[StatusLookup]:
    """The status look-ups answered in ``period``, on ``filters.channel`` when given."""
    lookups = StatusLookup.objects.filter(answered_at__gte=period.start, answered_at__lt=period.end)
    if filters.channel is not None:
        lookups = lookups.filter(channel=filters.channel)
    return lookups


def _by_key(rows: dict, numerator, denominator, *, channel_norm: bool = False) -> list[Figure]:
    """A figure per key of ``union_rows``; with ``channel_norm`` the rows of channels the assistant does not
    serve get no norm."""
    result = []
    for key, parts in sorted(rows.items(), key=lambda item: str(item[0])):
        extra = {"norm": None} if channel_norm and key not in ASSISTANT_CHANNELS else {}
        result.append(Figure(numerator(parts), denominator(parts), key, extra))
    return result


def assistant_session_share(period: Period, filters: Filters, breakdown: str | None):
    """Sessions ÷ (sessions + the other inbound contacts): the assistant's own contacts (source virtual
    assistant) are left out of the contacts, being part of a session already."""
    parts = [
        Part("sessions", sessions_in(period, filters), "ended_at", {"n": Count("id")}, {"channel": "channel"}),
        inbound_part("contacts", period, filters, excluded_sources=(Source.VIRTUAL_ASSISTANT,), measures=("n",)),
    ]
    return _by_key(
        union_rows(parts, breakdown),
        lambda parts: total(parts, "sessions"),
        lambda parts: total(parts, "sessions") + total(parts, "contacts"),
        channel_norm=breakdown == "channel",
    )


def assistant_automated_share(period: Period, filters: Filters, breakdown: str | None):
    """Automated actions ÷ (automated actions + sessions handed over to staff)."""
    sessions = grouped(sessions_in(period, filters), breakdown, {"channel": "channel"}, "ended_at")
    handed_over = Count("id", filter=Q(outcome=AssistantOutcome.HANDED_OVER))
    rows = aggregate_rows(
        sessions,
        breakdown,
        numerator=Sum("automated_actions"),
        denominator=Coalesce(Sum("automated_actions"), 0) + handed_over,
    )
    return figures(rows, breakdown=breakdown)


def assistant_signins(period: Period, filters: Filters, breakdown: str | None):
    sessions = grouped(sessions_in(period, filters), breakdown, {"channel": "channel"}, "ended_at")
    rows = aggregate_rows(sessions, breakdown, numerator=Count("id", filter=Q(signed_in=True)), denominator=Count("id"))
    return figures(rows, breakdown=breakdown)


def status_lookup_share(period: Period, filters: Filters, breakdown: str | None):
    """Look-ups through the assistant ÷ status requests (look-ups + contacts asking a status); per source (the
    assistant or other): the source's status requests ÷ all of them, the norm on the assistant's row only.

    The contacts that asked for a status: inbound contacts about a case registered before them, less the citizen's
    answers on the status page (web form) and the assistant's contacts (its look-ups are counted as look-ups)."""
    assistant = Q(source=Source.VIRTUAL_ASSISTANT)
    keys = {"channel": "channel", "source": source_group("source")}
    parts = [
        Part(
            "lookups",
            lookups_in(period, filters),
            "answered_at",
            {"n": Count("id"), "assistant": Count("id", filter=assistant)},
            keys,
        ),
        inbound_part(
            "questions",
            period,
            filters,
            excluded_sources=(Source.WEB_FORM, Source.VIRTUAL_ASSISTANT),
            about_case=True,
        ),
    ]
    rows = union_rows(parts, breakdown)

    def requests(parts):
        return total(parts, "lookups") + total(parts, "questions")

    if breakdown != "source":
        return _by_key(
            rows, lambda parts: total(parts, "lookups", "assistant"), requests, channel_norm=breakdown == "channel"
        )
    every = sum(requests(parts) for parts in rows.values())
    return [
        Figure(requests(parts), every, key, {} if key == ASSISTANT else {"norm": None})
        for key, parts in sorted(rows.items(), key=lambda item: str(item[0]))
    ]


def start_to_status_seconds(period: Period, filters: Filters, breakdown: str | None):
    """Over the look-ups that found the case and say when the conversation began."""
    lookups = lookups_in(period, filters).filter(found=True, started_at__isnull=False)
    lookups = grouped(lookups, breakdown, {"channel": "channel"}, "answered_at")
    rows = aggregate_rows(
        lookups, breakdown, numerator=Sum(duration("answered_at", "started_at")), denominator=Count("id")
    )
    return figures(rows, breakdown=breakdown)


def start_to_appointment_seconds(period: Period, filters: Filters, breakdown: str | None):
    """Over the appointments booked in the period that say when the conversation began."""
    visits = CounterVisit.objects.filter(
        booked_at__gte=period.start, booked_at__lt=period.end, started_at__isnull=False
    )
    if filters.channel is not None:
        visits = visits.filter(booking_channel=filters.channel)
    aggregates = {"numerator": Sum(duration("booked_at", "started_at")), "denominator": Count("id")}
    if breakdown is None:
        return figures([visits.aggregate(**aggregates)], breakdown=None)
    # Grouped as ``bucket``, not ``key`` (``grouped``): the visits have a field of that name.
    rows = visits.values(bucket=F("booking_channel")).annotate(**aggregates).order_by("bucket")
    return figures(rows, breakdown=breakdown, key_field="bucket")


def statuses_read_share(period: Period, filters: Filters, breakdown: str | None):
    """The notifications of a case change sent to the citizen in the period (e-mail, DOSIS, Mijn Burgerprofiel;
    not webhooks, not the survey's invitation) that were read: a read receipt, or a look-up that found the case
    at or after the sending."""
    published = Notification.objects.filter(
        status=Status.SENT,
        sent_at__gte=period.start,
        sent_at__lt=period.end,
        backend__in=CITIZEN_BACKENDS,
    ).exclude(kind=NotificationKind.SURVEY_INVITATION)
    if filters.case_type is not None:
        published = published.filter(case__case_type__code=filters.case_type)
    if filters.handler_group is not None:
        published = published.filter(case__handler_group_id=filters.handler_group)
    looked_up = StatusLookup.objects.filter(
        case_id=OuterRef("case_id"), found=True, answered_at__gte=OuterRef("sent_at")
    )
    published = published.annotate(looked_up=Exists(looked_up))
    published = grouped(published, breakdown, {"channel": "backend"}, "sent_at")
    rows = aggregate_rows(
        published,
        breakdown,
        numerator=Count("id", filter=Q(read_at__isnull=False) | Q(looked_up=True)),
        denominator=Count("id"),
    )
    return figures(rows, breakdown=breakdown)


def feedback_pages_updated_share(period: Period, filters: Filters, breakdown: str | None):
    """Per month of asking (Brussels time): the groups of unanswered questions (distinct normalised texts) asked
    that month, and those whose web page was updated since. A period of several months adds up its months, as
    the months of the assistant's feedback page do (a group asked in two months counts in each)."""
    questions = UnansweredQuestion.objects.filter(asked_at__gte=period.start, asked_at__lt=period.end)
    if filters.channel is not None:
        questions = questions.filter(session__channel=filters.channel)
    groups = Count("normalised_text", distinct=True)
    updated = Count("normalised_text", distinct=True, filter=Q(handled_at__isnull=False))
    months = questions.annotate(**{GROUP: TruncMonth("asked_at", tzinfo=BRUSSELS)}).values(GROUP)
    if breakdown == "month":
        return figures(months.annotate(numerator=updated, denominator=groups).order_by(GROUP), breakdown=breakdown)
    row = months.annotate(updated=updated, groups=groups).aggregate(numerator=Sum("updated"), denominator=Sum("groups"))
    return figures([row], breakdown=None)


register(
    Kpi(
        code="assistant_session_share",
        name=_("Share of the virtual assistant in the contacts"),
        definition=_(
            "Sessions of the virtual assistant ÷ all contacts of citizens: the sessions and the other inbound "
            "contacts (those of the assistant itself left out)."
        ),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        compute=assistant_session_share,
        norm=Decimal(15),
        breakdowns=("channel", "quarter", "month"),
        filters=frozenset({"channel"}),
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="assistant_automated_share",
        name=_("Actions automated by the virtual assistant"),
        definition=_(
            "Actions the virtual assistant completed itself ÷ all actions: those and the sessions it handed over "
            "to staff."
        ),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        compute=assistant_automated_share,
        norm=Decimal(10),
        breakdowns=("channel", "quarter", "month"),
        filters=frozenset({"channel"}),
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="assistant_signins",
        name=_("Sign-ins in the virtual assistant"),
        definition=_(
            "Sessions of the virtual assistant in which the citizen signed in through ACM/IDM (the numerator) ÷ "
            "all its sessions; the norm: more than the same period a year earlier."
        ),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        compute=assistant_signins,
        norm=Decimal(0),
        norm_relative=True,
        breakdowns=("channel", "quarter", "month"),
        filters=frozenset({"channel"}),
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="status_lookup_share",
        name=_("Status look-ups through the virtual assistant"),
        definition=_(
            "Status look-ups through the virtual assistant ÷ all status requests: every status look-up and every "
            "inbound contact about a case registered before it (the citizen's answers on the status page left out)."
        ),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        compute=status_lookup_share,
        norm=Decimal(10),
        breakdowns=("channel", "source", "quarter", "month"),
        filters=frozenset({"channel"}),
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="start_to_status_seconds",
        name=_("Time from start to status answer"),
        definition=_(
            "Average seconds from the start of the conversation to the status answer, over the status look-ups "
            "that found the case and say when the conversation began."
        ),
        unit=Unit.SECONDS,
        better=Better.LOWER,
        compute=start_to_status_seconds,
        norm=Decimal(60),
        breakdowns=("channel",),
        filters=frozenset({"channel"}),
    )
)
register(
    Kpi(
        code="start_to_appointment_seconds",
        name=_("Time from start to appointment"),
        definition=_(
            "Average seconds from the start of the conversation to the booked counter appointment, over the "
            "appointments that say when the conversation began."
        ),
        unit=Unit.SECONDS,
        better=Better.LOWER,
        compute=start_to_appointment_seconds,
        norm=Decimal(90),
        breakdowns=("channel",),
        filters=frozenset({"channel"}),
    )
)
register(
    Kpi(
        code="statuses_read_share",
        name=_("Statuses read"),
        definition=_(
            "Case changes sent to the citizen (e-mail, DOSIS, Mijn Burgerprofiel) that were read — the status "
            "page opened through their link, or the case looked up after they were sent — ÷ those sent."
        ),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        compute=statuses_read_share,
        norm=Decimal(10),
        breakdowns=("channel", "quarter", "month"),
        filters=frozenset({"case_type", "handler_group"}),
        scale=PERCENT,
    )
)
register(
    Kpi(
        code="feedback_pages_updated_share",
        name=_("Web pages updated from the assistant's feedback"),
        definition=_(
            "Per month of asking, the groups of questions the virtual assistant could not answer whose web page "
            "was updated ÷ the groups asked that month; the months of the period added up."
        ),
        unit=Unit.PERCENT,
        better=Better.HIGHER,
        compute=feedback_pages_updated_share,
        norm=Decimal(20),
        breakdowns=("month",),
        filters=frozenset({"channel"}),
        scale=PERCENT,
    )
)
