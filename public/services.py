"""Every write of the public channels: service clients, the intake of submissions, the status look-ups."""

import posixpath
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from cases.configuration import configuration
from cases.models import Case, CaseType
from cases.services import case_citizen_reply, contact_log_with_case
from contacts.models import Channel, Contact, Outcome, Party, Source
from contacts.services.contacts import FUTURE_TOLERANCE

from .auth import new_key
from .models import Attachment, Scope, ServiceClient, StatusLookup

DESCRIPTION_MAX_LENGTH = 4_000
SUBJECT_MAX_LENGTH = 200
# What a file's first bytes must be for the content type it claims; a type not listed is taken at its word.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}


def _unknown(values: list[str], allowed) -> list[str]:
    return sorted(set(values) - set(allowed))


@transaction.atomic
def service_client_create(
    *, actor, name: str, scopes: list[str], channels: list[str], sources: list[str]
) -> tuple[ServiceClient, str]:
    """A new service client and its key, which is shown once: only its digest is stored."""
    name = name.strip()
    errors = {}
    if not name:
        errors["name"] = [_("Give the client a name.")]
    elif ServiceClient.objects.filter(name=name).exists():
        errors["name"] = [_("There is a service client with this name already.")]
    for field, values, choices in (
        ("scopes", scopes, Scope),
        ("channels", channels, Channel),
        ("sources", sources, Source),
    ):
        unknown = _unknown(values, choices.values)
        if unknown:
            errors[field] = [_("Unknown: %(values)s.") % {"values": ", ".join(unknown)}]
    if Source.STAFF in sources:
        errors["sources"] = [_("A service client does not speak for staff.")]
    if errors:
        raise ValidationError(errors)
    user = get_user_model()(username=f"service-client-{uuid.uuid4().hex[:12]}", first_name=name[:150], is_active=False)
    user.set_unusable_password()
    user.save()
    key, prefix, digest = new_key()
    client = ServiceClient.objects.create(
        name=name,
        scopes=sorted(set(scopes)),
        channels=sorted(set(channels)),
        sources=sorted(set(sources)),
        key_prefix=prefix,
        key_digest=digest,
        user=user,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    return client, key


@transaction.atomic
def service_client_revoke(*, actor, client: ServiceClient) -> ServiceClient:
    """Refuse the client's key from now on (401); what it submitted stays. Revoking twice changes nothing."""
    ServiceClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    client.refresh_from_db(fields=["revoked_at"])
    return client


@dataclass(frozen=True)
class Upload:
    """A file as received: name, declared content type and the file object (Django's UploadedFile)."""

    name: str
    content_type: str
    size: int
    file: object


def _check_uploads(uploads: list[Upload]) -> None:
    limit, allowed = settings.PUBLIC_ATTACHMENT_MAX_BYTES, settings.PUBLIC_ATTACHMENT_CONTENT_TYPES
    messages = []
    if len(uploads) > settings.PUBLIC_ATTACHMENT_MAX_COUNT:
        messages.append(_("Send at most %(count)d files.") % {"count": settings.PUBLIC_ATTACHMENT_MAX_COUNT})
    for upload in uploads:
        if upload.size <= 0:
            messages.append(_("%(name)s is empty.") % {"name": upload.name})
        elif upload.size > limit:
            messages.append(_("%(name)s is larger than %(size)d bytes.") % {"name": upload.name, "size": limit})
        elif upload.content_type not in allowed:
            messages.append(
                _("%(name)s is of a type we do not accept (%(type)s); send %(allowed)s.")
                % {"name": upload.name, "type": upload.content_type, "allowed": ", ".join(allowed)}
            )
        else:
            upload.file.seek(0)
            head = upload.file.read(16)
            upload.file.seek(0)
            signatures = SIGNATURES.get(upload.content_type)
            if signatures and not head.startswith(signatures):
                messages.append(
                    _("%(name)s is not the %(type)s it claims to be.")
                    % {"name": upload.name, "type": upload.content_type}
                )
    if messages:
        raise ValidationError({"attachments": messages})


def _storage_path(contact: Contact, case: Case | None, upload: Upload) -> str:
    folder = f"cases/{case.reference}" if case is not None else f"contacts/{contact.pk}"
    name = get_valid_filename(posixpath.basename(upload.name))[-100:] or "file"
    return f"attachments/{folder}/{uuid.uuid4().hex}-{name}"


def _store(contact: Contact, case: Case | None, uploads: list[Upload]) -> list[Attachment]:
    """Write the files and their rows; the files already written are removed again when one fails, and by the
    caller when its transaction fails later."""
    stored: list[Attachment] = []
    try:
        for upload in uploads:
            upload.file.seek(0)
            path = default_storage.save(_storage_path(contact, case, upload), upload.file)
            stored.append(
                Attachment(
                    contact=contact,
                    case=case,
                    file=path,
                    name=upload.name[:200],
                    content_type=upload.content_type,
                    size=upload.size,
                )
            )
        Attachment.objects.bulk_create(stored)
    except BaseException:
        attachments_discard(stored)
        raise
    return stored


def attachments_discard(attachments: list[Attachment]) -> None:
    """Remove the stored files of attachments whose rows were not committed."""
    for attachment in attachments:
        default_storage.delete(attachment.file.name)


def citizen_reply_submit(*, case: Case, text: str, attachments: list[Upload] = ()) -> tuple[Contact, list[Attachment]]:
    """The citizen's answer on the status page with its files, stored as the intake stores them and linked to the
    reply's contact and the case; all or nothing: a refused file writes nothing, and files stored before a later
    failure are removed again."""
    uploads = list(attachments)
    _check_uploads(uploads)
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            contact = case_citizen_reply(case=case, text=text)
            stored = _store(contact, case, uploads)
    except BaseException:
        attachments_discard(stored)
        raise
    return contact, stored


def _public_case_type(code: str) -> CaseType | None:
    case_type = configuration().case_types.get(code)
    return case_type if case_type is not None and case_type.public else None


def _check_started_at(started_at: datetime | None, now: datetime) -> datetime | None:
    if started_at is None:
        return None
    if started_at > now + FUTURE_TOLERANCE:
        raise ValidationError({"started_at": [_("The start cannot lie in the future.")]})
    # A client's clock a little ahead is no reason to refuse.
    return min(started_at, now)


def _check_client(client: ServiceClient, channel: str, source: str) -> dict:
    errors = {}
    if channel not in client.channels:
        errors["channel"] = [_("This client may not report the channel %(value)s.") % {"value": channel}]
    if source not in client.sources:
        errors["source"] = [_("This client may not report the source %(value)s.") % {"value": source}]
    return errors


def _check_citizen(channel: str, source: str, party_data: dict | None, anonymous: bool, answered: bool) -> dict:
    """A signed-in citizen submits on the city's website through its form, as themselves: their identity is the
    login's, and only a service client can say it answered a question itself."""
    errors = {}
    if channel != Channel.WEBSITE:
        errors["channel"] = [_("A signed-in citizen submits through the website.")]
    if source != Source.WEB_FORM:
        errors["source"] = [_("A signed-in citizen submits through the web form.")]
    if party_data or anonymous:
        errors["party_data"] = [_("You are signed in: your details come from your login; leave them out.")]
    if answered:
        errors["answered"] = [_("Only a service client can answer a question itself.")]
    return errors


def intake_submit(
    *,
    client: ServiceClient | None,
    channel: str,
    source: str,
    description: str,
    citizen_party: Party | None = None,
    party_data: dict | None = None,
    anonymous: bool = False,
    case_type: str = "",
    answered: bool = False,
    subject: str = "",
    postal_code: str = "",
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    started_at: datetime | None = None,
    attachments: list[Upload] = (),
) -> tuple[Contact, Case | None, list[Attachment]]:
    """A citizen's submission through a service client, or by the signed-in ``citizen_party`` themselves (no
    client): a contact, and a case routed like any other unless the client answered the question itself
    (``answered``: a contact only). Checked whole before anything is written."""
    now = timezone.now()
    if (client is None) == (citizen_party is None):
        raise ValueError("A submission comes from a service client or from a signed-in citizen.")
    if client is not None:
        errors = _check_client(client, channel, source)
    else:
        errors = _check_citizen(channel, source, party_data, anonymous, answered)
    description = description.strip()
    if not description:
        errors["description"] = [_("Describe the question or report.")]
    elif len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = [_("Keep it under %(max)d characters.") % {"max": DESCRIPTION_MAX_LENGTH}]
    chosen = None
    if answered and case_type:
        errors["answered"] = [_("An answered question opens no case: leave case_type out.")]
    elif not answered and not case_type:
        errors["case_type"] = [_("Choose a case type, or say the question was answered.")]
    elif case_type:
        chosen = _public_case_type(case_type)
        if chosen is None:
            # Unknown, inactive and internal types alike: what is not public is not named.
            errors["case_type"] = [_("There is no case type %(code)s for the public.") % {"code": case_type}]
        elif chosen.location_required and not location.strip() and latitude is None:
            errors["location"] = [_("Say where: an address, or latitude and longitude.")]
    if errors:
        raise ValidationError(errors)
    started_at = _check_started_at(started_at, now)
    _check_uploads(list(attachments))
    subject = (subject or description.splitlines()[0]).strip()[:SUBJECT_MAX_LENGTH]
    case = None
    if chosen is not None:
        case = {
            "case_type": chosen,
            "description": description,
            "postal_code": postal_code,
            "location": location,
            "latitude": latitude,
            "longitude": longitude,
        }
    stored: list[Attachment] = []
    try:
        with transaction.atomic():
            contact, opened = contact_log_with_case(
                actor=None if client is None else client.user,
                channel=channel,
                source=source,
                subject=subject,
                summary=description if case is None else "",
                party=citizen_party,
                party_data=party_data or None,
                anonymous=anonymous,
                occurred_at=now,
                started_at=started_at,
                outcome=Outcome.ANSWERED if answered else "",
                case=case,
            )
            stored = _store(contact, opened, list(attachments))
    except BaseException:
        attachments_discard(stored)
        raise
    return contact, opened, stored


def status_lookup_record(
    *,
    client: ServiceClient | None,
    case: Case | None,
    channel: str,
    source: str,
    started_at: datetime | None = None,
) -> StatusLookup:
    """Record one status look-up, found or not, for the KPI "status requests per channel"."""
    now = timezone.now()
    return StatusLookup.objects.create(
        client=client,
        case=case,
        channel=channel,
        source=source,
        started_at=_check_started_at(started_at, now),
        answered_at=now,
        found=case is not None,
    )


def status_lookup_check(*, client: ServiceClient | None, channel: str, source: str) -> None:
    """What a client may report about a look-up (an anonymous caller is the website's form)."""
    if client is not None:
        errors = _check_client(client, channel, source)
        if errors:
            raise ValidationError(errors)
