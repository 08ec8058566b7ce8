from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.urls import register_converter

from .converters import IdConverter


class MidofficeConfig(AppConfig):
    """Project-wide plumbing: roles, API error mapping, pagination, permissions."""

    name = "midoffice"
    verbose_name = "Midoffice"

    def ready(self):
        # Registers the deployment checks, and connects the request id to Celery's task signals.
        from . import checks, logging  # noqa: F401
        from .roles import ensure_roles

        # Every row id in a URL: a number beyond the database's integer range is a 404, not an overflow. Here, so
        # that a module declaring its paths may be imported before the root URLconf.
        register_converter(IdConverter, "id")

        # Sent once per app with models; ensure_roles is idempotent and picks up each app's permissions.
        post_migrate.connect(ensure_roles, dispatch_uid="midoffice.ensure_roles")
