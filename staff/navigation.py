"""The main menu: each area of the application adds its entry where it declares its pages."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from .access import may_open


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    roles: tuple[str, ...] = ()
    permission: str = ""
    order: int = 50


MENU: list[NavItem] = []


def register(*items: NavItem) -> None:
    MENU.extend(items)
    MENU.sort(key=lambda item: item.order)


def menu_for(request) -> list[dict]:
    """The entries the user may open, the current one marked."""
    entries = []
    for item in MENU:
        if not may_open(request.user, roles=item.roles, permission=item.permission):
            continue
        url = reverse(item.url_name)
        current = request.path == url or (url != "/" and request.path.startswith(url))
        entries.append({"url": url, "label": item.label, "current": current})
    return entries
