from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Citizen status updates through the outbox (issue #4)."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Services enqueue their tasks by name: the web process must have them registered too.
        from django.core import checks

        from cases.signals import case_changed
        from contacts.selectors import TIMELINE_SOURCES

        from . import tasks  # noqa: F401
        from .checks import burgerprofiel_template_keys
        from .selectors import party_notification_entries
        from .services import notifications_on_case_change

        checks.register(burgerprofiel_template_keys)
        case_changed.connect(notifications_on_case_change, dispatch_uid="notifications.outbox")

        if party_notification_entries not in TIMELINE_SOURCES:
            TIMELINE_SOURCES.append(party_notification_entries)
