"""Embedded mode (`make run`): its own secret key, links to the address served, and the periodic jobs of
CELERY_BEAT_SCHEDULE run in the server process, since there is no broker and so no beat."""

import stat
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from cases.models import Case, CaseEvent, EventKind
from midoffice import embedded
from midoffice.embedded import PeriodicJobs, installation_secret_key, public_base_url, serving_at
from midoffice.management.commands import serve
from notifications.links import status_url
from notifications.models import Notification, Survey
from notifications.surveys import survey_url
from tests.factories import EmailFactory, PersonFactory, case_in_state, open_case
from tests.notifications import mail as flaky

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


# --- The secret key ---------------------------------------------------------------------------------------


def test_the_key_is_made_once_and_kept(tmp_path):
    path = tmp_path / "var" / "secret_key"

    key = installation_secret_key(path)

    assert len(key) >= 50
    assert installation_secret_key(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no draft left behind


def test_every_installation_has_its_own_key(tmp_path):
    assert installation_secret_key(tmp_path / "a") != installation_secret_key(tmp_path / "b")


def test_processes_starting_together_agree_on_one_key(tmp_path):
    path = tmp_path / "secret_key"
    keys = []
    threads = [threading.Thread(target=lambda: keys.append(installation_secret_key(path))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(keys) == len(threads), "a thread failed"
    assert len(set(keys)) == 1 and keys[0] == path.read_text()


# --- Links follow the address served ------------------------------------------------------------------------


@pytest.fixture
def served(settings, monkeypatch):
    """Embedded, MIDOFFICE_PUBLIC_BASE_URL not set; the served address restored afterwards."""
    settings.MIDOFFICE_EMBEDDED = True
    settings.MIDOFFICE_PUBLIC_BASE_URL = ""
    monkeypatch.setattr(embedded, "_served_at", embedded.DEFAULT_SERVED_AT)
    return settings


def test_links_in_messages_follow_the_port_served(served, monkeypatch):
    """`make run PORT=8080`: `manage.py serve 127.0.0.1:8080` binds, and links in e-mails point there."""
    assert status_url(Notification(pk=1)).startswith("http://127.0.0.1:8000/status/")
    started = []
    monkeypatch.setattr(serve, "start_periodic_jobs", lambda: started.append(True))
    command = serve.Command()
    command.addr, command._raw_ipv6 = "127.0.0.1", False

    command.on_bind(8080)

    assert started == [True]
    assert status_url(Notification(pk=1)).startswith("http://127.0.0.1:8080/status/")
    assert survey_url(Survey(pk=1)).startswith("http://127.0.0.1:8080/survey/")


@pytest.mark.parametrize(
    ("address", "ipv6", "expected"),
    [
        ("0.0.0.0", False, "http://127.0.0.1:9000"),
        ("::1", True, "http://[::1]:9000"),
        ("::", True, "http://[::1]:9000"),
    ],
)
def test_an_address_for_all_interfaces_links_to_this_machine(served, address, ipv6, expected):
    serving_at(address, 9000, ipv6=ipv6)

    assert public_base_url() == expected


def test_a_configured_address_wins(served):
    served.MIDOFFICE_PUBLIC_BASE_URL = "https://midoffice.stad.be/"
    serving_at("127.0.0.1", 8080)

    assert public_base_url() == "https://midoffice.stad.be"


def test_a_deployment_never_links_to_a_guessed_address(served):
    served.MIDOFFICE_EMBEDDED = False
    served.DEBUG = False

    with pytest.raises(ImproperlyConfigured, match="MIDOFFICE_PUBLIC_BASE_URL"):
        public_base_url()


# --- The periodic jobs ----------------------------------------------------------------------------------------


@pytest.fixture
def citizen(db):
    party = PersonFactory(language="en")
    EmailFactory(party=party, value="an.peeters@example.be")
    return party


@pytest.mark.django_db
def test_the_schedule_is_celery_beats(settings):
    jobs = PeriodicJobs()

    tasks = {job.task for job in jobs.jobs}
    assert tasks == {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "cases.tasks.escalate_cases",
        "notifications.tasks.relay_notifications",
        "notifications.tasks.report_dead_notifications",
        "cases.tasks.close_expired_cases",
    } <= tasks


@pytest.mark.django_db
def test_a_tick_retries_a_failed_notification(melding, citizen, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.notifications.mail.FlakyBackend"
    flaky.fail_next(1, flaky.TRANSIENT)
    with django_capture_on_commit_callbacks(execute=True):
        open_case(case_type=melding, party=citizen)
    notification = Notification.objects.get()
    assert notification.status == "failed" and mail.outbox == []

    with time_machine.travel(notification.next_attempt_at + timedelta(minutes=2)):
        PeriodicJobs().tick()

    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 2)
    assert [message.to for message in mail.outbox] == [["an.peeters@example.be"]]


@pytest.mark.django_db
def test_cases_are_escalated_and_closed_as_time_passes(melding):
    with time_machine.travel(at(2026, 11, 2, 10), tick=False) as clock:
        running = open_case(case_type=melding)  # 3 working days: overdue from Friday 6 November
        resolved = case_in_state("resolved", case_type=melding)
        jobs = PeriodicJobs()
        jobs.tick()
        assert not CaseEvent.objects.filter(kind=EventKind.ESCALATION).exists()

        clock.move_to(at(2026, 11, 6, 8))
        jobs.tick()
        assert list(running.events.filter(kind=EventKind.ESCALATION).values_list("data__threshold", flat=True)) == [
            "overdue"
        ]
        assert Case.objects.get(pk=resolved.pk).state == "resolved"

        clock.move_to(at(2026, 11, 16, 11))  # 14 days after it was resolved
        jobs.tick()
        assert Case.objects.get(pk=resolved.pk).state == "closed"


@pytest.mark.django_db
def test_interval_jobs_run_at_start_then_every_interval_and_daily_ones_at_their_time(monkeypatch):
    from cases import services as case_services
    from notifications import services as notification_services

    runs = []
    for module, name in [
        (case_services, "cases_escalate"),
        (case_services, "cases_close_expired"),
        (notification_services, "notifications_relay"),
        (notification_services, "dead_letters_report"),
    ]:
        monkeypatch.setattr(module, name, lambda name=name, **kwargs: runs.append(name) or 0)

    with time_machine.travel(at(2026, 11, 2, 6, 58), tick=False) as clock:
        jobs = PeriodicJobs()
        assert jobs.tick() == 60  # the relay is next, in a minute
        assert sorted(runs) == ["cases_close_expired", "cases_escalate", "notifications_relay"]

        runs.clear()
        clock.move_to(at(2026, 11, 2, 6, 59, 1))
        jobs.tick()
        assert runs == ["notifications_relay"]

        runs.clear()
        clock.move_to(at(2026, 11, 2, 7, 0, 1))
        jobs.tick()
        assert sorted(runs) == ["dead_letters_report", "notifications_relay"]


@pytest.mark.django_db
def test_a_failing_job_stops_neither_the_others_nor_the_loop(monkeypatch, caplog):
    from cases import services as case_services
    from notifications import services as notification_services

    def broken(**kwargs):
        raise RuntimeError("database unreachable")

    relayed = []
    monkeypatch.setattr(case_services, "cases_escalate", broken)
    monkeypatch.setattr(notification_services, "notifications_relay", lambda **kwargs: relayed.append(1) or 0)

    PeriodicJobs().tick()

    assert relayed == [1]
    [failure] = [record for record in caplog.records if record.message == "periodic_job.failed"]
    assert failure.job == "escalate-cases" and "database unreachable" in failure.exc_text


def test_no_scheduler_when_a_broker_runs_beat(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    assert embedded.start_periodic_jobs() is None
    assert not [thread for thread in threading.enumerate() if thread.name == "periodic-jobs"]


@pytest.mark.django_db
def test_without_a_broker_the_jobs_run_in_a_thread_until_stopped(monkeypatch):
    ticked = threading.Event()

    def tick(self):
        ticked.set()
        return 0.01

    monkeypatch.setattr(PeriodicJobs, "tick", tick)

    stop = embedded.start_periodic_jobs()
    try:
        assert ticked.wait(timeout=5)
        [thread] = [thread for thread in threading.enumerate() if thread.name == "periodic-jobs"]
        assert thread.daemon
    finally:
        stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
