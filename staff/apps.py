"""The staff web application: the pages the front desk, the KCC, handlers and supervisors work in every day.

Server-rendered templates with htmx for partial updates, every static file served by the application. It is a
layer over the other apps (a front-desk contact is a contact and a case at once), so it has an app of its own;
its views call their services and selectors and hold no rule of their own.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff application")

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the system checks of the city's look and ACM/IDM)
            tasks,  # noqa: F401  (registers the Excel export task, enqueued by name)
        )
