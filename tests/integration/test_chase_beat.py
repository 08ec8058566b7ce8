"""The overdue chase end to end: Celery beat schedules it, a worker runs it against the test database on
PostgreSQL, escalates the overdue case once and e-mails its handler group.

Runs when MIDOFFICE_TEST_BROKER_URL is set and the suite runs on PostgreSQL (CI); skipped otherwise.
"""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import CaseEvent, EventKind, GroupMessage
from tests.factories import CaseTypeFactory, HandlerGroupFactory, open_case

from .conftest import BROKER, celery, wait_for, worker_env

pytestmark = [
    pytest.mark.skipif(not BROKER, reason="MIDOFFICE_TEST_BROKER_URL not set"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a database it can share"),
    pytest.mark.django_db(transaction=True),
]


def test_beat_and_worker_escalate_an_overdue_case_once(tmp_path):
    HandlerGroupFactory(name="KCC", is_kcc=True)
    group = HandlerGroupFactory(name="Openbaar Domein", email="openbaardomein@stad.example")
    overdue = open_case(
        case_type=CaseTypeFactory(default_group=group), registered_at=timezone.now() - timedelta(days=14)
    )
    on_time = open_case(case_type=CaseTypeFactory(default_group=group, norm_days=10))
    env = worker_env(
        MIDOFFICE_CHASE_INTERVAL_SECONDS="1",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
    )
    with (
        celery("worker", "--pool=solo", "--hostname=chase@%h", "-l", "INFO", env=env) as worker,
        celery("beat", "-l", "INFO", "--schedule", str(tmp_path / "beat-schedule"), env=env) as beat,
    ):
        escalated = wait_for(
            lambda: GroupMessage.objects.filter(sent_at__isnull=False).exists(), timeout=60, processes=[worker, beat]
        )
        assert escalated, "no escalation e-mail was sent within 60 s"
        # Several more beats: still one escalation, one message.
        time.sleep(4)

    events = CaseEvent.objects.filter(kind=EventKind.ESCALATION)
    assert [(e.case_id, e.data["threshold"]) for e in events] == [(overdue.pk, "overdue")]
    assert not CaseEvent.objects.filter(case=on_time, kind=EventKind.ESCALATION).exists()
    assert GroupMessage.objects.count() == 1
    mails = list((tmp_path / "mail").iterdir())
    assert len(mails) == 1
    text = mails[0].read_text()
    assert "To: openbaardomein@stad.example" in text and overdue.reference in text
