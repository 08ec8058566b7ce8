"""Start-up refuses an unsafe deployment: Error-level system checks, so `manage.py check`, `migrate` and
`runserver` stop, and midoffice/wsgi.py (gunicorn) refuses to load the application.

A deployment is DEBUG off outside embedded mode (midoffice/embedded.py); embedded mode and DEBUG make
their own key and address, so they need none of this configured.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

# Keys that were ever public: the embedded default of earlier versions, the example in .env.example.
PUBLIC_SECRET_KEYS = frozenset({"insecure-embedded-default-change-me", "change-me-to-a-long-random-string"})

TAG = "midoffice_deployment"


@register(TAG)
def deployment_configuration(app_configs=None, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    errors = []
    try:
        secret_key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        secret_key = ""
    if not secret_key:
        errors.append(
            Error(
                "SECRET_KEY is not set.",
                hint="Set SECRET_KEY to a long random string of this installation's own, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`.",
                id="midoffice.E001",
            )
        )
    elif secret_key in PUBLIC_SECRET_KEYS:
        errors.append(
            Error(
                "SECRET_KEY is a published example key: anyone can forge sessions and status links with it.",
                hint="Set SECRET_KEY to a long random string of this installation's own.",
                id="midoffice.E002",
            )
        )
    base_url = settings.MIDOFFICE_PUBLIC_BASE_URL
    if not base_url and not settings.MIDOFFICE_EMBEDDED:
        errors.append(
            Error(
                "MIDOFFICE_PUBLIC_BASE_URL is not set: the links in citizen messages need it.",
                hint="Set it to the address citizens reach this installation at, e.g. https://midoffice.stad.be.",
                id="midoffice.E003",
            )
        )
    elif base_url and (urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc):
        errors.append(
            Error(
                f"MIDOFFICE_PUBLIC_BASE_URL is not an absolute http(s) address: {base_url!r}.",
                hint="Give scheme and host, e.g. https://midoffice.stad.be.",
                id="midoffice.E004",
            )
        )
    return errors


def refuse_unsafe_deployment() -> None:
    """For servers that run no system checks themselves (gunicorn through midoffice/wsgi.py)."""
    if errors := deployment_configuration():
        raise ImproperlyConfigured("; ".join(f"{error.id}: {error.msg}" for error in errors))
