"""Signing in with ACM/IDM (mozilla-django-oidc's views): shown only when it is configured; every refusal
comes back to the sign-in page with its reason."""

from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from midoffice import oidc

from ..oidc import SESSION_KEY


class OidcLoginView(OIDCAuthenticationRequestView):
    def get(self, request):
        if not oidc.enabled():
            raise Http404
        return super().get(request)


class OidcCallbackView(OIDCAuthenticationCallbackView):
    refusal = None

    def get(self, request):
        if not oidc.enabled():
            raise Http404
        try:
            return super().get(request)
        except oidc.OidcRefused as exc:
            self.refusal = exc.message
        except SuspiciousOperation:
            pass  # an unknown or replayed state: the default message
        return self.login_failure()

    def login_success(self):
        response = super().login_success()
        self.request.session[SESSION_KEY] = True
        return response

    def login_failure(self):
        messages.error(self.request, self.refusal or oidc.CANCELLED)
        return redirect("staff:login")


urlpatterns = [
    path("aanmelden/acmidm/", OidcLoginView.as_view(), name="oidc-login"),
    path("aanmelden/acmidm/callback/", OidcCallbackView.as_view(), name="oidc-callback"),
]
