from django.conf import settings
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from midoffice.permissions import is_staff_member

from .navigation import menu_for
from .selectors import my_handler_group_names, my_open_case_count


def _logo_url() -> str:
    logo = settings.MIDOFFICE_CITY_LOGO
    return logo if logo.startswith(("http://", "https://", "/")) or not logo else static(logo)


def _my_cases_url() -> str:
    try:
        return reverse("staff:inbox") + "?assignee=me"
    except NoReverseMatch:  # an installation without the inbox's area
        return ""


def shell(request) -> dict:
    """The page shell: the city, and for signed-in staff the menu, their groups and their open cases.

    Lazy: the admin and the API render templates too, and pay for none of it."""
    city = {"name": settings.MIDOFFICE_CITY_NAME, "logo": _logo_url()}
    user = getattr(request, "user", None)
    if user is None or not is_staff_member(user):
        return {"city": city}
    return {
        "city": city,
        "menu": SimpleLazyObject(lambda: menu_for(request)),
        "my_groups": SimpleLazyObject(lambda: my_handler_group_names(user)),
        "my_open_cases": SimpleLazyObject(lambda: my_open_case_count(user)),
        "my_cases_url": _my_cases_url(),
    }
