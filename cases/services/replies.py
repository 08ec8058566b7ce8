"""The citizen's answer to the city's question, given on the status page while their case waits for them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from cases.models import Case
from cases.workflow import CaseState
from contacts.models import Channel, Contact, Direction, Source
from contacts.services import contact_log
from midoffice.errors import DomainError
from midoffice.text import clean_text

from .cases import _lock, case_transition
from .chase import group_message_queue, mail_case_line
from .contacts import case_contact_link

# The citizen's answer, in characters (what the public intake allows for a description).
CITIZEN_REPLY_MAX_LENGTH = 4_000


class CaseNotWaiting(DomainError):
    """The case no longer waits for the citizen (a page left open while the handler went on)."""

    code = "case_not_waiting"

    def __init__(self):
        super().__init__(
            gettext_lazy("The city no longer waits for an answer on this request: your answer was not sent.")
        )


def _validated_text(text: str) -> str:
    text = clean_text(text)
    if not text:
        raise ValidationError({"text": [_("Write your answer.")]})
    if len(text) > CITIZEN_REPLY_MAX_LENGTH:
        raise ValidationError(
            {
                "text": [
                    _("Keep your answer to %(limit)d characters (it has %(length)d).")
                    % {"limit": CITIZEN_REPLY_MAX_LENGTH, "length": len(text)}
                ]
            }
        )
    return text


@transaction.atomic
def case_citizen_reply(*, case: Case, text: str) -> Contact:
    """The citizen's answer to a waiting case: an inbound web contact linked to the case (a public note on its
    timeline), the case resumed when its type says so, and an e-mail to its handler group after commit.
    ``CaseNotWaiting`` when the case no longer waits: nothing is written."""
    text = _validated_text(text)
    _lock(case)
    case = Case.objects.select_related("case_type", "handler_group").get(pk=case.pk)
    if case.state != CaseState.WAITING:
        raise CaseNotWaiting
    # What is stored and mailed is read by staff: in the installation's language, not the citizen's.
    with override(settings.LANGUAGE_CODE):
        contact = contact_log.in_transaction(
            actor=None,
            channel=Channel.WEBSITE,
            source=Source.WEB_FORM,
            direction=Direction.INBOUND,
            subject=_("Answer to a question"),
            summary=text,
            party=case.party,
            anonymous=case.party_id is None,
        )
        case_contact_link(
            case=case,
            contact=contact,
            note=_("Answer from the citizen on the status page:") + "\n" + text,
            public=True,
            data={"citizen_reply": text},
        )
        resumed = case.case_type.resume_on_citizen_reply
        if resumed:
            # actor None: the citizen, as the survey's reopen; the transition keeps its row lock and version.
            case = case_transition(
                actor=None, case=case, transition="resume", reason=_("The citizen answered on the status page.")
            )
        lines = [
            mail_case_line(case),
            "",
            _("The citizen answered on the status page; the case was resumed.")
            if resumed
            else _("The citizen answered on the status page; the case still waits: resume it when you can."),
            "",
            text,
        ]
        group_message_queue(
            handler_group=case.handler_group,
            subject=_("Case %(reference)s: the citizen answered") % {"reference": case.reference},
            body="\n".join(lines),
        )
    return contact
