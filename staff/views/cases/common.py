"""What the inbox and the case page share: the case the user may see, the way back, the due status in words."""

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.deadlines import days_between
from cases.models import Case, NormUnit
from cases.selectors import case_get_for_user
from cases.workflow import RUNNING_STATES, WORKFLOW, CaseState, is_due_soon

PAGE_SIZE = 25
# The timeline shows the newest events; a case with more says so.
TIMELINE_LIMIT = 200
TRANSITION_PERMISSION = "cases.transition_case"
NOTE_PERMISSION = "cases.add_caseevent"
ORDER = list(WORKFLOW)
DANGEROUS = ("reject", "cancel")


def visible_case(request, reference: str) -> Case:
    """404 whether the case does not exist or the user may not see it."""
    try:
        return case_get_for_user(request.user, reference)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


def is_fragment(request) -> bool:
    """An htmx request for part of the page (not the restore of a page from history, which needs all of it)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def next_url(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@dataclass
class DueStatus:
    css: str
    text: str


def due_status(case: Case, now: datetime) -> DueStatus | None:
    """How the case stands against its due date, in words, counted in its type's unit by the working calendar."""
    if case.state == CaseState.WAITING:
        return DueStatus("paused", _("Clock stopped: waiting for the citizen"))
    if case.state not in RUNNING_STATES:
        return None
    working = case.case_type.norm_unit == NormUnit.WORKING_DAYS
    if now > case.due_at:
        days = days_between(case.case_type, case.due_at, now)
        if not days:
            return DueStatus("late", _("Overdue"))
        if working:
            text = ngettext("%(n)d working day late", "%(n)d working days late", days)
        else:
            text = ngettext("%(n)d day late", "%(n)d days late", days)
        return DueStatus("late", text % {"n": days})
    days = days_between(case.case_type, now, case.due_at)
    css = "soon" if is_due_soon(case, now) else "ok"
    if not days:
        return DueStatus(css, _("Due today"))
    if working:
        text = ngettext("%(n)d working day left", "%(n)d working days left", days)
    else:
        text = ngettext("%(n)d day left", "%(n)d days left", days)
    return DueStatus(css, text % {"n": days})


def conflict_text() -> str:
    return _("Someone else changed this case in the meantime.")
