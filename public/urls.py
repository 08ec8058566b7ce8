from django.urls import path

from . import api, api_assistant

urlpatterns = [
    path("public/intake/", api.IntakeApi.as_view(), name="public-intake"),
    path("public/my/cases/", api.MyCasesApi.as_view(), name="public-my-cases"),
    path("public/cases/<str:reference>/", api.CaseStatusApi.as_view(), name="public-case-status"),
    path("assistant/sessions/", api_assistant.AssistantSessionApi.as_view(), name="assistant-sessions"),
]
