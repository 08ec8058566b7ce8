"""What a citizen's e-mail says: its subject, plain text and HTML, in the notification's language.

A city's own wording of a kind of e-mail (``EmailText``, edited in the admin) replaces the built-in one. The
built-in subject and status sentence of each kind are chosen here; the templates ``message.txt`` and
``message.html`` lay out the rest. (Chosen in the templates, kind by kind, they cost more than the rest of the
e-mail: this runs for every notification sent.)
"""

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import EmailText, NotificationKind

SUBJECTS = {
    NotificationKind.CASE_CREATED: _("We registered your request %(reference)s"),
    NotificationKind.CASE_SUSPENDED: _("We need something from you for %(reference)s"),
    NotificationKind.CASE_RESOLVED: _("Your request %(reference)s has been handled"),
    NotificationKind.SURVEY_INVITATION: _("How did we handle your request %(reference)s?"),
}
OTHER_SUBJECT = _("News about your request %(reference)s")
# Where the request stands, the e-mail's first sentence.
STATUS_TEXTS = {
    NotificationKind.CASE_CREATED: _("We registered your request and will follow it up."),
    NotificationKind.CASE_ACCEPTED: _("Your request was found admissible and will be handled."),
    NotificationKind.CASE_REJECTED: _("We cannot handle your request."),
    NotificationKind.CASE_STARTED: _("We have started working on your request."),
    NotificationKind.CASE_SUSPENDED: _("To go on with your request we need something from you:"),
    NotificationKind.CASE_RESOLVED: _("Your request has been handled."),
    NotificationKind.CASE_REOPENED: _("Your request has been reopened and will be handled again."),
    NotificationKind.SURVEY_INVITATION: _(
        "Your request has been handled. Would you tell us how we did? Three questions, one minute:"
    ),
    NotificationKind.CASE_CANCELLED: _("Your request has been closed without further handling."),
}


def email_content(
    context: dict, *, language: str, own: EmailText | None, html: bool = True
) -> tuple[str, str, str | None]:
    """(subject, text, HTML or None without ``html``) of the e-mail of kind ``context["kind"]`` with the values
    of ``context`` (the notification's payload, its status link)."""
    with translation.override(language):
        if own is not None:
            subject, text = own.render(context)
            template, context = "notifications/email/own_text.html", {"text": text}
        else:
            kind = context["kind"]
            subject = str(SUBJECTS.get(kind, OTHER_SUBJECT)) % {"reference": context.get("reference", "")}
            context = {**context, "status_text": STATUS_TEXTS.get(kind, "")}
            text = render_to_string("notifications/email/message.txt", context)
            template = "notifications/email/message.html"
        return subject, text, render_to_string(template, context) if html else None
