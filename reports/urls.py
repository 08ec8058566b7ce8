from django.urls import path

from . import api

urlpatterns = [
    path("reports/kpis/", api.KpiListApi.as_view(), name="report-kpis"),
    path("reports/kpis/<slug:code>/", api.KpiDetailApi.as_view(), name="report-kpi"),
]
