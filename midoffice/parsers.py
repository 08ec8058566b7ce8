"""The API's JSON parser: DRF's, refusing bodies nested too deep or too large with a clear 4xx."""

import codecs
import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status

# Deeper than any document of this API (a party with its contact points is 4 levels deep).
MAX_JSON_DEPTH = 64


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


def json_depth_exceeds(data, limit: int) -> bool:
    """Whether ``data`` nests lists and objects more than ``limit`` levels deep (iteratively: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def parse_json(body: bytes, *, encoding: str = "utf-8"):
    """Strict JSON (no NaN or Infinity) of at most ``MAX_JSON_DEPTH`` levels; ``ParseError`` otherwise."""
    try:
        data = json.loads(codecs.decode(body, encoding), parse_constant=_refuse_constant)
    except RecursionError as exc:
        # The C decoder gives up on nesting deeper than the interpreter's recursion limit.
        raise _too_deep() from exc
    except ValueError as exc:
        raise exceptions.ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from exc
    if json_depth_exceeds(data, MAX_JSON_DEPTH):
        raise _too_deep()
    return data


def _too_deep() -> exceptions.ParseError:
    return exceptions.ParseError(
        _("The JSON body is nested more than %(limit)d levels deep.") % {"limit": MAX_JSON_DEPTH}, code="too_deep"
    )


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if stream is None:
            body = b""
        elif limit is None:
            body = stream.read()
        else:
            # DRF reads the request stream itself, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check.
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestTooLarge
        return parse_json(body, encoding=encoding)
