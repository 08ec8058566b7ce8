from django.urls import path

from . import api, api_data

urlpatterns = [
    path("reports/kpis/", api.KpiListApi.as_view(), name="report-kpis"),
    path("reports/kpis/<slug:code>/", api.KpiDetailApi.as_view(), name="report-kpi"),
    path("reports/calls/", api_data.CallRecordsApi.as_view(), name="report-calls"),
    path("reports/telephony-events/", api_data.TelephonyEventsApi.as_view(), name="report-telephony-events"),
    path("reports/visits/", api_data.CounterVisitsApi.as_view(), name="report-visits"),
    path("reports/history/cases/", api_data.HistoryCasesApi.as_view(), name="report-history-cases"),
    path("reports/history/contacts/", api_data.HistoryContactsApi.as_view(), name="report-history-contacts"),
]
