"""``Idempotency-Key`` for integrators' writes: a retried request with the same key and body returns the
first response and writes nothing; the same key with another body is refused (422)."""

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.response import Response

from .errors import DomainError
from .models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(DomainError):
    status_code = 422
    code = "idempotency_key_reused"

    def __init__(self):
        super().__init__(_("This Idempotency-Key was used for a request with another body; use a new key."))


def _file_digest(value) -> str:
    """An uploaded file by its content, so that a retry with other files under the same names is not replayed."""
    if not isinstance(value, File):
        return str(value)
    digest = hashlib.sha256()
    for chunk in value.chunks():
        digest.update(chunk)
    value.seek(0)
    return f"{value.name}:{digest.hexdigest()}"


def _fingerprint(data) -> str:
    if isinstance(data, MultiValueDict):
        # A form (multipart) body: every value of a repeated field, not only the last.
        data = dict(data.lists())
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=_file_digest)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key.strip() or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise serializers.ValidationError(
            {HEADER: [_("Give a key of 1 to %(max)d printable characters.") % {"max": MAX_KEY_LENGTH}]}
        )
    return key


def idempotent(view_method):
    """Decorate a DRF view's ``post``: with an ``Idempotency-Key`` header, the response is stored with the
    write, in its transaction, and replayed (header ``Idempotent-Replayed: true``) for a retry. A request
    that failed stored nothing, so its retry runs again. Concurrent retries wait on the key's unique index."""

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        key = _key(request)
        if key is None or not request.user.is_authenticated:
            return view_method(view, request, *args, **kwargs)
        endpoint = f"{request.method} {request.path}"[:200]
        fingerprint = _fingerprint(request.data)
        with transaction.atomic():
            record = idempotency_claim(user=request.user, endpoint=endpoint, key=key, fingerprint=fingerprint)
            if record is None:
                return _replay(request.user, endpoint, key, fingerprint)
            response = view_method(view, request, *args, **kwargs)
            idempotency_record(record, status_code=response.status_code, response=response.data)
        return response

    return wrapper


def idempotency_claim(*, user, endpoint: str, key: str, fingerprint: str) -> IdempotentRequest | None:
    """Claim ``key`` for a write about to happen in the caller's transaction; None when a first request claimed
    it already (a concurrent one waits here on the key's unique index until the first commits or rolls back)."""
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                user=user, endpoint=endpoint, key=key, fingerprint=fingerprint, status_code=0, response={}
            )
    except IntegrityError:
        return None


def idempotency_record(record: IdempotentRequest, *, status_code: int, response) -> None:
    """What the write claimed by ``record`` came to, for its retries."""
    record.status_code, record.response = status_code, response
    record.save(update_fields=["status_code", "response"])


def idempotency_first(*, user, endpoint: str, key: str) -> IdempotentRequest | None:
    return IdempotentRequest.objects.filter(user=user, endpoint=endpoint, key=key).first()


def _replay(user, endpoint: str, key: str, fingerprint: str) -> Response:
    first = idempotency_first(user=user, endpoint=endpoint, key=key)
    if first.fingerprint != fingerprint:
        raise IdempotencyKeyReused
    return Response(first.response, status=first.status_code, headers={"Idempotent-Replayed": "true"})


def idempotency_keys_purge(*, now=None) -> int:
    """Forget keys older than ``MIDOFFICE_IDEMPOTENCY_KEY_HOURS``: a retry comes within minutes, not days."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.MIDOFFICE_IDEMPOTENCY_KEY_HOURS)
    deleted, _counts = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
