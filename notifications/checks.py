from django.conf import settings
from django.core.checks import Error

from .burgerprofiel import TEMPLATE_VALUES


def burgerprofiel_template_keys(app_configs, **kwargs) -> list[Error]:
    """A misspelt name in MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS would silently leave the default key."""
    keys = set(settings.MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS)
    problems = []
    if unknown := sorted(keys - set(TEMPLATE_VALUES)):
        problems.append(f"unknown {', '.join(unknown)}")
    if missing := sorted(set(TEMPLATE_VALUES) - keys):
        problems.append(f"missing {', '.join(missing)}")
    if not problems:
        return []
    return [
        Error(
            "MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS: " + "; ".join(problems),
            hint=f"Name a key for each of: {', '.join(TEMPLATE_VALUES)}.",
            id="notifications.E001",
        )
    ]
