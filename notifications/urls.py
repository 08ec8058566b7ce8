from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/<id:pk>/retry/", api.NotificationRetryApi.as_view(), name="notification-retry"),
    path("public/surveys/<str:token>/", api.PublicSurveyApi.as_view(), name="public-survey"),
]
