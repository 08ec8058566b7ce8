"""The KPI API: every KPI of the catalogue for a period, or one with its breakdown. Staff with the right to see
the reports (supervisors, functional administrators) and service clients with the scope ``reports``."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from midoffice.auth import TokenAuthentication
from public.auth import ServiceClientAuthentication, request_client
from public.models import Scope

from .kpis import REGISTRY, Filters
from .periods import parse_period
from .selectors import check_request, kpi_report, kpi_reports
from .serializers import KpiListSerializer, KpiOneQuerySerializer, KpiQuerySerializer, KpiReportSerializer

VIEW_REPORTS = "reports.view_reports"


class MayViewReports(BasePermission):
    message = "Only supervisors, functional administrators and service clients with the scope reports see reports."

    def has_permission(self, request, view):
        client = request_client(request)
        if client is not None:
            return Scope.REPORTS in client.scopes
        return request.user.is_authenticated and request.user.has_perm(VIEW_REPORTS)


def _query(request, serializer_class):
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    period = parse_period(data.get("period"), first=data.get("from"), last=data.get("to"))
    filters = Filters(
        handler_group=data.get("handler_group"), case_type=data.get("case_type"), channel=data.get("channel")
    )
    return period, filters, data


class KpiListApi(GenericAPIView):
    authentication_classes = [TokenAuthentication, ServiceClientAuthentication, SessionAuthentication]
    permission_classes = [MayViewReports]
    serializer_class = KpiListSerializer

    @extend_schema(operation_id="reports_kpis_list", summary="Every KPI for a period", parameters=[KpiQuerySerializer])
    def get(self, request):
        period, filters, _data = _query(request, KpiQuerySerializer)
        reports, left_out = kpi_reports(period, filters)
        body = {"period": {"label": period.label, "from": period.first, "to": period.last}, "kpis": reports}
        return Response(KpiListSerializer({**body, "not_filterable": left_out}).data)


class KpiDetailApi(GenericAPIView):
    authentication_classes = KpiListApi.authentication_classes
    permission_classes = [MayViewReports]
    serializer_class = KpiReportSerializer

    @extend_schema(
        operation_id="reports_kpi_retrieve",
        summary="One KPI, optionally broken down",
        parameters=[KpiOneQuerySerializer],
    )
    def get(self, request, code: str):
        period, filters, data = _query(request, KpiOneQuerySerializer)
        breakdown = data.get("breakdown") or None
        if code not in REGISTRY:
            raise NotFound(_("There is no KPI %(code)s.") % {"code": code})
        check_request(code, filters, breakdown)
        return Response(KpiReportSerializer(kpi_report(code, period, filters, breakdown)).data)
