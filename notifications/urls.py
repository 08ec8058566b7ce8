from django.urls import path

from . import api

urlpatterns = [
    path("notifications/", api.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/<int:pk>/retry/", api.NotificationRetryApi.as_view(), name="notification-retry"),
]
