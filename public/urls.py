from django.urls import path

from . import api

urlpatterns = [
    path("public/intake/", api.IntakeApi.as_view(), name="public-intake"),
    path("public/cases/<str:reference>/", api.CaseStatusApi.as_view(), name="public-case-status"),
]
