"""ACM/IDM for staff (mozilla-django-oidc): a sign-in is the staff account an administrator linked to its
``sub`` (``OidcIdentity``); an unknown ``sub`` is refused and no account is made."""

from django.utils.translation import gettext_lazy as _

from midoffice import oidc

from .models import OidcIdentity

# Set in the session of a staff sign-in through ACM/IDM: signing out then ends the provider's session too.
SESSION_KEY = "staff_oidc"


class StaffOidcBackend(oidc.AcmIdmClient):
    def authenticate(self, request, **kwargs):
        if not oidc.enabled():
            return None
        return super().authenticate(request, **kwargs)

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload["sub"]:
            raise oidc.OidcRefused(oidc.UNVERIFIED)
        identity = OidcIdentity.objects.select_related("user").filter(sub=payload["sub"], user__is_active=True).first()
        if identity is None:
            raise oidc.OidcRefused(
                _("Your ACM/IDM account is not linked to a staff account here. Ask an administrator to link it.")
            )
        return identity.user
