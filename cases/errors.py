from django.utils.translation import gettext_lazy as _

from midoffice.errors import DomainError

from .workflow import WORKFLOW, CaseState


class RoutingNotConfigured(DomainError):
    """No rule, no default group and no KCC: an installation error, never a case without a group."""

    status_code = 503
    code = "routing_not_configured"

    def __init__(self, *, case_type_code: str):
        super().__init__(
            _("No handler group can take a case of type %(code)s: configure a KCC or a default group.")
            % {"code": case_type_code},
            case_type=case_type_code,
        )


class IllegalTransition(DomainError):
    """The transition is not possible from the case's current state."""

    code = "illegal_transition"

    def __init__(self, *, transition: str, state: str, allowed: list[str]):
        super().__init__(
            _("A case with state ‘%(state)s’ cannot be ‘%(transition)s’")
            % {"state": CaseState(state).label, "transition": WORKFLOW[transition].participle},
            state=state,
            allowed_transitions=allowed,
        )


class StaleCase(DomainError):
    """The caller acted on an older version of the case: someone else changed it in between."""

    code = "stale_version"

    def __init__(self, *, version: int):
        super().__init__(
            _("The case was changed by someone else in the meantime; reload it and try again."), version=version
        )


class CaseActionForbidden(DomainError):
    """The caller sees the case but may not do this to it."""

    status_code = 403
    code = "permission_denied"

    def __init__(self, detail: str):
        super().__init__(detail)


class CaseFinal(DomainError):
    code = "case_final"

    def __init__(self, *, state: str):
        super().__init__(
            _("The case is ‘%(state)s’: it can no longer change.") % {"state": CaseState(state).label}, state=state
        )


class AssignmentUnchanged(DomainError):
    """The case already has the assignee asked for (or nobody, for an unassignment): a double click, or a colleague
    was quicker."""

    code = "assignment_unchanged"

    def __init__(self, *, assignee_id: int | None):
        detail = (
            _("The case is not assigned to anyone.")
            if assignee_id is None
            else _("The case is already assigned to this person.")
        )
        super().__init__(detail, assignee=assignee_id)


class CallbackDone(DomainError):
    """The call-back was marked done already (by a colleague, or by a second click)."""

    code = "callback_done"

    def __init__(self, *, done_at, done_by: str | None):
        super().__init__(
            _("This call-back was already marked done."),
            done_at=done_at.isoformat(),
            done_by=done_by,
        )
