"""Every write to the contacts domain goes through these functions."""

from .access import access_log_record, access_log_record_shown
from .contacts import contact_log
from .identity import party_resolve
from .merge import party_merge, party_merge_all
from .parties import (
    contact_point_add,
    contact_point_remove,
    contact_point_update,
    party_create,
    party_update,
    representative_add,
    representative_remove,
    representative_update,
)

__all__ = [
    "access_log_record",
    "access_log_record_shown",
    "contact_log",
    "contact_point_add",
    "contact_point_remove",
    "contact_point_update",
    "party_create",
    "party_merge",
    "party_merge_all",
    "party_resolve",
    "party_update",
    "representative_add",
    "representative_remove",
    "representative_update",
]
