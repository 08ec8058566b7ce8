from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    """Handler groups, case types, routing, the case state machine and the overdue chase."""

    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        # Services enqueue their tasks by name: the web process must have them registered too.
        from contacts.selectors import CONTACT_VISIBILITY, TIMELINE_SOURCES

        from . import tasks  # noqa: F401
        from .selectors import contacts_as_seen_by, party_case_entries

        if party_case_entries not in TIMELINE_SOURCES:
            TIMELINE_SOURCES.insert(1, party_case_entries)
        if contacts_as_seen_by not in CONTACT_VISIBILITY:
            CONTACT_VISIBILITY.append(contacts_as_seen_by)
