"""The public channels' reads: public data only."""

from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.utils import translation

from cases.models import Case, CaseEvent
from cases.workflow import OPEN_STATES, CaseState
from notifications.selectors import public_messages

BRUSSELS = ZoneInfo("Europe/Brussels")


def expected_date(case: Case):
    return case.due_at.astimezone(BRUSSELS).date() if case.state in OPEN_STATES else None


def case_public_status(case: Case, language: str) -> dict:
    """What a citizen may know of their case, in ``language``."""
    with translation.override(language):
        return {
            "reference": case.reference,
            "case_type": case.case_type.public_name(language),
            "state": str(case.get_state_display()),
            "messages": public_messages(case),
            "expected_date": expected_date(case),
            "waiting_for_citizen": case.state == CaseState.WAITING,
        }


def cases_of_party(party_id: int) -> QuerySet[Case]:
    """A signed-in citizen's own cases, newest first, with what ``case_public_status`` reads."""
    return (
        Case.objects.filter(party_id=party_id)
        .select_related("case_type")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=CaseEvent.objects.filter(public=True).order_by("created_at", "id"),
                to_attr="public_events",
            )
        )
        .order_by("-registered_at", "-pk")
    )
