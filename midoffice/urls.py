from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import ObtainAuthToken

from notifications.views import StatusPageView, SurveyPageView

from .api import HealthView

api_v1 = [
    path("auth/token/", ObtainAuthToken.as_view(), name="auth-token"),
    path("", include("contacts.urls")),
    path("", include("cases.urls")),
    path("", include("notifications.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("health/", HealthView.as_view(), name="health"),
    path("status/<str:token>/", StatusPageView.as_view(), name="status-page"),
    path("survey/<str:token>/", SurveyPageView.as_view(), name="survey-page"),
]
