from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Handler groups, case types, routing and the case state machine (built in issue #3)."""

    name = "cases"
    verbose_name = _("Cases")
