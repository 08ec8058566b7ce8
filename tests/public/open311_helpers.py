"""Reading Open311 answers in both formats the same way, and the specification's field list per call."""

import re
from datetime import datetime
from xml.etree import ElementTree

FORMATS = ("json", "xml")

# The specification's fields of each call (wiki.open311.org/GeoReport_v2), all of them, always present.
DISCOVERY = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT = {"specification", "url", "changeset", "type", "formats"}
SERVICE = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
DEFINITION = {"service_code", "attributes"}
CREATED = {"service_request_id", "service_notice", "account_id"}
REQUEST = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
ERROR = {"code", "description"}

# The XML elements that hold a list, and the element of each item.
LISTS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
}
W3C_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$")


def xml_to_data(element: ElementTree.Element):
    """A list element as a list, other elements with children as dicts, leaves as their text (None if empty)."""
    if element.tag in LISTS:
        assert all(child.tag == LISTS[element.tag] for child in element), element.tag
        return [xml_to_data(child) for child in element]
    if len(element):
        tags = [child.tag for child in element]
        assert len(tags) == len(set(tags)), f"repeated elements in {element.tag}"
        return {child.tag: xml_to_data(child) for child in element}
    return element.text


def parse(response, fmt: str, root: str | None = None):
    """The body as data; for XML also checks the content type and the root element."""
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
        return response.json()
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    document = ElementTree.fromstring(response.content)
    if root is not None:
        assert document.tag == root
    return xml_to_data(document)


def check_datetime(value):
    assert isinstance(value, str) and W3C_DATETIME.match(value), value
    assert datetime.fromisoformat(value).tzinfo is not None


def check_service(service: dict, fmt: str):
    assert set(service) == SERVICE
    for field in ("service_code", "service_name", "type"):
        assert isinstance(service[field], str) and service[field]
    assert service["type"] in ("realtime", "batch", "blackbox")
    assert service["metadata"] in ((True, False) if fmt == "json" else ("true", "false"))
    for field in ("description", "keywords", "group"):
        assert service[field] is None or isinstance(service[field], str)


def check_request(request: dict, fmt: str):
    assert set(request) == REQUEST
    assert isinstance(request["service_request_id"], str) and request["service_request_id"]
    assert request["status"] in ("open", "closed")
    for field in ("service_name", "service_code", "agency_responsible"):
        assert isinstance(request[field], str) and request[field]
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        check_datetime(request[field])
    for field in ("status_notes", "description", "service_notice", "address", "address_id", "zipcode", "media_url"):
        assert request[field] is None or isinstance(request[field], str)
    for field in ("lat", "long"):
        if fmt == "json":
            assert request[field] is None or isinstance(request[field], float)
        else:
            assert request[field] is None or float(request[field]) == float(request[field])


def check_errors(response, fmt: str, status: int) -> list[str]:
    """The specification's error array with ``status`` in every entry; returns the descriptions."""
    assert response.status_code == status, response.content
    errors = parse(response, fmt, "errors")
    assert isinstance(errors, list) and errors
    for error in errors:
        assert set(error) == ERROR
        assert int(error["code"]) == status
        if fmt == "json":
            assert isinstance(error["code"], int)
    return [error["description"] for error in errors]
