import json

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .roles import STAFF_ROLES

# The user's groups with their permissions, and the permissions given to the user directly ({user}: the user's id).
_ACCESS_ROWS_SQL = """
    SELECT g.name, ct.app_label, p.codename
    FROM auth_user_groups ug
    JOIN auth_group g ON g.id = ug.group_id
    LEFT JOIN auth_group_permissions gp ON gp.group_id = g.id
    LEFT JOIN auth_permission p ON p.id = gp.permission_id
    LEFT JOIN django_content_type ct ON ct.id = p.content_type_id
    WHERE ug.user_id = {user}
    UNION ALL
    SELECT '', ct.app_label, p.codename
    FROM auth_user_user_permissions up
    JOIN auth_permission p ON p.id = up.permission_id
    JOIN django_content_type ct ON ct.id = p.content_type_id
    WHERE up.user_id = {user}
"""


ACCESS_SQL = _ACCESS_ROWS_SQL.format(user="%(user)s")


def access_column(user_id: str) -> str:
    """An SQL expression of the user ``user_id`` (an SQL expression, e.g. ``u.id``) for another query's select
    list: the rows of ``ACCESS_SQL`` as one JSON array, for ``remember_access`` (the token look-up reads them
    with the user, one statement less on every API request)."""
    rows = _ACCESS_ROWS_SQL.format(user=user_id)
    if connection.vendor == "postgresql":
        return f"(SELECT json_agg(json_build_array(a.name, a.app_label, a.codename)) FROM ({rows}) a)"
    return f"(SELECT json_group_array(json_array(a.name, a.app_label, a.codename)) FROM ({rows}) a)"


def remember_access(user, rows) -> None:
    """Keep on ``user`` what ``access_column`` read (a JSON array, or its text; NULL: no rows)."""
    if isinstance(rows, str):
        rows = json.loads(rows)
    user._midoffice_access = _access(rows or [])


def _access(rows) -> tuple[frozenset[str], frozenset[str]]:
    return (
        frozenset(name for name, _, _ in rows if name),
        frozenset(f"{app}.{codename}" for _, app, codename in rows if codename),
    )


def roles_and_permissions(user) -> tuple[frozenset[str], frozenset[str]]:
    """The user's role (group) names and permissions ("app_label.codename"), read in one query.

    Memoised on the user object, which lives for one request: IsStaffMember and HasModelPermission
    share it, where ``groups.exists()`` and ``has_perm()`` took three queries.
    """
    cached = getattr(user, "_midoffice_access", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute(ACCESS_SQL, {"user": user.pk})
            rows = cursor.fetchall()
        cached = user._midoffice_access = _access(rows)
    return cached


def is_staff_member(user) -> bool:
    """Staff are active users with admin access or at least one staff role."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return not roles_and_permissions(user)[0].isdisjoint(STAFF_ROLES)


class IsStaffMember(BasePermission):
    """Only authenticated staff reach the internal API."""

    message = _("Only staff members may use this endpoint.")

    def has_permission(self, request, view):
        return is_staff_member(request.user)


class HasModelPermission(BasePermission):
    """Requires the Django permission named in the view's ``required_permissions[method]``."""

    def has_permission(self, request, view):
        perms = getattr(view, "required_permissions", {}).get(request.method, ())
        user = request.user
        if not perms:
            return True
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        granted = roles_and_permissions(user)[1]
        return all(perm in granted for perm in perms)
