from django.db.models import QuerySet
from django.utils import timezone

from cases.access import visible_cases
from cases.models import Case
from contacts.models import Party
from contacts.selectors import TimelineEntry

from .models import Notification, Survey


def notification_list_for_user(
    user, *, status: str | None = None, case: str | None = None, party: int | None = None
) -> QuerySet[Notification]:
    """The outbox rows of the cases ``user`` may see, newest first."""
    notifications = Notification.objects.filter(case__in=Case.objects.filter(visible_cases(user))).select_related(
        "case", "party"
    )
    if status:
        notifications = notifications.filter(status=status)
    if case:
        notifications = notifications.filter(case__reference=case)
    if party is not None:
        notifications = notifications.filter(party_id=party)
    return notifications.order_by("-created_at", "-id")


def party_notification_entries(party: Party, limit: int, user) -> tuple[int, list[TimelineEntry]]:
    """What the party was told, for the 360° timeline (only about cases the user may see)."""
    notifications = notification_list_for_user(user, party=party.pk).select_related(None).select_related("case")
    entries = [
        TimelineEntry(
            kind="notification",
            id=n.pk,
            at=n.created_at,
            title=f"{n.case.reference} {n.get_kind_display()}",
            detail={
                "case": n.case.reference,
                "kind": n.kind,
                "backend": n.backend,
                "status": n.status,
                "sent_at": n.sent_at.isoformat() if n.sent_at else None,
                "read_at": n.read_at.isoformat() if n.read_at else None,
            },
        )
        for n in notifications[:limit]
    ]
    return notifications.count(), entries


def public_messages(case: Case, *, with_replies: bool = False) -> list[dict]:
    """What the city told the citizen on a case's timeline: public notes and public transition messages;
    ``with_replies``: and the citizen's own answers from the status page (``from_citizen``)."""
    # A list of cases prefetches them (public.selectors.cases_of_party).
    events = getattr(case, "public_events", None)
    if events is None:
        events = case.events.filter(public=True).order_by("created_at", "id")
    messages = []
    for e in events:
        if "citizen_reply" in e.data:
            if with_replies:
                messages.append({"at": e.created_at, "text": e.data["citizen_reply"], "from_citizen": True})
        elif e.data.get("public_message") or e.text:
            messages.append({"at": e.created_at, "text": e.data.get("public_message") or e.text, "from_citizen": False})
    return messages


def open_survey(case: Case) -> Survey | None:
    """The case's satisfaction survey while it may still be answered."""
    return case.surveys.filter(answered_at__isnull=True, expires_at__gt=timezone.now()).order_by("-pk").first()


def party_answered_surveys(party: Party, user, *, limit: int) -> list[Survey]:
    """The party's answered satisfaction surveys about cases ``user`` may see, newest first."""
    surveys = Survey.objects.filter(
        party=party, answered_at__isnull=False, case__in=Case.objects.filter(visible_cases(user))
    )
    return list(surveys.select_related("case").order_by("-answered_at", "-pk")[:limit])
