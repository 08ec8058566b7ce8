import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection
from kombu import pools

from midoffice.celery import app

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("MIDOFFICE_TEST_BROKER_URL")


@contextmanager
def celery(*args: str, env: dict | None = None):
    """``celery -A midoffice <args>`` as a real process, the way the README starts it; stopped afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "midoffice", *args],
        cwd=ROOT,
        env={**os.environ, "CELERY_BROKER_URL": BROKER, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            print(process.stdout.read())  # shown by pytest when the test failed


def worker_database_url() -> str:
    """The database this test runs in, for the worker and beat processes it starts."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(**settings: str) -> dict:
    """The environment of a worker or beat on the test database; periodic tasks rare unless a test asks."""
    return {
        "DATABASE_URL": worker_database_url(),
        "MIDOFFICE_NOTIFICATION_RELAY_INTERVAL_SECONDS": "3600",
        "MIDOFFICE_CHASE_INTERVAL_SECONDS": "3600",
        **settings,
    }


def wait_for(condition, timeout: float, processes) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes; a process that died fails the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in processes:
            assert process.poll() is None, process.stdout.read() if process.stdout else process.returncode
        if condition():
            return True
        time.sleep(0.5)
    return False


def forget_broker_connections() -> None:
    """Close kombu's connection pools and forget them, and the app's references to them. Even eager
    ``apply_async`` takes a producer from the pool, which then points at the default broker URL."""
    pools.reset()
    app._after_fork()


@contextmanager
def publishing_to(broker_url: str):
    """This process enqueues to ``broker_url`` for real (on commit), as the web processes do in production."""
    old = app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport
    forget_broker_connections()
    app.conf.task_always_eager, app.conf.broker_url = False, broker_url
    # As midoffice/settings.py configures a web process with this broker URL.
    app.conf.broker_transport = "midoffice.broker:Transport" if broker_url.startswith("redis://") else None
    try:
        yield broker_url
    finally:
        forget_broker_connections()
        app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport = old
