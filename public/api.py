"""The public API: thin views over the public services and selectors, for service clients and citizens."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, NotFound
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from cases.models import Case
from cases.selectors import case_for_citizen, public_language
from contacts.models import Channel, Source
from midoffice.idempotency import idempotent
from midoffice.parsers import JSONParser
from midoffice.schema import ErrorSerializer

from . import selectors, services
from .auth import HasScope, ServiceClientAuthentication, request_client
from .citizen_auth import Citizen, CitizenSessionAuthentication, IsCitizen
from .models import Scope
from .serializers import CaseStatusSerializer, IntakeResultSerializer, IntakeSerializer, StatusQuerySerializer
from .throttling import AddressThrottle, CitizenThrottle, ClientThrottle


class ClientOrCitizen(HasScope):
    """A service client with the scope, or a citizen signed in with ACM/IDM."""

    def has_permission(self, request, view):
        return isinstance(request.auth, Citizen) or super().has_permission(request, view)


class IntakeApi(GenericAPIView):
    authentication_classes = [ServiceClientAuthentication, CitizenSessionAuthentication]
    permission_classes = [ClientOrCitizen(Scope.INTAKE)]
    throttle_classes = [
        ClientThrottle("public_intake", "PUBLIC_INTAKE_RATE"),
        CitizenThrottle("public_intake_citizen", "PUBLIC_INTAKE_CITIZEN_RATE"),
    ]
    parser_classes = [JSONParser, MultiPartParser]
    serializer_class = IntakeSerializer

    @extend_schema(
        summary="Submit a question or report",
        description="For service clients with the scope `intake` (`Authorization: ServiceClient <key>`). The "
        "citizen's `party_data` is resolved to their record as for `POST /contacts/` (or `anonymous: true`). With a "
        "public `case_type` a case is opened and routed like any case; with `answered: true` (no case type) the "
        "client answered the question itself and only the contact is logged. Files go in `attachments` as "
        "multipart. Send an `Idempotency-Key` header to retry safely: the same key and body return the first "
        "response, the same key with another body answers 422. A citizen signed in with ACM/IDM "
        "(`/burger/aanmelden/`; the session cookie and the `X-CSRFToken` header) submits as themselves: their "
        "identity comes from the login (no `party_data`), through the website's form (channel `website`, source "
        "`web_form`); the case is among their own at `GET /public/my/cases/`.",
        request={"application/json": IntakeSerializer, "multipart/form-data": IntakeSerializer},
        responses={
            201: IntakeResultSerializer,
            422: OpenApiResponse(ErrorSerializer, description="`idempotency_key_reused`."),
        },
    )
    @idempotent
    def post(self, request):
        citizen = request.auth if isinstance(request.auth, Citizen) else None
        serializer = IntakeSerializer(data=request.data, context={"citizen": citizen is not None})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        uploads = [
            services.Upload(name=f.name, content_type=f.content_type, size=f.size, file=f)
            for f in data.pop("attachments")
        ]
        if citizen is None:
            contact, case, _attachments = services.intake_submit(client=request.auth, attachments=uploads, **data)
        else:
            party = selectors.citizen_party(citizen.party_id)
            if party is None:
                raise NotAuthenticated(_("Your sign-in is no longer valid; sign in again."))
            contact, case, _attachments = services.intake_submit(
                client=None, citizen_party=party, attachments=uploads, **data
            )
        result = {"reference": None, "tracking_code": None, "expected_date": None, "handler_group": None}
        if case is not None:
            result = {
                "reference": case.reference,
                "tracking_code": case.tracking_code,
                "expected_date": selectors.expected_date(case),
                "handler_group": case.handler_group.public_name,
            }
        result["contact"] = contact.pk
        return Response(IntakeResultSerializer(result).data, status=status.HTTP_201_CREATED)


class CaseStatusApi(GenericAPIView):
    authentication_classes = [ServiceClientAuthentication]
    permission_classes = [HasScope(Scope.STATUS, anonymous=True)]
    throttle_classes = [
        ClientThrottle("public_status_client", "PUBLIC_STATUS_CLIENT_RATE"),
        AddressThrottle("public_status_address", "PUBLIC_STATUS_ADDRESS_RATE"),
    ]
    serializer_class = CaseStatusSerializer

    @extend_schema(
        summary="Look up a case's status",
        description="For citizens (no login; throttled per address) and service clients with the scope `status` "
        "(throttled per client). Public data only, in the language of `Accept-Language` (nl, fr or en). A case "
        "that does not exist and a wrong `code` both answer 404 `not_found`. Every look-up is recorded (KPI "
        "status requests per channel): a service client says its `channel` and `source` (its first allowed ones "
        "by default), a citizen without a client is counted as the website's form.",
        parameters=[
            StatusQuerySerializer,
            OpenApiParameter("reference", str, OpenApiParameter.PATH, description="The case's reference."),
        ],
        responses={200: CaseStatusSerializer},
    )
    def get(self, request, reference: str):
        params = StatusQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        client = request_client(request)
        if client is None:
            channel, source = Channel.WEBSITE, Source.WEB_FORM
        else:
            channel = params.validated_data.get("channel") or (client.channels or [""])[0]
            source = params.validated_data.get("source") or (client.sources or [""])[0]
            services.status_lookup_check(client=client, channel=channel, source=source)
        case = case_for_citizen(reference, params.validated_data["code"])
        services.status_lookup_record(
            client=client,
            case=case,
            channel=channel,
            source=source,
            started_at=params.validated_data.get("started_at"),
        )
        if case is None:
            # A case that does not exist and a wrong tracking code: the same answer.
            raise NotFound(_("No case with this reference and tracking code."))
        language = public_language(request.headers.get("Accept-Language", ""))
        body = CaseStatusSerializer(selectors.case_public_status(case, language)).data
        return Response(body, headers={"Content-Language": language})


class MyCasesApi(ListAPIView):
    queryset = Case.objects.none()  # for the schema; get_queryset gives the citizen's own
    authentication_classes = [CitizenSessionAuthentication]
    permission_classes = [IsCitizen]
    serializer_class = CaseStatusSerializer

    @extend_schema(
        summary="My cases",
        description="For a citizen signed in with ACM/IDM (`/burger/aanmelden/`; the session cookie): their own cases, "
        "newest first, with the same public data as the status look-up, in the language of `Accept-Language`. "
        "401 without a citizen's session (or after it expired).",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.cases_of_party(self.request.auth.party_id)

    def list(self, request, *args, **kwargs):
        language = public_language(request.headers.get("Accept-Language", ""))
        page = self.paginate_queryset(self.get_queryset())
        body = CaseStatusSerializer([selectors.case_public_status(case, language) for case in page], many=True).data
        response = self.get_paginated_response(body)
        response["Content-Language"] = language
        return response
