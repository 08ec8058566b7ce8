"""The public channels' reads: public data only."""

from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.utils import translation

from cases.configuration import configuration
from cases.models import Case, CaseEvent, CaseType
from cases.workflow import OPEN_STATES, CaseState
from contacts.models import Party
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


def public_case_types(language: str) -> list[CaseType]:
    """What a citizen can submit on the website's form, by their name in ``language`` (no query)."""
    chosen = [case_type for case_type in configuration().case_types.values() if case_type.public]
    return sorted(chosen, key=lambda case_type: case_type.public_name(language).casefold())


def citizen_party(party_id: int) -> Party | None:
    """The signed-in citizen's record (the one it was merged into, if it was); None when it is gone."""
    party = Party.objects.filter(pk=party_id).first()
    return None if party is None else party.survivor()


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
