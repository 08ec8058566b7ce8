from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Handler groups, case types, routing, the case state machine and the overdue chase."""

    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from contacts.selectors import TIMELINE_SOURCES

        from .selectors import party_case_entries

        if party_case_entries not in TIMELINE_SOURCES:
            TIMELINE_SOURCES.insert(1, party_case_entries)
