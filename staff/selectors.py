from django.db.models import QuerySet

from cases.access import handler_group_ids
from cases.configuration import configuration
from cases.models import Case
from cases.workflow import OPEN_STATES

from .models import SavedFilter


def my_open_case_count(user) -> int:
    """Open cases assigned to the user (the header's "my open cases")."""
    return Case.objects.filter(assignee=user, state__in=OPEN_STATES).count()


def my_handler_group_names(user) -> list[str]:
    """The names of the user's active handler groups, from the configuration each process keeps (no query)."""
    groups = configuration().groups
    return sorted(groups[pk].name for pk in handler_group_ids(user) if pk in groups)


def saved_filters_of(user) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=user).order_by("name")
