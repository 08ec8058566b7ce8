from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The KPI catalogue, computed in SQL, and its exports."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from . import tasks  # noqa: F401 (registers the Celery tasks)
