"""The public channels' reads: public data only."""

from zoneinfo import ZoneInfo

from django.utils import translation

from cases.models import Case
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
