"""The two formats of GeoReport v2: JSON and XML (the one the specification requires), from the same data.

A response is plain data: dicts, lists, strings, numbers, booleans, None and datetimes. In XML a dict is an
element per key, a list repeats the element named in ``ITEM_TAGS`` for its key, None is an empty element.
"""

import json
import re
from datetime import datetime
from decimal import Decimal
from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils import timezone

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# The element of each item of a list, by the list's element (the specification's XML examples).
ITEM_TAGS = {
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
}

# Characters XML 1.0 cannot carry even escaped (control characters but tab, newline and carriage return; lone
# surrogates; U+FFFE and U+FFFF): a description that came in by e-mail may hold one, the document must stay valid.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def timestamp(moment: datetime | None) -> str | None:
    """ISO 8601 with the offset, in the city's time zone, to the second."""
    return None if moment is None else timezone.localtime(moment).isoformat(timespec="seconds")


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return timestamp(value)
    return _NOT_XML.sub("", str(value))


def _element(tag: str, value) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, list):
        for item in value:
            element.append(_element(ITEM_TAGS[tag], item))
    elif value is not None:
        element.text = _scalar(value)
    return element


def to_xml(root: str, data) -> bytes:
    """``data`` as an XML document whose root element is ``root``."""
    return ElementTree.tostring(_element(root, data), encoding="utf-8", xml_declaration=True)


def _json_default(value):
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_json_default).encode()


def render(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    """The response in ``fmt`` (``json`` or ``xml``); ``root`` names the XML document's root element."""
    body = to_xml(root, data) if fmt == "xml" else to_json(data)
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The specification's error array: ``[{"code": 400, "description": "…"}]``, ``<errors><error>…``."""
    return render(fmt, "errors", [{"code": status, "description": str(d)} for d in descriptions], status=status)
