"""Embedded mode: what `make run` needs without any configuration (docs/configuration.md#embedded-mode).

Embedded mode is on when ``DATABASE_URL`` is not set: SQLite under var/, Celery eager (no broker, so
no beat). What a deployment configures, an embedded installation provides for itself:

- a secret key generated at its first start and kept in ``var/secret_key``, different for every copy;
- the address of the status and survey links: the one ``manage.py serve`` listens on;
- the periodic jobs of ``CELERY_BEAT_SCHEDULE``, run in-process by ``manage.py serve``.
"""

import logging
import os
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from pathlib import Path

from celery.schedules import maybe_schedule
from celery.schedules import schedule as interval
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connection

from midoffice.celery import app

logger = logging.getLogger(__name__)

DEFAULT_SERVED_AT = "http://127.0.0.1:8000"
_served_at = DEFAULT_SERVED_AT


def installation_secret_key(path: Path) -> str:
    """The key kept in ``path``, created at the first start; processes starting together read the same one."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Unique per process and thread: two starting together each write their own draft.
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(64))
        try:
            # Publishing the complete file under its name is atomic, and fails when another process won.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def serving_at(address: str, port: int | str, *, ipv6: bool = False) -> None:
    """Called by ``manage.py serve``: links to this installation point at the address it listens on."""
    global _served_at
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(address, address)
    _served_at = f"http://{f'[{host}]' if ipv6 else host}:{port}"


def public_base_url() -> str:
    """Where citizens reach this installation (no trailing slash): the start of status and survey links.

    ``MIDOFFICE_PUBLIC_BASE_URL``; embedded or with DEBUG, the address served when it is not set. A
    deployment without it is refused at start-up (midoffice/checks.py), and here too.
    """
    if settings.MIDOFFICE_PUBLIC_BASE_URL:
        return settings.MIDOFFICE_PUBLIC_BASE_URL.rstrip("/")
    if settings.MIDOFFICE_EMBEDDED or settings.DEBUG:
        return _served_at
    raise ImproperlyConfigured("MIDOFFICE_PUBLIC_BASE_URL is not set.")


# --- Periodic jobs in-process ------------------------------------------------------------------------------

# However far the next job is, the loop looks again after this many seconds (as celery beat does).
MAX_WAIT_SECONDS = 300.0


@dataclass
class Job:
    name: str
    task: str
    schedule: object  # a celery schedule: interval or crontab
    last_run_at: datetime
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


class PeriodicJobs:
    """``CELERY_BEAT_SCHEDULE`` run in this process, for an installation without a broker (so without beat).

    Jobs on an interval run at the first tick (the server may have been stopped for a while, and the
    seeded cases are already overdue), then every interval; crontab jobs at their next time. One job at a
    time, in the calling thread: tasks are eager, so each one does its work right there.
    """

    def __init__(self, schedule: dict | None = None):
        self.app = app
        now = app.now()
        self.jobs = []
        for name, entry in (settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule).items():
            # Registers the task: nothing in a web process imports the tasks modules otherwise.
            import_module(entry["task"].rpartition(".")[0])
            when = maybe_schedule(entry["schedule"], app=app)
            self.jobs.append(
                Job(
                    name=name,
                    task=entry["task"],
                    schedule=when,
                    last_run_at=now - when.run_every if isinstance(when, interval) else now,
                    args=tuple(entry.get("args", ())),
                    kwargs=dict(entry.get("kwargs", {})),
                )
            )

    def tick(self) -> float:
        """Run every job that is due; the seconds until one may be due again."""
        wait = MAX_WAIT_SECONDS
        for job in self.jobs:
            due, next_check = job.schedule.is_due(job.last_run_at)
            if due:
                job.last_run_at = self.app.now()
                self._run(job)
            wait = min(wait, next_check)
        return wait

    def _run(self, job: Job) -> None:
        self._between_jobs()
        try:
            self.app.tasks[job.task].apply(args=job.args, kwargs=job.kwargs, throw=True)
        except Exception:
            # One failing job must neither stop the others nor the loop; the next interval tries again.
            logger.exception("periodic_job.failed", extra={"job": job.name, "task": job.task})
        finally:
            self._between_jobs()

    @staticmethod
    def _between_jobs() -> None:
        """The thread's connection is treated as between requests (CONN_MAX_AGE, health check); not while a
        caller holds it in a transaction (a test calling tick())."""
        if not connection.in_atomic_block:
            close_old_connections()

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            stop.wait(self.tick())


def start_periodic_jobs() -> threading.Event | None:
    """Start the in-process scheduler in a daemon thread when no broker is configured; set the event to stop it.

    With a broker, celery beat runs the schedule (``make beat``), and a second scheduler would run every
    job twice. Only ``manage.py serve`` calls this: never gunicorn, a worker or the tests.
    """
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    stop = threading.Event()
    jobs = PeriodicJobs()
    threading.Thread(target=jobs.run_forever, args=(stop,), name="periodic-jobs", daemon=True).start()
    return stop
