from rest_framework.permissions import BasePermission

from .roles import STAFF_ROLES


def is_staff_member(user) -> bool:
    """Staff are active users with admin access or at least one staff role."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return user.groups.filter(name__in=STAFF_ROLES).exists()


class IsStaffMember(BasePermission):
    """Only authenticated staff reach the internal API."""

    message = "Only staff members may use this endpoint."

    def has_permission(self, request, view):
        return is_staff_member(request.user)


class HasModelPermission(BasePermission):
    """Requires the Django permission named in the view's ``required_permissions[method]``."""

    def has_permission(self, request, view):
        perms = getattr(view, "required_permissions", {}).get(request.method, ())
        return all(request.user.has_perm(perm) for perm in perms)
