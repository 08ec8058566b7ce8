"""Every write to the cases domain goes through these functions."""

from .assignment import case_assign, cases_assign_bulk
from .callbacks import callback_done, callback_request
from .cases import (
    TRANSITIONS,
    allowed_transitions,
    case_note_add,
    case_open,
    case_reassign,
    case_transition,
)
from .chase import (
    cases_close_expired,
    cases_escalate,
    group_message_queue,
    group_message_send,
    group_messages_relay,
)
from .contacts import case_contact_link, contact_log_with_case
from .corrections import case_change_type, case_merge_duplicate
from .events import case_event_add, case_event_new, case_events_write
from .replies import CaseNotWaiting, case_citizen_reply
from .routing import route

__all__ = [
    "TRANSITIONS",
    "CaseNotWaiting",
    "allowed_transitions",
    "callback_done",
    "callback_request",
    "case_assign",
    "case_change_type",
    "case_citizen_reply",
    "case_contact_link",
    "case_event_add",
    "case_event_new",
    "case_events_write",
    "case_merge_duplicate",
    "case_note_add",
    "case_open",
    "case_reassign",
    "case_transition",
    "cases_assign_bulk",
    "cases_close_expired",
    "cases_escalate",
    "contact_log_with_case",
    "group_message_queue",
    "group_message_send",
    "group_messages_relay",
    "route",
]
