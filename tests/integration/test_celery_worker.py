"""A real Celery worker, started the way the README says, against a real Redis broker.

Runs when MIDOFFICE_TEST_BROKER_URL is set (CI sets it); skipped otherwise.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

BROKER = os.environ.get("MIDOFFICE_TEST_BROKER_URL")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not BROKER, reason="MIDOFFICE_TEST_BROKER_URL not set")


@pytest.fixture
def worker():
    env = {**os.environ, "CELERY_BROKER_URL": BROKER}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "midoffice", "worker", "--pool=solo", "--hostname=ci@%h", "-l", "INFO"],
        cwd=ROOT,
        env=env,
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


def test_worker_starts_and_answers_on_the_broker(worker):
    from celery import Celery

    app = Celery(broker=BROKER)
    replies = []
    deadline = time.monotonic() + 30
    while not replies and time.monotonic() < deadline:
        assert worker.poll() is None, worker.stdout.read()
        replies = app.control.ping(timeout=1.0)
    assert replies, "no worker answered a ping within 30 s"
    assert any(name.startswith("ci@") for reply in replies for name in reply)
