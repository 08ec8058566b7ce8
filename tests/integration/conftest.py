import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

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
