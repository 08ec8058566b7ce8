"""What a citizen's e-mail says: its subject, plain text and HTML, in the notification's language.

A city's own wording of a kind of e-mail (``EmailText``, edited in the admin) replaces the built-in one. The
built-in subject and status sentence of each kind are chosen here; the templates ``message.txt`` and
``message.html`` lay out the rest. (Chosen in the templates, kind by kind, they cost more than the rest of the
e-mail: this runs for every notification sent.) Each template is rendered once per language and per set of the
optional parts an e-mail has, with a marker in place of each value (``_layout``); an e-mail is that layout with its
values put in, escaped in the HTML as the template escapes them: rendering the templates for every e-mail cost more
CPU than everything else of sending it.
"""

from functools import cache

from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import conditional_escape
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
            present = tuple(bool(context.get(name)) for name in OPTIONAL)
            text = _filled(_layout("notifications/email/message.txt", language, present), context, html=False)
            if not html:
                return subject, text, None
            return subject, text, _filled(_layout("notifications/email/message.html", language, present), context)
        return subject, text, render_to_string(template, context) if html else None


# What the built-in templates show of an e-mail's context, and the parts they leave out when empty.
VALUES = (
    "name",
    "status_text",
    "public_message",
    "survey_url",
    "reference",
    "case_type",
    "tracking_code",
    "handler",
    "status_url",
    "sender",
)
OPTIONAL = ("public_message", "survey_url", "tracking_code", "status_url")
# Around each value's name in a layout; no template or translation holds it.
MARKER = "\x00"


@cache
def _layout(template: str, language: str, present: tuple[bool, ...]) -> str:
    """``template`` rendered in ``language`` with a marker for each value, the optional parts ``present`` shown."""
    context = {name: f"{MARKER}{name}{MARKER}" for name in VALUES}
    context |= {name: "" for name, shown in zip(OPTIONAL, present, strict=True) if not shown}
    with translation.override(language):
        return render_to_string(template, context)


def _filled(layout: str, context: dict, *, html: bool = True) -> str:
    """The layout with the values of ``context`` in place of its markers, as the template would show them."""
    parts = layout.split(MARKER)
    for index in range(1, len(parts), 2):
        name = parts[index]
        value = str(context[name]) if name in context else ""
        if html:
            value = linebreaksbr(value, autoescape=True) if name == "public_message" else conditional_escape(value)
        parts[index] = value
    return "".join(parts)
