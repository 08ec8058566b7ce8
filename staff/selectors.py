from django.db.models import QuerySet

from cases.access import handler_group_ids
from cases.models import Case, HandlerGroup
from cases.workflow import OPEN_STATES

from .models import SavedFilter


def my_open_case_count(user) -> int:
    """Open cases assigned to the user (the header's "my open cases")."""
    return Case.objects.filter(assignee=user, state__in=OPEN_STATES).count()


def my_handler_groups(user) -> QuerySet[HandlerGroup]:
    return HandlerGroup.objects.filter(pk__in=handler_group_ids(user)).order_by("name")


def saved_filters_of(user) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=user).order_by("name")
