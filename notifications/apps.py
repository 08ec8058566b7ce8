from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Citizen status updates through the outbox (issue #4)."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.core import checks

        from contacts.selectors import TIMELINE_SOURCES

        from .checks import burgerprofiel_template_keys
        from .selectors import party_notification_entries

        checks.register(burgerprofiel_template_keys)

        if party_notification_entries not in TIMELINE_SOURCES:
            TIMELINE_SOURCES.append(party_notification_entries)
