from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Citizen status updates through the outbox (built in issue #4)."""

    name = "notifications"
    verbose_name = _("Notifications")
