"""A notification whose delivery task was lost is delivered by the relay, exactly once: Celery beat and a
worker as real processes on Redis, against the PostgreSQL test database.

Runs when MIDOFFICE_TEST_BROKER_URL is set and the suite runs on PostgreSQL (CI); skipped otherwise.
"""

import time

import pytest
from django.db import connection

from midoffice.celery import app
from notifications import services
from notifications.models import Notification
from tests.factories import CaseTypeFactory, EmailFactory, HandlerGroupFactory, PersonFactory, open_case

from .conftest import BROKER, celery, wait_for, worker_env

pytestmark = [
    pytest.mark.skipif(not BROKER, reason="MIDOFFICE_TEST_BROKER_URL not set"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a database it can share"),
    pytest.mark.django_db(transaction=True),
]


def test_the_relay_delivers_a_lost_notification_once(tmp_path, monkeypatch):
    HandlerGroupFactory(name="KCC", is_kcc=True)
    party = PersonFactory(language="nl")
    EmailFactory(party=party, value="burger@example.be")
    # A web process with a broker, whose message to it is lost at commit.
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setattr(services, "_enqueue", lambda ids, countdown=0: None)
    case = open_case(case_type=CaseTypeFactory(default_group=HandlerGroupFactory()), party=party)
    notification = Notification.objects.get(case=case)
    assert notification.status == "pending"

    env = worker_env(
        MIDOFFICE_NOTIFICATION_RELAY_INTERVAL_SECONDS="1",
        MIDOFFICE_NOTIFICATION_RELAY_GRACE_SECONDS="0",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
    )
    with (
        celery("worker", "--pool=solo", "--hostname=relay@%h", "-l", "INFO", env=env) as worker,
        celery("beat", "-l", "INFO", "--schedule", str(tmp_path / "beat-schedule"), env=env) as beat,
    ):
        sent = wait_for(
            lambda: Notification.objects.filter(pk=notification.pk, status="sent").exists(),
            timeout=60,
            processes=[worker, beat],
        )
        assert sent, "the relay did not deliver within 60 s"
        time.sleep(3)  # more relay runs: nothing is sent twice

    notification.refresh_from_db()
    assert notification.attempts == 1
    [mail] = list((tmp_path / "mail").iterdir())
    text = mail.read_text()
    assert "To: burger@example.be" in text and case.reference in text
    assert f"X-Midoffice-Idempotency-Key: {notification.idempotency_key}" in text
