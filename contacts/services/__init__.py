"""Every write to the contacts domain goes through these functions."""

from .access import access_log_record
from .contacts import contact_log
from .identity import party_resolve
from .merge import party_merge
from .parties import (
    contact_point_add,
    contact_point_remove,
    party_create,
    party_update,
    representative_add,
    representative_remove,
    representative_update,
)

__all__ = [
    "access_log_record",
    "contact_log",
    "contact_point_add",
    "contact_point_remove",
    "party_create",
    "party_merge",
    "party_resolve",
    "party_update",
    "representative_add",
    "representative_remove",
    "representative_update",
]
