"""What the staff application keeps of its own: a user's saved inbox filters and ACM/IDM identity."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedFilter(models.Model):
    """An inbox filter a user named to apply it again: the query string of the inbox, re-encoded from the known
    filter fields (nothing else is kept)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("query"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["user", "name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="savedfilter_one_name_per_user")]

    def __str__(self):
        return self.name


class OidcIdentity(models.Model):
    """Which staff account an ACM/IDM identity (its ``sub``) signs in as; linked by an administrator, never made
    by a sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identity", verbose_name=_("user")
    )
    sub = models.CharField(
        _("ACM/IDM subject"), max_length=255, unique=True, help_text=_("The sub claim ACM/IDM gives this person.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ACM/IDM identity")
        verbose_name_plural = _("ACM/IDM identities")
        ordering = ["user"]

    def __str__(self):
        return f"{self.user} ↔ {self.sub}"
