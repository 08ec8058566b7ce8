"""The Celery application; tasks are discovered in each app's ``tasks.py``."""

import os

from celery import Celery, signals
from django.db import close_old_connections

from midoffice.checks import refuse_unsafe_deployment

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "midoffice.settings")

app = Celery("midoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def refuse_unsafe_deployment_in_workers(**kwargs):
    """Celery runs Django's checks but ignores their errors: a worker without the deployment's own secret key
    would sign status and survey links with another one."""
    refuse_unsafe_deployment()


@signals.task_prerun.connect
@signals.task_postrun.connect
def connections_as_between_requests(task=None, **kwargs):
    """Before and after each task, what Django does around a request: drop a connection that is broken or
    older than CONN_MAX_AGE, and health-check the next use. Not in eager mode: there the caller owns the
    connection (and may be inside a transaction)."""
    if task is not None and task.request.is_eager:
        return
    close_old_connections()
