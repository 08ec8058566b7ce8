"""The citizen e-mail a transition will send, rendered as ``notifications.backends.email_send`` renders it, sent to
nobody."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from cases.models import Case
from cases.workflow import WORKFLOW
from contacts.models import ContactPointKind
from contacts.selectors import preferred_point_value
from notifications.backends import email_texts, enabled_backends
from notifications.emails import email_content
from notifications.models import Backend


@dataclass
class EmailPreview:
    recipient: str = ""
    subject: str = ""
    text: str = ""
    none_reason: str = ""


class PreviewSource:
    """What every preview of one case needs, read once per page: the citizen's address and the city's own texts."""

    def __init__(self, case: Case):
        self.case = case
        self.email_on = Backend.EMAIL in enabled_backends()
        self.recipient = (
            preferred_point_value(case.party_id, ContactPointKind.EMAIL) if case.party_id and self.email_on else None
        )
        language = case.party.language if case.party_id else ""
        texts = email_texts() if self.recipient else {}
        self.own = {kind: text for (kind, in_language), text in texts.items() if in_language == language}

    def preview(self, transition: str, public_message: str) -> EmailPreview | None:
        kind = WORKFLOW[transition].notifies
        if not kind:
            return None
        case = self.case
        if case.party_id is None:
            return EmailPreview(none_reason=_("The case has no citizen linked: nobody is told."))
        if kind not in case.case_type.notify_kinds:
            return EmailPreview(none_reason=_("This case type does not tell the citizen about this step."))
        if not self.recipient:
            return EmailPreview(none_reason=_("The citizen has no e-mail address: no e-mail is sent."))
        context = {
            "reference": case.reference,
            "case_type": case.case_type.name,
            "state": WORKFLOW[transition].target,
            "name": case.party.display_name,
            "handler": case.handler_group.public_name,
            "public_message": public_message.strip(),
            "sender": _sender(),
            "kind": kind,
            "status_url": _("(the link to the status page)"),
        }
        subject, text, _html = email_content(context, language=case.party.language, own=self.own.get(kind), html=False)
        return EmailPreview(recipient=self.recipient, subject=subject, text=text.strip())


def _sender() -> str:
    return settings.MIDOFFICE_NOTIFICATION_SENDER
