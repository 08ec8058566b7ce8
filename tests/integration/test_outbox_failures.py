"""The outbox when things break, with real processes: a private Redis broker that is stopped during a case
change, a Celery worker killed in the middle of a delivery, and a local HTTP receiver (a webhook).

Runs when MIDOFFICE_TEST_BROKER_URL is set and the suite runs on PostgreSQL (CI); skipped otherwise.
"""

import json
import signal
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
from django.db import connection
from werkzeug import Response

from cases.services import case_transition
from midoffice.celery import app
from notifications import services
from notifications.models import Notification, WebhookSubscription
from tests.factories import CaseTypeFactory, HandlerGroupFactory, UserFactory, open_case

from .conftest import BROKER, celery, publishing_to, wait_for, worker_env

pytestmark = [
    pytest.mark.skipif(not BROKER, reason="MIDOFFICE_TEST_BROKER_URL not set"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a database it can share"),
    pytest.mark.django_db(transaction=True),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def redis_server(port: int):
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def broker_url():
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture
def publishing(broker_url):
    with publishing_to(broker_url):
        yield broker_url


@pytest.fixture
def planning(httpserver):
    HandlerGroupFactory(name="KCC", is_kcc=True)
    case_type = CaseTypeFactory(default_group=HandlerGroupFactory())
    WebhookSubscription.objects.create(name="Planning", url=httpserver.url_for("/hook"), secret="s", kinds=[])
    handler = UserFactory(role="handler")
    case_type.default_group.members.add(handler)
    return case_type, handler


def webhook_worker_env(broker_url: str) -> dict:
    return worker_env(
        CELERY_BROKER_URL=broker_url,
        MIDOFFICE_NOTIFICATION_BACKENDS="webhook",
        MIDOFFICE_NOTIFICATION_RELAY_INTERVAL_SECONDS="1",
        MIDOFFICE_NOTIFICATION_RELAY_GRACE_SECONDS="2",
    )


def test_broker_down_during_the_change_then_back_delivers_once(planning, publishing, httpserver, tmp_path):
    case_type, handler = planning
    httpserver.expect_request("/hook").respond_with_data("", status=204)
    port = int(publishing.rsplit(":", 1)[1].split("/")[0])
    with redis_server(port):
        case = open_case(case_type=case_type, party=None, channel="website")
    # The broker is gone now: the transition still commits and its notification waits in the outbox.
    started = time.monotonic()
    case_transition(actor=handler, case=case, transition="start")
    assert time.monotonic() - started < 10
    case.refresh_from_db()
    assert case.state == "in_progress"
    pending = Notification.objects.get(case=case, kind="case_started")
    assert pending.status == "pending"

    env = webhook_worker_env(publishing)
    with (
        redis_server(port),
        celery("worker", "--pool=solo", "--hostname=outbox@%h", env=env) as worker,
        celery("beat", "--schedule", str(tmp_path / "beat"), env=env) as beat,
    ):
        assert wait_for(
            lambda: not Notification.objects.exclude(status="sent").exists(), timeout=60, processes=[worker, beat]
        ), list(Notification.objects.values_list("kind", "status", "last_error"))
        time.sleep(3)

    deliveries = [json.loads(request.data)["delivery"] for request, _ in httpserver.log]
    keys = sorted(str(k) for k in Notification.objects.values_list("idempotency_key", flat=True))
    assert sorted(deliveries) == keys  # each notification exactly once, the started one included
    pending.refresh_from_db()
    assert pending.attempts == 1


def test_a_worker_killed_mid_delivery_is_redelivered_with_the_same_key(
    planning, httpserver, broker_url, tmp_path, monkeypatch
):
    case_type, _handler = planning
    calls = []

    def slow_then_ok(request):
        calls.append(request.headers["X-Midoffice-Delivery"])
        if len(calls) == 1:
            time.sleep(8)  # the worker is killed while it waits for this answer
        return Response("", status=204)

    httpserver.expect_request("/hook").respond_with_handler(slow_then_ok)
    port = int(broker_url.rsplit(":", 1)[1].split("/")[0])
    env = webhook_worker_env(broker_url)
    with redis_server(port), celery("beat", "--schedule", str(tmp_path / "beat"), env=env) as beat:
        with celery("worker", "--pool=solo", "--hostname=victim@%h", env=env) as victim:
            # This process would deliver eagerly: as a web process with a broker whose message is lost, it leaves
            # the notification to the relay and the worker.
            monkeypatch.setitem(app.conf, "task_always_eager", False)
            monkeypatch.setattr(services, "_enqueue", lambda ids, countdown=0: None)
            open_case(case_type=case_type, party=None, channel="website")
            assert wait_for(lambda: len(calls) == 1, timeout=60, processes=[victim, beat])
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=10)
        notification = Notification.objects.get()
        assert notification.status == "pending" and notification.attempts == 0  # the attempt rolled back
        with celery("worker", "--pool=solo", "--hostname=heir@%h", env=env) as heir:
            assert wait_for(
                lambda: Notification.objects.filter(status="sent").exists(), timeout=60, processes=[heir, beat]
            )
    assert len(calls) == 2 and calls[0] == calls[1] == str(notification.idempotency_key)
    notification.refresh_from_db()
    assert notification.attempts == 1


def worker_backends(application: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s ORDER BY pid", [application])
        return [pid for (pid,) in cursor.fetchall()]


def test_the_worker_keeps_its_database_connection_and_survives_losing_it(planning, publishing, httpserver):
    """One connection serves delivery after delivery (not one per task); when PostgreSQL drops it between two
    tasks, the health check replaces it and the next delivery succeeds at its first attempt."""
    case_type, handler = planning
    httpserver.expect_request("/hook").respond_with_data("", status=204)
    port = int(publishing.rsplit(":", 1)[1].split("/")[0])
    env = {**webhook_worker_env(publishing), "PGAPPNAME": "midoffice-test-worker"}

    def all_sent():
        return not Notification.objects.exclude(status="sent").exists()

    with (
        redis_server(port),
        celery("worker", "--pool=threads", "--concurrency=1", "--hostname=conn@%h", env=env) as worker,
    ):
        case = open_case(case_type=case_type, party=None, channel="website")
        assert wait_for(all_sent, timeout=60, processes=[worker])
        [first] = worker_backends("midoffice-test-worker")  # still open after the task

        case = case_transition(actor=handler, case=case, transition="start")
        assert wait_for(all_sent, timeout=30, processes=[worker])
        assert worker_backends("midoffice-test-worker") == [first]

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
        case_transition(actor=handler, case=case, transition="resolve", public_message="Hersteld.")
        assert wait_for(all_sent, timeout=30, processes=[worker]), list(
            Notification.objects.values_list("kind", "status", "last_error")
        )
    assert list(Notification.objects.order_by("id").values_list("kind", "attempts")) == [
        ("case_created", 1),
        ("case_started", 1),
        ("case_resolved", 1),
    ]
    assert len(httpserver.log) == 3
