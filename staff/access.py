"""Who may open which page: signed-in staff, and per page a role or a permission. The rules of what a user
may see and do inside a page stay with the services and selectors of the apps."""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from midoffice.permissions import is_staff_member, roles_and_permissions


def has_role(user, roles: Iterable[str]) -> bool:
    return user.is_superuser or not roles_and_permissions(user)[0].isdisjoint(roles)


def has_permission(user, permission: str) -> bool:
    return user.is_superuser or permission in roles_and_permissions(user)[1]


def may_open(user, *, roles: Iterable[str] = (), permission: str = "") -> bool:
    if not is_staff_member(user):
        return False
    if roles and not has_role(user, roles):
        return False
    return not permission or has_permission(user, permission)


def staff_page(view: Callable | None = None, *, roles: Iterable[str] = (), permission: str = ""):
    """A page for signed-in staff (the sign-in page otherwise), limited to ``roles`` and ``permission`` (403)."""
    roles = tuple(roles)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not may_open(request.user, roles=roles, permission=permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.staff_access = {"roles": roles, "permission": permission}
        return wrapper

    return decorate(view) if view is not None else decorate
