import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError
from .middleware import is_nul_character_error, nul_character_message

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    """DRF's handler, plus domain errors (409 …) and Django validation errors (400).

    Every error that carries a single ``detail`` also carries its machine-readable ``code``.
    """
    if isinstance(exc, DomainError):
        return Response({"detail": exc.detail, "code": exc.code, **exc.extra}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {field: [m for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
        else:
            detail = {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if is_nul_character_error(exc):
        logger.warning("A NUL character reached the database: %s", context["request"].path)
        return Response({"detail": nul_character_message(), "code": "invalid_characters"}, status=400)
    # As DRF's handler does, but here, so that these get their code too.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        code = exc.get_codes()
        if isinstance(response.data, dict) and "detail" in response.data and isinstance(code, str):
            response.data["code"] = code
    return response
