import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

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


def worker_database_url() -> str:
    """The database this test runs in, for the worker and beat processes it starts."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


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
