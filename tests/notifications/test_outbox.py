"""The outbox: written with the case change, delivered after commit, retried, relayed."""

from datetime import date, timedelta

import psycopg
import pytest
import time_machine
from celery import current_app
from django.core import mail
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from cases.models import CaseEvent, EventKind
from cases.services import case_reassign, case_transition
from notifications import services
from notifications.models import Notification
from tests.factories import EmailFactory, HandlerGroupFactory, PersonFactory, UserFactory, open_case

from . import mail as flaky

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.notifications.mail.FlakyBackend"
    flaky.fail_next(0, None)


@pytest.fixture
def citizen():
    party = PersonFactory(given_name="An", family_name="Peeters", language="en")
    EmailFactory(party=party, value="an.peeters@example.be")
    return party


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the block's after-commit callbacks (the enqueued deliveries; Celery is eager in tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class TestTheCaseOpenedWithAContactIsEMailedToThePreferredAddress:
    """Identity resolution knows the address of the party it found or made: the e-mail goes to it unread."""

    def post(self, party_data: dict):
        client = APIClient()
        client.force_authenticate(UserFactory(role="front_desk"))
        body = {"channel": "phone", "subject": "Put", "party_data": party_data}
        body["case"] = {"case_type": "melding", "description": "Diepe put"}
        with CaptureQueriesContext(connection) as statements:
            response = client.post(reverse("v1:contact-list"), body, format="json")
        assert response.status_code == 201, response.data
        # Not read again (contacts.selectors.preferred_point_value).
        assert not [q for q in statements if q["sql"].startswith("SELECT value FROM contacts_contactpoint")]
        return response

    def log(self, party_data: dict) -> Notification:
        return Notification.objects.get(case__reference=self.post(party_data).data["case"])

    def test_a_new_address_of_a_party_that_has_one_is_not_preferred(self, melding, citizen):
        notification = self.log({"national_number": citizen.national_number, "email": "an@werk.be"})
        assert notification.recipient == "an.peeters@example.be"
        assert citizen.contact_points.filter(value="an@werk.be", preferred=False).exists()

    def test_the_first_address_of_a_party_is(self, melding):
        party = PersonFactory()
        notification = self.log({"national_number": party.national_number, "email": "eerste@example.be"})
        assert notification.recipient == "eerste@example.be"

    def test_found_by_an_address_that_is_not_the_preferred_one(self, melding, citizen):
        EmailFactory(party=citizen, value="an@thuis.be", preferred=False)
        notification = self.log({"given_name": "An", "family_name": "Peeters", "email": "an@thuis.be"})
        assert (notification.party, notification.recipient) == (citizen, "an.peeters@example.be")

    def test_a_new_party(self, melding):
        notification = self.log({"given_name": "Noor", "family_name": "Jacobs", "email": "Noor@Example.be"})
        assert notification.recipient == "noor@example.be"

    def test_a_party_without_an_address_gets_no_e_mail(self, melding):
        self.post({"phone": "0470 99 88 77"})
        assert not Notification.objects.exists()


def test_opening_a_case_queues_and_delivers_an_email(melding, citizen, committed):
    with committed():
        case = open_case(case_type=melding, party=citizen)

    notification = Notification.objects.get()
    assert (notification.case, notification.party, notification.kind) == (case, citizen, "case_created")
    assert (notification.status, notification.attempts, notification.recipient) == (
        "sent",
        1,
        "an.peeters@example.be",
    )
    [message] = mail.outbox
    assert message.to == ["an.peeters@example.be"]
    assert case.reference in message.subject
    assert "Dear An Peeters" in message.body and "We registered your request" in message.body
    assert message.extra_headers["X-Midoffice-Idempotency-Key"] == str(notification.idempotency_key)
    assert "text/html" in message.alternatives[0][1]
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True).order_by("id"))
    assert kinds == ["created", "notification_queued", "notification_sent"]


def test_the_answer_goes_out_in_the_citizens_language(melding, citizen, handler, committed):
    citizen.language = "nl"
    citizen.save()
    case = open_case(case_type=melding, party=citizen)
    with committed():
        case_transition(actor=handler, case=case, transition="resolve", public_message="De tegel ligt terug vast.")

    message = mail.outbox[-1]
    assert "De tegel ligt terug vast." in message.body
    assert "Uw aanvraag" in message.subject
    assert Notification.objects.filter(kind="case_resolved", status="sent").count() == 1


def test_what_does_not_notify(melding, citizen, handler, other_group, settings, committed):
    with committed():
        case = open_case(case_type=melding, party=citizen)
        case_reassign(actor=UserFactory(role="kcc"), case=case, handler_group=other_group, reason="x")
        open_case(case_type=melding, party=PersonFactory())  # no e-mail address
        open_case(case_type=melding, party=None, channel="phone")  # anonymous
    assert Notification.objects.count() == 1  # the first case's registration only

    melding.notify_kinds = ["case_resolved"]
    melding.save()
    settings.MIDOFFICE_NOTIFICATION_BACKENDS = []
    with committed():
        open_case(case_type=melding, party=citizen)
    assert Notification.objects.count() == 1


def test_a_refused_change_writes_no_notification(melding, citizen, handler):
    case = open_case(case_type=melding, party=citizen)
    before = Notification.objects.count()
    with pytest.raises(Exception, match="public_message"):
        case_transition(actor=handler, case=case, transition="resolve", public_message="")
    assert Notification.objects.count() == before


def test_transient_errors_back_off_then_deliver_once(melding, citizen, committed):
    flaky.fail_next(2, flaky.TRANSIENT)
    with committed():
        case = open_case(case_type=melding, party=citizen)
    notification = Notification.objects.get(case=case)
    assert (notification.status, notification.attempts) == ("failed", 1)
    assert "Connection unexpectedly closed" in notification.last_error
    assert notification.next_attempt_at > timezone.now()
    assert services.notification_deliver(notification_id=notification.pk) is None  # not due yet

    for _ in range(2):
        notification.refresh_from_db()
        with time_machine.travel(notification.next_attempt_at + timedelta(seconds=1)):
            services.notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 3, "")
    assert len(mail.outbox) == 1
    assert services.notification_deliver(notification_id=notification.pk) is None  # sent stays sent
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks of another connection")
def test_a_notification_another_worker_holds_is_left_alone(melding, citizen):
    """The claim skips a locked row: two workers never deliver the same notification at once."""
    case = open_case(case_type=melding, party=citizen)  # delivered at once (eager): put it back to pending
    notification = Notification.objects.get(case=case)
    Notification.objects.filter(pk=notification.pk).update(status="pending", attempts=0, sent_at=None)
    mail.outbox.clear()
    db = connection.settings_dict
    with psycopg.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432) as other:
        other.execute("SELECT id FROM notifications_notification WHERE id = %s FOR UPDATE", [notification.pk])
        assert services.notification_deliver(notification_id=notification.pk) is None
        assert mail.outbox == []
        other.rollback()  # the other worker is done with it
    assert services.notification_deliver(notification_id=notification.pk) == "sent"
    assert len(mail.outbox) == 1


def test_a_permanent_error_is_dead_at_once(melding, citizen, committed):
    flaky.fail_next(1, flaky.REFUSED)
    with committed():
        case = open_case(case_type=melding, party=citizen)
    notification = Notification.objects.get(case=case)
    assert (notification.status, notification.attempts) == ("dead", 1)
    assert "recipient refused" in notification.last_error
    assert case.events.filter(kind=EventKind.NOTIFICATION_FAILED).exists()


def test_too_many_attempts_is_dead(melding, citizen, settings, committed):
    settings.MIDOFFICE_NOTIFICATION_MAX_ATTEMPTS = 2
    flaky.fail_next(5, flaky.TRANSIENT)
    with committed():
        open_case(case_type=melding, party=citizen)
    notification = Notification.objects.get()
    with time_machine.travel(notification.next_attempt_at + timedelta(seconds=1)):
        services.notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("dead", 2)


def test_the_relay_delivers_what_the_broker_never_took(melding, citizen, monkeypatch, committed):
    from notifications import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setitem(current_app.conf, "task_always_eager", False)  # a broker is configured
    monkeypatch.setattr(tasks.deliver_notification, "apply_async", broker_down)
    with committed():
        open_case(case_type=melding, party=citizen)
    notification = Notification.objects.get()
    assert notification.status == "pending" and mail.outbox == []
    monkeypatch.undo()

    assert services.notifications_relay() == 0  # within the grace period the commit's task is trusted
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert services.notifications_relay() == 1
        assert services.notifications_relay() == 0
    notification.refresh_from_db()
    assert notification.status == "sent" and len(mail.outbox) == 1


def test_without_a_broker_the_process_holds_its_first_attempt_and_the_relay_takes_over_if_it_died(
    melding, citizen, monkeypatch, committed
):
    monkeypatch.setattr(services, "_deliver_held", lambda notifications: None)  # died right after the commit
    with committed():
        open_case(case_type=melding, party=citizen)
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts) == ("pending", 0)
    assert notification.next_attempt_at >= timezone.now() + services.HELD_FOR - timedelta(seconds=5)
    monkeypatch.undo()

    # Held: neither a worker's claim nor the relay touches it meanwhile.
    assert services.notification_deliver(notification_id=notification.pk) is None
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert services.notifications_relay() == 0
    with time_machine.travel(notification.next_attempt_at + timedelta(minutes=2)):
        assert services.notifications_relay() == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, len(mail.outbox)) == ("sent", 1, 1)


def test_without_a_broker_a_failed_attempt_to_record_is_left_to_the_relay(melding, citizen, monkeypatch, committed):
    def database_gone(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(services, "_record_attempt", database_gone)
    with committed():
        case = open_case(case_type=melding, party=citizen)  # the request itself succeeds
    notification = Notification.objects.get(case=case)
    assert (notification.status, notification.attempts) == ("pending", 0)
    assert notification.next_attempt_at > timezone.now()


def test_supervisors_see_dead_notifications_and_retry_them(melding, citizen, client_for, committed):
    flaky.fail_next(1, flaky.REFUSED)
    with committed():
        open_case(case_type=melding, party=citizen)
    dead = Notification.objects.get()
    supervisor = client_for(UserFactory(role="supervisor"))

    bad_filter = supervisor.get(reverse("v1:notification-list"), {"status": "lost"})
    assert bad_filter.status_code == 400 and "status" in bad_filter.data
    listed = supervisor.get(reverse("v1:notification-list"), {"status": "dead"}).data["results"]
    assert [(n["id"], n["last_error"][:18]) for n in listed] == [(dead.pk, "recipient refused:")]
    with committed():
        response = supervisor.post(reverse("v1:notification-retry", args=[dead.pk]))
    assert response.status_code == 200
    dead.refresh_from_db()
    assert dead.status == "sent" and len(mail.outbox) == 1

    again = supervisor.post(reverse("v1:notification-retry", args=[dead.pk]))
    assert again.status_code == 409 and again.data["code"] == "not_retryable"
    assert client_for(UserFactory(role="handler")).get(reverse("v1:notification-list")).status_code == 403


def test_notifications_of_invisible_cases_stay_hidden(client_for, citizen, committed):
    from tests.factories import CaseTypeFactory

    secret = CaseTypeFactory(default_group=HandlerGroupFactory(), confidential=True)
    HandlerGroupFactory(name="KCC", is_kcc=True)
    with committed():
        open_case(case_type=secret, party=citizen)
    supervisor = client_for(UserFactory(role="supervisor"))
    assert supervisor.get(reverse("v1:notification-list")).data["count"] == 0
    notification = Notification.objects.get()
    assert supervisor.post(reverse("v1:notification-retry", args=[notification.pk])).status_code == 404


def test_list_query_count(melding, client_for, committed, django_assert_max_num_queries):
    for _ in range(12):
        party = PersonFactory()
        EmailFactory(party=party)
        with committed():
            open_case(case_type=melding, party=party)
    supervisor = client_for(UserFactory(role="supervisor"))
    with django_assert_max_num_queries(5):
        assert len(supervisor.get(reverse("v1:notification-list")).data["results"]) == 12


def test_french_speaking_citizens_get_french(melding, citizen, committed):
    citizen.language = "fr"
    citizen.save()
    with committed():
        case = open_case(case_type=melding, party=citizen)
    [message] = mail.outbox
    assert message.subject == f"Nous avons enregistré votre demande {case.reference}"
    assert "Nous avons enregistré votre demande et en assurons le suivi." in message.body


def test_the_party_timeline_shows_what_the_citizen_was_told(melding, citizen, client_for, committed):
    with committed():
        case = open_case(case_type=melding, party=citizen)
    entries = client_for(UserFactory(role="kcc")).get(reverse("v1:party-timeline", args=[citizen.pk])).data
    assert {(e["kind"], e["detail"].get("status")) for e in entries["results"]} == {
        ("case", None),
        ("notification", "sent"),
    }
    assert entries["count"] == 2 and case.reference in entries["results"][0]["title"]


def test_supervisors_get_a_daily_digest_of_dead_notifications(melding, citizen, committed):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    brussels = ZoneInfo("Europe/Brussels")
    supervisor = UserFactory(role="supervisor", email="sara@stad.example")
    UserFactory(role="kcc", email="kcc@stad.example")
    flaky.fail_next(1, flaky.REFUSED)
    with time_machine.travel(datetime(2026, 11, 19, 15, 0, tzinfo=brussels)), committed():
        case = open_case(case_type=melding, party=citizen)
    assert Notification.objects.get().status == "dead"
    mail.outbox.clear()

    with time_machine.travel(datetime(2026, 11, 20, 7, 0, tzinfo=brussels)), committed():
        digest = services.dead_letters_report()
        again = services.dead_letters_report()

    assert (digest.count, digest.recipients, again) == (1, [supervisor.email], None)
    [message] = mail.outbox
    assert message.to == [supervisor.email]
    assert "1 citizen notification failed for good on 2026-11-19" in message.subject
    assert case.reference in message.body and "recipient refused" in message.body
    with time_machine.travel(datetime(2026, 11, 21, 7, 0, tzinfo=brussels)):
        assert services.dead_letters_report() is None  # nothing went dead on the 20th


def test_notifications_are_read_only_in_the_admin(client, melding, citizen):
    open_case(case_type=melding, party=citizen)
    notification = Notification.objects.get()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:notifications_notification_change", args=[notification.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403
    delete = reverse("admin:notifications_notification_delete", args=[notification.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Notification.objects.filter(pk=notification.pk).exists()


@pytest.mark.parametrize(
    ("language", "notifications", "messages", "subject"),
    [
        ("en", 1, 0, "1 citizen notification failed for good on 2026-11-19"),
        ("en", 2, 1, "2 citizen notifications and 1 e-mail to handler groups failed for good on 2026-11-19"),
        ("nl", 1, 0, "1 bericht aan een burger definitief mislukt op 2026-11-19"),
        ("nl", 0, 3, "3 e-mails aan behandelgroepen definitief mislukt op 2026-11-19"),
        ("nl", 1, 1, "1 bericht aan een burger en 1 e-mail aan behandelgroepen definitief mislukt op 2026-11-19"),
    ],
)
def test_the_dead_letters_subject_counts_in_words(language, notifications, messages, subject):
    with translation.override(language):
        assert services.dead_letters_subject(
            notifications=notifications, messages=messages, day=date(2026, 11, 19)
        ) == (subject)
