"""The GeoReport v2 calls (docs/open311.md): reads for anyone, throttled per address; a new request needs a
service client's key with the intake scope. Every refusal is the specification's error array, in the format
asked for."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from cases.models import Case, CaseType
from contacts.serializers import PartyDataSerializer
from midoffice.serializers import CleanCharField, Serializer

from ..auth import client_for_key
from ..models import Scope
from ..services import DESCRIPTION_MAX_LENGTH, intake_submit
from . import format as open311_format
from . import selectors

# When this interface last changed (discovery's ``changeset``).
CHANGESET = datetime(2025, 11, 30, tzinfo=UTC)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_CODE_LENGTH = 50
MAX_REFERENCE_LENGTH = 20


@extend_schema(exclude=True)
class Open311View(APIView):
    """Public, throttled like the other public endpoints; errors in the specification's form and format."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]
    # Form-encoded as the specification says; multipart too, as some apps send it (files are ignored).
    parser_classes = [FormParser, MultiPartParser]
    fmt = "json"

    def initial(self, request, *args, **kwargs):
        # Known before anything can fail, so that even a throttled call is answered in its format.
        if kwargs.get("fmt") in open311_format.FORMATS:
            self.fmt = kwargs["fmt"]
        super().initial(request, *args, **kwargs)
        if kwargs.get("fmt") not in open311_format.FORMATS:
            raise exceptions.NotFound(_("Unknown format: use .json or .xml."))

    def handle_exception(self, exc):
        if not isinstance(exc, exceptions.APIException):
            return super().handle_exception(exc)
        code = exc.status_code
        # The specification knows 400, 403 and 404; a throttle keeps its 429 (with Retry-After), a wrong method 405.
        if code in (401, 415):
            code = status.HTTP_400_BAD_REQUEST
        detail = exc.detail
        if isinstance(detail, dict):
            descriptions = [f"{field}: {message}" for field, messages in detail.items() for message in messages]
        elif isinstance(detail, list):
            descriptions = [str(message) for message in detail]
        else:
            descriptions = [str(detail)]
        response = open311_format.errors(self.fmt, code, *descriptions)
        wait = getattr(exc, "wait", None)
        if wait is not None:
            response["Retry-After"] = str(int(wait))
        if isinstance(exc, exceptions.MethodNotAllowed):
            response["Allow"] = ", ".join(self.allowed_methods)
        return response

    def render(self, root: str, data):
        return open311_format.render(self.fmt, root, data)


class DiscoveryView(Open311View):
    def get(self, request, fmt):
        kcc = selectors.contact_centre()
        contact = ", ".join(part for part in (kcc.public_name, kcc.email) if part) if kcc else ""
        base = settings.MIDOFFICE_PUBLIC_BASE_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/")
        return self.render(
            "discovery",
            {
                "changeset": CHANGESET,
                "contact": contact,
                "key_service": _("Ask the city's contact centre for an API key."),
                "endpoints": [
                    {
                        "specification": SPECIFICATION,
                        "url": f"{base}/open311/v2",
                        "changeset": CHANGESET,
                        "type": "production",
                        "formats": ["text/xml", "application/json"],
                    }
                ],
            },
        )


def _service(case_type: CaseType, language: str) -> dict:
    group = case_type.default_group
    return {
        "service_code": case_type.code,
        "service_name": case_type.public_name(language),
        "description": case_type.public_name(language),
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys(rule.keyword for rule in case_type.keyword_rules)),
        "group": group.public_name if group is not None else case_type.get_kind_display(),
    }


class ServiceListView(Open311View):
    def get(self, request, fmt):
        language = get_language()
        return self.render("services", [_service(t, language) for t in selectors.service_list()])


class ServiceDefinitionView(Open311View):
    def get(self, request, code, fmt):
        try:
            case_type = selectors.service_get(code)
        except CaseType.DoesNotExist:
            raise exceptions.NotFound(_("No service with the code %(code)s.") % {"code": code}) from None
        # No case type defines attributes (yet): metadata is false and the list is empty.
        return self.render("service_definition", {"service_code": case_type.code, "attributes": []})


def _request(case: Case, language: str) -> dict:
    return {
        "service_request_id": case.reference,
        "status": selectors.open311_status(case.state),
        "status_notes": case.status_notes or None,
        "service_name": case.case_type.public_name(language),
        "service_code": case.case_type.code,
        # Never published: what a citizen tells the city (on the phone, in a form, in an app) may name people, and
        # the status page does not show it either (docs/open311.md).
        "description": None,
        "agency_responsible": case.handler_group.public_name,
        "service_notice": None,
        "requested_datetime": case.registered_at,
        "updated_datetime": case.updated_at,
        "expected_datetime": case.due_at,
        "address": case.location or None,
        "address_id": None,
        "zipcode": case.postal_code or None,
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": None,
    }


def _moment(value: str, field: str, *, end: bool) -> datetime:
    """A W3C datetime (``2025-01-31T00:00:00Z``, an offset, or none: the city's time) or a date (the whole day)."""
    try:
        day = parse_date(value)
        if day is not None:
            moment = datetime.combine(day, datetime.min.time())
            if end:
                moment += timedelta(days=1, microseconds=-1)
        else:
            moment = parse_datetime(value)
            if moment is None:
                raise ValueError
    except ValueError:
        raise exceptions.ValidationError(
            {field: [_("Not a date and time: use the W3C format, e.g. 2025-01-31T00:00:00Z.")]}
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _window(start_date: str, end_date: str) -> tuple[datetime, datetime]:
    window = timedelta(days=selectors.DEFAULT_WINDOW_DAYS)
    start = _moment(start_date, "start_date", end=False) if start_date else None
    end = _moment(end_date, "end_date", end=True) if end_date else None
    try:
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - window
        if end is None:
            end = start + window
    except OverflowError:
        raise exceptions.ValidationError({"start_date": [_("This date is out of range.")]}) from None
    if start > end:
        raise exceptions.ValidationError({"end_date": [_("The end date lies before the start date.")]})
    if end - start > window:
        raise exceptions.ValidationError(
            {"end_date": [_("A search may span at most %(days)d days.") % {"days": selectors.DEFAULT_WINDOW_DAYS}]}
        )
    return start, end


def _comma_list(value: str, field: str, max_length: int) -> list[str]:
    items = [item.strip() for item in value.split(",") if item.strip()]
    if len(items) > selectors.MAX_REQUESTS or any(len(item) > max_length for item in items):
        raise exceptions.ValidationError({field: [_("Too many values, or a value too long.")]})
    return items


# A Belgian postal code after a comma or at the start, before the municipality: "Kerkstraat 1, 9000 Gent".
POSTAL_CODE = re.compile(r"(?:^|,)\s*([1-9][0-9]{3})\s+\D")
# The Open311 names of what the intake and the party resolution refuse.
FIELD_NAMES = {
    "case_type": "service_code",
    "location": "address_string",
    "given_name": "first_name",
    "family_name": "last_name",
}


class RequestForm(Serializer):
    """POST requests: the specification's fields. ``address_id``, ``device_id``, ``account_id`` and ``attribute[…]``
    are accepted and ignored (no address register, no accounts, no attributes defined)."""

    api_key = serializers.CharField(max_length=200, trim_whitespace=True)
    service_code = serializers.CharField(max_length=MAX_CODE_LENGTH)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False)
    long = serializers.FloatField(min_value=-180, max_value=180, required=False)
    address_string = CleanCharField(max_length=300, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    description = CleanCharField(max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True, default="")
    media_url = serializers.URLField(max_length=1000, required=False, allow_blank=True, default="")

    def validate(self, data):
        if ("lat" in data) != ("long" in data):
            raise serializers.ValidationError({"long" if "lat" in data else "lat": [_("Give lat and long together.")]})
        return data


def _coordinate(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def _open311_names(errors: dict) -> dict:
    return {FIELD_NAMES.get(field, field): messages for field, messages in errors.items()}


class RequestListView(Open311View):
    def post(self, request, fmt):
        """A new service request: a contact and a case through the intake, as the key's service client."""
        key = request.data.get("api_key", "")
        # A multipart body may carry a file by that name.
        key = key.strip() if isinstance(key, str) else ""
        if not key:
            raise exceptions.ValidationError({"api_key": [_("An api_key is required to submit a request.")]})
        client = client_for_key(key)
        if client is None or not client.active:
            raise exceptions.PermissionDenied(_("This api_key is not valid."))
        if Scope.INTAKE not in client.scopes or not client.channels or not client.sources:
            raise exceptions.PermissionDenied(_("This api_key may not submit requests."))
        form = RequestForm(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        party_fields = {
            "email": data["email"],
            "phone": data["phone"],
            "given_name": data["first_name"],
            "family_name": data["last_name"],
        }
        party_fields = {field: value for field, value in party_fields.items() if value.strip()}
        party_data = None
        if party_fields:
            party = PartyDataSerializer(data=party_fields)
            if not party.is_valid():
                raise exceptions.ValidationError(_open311_names(party.errors))
            party_data = party.validated_data
        description = data["description"]
        if data["media_url"]:
            # Kept as text: the handler opens the link; nothing is downloaded.
            description = f"{description}\n\n{data['media_url']}".strip()
        address = data["address_string"]
        postal_code = POSTAL_CODE.search(address)
        try:
            _contact, case, _attachments = intake_submit(
                client=client,
                # The client's first allowed channel and source: Open311 has no field for them.
                channel=client.channels[0],
                source=client.sources[0],
                description=description,
                party_data=party_data,
                anonymous=party_data is None,
                case_type=data["service_code"],
                postal_code=postal_code.group(1) if postal_code else "",
                location=address,
                latitude=_coordinate(data.get("lat")),
                longitude=_coordinate(data.get("long")),
            )
        except DjangoValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            raise exceptions.ValidationError(_open311_names(errors)) from None
        notice = _("Registered as %(id)s; expected to be handled by %(date)s.") % {
            "id": case.reference,
            "date": date_format(timezone.localtime(case.due_at), "SHORT_DATE_FORMAT"),
        }
        return open311_format.render(
            self.fmt,
            "service_requests",
            [{"service_request_id": case.reference, "service_notice": notice, "account_id": None}],
            status=status.HTTP_201_CREATED,
        )

    def get(self, request, fmt):
        query = request.query_params
        references = None
        if query.get("service_request_id", "").strip():
            references = _comma_list(query["service_request_id"], "service_request_id", MAX_REFERENCE_LENGTH)
        statuses = set(_comma_list(query.get("status", ""), "status", MAX_CODE_LENGTH))
        if statuses - {"open", "closed"}:
            raise exceptions.ValidationError({"status": [_("The status is open or closed.")]})
        start, end = _window(query.get("start_date", "").strip(), query.get("end_date", "").strip())
        cases = selectors.request_search(
            references=references,
            service_codes=_comma_list(query.get("service_code", ""), "service_code", MAX_CODE_LENGTH),
            start=start,
            end=end,
            statuses=statuses or None,
        )
        language = get_language()
        return self.render("service_requests", [_request(case, language) for case in cases])


class RequestDetailView(Open311View):
    def get(self, request, reference, fmt):
        try:
            case = selectors.request_get(reference)
        except Case.DoesNotExist:
            raise exceptions.NotFound(
                _("No service request with the id %(id)s.") % {"id": reference[:MAX_REFERENCE_LENGTH]}
            ) from None
        return self.render("service_requests", [_request(case, get_language())])
