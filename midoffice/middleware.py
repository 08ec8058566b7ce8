"""Refuses malformed requests before any view sees them, with a clear 4xx instead of a database error."""

import logging

from django.conf import settings
from django.db import DataError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class RequestGuardMiddleware:
    """NUL characters in the path or query string (no database text column can hold them) answer 400;
    a declared body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` answers 413 before it is read. A NUL character
    in a form field that no validator stopped, refused by PostgreSQL, is the caller's error: a 400 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query or "\x00" in query:
            return _refuse(400, "invalid_characters", _("The address contains a NUL character."))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(400, "invalid_content_length", _("The Content-Length header is not a number."))
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _refuse(413, "request_too_large", _("The request body is too large."))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_nul_character_error(exception):
            return None
        logger.warning("A NUL character reached the database: %s", request.path)
        return render(request, "400.html", {"message": nul_character_message()}, status=400)


def is_nul_character_error(exc: Exception) -> bool:
    """PostgreSQL refused a text with a NUL character (an input no validator caught; the statement did nothing)."""
    return isinstance(exc, DataError) and "NUL (0x00)" in str(exc)


def nul_character_message() -> str:
    return _("The request contains a NUL character, which cannot be stored.")


def _refuse(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)
