"""The public channels' reads: public data only."""

from hmac import compare_digest
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from cases.models import Case
from cases.services.cases import TRACKING_LENGTH
from cases.workflow import OPEN_STATES, CaseState
from notifications.selectors import public_messages

BRUSSELS = ZoneInfo("Europe/Brussels")
PUBLIC_LANGUAGES = ("nl", "fr", "en")
# Compared with the code given when there is no case, so that a missing case costs what a wrong code does.
_NO_CODE = "-" * TRACKING_LENGTH


def public_language(accept_language: str) -> str:
    """nl, fr or en, the first the caller accepts (Accept-Language); Dutch otherwise."""
    for code, _quality in parse_accept_lang_header(accept_language or ""):
        if code[:2].lower() in PUBLIC_LANGUAGES:
            return code[:2].lower()
    return "nl"


def expected_date(case: Case):
    return case.due_at.astimezone(BRUSSELS).date() if case.state in OPEN_STATES else None


def case_for_tracking_code(reference: str, code: str) -> Case | None:
    """The case with this reference if ``code`` is its tracking code; None otherwise, a missing case and a wrong
    code alike (one query and one constant-time comparison either way)."""
    case = Case.objects.select_related("case_type").filter(reference=reference[:20]).first()
    matches = compare_digest(code.upper().encode(), (case.tracking_code if case else _NO_CODE).encode())
    return case if case is not None and matches else None


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
