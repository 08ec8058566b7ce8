from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from notifications.views import StatusPageView, StatusReadView, SurveyPageView
from public.views_citizen import StatusLookupView, status_reply

from .api import HealthView, TokenLogoutApi, TokenObtainApi

# Most used first: a request's path is compared with each pattern in turn until one matches (the API's, then
# the pages': dozens), and the writes of contacts and cases are the busiest requests.
api_v1 = [
    path("", include("cases.urls")),
    path("", include("contacts.urls")),
    path("auth/token/", TokenObtainApi.as_view(), name="auth-token"),
    path("auth/logout/", TokenLogoutApi.as_view(), name="auth-logout"),
    path("", include("notifications.urls")),
    path("", include("public.urls")),
    path("", include("reports.urls")),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("", include("staff.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Split: the start-up script is its own request (?script), so the page needs no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="midoffice/swagger_ui.html"),
        name="swagger-ui",
    ),
    path("health/", HealthView.as_view(), name="health"),
    path("open311/v2/", include("public.open311_urls")),
    path("burger/", include("public.views_citizen")),
    path("status/", StatusLookupView.as_view(), name="status-lookup"),
    path("status/<str:token>/", StatusPageView.as_view(), name="status-page"),
    path("status/<str:token>/antwoord/", status_reply, name="status-reply"),
    path("status/<str:token>/read/", StatusReadView.as_view(), name="status-read"),
    path("survey/<str:token>/", SurveyPageView.as_view(), name="survey-page"),
]
