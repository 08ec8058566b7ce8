"""Who may see and act on which cases, answered from data memoised on the request's user.

Members of a handler group see and act on its cases; users allowed to see all cases (KCC, front desk,
supervisors) see every case that is not confidential; confidential cases are seen by their group only.
"""

from functools import cache

from django.apps import apps
from django.db import connection
from django.db.models import Q

from midoffice.permissions import roles_and_permissions
from midoffice.roles import SUPERVISOR


@cache
def _group_ids_sql() -> str:
    """Read by every request that shows or changes a case: precompiled rather than compiled by the ORM each time.
    (Made on first use: the models import this module.)"""
    memberships = apps.get_model("cases", "HandlerGroup").members.through._meta
    return (
        f"SELECT {memberships.get_field('handlergroup').column} FROM {memberships.db_table}"
        f" WHERE {memberships.get_field('user').column} = %s"
    )


def handler_group_ids(user) -> frozenset[int]:
    """Ids of the handler groups the user is a member of (one query per request)."""
    if not (user and user.is_authenticated):
        return frozenset()
    cached = getattr(user, "_midoffice_handler_groups", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute(_group_ids_sql(), [user.pk])
            cached = frozenset(group_id for (group_id,) in cursor.fetchall())
        user._midoffice_handler_groups = cached
    return cached


def _has(user, perm: str) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or perm in roles_and_permissions(user)[1]


def is_supervisor(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or SUPERVISOR in roles_and_permissions(user)[0]


def may_view_all(user) -> bool:
    return _has(user, "cases.view_all_cases")


def may_reassign(user) -> bool:
    return _has(user, "cases.reassign_case")


def is_member(case, user) -> bool:
    """Members of the case's handler group (and supervisors) act on it."""
    return is_supervisor(user) or case.handler_group_id in handler_group_ids(user)


def may_manage(case, user) -> bool:
    """Assign the case within its group, merge duplicates into it: its group's members, the KCC and supervisors."""
    return is_member(case, user) or may_reassign(user)


def may_cancel(case, user) -> bool:
    return is_member(case, user) or may_reassign(user)


def visible_cases(user) -> Q:
    """The filter that limits a case queryset to what ``user`` may see."""
    if user.is_superuser:
        return Q()
    own = Q(handler_group_id__in=handler_group_ids(user))
    if may_view_all(user):
        return own | Q(confidential=False)
    return own
