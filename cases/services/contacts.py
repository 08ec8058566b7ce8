"""Logging a contact that opens a case: the contacts app logs contacts, this module adds the case."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cases.models import Case, EventKind
from contacts.models import Contact
from contacts.services import contact_log
from contacts.services.contacts import nested_error

from .cases import case_open
from .events import case_event_add


@transaction.atomic
def contact_log_with_case(*, actor, case: dict[str, Any] | None = None, **contact: Any) -> tuple[Contact, Case | None]:
    """Log a contact (the arguments of ``contacts.services.contact_log``) and, with ``case`` (those of
    ``case_open``), open a case from it in the same transaction: both are written or neither."""
    logged = contact_log.in_transaction(actor=actor, opens_case=case is not None, **contact)
    if case is None:
        return logged, None
    try:
        opened = case_open.in_transaction(actor=actor, contact=logged, **case)
    except ValidationError as exc:
        raise nested_error("case", exc) from exc
    return logged, opened


def case_contact_link(
    *, case: Case, contact: Contact, note: str, public: bool = False, data: dict | None = None
) -> None:
    """A contact about a case already open (a citizen's reply): linked to the case, and ``note`` on its timeline
    (``public``: on the citizen's status page too; ``data``: more for the event's data)."""
    case.contacts.add(contact)
    case_event_add(
        case_id=case.pk,
        kind=EventKind.NOTE,
        text=note,
        public=public,
        data={**(data or {}), "contact": contact.pk, "channel": contact.channel},
    )
