from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from notifications.views import StatusPageView, StatusReadView, SurveyPageView

from .api import HealthView, TokenLogoutApi, TokenObtainApi
from .converters import IdConverter

# Every row id in a URL: a number beyond the database's integer range is a 404, not an overflow.
register_converter(IdConverter, "id")

api_v1 = [
    path("auth/token/", TokenObtainApi.as_view(), name="auth-token"),
    path("auth/logout/", TokenLogoutApi.as_view(), name="auth-logout"),
    path("", include("contacts.urls")),
    path("", include("cases.urls")),
    path("", include("notifications.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Split: the start-up script is its own request (?script), so the page needs no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="midoffice/swagger_ui.html"),
        name="swagger-ui",
    ),
    path("health/", HealthView.as_view(), name="health"),
    path("status/<str:token>/", StatusPageView.as_view(), name="status-page"),
    path("status/<str:token>/read/", StatusReadView.as_view(), name="status-read"),
    path("survey/<str:token>/", SurveyPageView.as_view(), name="survey-page"),
]
