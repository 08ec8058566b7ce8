"""Reading one mail (stdlib ``email``, default policy): who sent it, what it says, and whether to import it."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from django.conf import settings
from django.utils.html import strip_tags

# Auto-replies and lists (RFC 3834 and the headers of common autoresponders).
AUTO_REPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress-Reply")
BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
BOUNCE_SENDERS = ("mailer-daemon", "postmaster")
# Every e-mail our notification backend sends carries it (notifications/backends.py).
OWN_HEADER = "X-Midoffice-Idempotency-Key"
MESSAGE_ID_MAX = 255


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class ParsedMail:
    message_id: str
    sender: str  # the address, lower case; "" when there is none
    sender_name: str
    subject: str
    text: str
    sent_at: datetime | None
    attachments: list[Attachment] = field(default_factory=list)
    # The Message-IDs of In-Reply-To and References: the mails this one answers.
    replies_to: list[str] = field(default_factory=list)


def digest_id(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def message_id_of(message_id: str | None, raw: bytes) -> str:
    """The key of a mail in its mailbox: its Message-ID, or a digest of it or of the whole mail."""
    value = (message_id or "").strip()
    if not value:
        return digest_id(raw)
    return value if len(value) <= MESSAGE_ID_MAX else digest_id(value.encode())


def parse_headers(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=default)


def header(message: EmailMessage, name: str) -> str:
    """A header as text; a header the parser cannot decode counts as absent."""
    try:
        value = message.get(name)
    except Exception:  # a malformed header raises on access with the default policy
        return ""
    return str(value).strip() if value is not None else ""


def sender_of(message: EmailMessage) -> tuple[str, str]:
    name, address = parseaddr(header(message, "From"))
    return address.strip().lower(), " ".join(name.split())


def ignore_reason(message: EmailMessage, *, own_addresses: set[str]) -> tuple[str, str] | None:
    """``("auto_reply" | "loop", why)`` for a mail that must not become a contact, else None."""
    sender, _name = sender_of(message)
    local = sender.partition("@")[0]
    return_path = header(message, "Return-Path")
    if not sender or return_path == "<>" or local in BOUNCE_SENDERS:
        return "loop", "bounce or no sender"
    if message.get_content_type() == "multipart/report":
        return "loop", "delivery report"
    if header(message, OWN_HEADER) or sender in own_addresses:
        return "loop", "our own mail"
    auto_submitted = header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return "auto_reply", f"Auto-Submitted: {auto_submitted}"[:200]
    precedence = header(message, "Precedence").lower()
    if precedence in BULK_PRECEDENCE:
        return "auto_reply", f"Precedence: {precedence}"
    for name in AUTO_REPLY_HEADERS:
        if header(message, name):
            return "auto_reply", name
    return None


def own_addresses(mailbox_address: str) -> set[str]:
    """The addresses we send from: a mail from one of them is our own, come back."""
    addresses = {mailbox_address.lower()} if mailbox_address else set()
    for _name, address in getaddresses([settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL]):
        if address:
            addresses.add(address.lower())
    return addresses


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = body.get_content()
    if body.get_content_type() == "text/html":
        content = strip_tags(content)
    return re.sub(r"\n{3,}", "\n\n", content.replace("\r\n", "\n")).strip()


def parse(raw: bytes) -> ParsedMail:
    """The mail's parts that we keep. Raises ``ValueError`` (or a parser error) on a mail that cannot be read."""
    message = parse_headers(raw)
    sender, sender_name = sender_of(message)
    try:
        sent_at = parsedate_to_datetime(header(message, "Date")) if header(message, "Date") else None
    except (TypeError, ValueError):
        sent_at = None
    attachments = []
    for part in message.iter_attachments():
        if part.is_multipart():
            continue
        content = part.get_payload(decode=True) or b""
        attachments.append(
            Attachment(
                filename=(part.get_filename() or "attachment").strip()[:200],
                content_type=part.get_content_type(),
                content=content,
            )
        )
    return ParsedMail(
        message_id=message_id_of(header(message, "Message-ID"), raw),
        sender=sender,
        sender_name=sender_name,
        subject=" ".join(header(message, "Subject").split()),
        text=_text(message),
        sent_at=sent_at,
        attachments=attachments,
        replies_to=replied_ids(message),
    )


def replied_ids(message: EmailMessage) -> list[str]:
    """The Message-IDs in In-Reply-To and References, the direct parent first, without repeats (at most 50)."""
    found = re.findall(r"<[^<>\s]{1,255}>", header(message, "In-Reply-To") + " " + header(message, "References"))
    return list(dict.fromkeys(found))[:50]


def reference_candidates(subject: str) -> list[str]:
    """Numbers in a subject that may be a case reference ("Re: We registered your request 1777")."""
    return list(dict.fromkeys(re.findall(r"(?<![\d.,/-])\d{1,12}(?![\d.,/-]?\d)", subject)))[:10]


def split_name(display_name: str) -> dict[str, str]:
    """ "Jan Peeters" or "Peeters, Jan" → given and family name; one word → the family name; none → nothing."""
    name = display_name.strip().strip("\"'").strip()
    if not name or "@" in name:
        return {}
    if "," in name:
        family, _sep, given = name.partition(",")
        return {k: v for k, v in (("given_name", given.strip()), ("family_name", family.strip())) if v}
    given, _sep, family = name.partition(" ")
    if not family:
        return {"family_name": given}
    return {"given_name": given, "family_name": family.strip()}
