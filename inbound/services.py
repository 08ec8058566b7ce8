"""Every write of inbound e-mail: a mailbox's secrets, polling it, and what each mail becomes."""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import override

from cases.configuration import configuration
from cases.models import Case, EventKind
from cases.services import case_contact_link, case_event_add, contact_log_with_case, group_message_queue
from cases.workflow import FINAL_STATES
from contacts.identifiers import clean_email
from contacts.models import Channel, Contact, ContactPoint, ContactPointKind, Direction, Party, Source
from contacts.services import party_resolve
from midoffice.backoff import backoff
from midoffice.errors import DomainError
from notifications.backends import notification_key_from_message_id
from notifications.models import Notification

from .credentials import secret_encrypt
from .imap import MailboxConnection, MailServerError
from .models import InboundAttachment, InboundMail, InboundMailStatus, Mailbox
from .parsing import (
    ParsedMail,
    header,
    ignore_reason,
    message_id_of,
    own_addresses,
    parse,
    parse_headers,
    reference_candidates,
    sender_of,
    split_name,
)

logger = logging.getLogger(__name__)

# What a case's timeline and a group's e-mail quote of a mail.
QUOTE_CHARS = 2000


@transaction.atomic
def mailbox_save(*, actor, mailbox: Mailbox, password: str | None = None, client_secret: str | None = None) -> Mailbox:
    """Create or change a mailbox (the admin's form), its password or OAuth2 client secret stored encrypted; None
    or "" keeps the stored secret. Refuses an incomplete configuration with the constraint's own rule."""
    if password:
        mailbox.password_encrypted = secret_encrypt(password)
    if client_secret:
        mailbox.oauth_client_secret_encrypted = secret_encrypt(client_secret)
    mailbox.full_clean()
    mailbox.save()
    logger.info("inbound.mailbox_saved", extra={"mailbox": mailbox.pk, "actor": getattr(actor, "pk", None)})
    return mailbox


# --- Polling ------------------------------------------------------------------------------------------------------


def mailboxes_due(*, now: datetime | None = None) -> list[int]:
    """The active mailboxes whose next poll is due (a failing one waits longer each time)."""
    now = now or timezone.now()
    return list(Mailbox.objects.filter(active=True, next_poll_at__lte=now).order_by("pk").values_list("pk", flat=True))


@dataclass
class PollResult:
    seen: int = 0
    recorded: int = 0
    failed: int = 0


def mailbox_poll(*, mailbox_id: int) -> PollResult | None:
    """Import what is new in the mailbox, one mail per transaction, each marked processed on the server only after
    its transaction committed. A server failure leaves the rest where it is for the next poll; a mail recorded
    before (a retry after such a failure) is only marked processed. None when the mailbox is inactive or gone."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id, active=True).first()
    if mailbox is None:
        return None
    result = PollResult()
    try:
        with MailboxConnection(mailbox) as server:
            for uid in server.new_uids()[: settings.MIDOFFICE_INBOUND_BATCH]:
                result.seen += 1
                if _take(server, mailbox, uid):
                    result.recorded += 1
                else:
                    result.failed += 1
    except MailServerError as exc:
        _poll_failed(mailbox, str(exc))
        raise
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(), last_error="", failures=0, next_poll_at=timezone.now()
    )
    return result


def _poll_failed(mailbox: Mailbox, error: str) -> None:
    failures = mailbox.failures + 1
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(),
        last_error=error[:2000],
        failures=failures,
        next_poll_at=timezone.now() + backoff(failures),
    )
    logger.warning("inbound.poll_failed", extra={"mailbox": mailbox.pk, "error": error})


def _take(server: MailboxConnection, mailbox: Mailbox, uid: bytes) -> bool:
    """One mail: recorded (or found recorded) and marked processed → True. A bug on one mail is logged and leaves
    it on the server (tried again next poll) without holding up the others → False."""
    fetched = server.headers(uid)
    if fetched is None:
        return True
    size, head = fetched
    message_id = message_id_of(header(parse_headers(head), "Message-ID"), head)
    if not InboundMail.objects.filter(mailbox=mailbox, message_id=message_id).exists():
        try:
            if size > settings.MIDOFFICE_INBOUND_MAX_MESSAGE_BYTES:
                inbound_mail_refuse_too_large(mailbox=mailbox, message_id=message_id, size=size, head=head)
            else:
                raw = server.fetch(uid)
                if raw is None:
                    return True
                inbound_mail_import(mailbox=mailbox, raw=raw, message_id=message_id)
        except MailServerError:
            raise
        except Exception:
            logger.exception("inbound.mail_failed", extra={"mailbox": mailbox.pk, "message_id": message_id})
            return False
    server.mark_processed(uid)
    return True


# --- One mail ----------------------------------------------------------------------------------------------------


def _triage_group(mailbox: Mailbox):
    return mailbox.default_group or configuration().kcc


def _tell(group, subject: str, lines: list[str]) -> None:
    if group is not None:
        group_message_queue(handler_group=group, subject=subject, body="\n".join(lines))


def _record(**fields) -> InboundMail:
    """The mail's row; a concurrent poll that recorded it first makes this one fail as a whole (the unique index)."""
    return InboundMail.objects.create(**fields)


def inbound_mail_refuse_too_large(*, mailbox: Mailbox, message_id: str, size: int, head: bytes) -> InboundMail:
    """A mail over the size limit is not fetched: recorded, and the triage group told to look in the mailbox."""
    message = parse_headers(head)
    sender, sender_name = sender_of(message)
    with transaction.atomic():
        mail = _record(
            mailbox=mailbox,
            message_id=message_id,
            size=size,
            sender=sender[:254],
            sender_name=sender_name[:200],
            subject=" ".join(header(message, "Subject").split())[:200],
            status=InboundMailStatus.REFUSED_TOO_LARGE,
            reason=f"{size} > {settings.MIDOFFICE_INBOUND_MAX_MESSAGE_BYTES} bytes",
        )
        _tell_refused(mailbox, mail)
    return mail


def _tell_refused(mailbox: Mailbox, mail: InboundMail) -> None:
    with override(settings.LANGUAGE_CODE):
        _tell(
            _triage_group(mailbox),
            _("An e-mail in %(mailbox)s was not imported") % {"mailbox": mailbox.name},
            [
                _("From: %(sender)s") % {"sender": mail.sender},
                _("Subject: %(subject)s") % {"subject": mail.subject},
                _("Why: %(reason)s") % {"reason": f"{mail.get_status_display()} ({mail.reason})"},
                _("Read it in the mailbox itself and answer the sender."),
            ],
        )


def inbound_mail_import(*, mailbox: Mailbox, raw: bytes, message_id: str) -> InboundMail:
    """Record one mail and make of it what it is, all in one transaction: an ignored auto-reply or loop, a refused
    empty or unreadable mail, or an inbound contact (on the case it answers, a new case, or for triage)."""
    try:
        with transaction.atomic():
            return _import(mailbox, raw, message_id)
    except IntegrityError:
        existing = InboundMail.objects.filter(mailbox=mailbox, message_id=message_id).first()
        if existing is None:
            raise
        return existing
    except (ValidationError, DomainError) as exc:
        # The mail cannot become a contact (an address the contact records refuse, routing not configured): the
        # refusal is recorded, and a person told, instead of trying it again every poll.
        reason = "; ".join(getattr(exc, "messages", None) or [str(exc)])
        with transaction.atomic():
            mail = _record(**_basics(mailbox, raw, message_id), status=InboundMailStatus.ERROR, reason=reason[:2000])
            _tell_refused(mailbox, mail)
        return mail


def _basics(mailbox: Mailbox, raw: bytes, message_id: str) -> dict:
    message = parse_headers(raw)
    return {
        "mailbox": mailbox,
        "message_id": message_id,
        "size": len(raw),
        "sender": " ".join(header(message, "From").split())[:254],
        "subject": " ".join(header(message, "Subject").split())[:200],
    }


def _import(mailbox: Mailbox, raw: bytes, message_id: str) -> InboundMail:
    basics = _basics(mailbox, raw, message_id)
    try:
        parsed = parse(raw)
    except Exception as exc:  # the parser's and the decoders' errors on a broken mail are many and undocumented
        mail = _record(**basics, status=InboundMailStatus.ERROR, reason=f"unreadable: {exc.__class__.__name__}")
        _tell_refused(mailbox, mail)
        return mail
    basics |= {"sender": parsed.sender[:254], "sender_name": parsed.sender_name[:200], "subject": parsed.subject[:200]}
    ignored = ignore_reason(parse_headers(raw), own_addresses=own_addresses(mailbox.address))
    if ignored is not None:
        kind, why = ignored
        status = InboundMailStatus.IGNORED_AUTO_REPLY if kind == "auto_reply" else InboundMailStatus.IGNORED_LOOP
        return _record(**basics, status=status, reason=why)
    if not parsed.subject and not parsed.text and not parsed.attachments:
        mail = _record(**basics, status=InboundMailStatus.REFUSED_EMPTY, reason="no subject, text or attachment")
        _tell_refused(mailbox, mail)
        return mail
    party = _sender_party(parsed)
    replied = _replied_case(parsed, party)
    contact, case = _log(mailbox, parsed, party, replied)
    saved, left_out = _store_attachments(mailbox, parsed)
    try:
        mail = _record(
            **basics, status=InboundMailStatus.IMPORTED, contact=contact, case=case, reason="; ".join(left_out)
        )
        InboundAttachment.objects.bulk_create(InboundAttachment(mail=mail, **fields) for fields in saved)
        _announce(mailbox, parsed, contact, case, replied, saved, left_out)
    except Exception:
        for fields in saved:
            default_storage.delete(fields["file"])
        raise
    return mail


def _sender_party(parsed: ParsedMail) -> Party:
    """The party with the sender's address; unknown: a new person named after the display name where it is one."""
    email = clean_email(parsed.sender)
    known = ContactPoint.objects.filter(
        kind=ContactPointKind.EMAIL, value=email, party__merged_into__isnull=True
    ).exists()
    names = {} if known else split_name(parsed.sender_name)
    try:
        return party_resolve(actor=None, data={"email": email, **names})[0]
    except ValidationError:
        if not names:
            raise
        # A display name the contact records refuse (too long, only symbols) does not keep the mail out.
        return party_resolve(actor=None, data={"email": email})[0]


def _replied_case(parsed: ParsedMail, party: Party) -> Case | None:
    """The case of this party that the mail answers: the case of our e-mail named in In-Reply-To or References
    (its Message-ID names the notification), else the case whose reference the subject names, as our e-mails write
    it ("… 1777 …"). Either way only a case of the sender's own party: a forged header reaches no other case."""
    cases = Case.objects.select_related("case_type", "handler_group").filter(party=party)
    keys = [key for key in map(notification_key_from_message_id, parsed.replies_to) if key is not None]
    if keys:
        notified = dict(Notification.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", "case_id"))
        # The direct parent (In-Reply-To, first) wins over older mails of the thread.
        by_id = cases.in_bulk([notified[key] for key in keys if key in notified])
        for key in keys:
            case = by_id.get(notified.get(key))
            if case is not None:
                return case
    references = reference_candidates(parsed.subject)
    if not references:
        return None
    return cases.filter(reference__in=references).order_by("-registered_at").first()


def _occurred_at(parsed: ParsedMail) -> datetime:
    """When the citizen wrote, by the mail's own date where that is plausible (not later than now, at most a week
    old: a sender's clock is not to be trusted further)."""
    now = timezone.now()
    if parsed.sent_at is not None and parsed.sent_at.tzinfo is not None and now - timedelta(days=7) <= parsed.sent_at:
        return min(parsed.sent_at, now)
    return now


def _summary(parsed: ParsedMail) -> str:
    return parsed.text[: settings.MIDOFFICE_INBOUND_SUMMARY_MAX_CHARS]


def _log(mailbox: Mailbox, parsed: ParsedMail, party: Party, replied: Case | None) -> tuple[Contact, Case | None]:
    contact_fields = {
        "actor": None,
        "channel": Channel.EMAIL,
        "source": Source.INTEGRATION,
        "direction": Direction.INBOUND,
        "subject": (parsed.subject or _("(no subject)"))[:200],
        "summary": _summary(parsed),
        "party": party,
        "occurred_at": _occurred_at(parsed),
    }
    text = "\n\n".join(p for p in (parsed.subject, _summary(parsed)) if p)
    if replied is not None and replied.state not in FINAL_STATES:
        contact, _none = contact_log_with_case(**contact_fields)
        case_contact_link(case=replied, contact=contact, note=_("E-mail from the citizen:") + "\n" + text[:QUOTE_CHARS])
        return contact, replied
    if replied is not None and replied.case_type.active:
        description = _("A reply by e-mail to case %(reference)s, which was %(state)s.") % {
            "reference": replied.reference,
            "state": replied.get_state_display().lower(),
        }
        contact, case = contact_log_with_case(
            **contact_fields, case={"case_type": replied.case_type, "description": f"{description}\n\n{text}"}
        )
        case_event_add(
            case_id=replied.pk,
            kind=EventKind.NOTE,
            text=_("A reply by e-mail arrived after this case ended; it is followed up in case %(reference)s.")
            % {"reference": case.reference},
            data={"follow_up": case.reference, "contact": contact.pk},
        )
        return contact, case
    if mailbox.default_case_type is not None:
        new_case = {"case_type": mailbox.default_case_type, "description": text}
        return contact_log_with_case(**contact_fields, case=new_case)
    return contact_log_with_case(**contact_fields)


def _store_attachments(mailbox: Mailbox, parsed: ParsedMail) -> tuple[list[dict], list[str]]:
    """Attachments within the size and type limits, saved to the default storage; the names of those left out."""
    saved, left_out = [], []
    folder = f"inbound/{mailbox.pk}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"
    for attachment in parsed.attachments:
        if attachment.content_type not in settings.MIDOFFICE_INBOUND_ATTACHMENT_TYPES:
            left_out.append(f"{attachment.filename}: type {attachment.content_type} not accepted")
            continue
        if len(attachment.content) > settings.MIDOFFICE_INBOUND_MAX_ATTACHMENT_BYTES:
            left_out.append(f"{attachment.filename}: {len(attachment.content)} bytes, too large")
            continue
        name = get_valid_filename(attachment.filename) or "attachment"
        path = default_storage.save(f"{folder}/{name}", ContentFile(attachment.content))
        saved.append(
            {
                "filename": attachment.filename,
                "content_type": attachment.content_type[:100],
                "size": len(attachment.content),
                "file": path,
            }
        )
    return saved, left_out


def _announce(mailbox, parsed, contact, case, replied, saved, left_out) -> None:
    """Tell the people who must act: the case's group on a reply, the triage group on a mail without a case."""
    with override(settings.LANGUAGE_CODE):
        lines = [
            _("From: %(sender)s") % {"sender": f"{parsed.sender_name} <{parsed.sender}>".strip()},
            _("Subject: %(subject)s") % {"subject": parsed.subject},
        ]
        if saved:
            lines.append(_("Attachments: %(names)s") % {"names": ", ".join(f["filename"] for f in saved)})
        if left_out:
            lines.append(_("Left out: %(names)s") % {"names": "; ".join(left_out)})
        lines += ["", _summary(parsed)[:QUOTE_CHARS]]
        if replied is not None and case is not None and case.pk == replied.pk:
            _tell(case.handler_group, _("Reply by e-mail on case %(reference)s") % {"reference": case.reference}, lines)
        elif case is None:
            _tell(
                _triage_group(mailbox),
                _("New e-mail to triage in %(mailbox)s: %(subject)s")
                % {"mailbox": mailbox.name, "subject": parsed.subject or _("(no subject)")},
                lines,
            )
