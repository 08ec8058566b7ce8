"""A real Celery worker, started the way the README says, against a real Redis broker.

Runs when MIDOFFICE_TEST_BROKER_URL is set (CI sets it); skipped otherwise.
"""

import json
import time

import pytest
import redis
from celery import Celery

from midoffice.broker import Transport, enqueue
from notifications.services import DELIVER_TASK

from .conftest import BROKER, celery, publishing_to

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


@pytest.mark.skipif(not (BROKER or "").startswith("redis://"), reason="a redis:// broker")
def test_the_redis_transport_keeps_one_client_per_pool_and_publishes_to_the_brokers_database():
    app = Celery(broker=BROKER, broker_transport="midoffice.broker:Transport", set_as_current=False)
    queue = "midoffice-test-transport"
    with app.connection_for_write() as connection:
        assert type(connection.transport) is Transport
        channel = connection.default_channel
        assert channel._create_client() is channel._create_client()
        channel._disconnect_pools()  # a new pool (kombu does this on reconnecting) gets a new client
        assert channel._create_client().connection_pool is channel.pool
        client = redis.Redis.from_url(BROKER)
        client.delete(queue)
        try:
            for n in range(3):
                app.send_task("notifications.tasks.deliver_notification", args=(n,), queue=queue, connection=connection)
            assert client.llen(queue) == 3
        finally:
            client.delete(queue)


@pytest.mark.skipif(not (BROKER or "").startswith("redis://"), reason="a redis:// broker")
def test_enqueue_publishes_a_task_per_row_to_the_queue_workers_read():
    client = redis.Redis.from_url(BROKER)
    client.delete("celery")
    try:
        with publishing_to(BROKER):
            enqueue(DELIVER_TASK, [5, 6], what="notification")
        messages = [json.loads(m) for m in client.lrange("celery", 0, -1)]
    finally:
        client.delete("celery")
    assert sorted((m["headers"]["task"], m["headers"]["argsrepr"]) for m in messages) == [
        (DELIVER_TASK, "(5,)"),
        (DELIVER_TASK, "(6,)"),
    ]
