from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.history import history_actor, history_of_new
from contacts.models import Channel, Contact, Direction, MatchedOn, Outcome, Party, Source
from midoffice.db import insert_with
from midoffice.transactions import atomic_service

from .identity import party_resolve

# Clocks of integrating systems drift a little; a contact further in the future is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=5)


def nested_error(name: str, exc: ValidationError) -> ValidationError:
    """Django cannot nest error dicts: name the inner field in each message of the outer one instead."""
    if hasattr(exc, "error_dict"):
        messages = [f"{field}: {m}" for field, ms in exc.message_dict.items() for m in ms]
    else:
        messages = exc.messages
    return ValidationError({name: messages})


def validate_contact(values: dict[str, Any]) -> None:
    errors = {}
    for field, choices in (
        ("channel", Channel),
        ("source", Source),
        ("direction", Direction),
        ("outcome", Outcome),
    ):
        value = values.get(field)
        if value and value not in choices:
            label = Contact._meta.get_field(field).verbose_name
            errors[field] = [_("Unknown %(field)s %(value)s.") % {"field": label, "value": value}]
    if not values.get("subject"):
        errors["subject"] = [_("A contact needs a subject.")]
    occurred_at, started_at = values.get("occurred_at"), values.get("started_at")
    if occurred_at and occurred_at > timezone.now() + FUTURE_TOLERANCE:
        errors["occurred_at"] = [_("The contact cannot lie in the future.")]
    elif occurred_at and timezone.localdate(occurred_at) < settings.MIDOFFICE_MIN_DATE:
        errors["occurred_at"] = [
            _("A contact cannot lie before %(date)s.") % {"date": settings.MIDOFFICE_MIN_DATE.isoformat()}
        ]
    if occurred_at and started_at and started_at > occurred_at:
        errors["started_at"] = [_("The start lies after the moment of contact.")]
    if errors:
        raise ValidationError(errors)


def validate_contact_link(*, party: Party | None, party_data: dict[str, Any] | None, anonymous: bool) -> None:
    """A contact is linked to a party (``party`` or ``party_data``, not both) or explicitly anonymous."""
    given = [name for name, value in (("party", party), ("party_data", party_data)) if value]
    if len(given) > 1:
        raise ValidationError({"party": [_("Give either party or party_data, not both.")]})
    if anonymous and given:
        raise ValidationError({"anonymous": [_("An anonymous contact cannot be linked to a party.")]})
    if not anonymous and not given:
        raise ValidationError(
            {"party": [_("Link the contact to a party (party or party_data) or set anonymous explicitly.")]}
        )


@atomic_service
def contact_log(
    *,
    actor,
    channel: str,
    subject: str,
    party: Party | None = None,
    party_data: dict[str, Any] | None = None,
    anonymous: bool = False,
    source: str = Source.STAFF,
    direction: str = Direction.INBOUND,
    occurred_at: datetime | None = None,
    started_at: datetime | None = None,
    summary: str = "",
    outcome: str = "",
    guided: bool = False,
    handled_by=None,
    opens_case: bool = False,
) -> Contact:
    """Log one contact, linked to ``party``, to the party ``party_data`` resolves to, or anonymous.

    ``opens_case``: the caller opens a case from it in the same transaction (the outcome is then
    ``case_created`` unless given); outcome ``case_created`` without a case is refused.
    """
    validate_contact_link(party=party, party_data=party_data, anonymous=anonymous)
    occurred_at = occurred_at or timezone.now()
    values = {
        "channel": channel,
        "source": source,
        "direction": direction,
        "outcome": outcome,
        "subject": subject,
        "occurred_at": occurred_at,
        "started_at": started_at,
    }
    if opens_case and not outcome:
        values["outcome"] = Outcome.CASE_CREATED
    elif outcome == Outcome.CASE_CREATED and not opens_case:
        raise ValidationError({"outcome": [_("A contact whose outcome is a new case must open one: add the case.")]})
    validate_contact(values)
    matched_on = ""
    if party is not None:
        party, matched_on = party.survivor(), MatchedOn.GIVEN
    elif party_data:
        try:
            party, matched_on = party_resolve.in_transaction(actor=actor, data=party_data)
        except ValidationError as exc:
            raise nested_error("party_data", exc) from exc
    if handled_by is None and source == Source.STAFF and actor is not None and actor.is_authenticated:
        handled_by = actor
    contact = Contact(
        party=party,
        anonymous=anonymous,
        matched_on=matched_on,
        summary=summary,
        guided=guided,
        handled_by=handled_by,
        **values,
    )
    with history_actor(actor):
        # The contact and its history entry in one statement.
        insert_with(contact, dependents=history_of_new(contact))
    return contact
