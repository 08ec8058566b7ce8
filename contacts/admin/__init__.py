"""The admin of the contacts domain: thin, validating like the API and writing through the services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import audit, contacts, parties

admin.site.site_header = _("Midoffice administration")
admin.site.site_title = _("Midoffice")
admin.site.index_title = _("Contact follow-up")

__all__ = ["audit", "contacts", "parties"]
