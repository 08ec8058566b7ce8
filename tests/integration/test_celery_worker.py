"""A real Celery worker, started the way the README says, against a real Redis broker.

Runs when MIDOFFICE_TEST_BROKER_URL is set (CI sets it); skipped otherwise.
"""

import time

import pytest
from celery import Celery

from .conftest import BROKER, celery

pytestmark = pytest.mark.skipif(not BROKER, reason="MIDOFFICE_TEST_BROKER_URL not set")


def test_worker_starts_and_answers_on_the_broker():
    # Not the current app: shared tasks of later tests must keep using the project's (eager) one.
    app = Celery(broker=BROKER, set_as_current=False)
    with celery("worker", "--pool=solo", "--hostname=ci@%h", "-l", "INFO") as worker:
        replies = []
        deadline = time.monotonic() + 30
        while not replies and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stdout.read()
            replies = app.control.ping(timeout=1.0)
    assert replies, "no worker answered a ping within 30 s"
    assert any(name.startswith("ci@") for reply in replies for name in reply)
