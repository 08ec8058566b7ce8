"""Call-back requests ("terugbelnotities"): someone asked to be called back by a handler group."""

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.errors import CallbackDone
from cases.models import Callback, HandlerGroup
from contacts.identifiers import clean_name, clean_phone
from contacts.models import Contact, Party
from midoffice.text import clean_text

logger = logging.getLogger(__name__)

NAME_MAX_LENGTH = Callback._meta.get_field("name").max_length
TOPIC_MAX_LENGTH = Callback._meta.get_field("topic").max_length
OUTCOME_MAX_LENGTH = 2_000


@transaction.atomic
def callback_request(
    *,
    actor,
    handler_group: HandlerGroup,
    phone: str,
    topic: str,
    due_by: datetime,
    party: Party | None = None,
    name: str = "",
    contact: Contact | None = None,
) -> Callback:
    """Note that someone wants ``handler_group`` to call them back at ``phone`` by ``due_by``.

    With a ``contact`` the call-back belongs to the contact's party; a merged party's survivor is used.
    """
    errors = {}
    try:
        phone = clean_phone(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    try:
        name = clean_name(name)
    except ValidationError as exc:
        errors["name"] = exc.messages
    else:
        if len(name) > NAME_MAX_LENGTH:
            errors["name"] = [_("At most %(n)d characters.") % {"n": NAME_MAX_LENGTH}]
    topic = clean_text(topic or "")
    if not topic:
        errors["topic"] = [_("Say what the call-back is about.")]
    elif len(topic) > TOPIC_MAX_LENGTH:
        errors["topic"] = [_("At most %(n)d characters.") % {"n": TOPIC_MAX_LENGTH}]
    if due_by < timezone.now():
        errors["due_by"] = [_("A call-back cannot be due in the past.")]
    if not handler_group.active:
        errors["handler_group"] = [_("This handler group is inactive.")]
    if contact is not None:
        if party is not None and contact.party_id is not None and party.survivor().pk != contact.party_id:
            errors["party"] = [_("The call-back and its contact belong to different parties.")]
        party = party or contact.party
    if party is None and not name and "name" not in errors:
        errors["name"] = [_("Say whom to ask for, or choose the party.")]
    if errors:
        raise ValidationError(errors)
    callback = Callback.objects.create(
        party=party.survivor() if party is not None else None,
        name=name,
        phone=phone,
        topic=topic,
        due_by=due_by,
        handler_group=handler_group,
        contact=contact,
        created_by=actor,
    )
    logger.info(
        "callback.request",
        extra={"callback": callback.pk, "handler_group": handler_group.pk, "actor": actor.get_username()},
    )
    return callback


@transaction.atomic
def callback_done(*, actor, callback: Callback, note: str = "") -> Callback:
    """Mark the call-back done, with what came of it; under a row lock, so a second "done" is refused (409)."""
    note = clean_text(note or "")
    if len(note) > OUTCOME_MAX_LENGTH:
        raise ValidationError({"note": [_("At most %(n)d characters.") % {"n": OUTCOME_MAX_LENGTH}]})
    locked = Callback.objects.select_for_update().filter(pk=callback.pk).values_list("pk", flat=True)
    if not locked:
        raise Callback.DoesNotExist
    callback = Callback.objects.select_related("done_by").get(pk=callback.pk)
    if callback.done_at is not None:
        raise CallbackDone(done_at=callback.done_at, done_by=callback.done_by.get_username())
    callback.done_at, callback.done_by, callback.outcome = timezone.now(), actor, note
    callback.save(update_fields=["done_at", "done_by", "outcome"])
    logger.info("callback.done", extra={"callback": callback.pk, "actor": actor.get_username()})
    return callback
