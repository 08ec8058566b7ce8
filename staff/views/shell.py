"""Signing in and out, the start page by role, and the city's colours as a style sheet."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from midoffice import oidc
from midoffice.roles import FRONT_DESK, HANDLER, KCC, SUPERVISOR

from ..access import has_role, staff_page
from ..forms import StaffAuthenticationForm
from ..navigation import MENU
from ..oidc import SESSION_KEY as OIDC_SESSION_KEY


class LoginView(auth_views.LoginView):
    template_name = "staff/login.html"
    form_class = StaffAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"oidc_enabled": oidc.enabled()}


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        """A sign-in through ACM/IDM ends at the provider's end-session endpoint, which sends the browser back to
        the sign-in page."""
        via_oidc = oidc.enabled() and request.session.get(OIDC_SESSION_KEY)
        response = super().post(request, *args, **kwargs)
        if via_oidc:
            return redirect(
                oidc.end_session_url(post_logout_redirect_uri=request.build_absolute_uri(reverse("staff:login")))
            )
        return response


# Where each role starts its day, in order of precedence.
START_PAGES = (
    ((FRONT_DESK, KCC), "staff:frontdesk"),
    ((SUPERVISOR,), "staff:board"),
    ((HANDLER,), "staff:inbox"),
)


@staff_page
def home(request):
    """The start page of the user's role: the first page of the menu that exists for it."""
    names = {item.url_name for item in MENU}
    for roles, url_name in START_PAGES:
        if url_name in names and has_role(request.user, roles):
            return redirect(url_name)
    return redirect("admin:index")


@require_GET
@cache_control(max_age=300)
def city_style(request):
    """The city's colour as Pico CSS's primary colour: a setting, so served rather than built."""
    colour = settings.MIDOFFICE_CITY_COLOUR
    css = (
        ":root {\n"
        f"  --city-colour: {colour};\n"
        f"  --pico-primary: {colour};\n"
        f"  --pico-primary-background: {colour};\n"
        f"  --pico-primary-border: {colour};\n"
        f"  --pico-primary-underline: color-mix(in srgb, {colour} 50%, transparent);\n"
        f"  --pico-primary-hover: color-mix(in srgb, {colour} 80%, black);\n"
        f"  --pico-primary-hover-background: color-mix(in srgb, {colour} 80%, black);\n"
        f"  --pico-primary-hover-border: color-mix(in srgb, {colour} 80%, black);\n"
        f"  --pico-primary-hover-underline: color-mix(in srgb, {colour} 80%, black);\n"
        f"  --pico-primary-focus: color-mix(in srgb, {colour} 40%, transparent);\n"
        "  --pico-primary-inverse: #fff;\n"
        "}\n"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")


urlpatterns = [
    path("", home, name="home"),
    path("aanmelden/", LoginView.as_view(), name="login"),
    path("afmelden/", LogoutView.as_view(), name="logout"),
    path("huisstijl.css", city_style, name="city-style"),
]
