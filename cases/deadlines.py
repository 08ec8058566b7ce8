"""Due dates, warning times and paused days of a case in its case type's unit."""

from datetime import datetime, timedelta

from .calendar import add_working_days, due_at, end_of_day, local_date, subtract_working_days, working_days_between
from .models import Case, CaseType, NormUnit


def _in_working_days(case_type: CaseType) -> bool:
    return case_type.norm_unit == NormUnit.WORKING_DAYS


def warn_at_for(case_type: CaseType, due_at: datetime) -> datetime:
    """A case is due soon once fewer than ``warning_days`` whole days remain before its due date."""
    due_date = local_date(due_at)
    if _in_working_days(case_type):
        return end_of_day(subtract_working_days(due_date, case_type.warning_days))
    return end_of_day(due_date - timedelta(days=case_type.warning_days))


def deadlines_for(case_type: CaseType, registered_at: datetime) -> tuple[datetime, datetime]:
    """``(due_at, warn_at)`` of a case registered at ``registered_at``."""
    due = due_at(registered_at, norm_days=case_type.norm_days, working_days=_in_working_days(case_type))
    return due, warn_at_for(case_type, due)


def days_between(case_type: CaseType, start: datetime, end: datetime) -> int:
    """Days from ``start`` to ``end`` in the case type's unit (same day 0, Friday → Monday 1 working day)."""
    if _in_working_days(case_type):
        return working_days_between(start, end)
    return max(0, (local_date(end) - local_date(start)).days)


def shift_due(case_type: CaseType, due_at: datetime, days: int) -> tuple[datetime, datetime]:
    """The due date moved on by ``days`` paused days (same counting rule), with its new warning time."""
    due_date = local_date(due_at)
    if _in_working_days(case_type):
        due = end_of_day(add_working_days(due_date, days))
    else:
        due = end_of_day(due_date + timedelta(days=days))
    return due, warn_at_for(case_type, due)


def days_waited(case: Case, now: datetime) -> int:
    """Days the case waited for the citizen so far, a pause still running included."""
    if case.paused_at is not None:  # set exactly while the case waits (a constraint)
        return case.paused_days + days_between(case.case_type, case.paused_at, now)
    return case.paused_days


def admissibility_working_days(case: Case, decided_at: datetime) -> int:
    """Working days from registration to the admissibility decision at ``decided_at``, less the days the case
    waited so far (never below 0): what ``case_transition`` stores when the decision is stamped. The unit is always
    working days, whatever the case type's unit, so the KPI compares like with like across types."""
    return max(0, working_days_between(case.registered_at, decided_at) - case.paused_days)


def resolution_days(case: Case, resolved_at: datetime) -> int:
    """Days from registration to resolution at ``resolved_at`` in the case type's unit, less the days the case
    waited (never below 0): what ``case_transition`` stores at every resolution (a reopened case is resolved
    again)."""
    return max(0, days_between(case.case_type, case.registered_at, resolved_at) - case.paused_days)


def case_durations(case: Case) -> dict[str, int | None]:
    """Registration → each milestone reached, in the case type's unit, paused days excluded.

    By the rules stored for the KPIs: a case can only wait once its admissibility is decided (suspend needs an
    accepted or started case), so no paused day comes before the decision and none is subtracted from it (for a
    type counted in working days this is ``admissibility_working_days``); resolution and closing subtract the days
    waited, as ``resolution_days`` does.
    """

    def span(moment: datetime | None, paused: int) -> int | None:
        if moment is None:
            return None
        return max(0, days_between(case.case_type, case.registered_at, moment) - paused)

    return {
        "to_admissibility_decision": span(case.admissibility_decided_at, 0),
        "to_resolved": span(case.resolved_at, case.paused_days),
        "to_closed": span(case.closed_at, case.paused_days),
    }
