"""Webhooks to internal systems: HMAC-signed JSON to a real local HTTP server, retried and dead-lettered."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from werkzeug import Response

from cases.services import case_transition
from notifications import services, transport
from notifications.models import Notification, WebhookSubscription
from tests.factories import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def plain_http_allowed(settings):
    settings.MIDOFFICE_WEBHOOK_REQUIRE_HTTPS = False  # the test receiver speaks plain HTTP on loopback


@pytest.fixture
def planning(httpserver, melding):
    subscription = WebhookSubscription.objects.create(
        name="Planning openbare werken", url=httpserver.url_for("/hooks/midoffice"), secret="s3cret", kinds=[]
    )
    subscription.case_types.add(melding)
    return subscription


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_case_change_is_posted_signed(httpserver, planning, melding, handler, committed):
    httpserver.expect_oneshot_request("/hooks/midoffice", method="POST").respond_with_data("", status=204)
    httpserver.expect_oneshot_request("/hooks/midoffice", method="POST").respond_with_data("", status=204)
    with committed():
        case = open_case(case_type=melding, party=None, channel="website", postal_code="9000", location="Kouter 1")
    with committed():
        case_transition(actor=handler, case=case, transition="resolve", public_message="Hersteld.")

    first, second = (request for request, _response in httpserver.log)
    body = json.loads(first.data)
    created = Notification.objects.get(case=case, kind="case_created")
    assert body == {
        "delivery": str(created.idempotency_key),
        "event": "case_created",
        "case": {
            "reference": case.reference,
            "case_type": "melding",
            "state": "new",
            "handler_group": "Openbaar Domein",
            "registered_at": case.registered_at.isoformat(),
            "due_at": case.due_at.isoformat(),
            "postal_code": "9000",
            "location": "Kouter 1",
            "latitude": None,
            "longitude": None,
            "public_message": "",
        },
    }
    assert first.headers["X-Midoffice-Delivery"] == str(created.idempotency_key)
    assert first.headers["X-Midoffice-Event"] == "case_created"
    expected = hmac.new(b"s3cret", first.headers["X-Midoffice-Timestamp"].encode() + b"." + first.data, hashlib.sha256)
    assert first.headers["X-Midoffice-Signature"] == f"sha256={expected.hexdigest()}"
    assert json.loads(second.data)["case"]["public_message"] == "Hersteld."
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_500_twice_then_200_is_delivered_once_in_three_attempts(httpserver, planning, melding, committed):
    for status in (500, 502, 200):
        httpserver.expect_oneshot_request("/hooks/midoffice").respond_with_data("busy", status=status)
    with committed():
        case = open_case(case_type=melding, party=None, channel="website")
    notification = Notification.objects.get(case=case)
    for _ in range(2):
        notification.refresh_from_db()
        assert notification.status == "failed"
        with time_machine.travel(notification.next_attempt_at + timedelta(seconds=1)):
            services.notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 3)
    keys = {request.headers["X-Midoffice-Delivery"] for request, _ in httpserver.log}
    assert len(httpserver.log) == 3 and keys == {str(notification.idempotency_key)}


def test_400_is_dead_at_once_with_the_error(httpserver, planning, melding, committed):
    httpserver.expect_oneshot_request("/hooks/midoffice").respond_with_data("unknown case type", status=400)
    with committed():
        case = open_case(case_type=melding, party=None, channel="website")
    notification = Notification.objects.get(case=case)
    assert (notification.status, notification.attempts) == ("dead", 1)
    assert notification.last_error == "HTTP 400: unknown case type"


def test_429_waits_as_long_as_the_receiver_asks(httpserver, planning, melding, committed):
    httpserver.expect_oneshot_request("/hooks/midoffice").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "600"})
    )
    with committed():
        case = open_case(case_type=melding, party=None, channel="website")
    notification = Notification.objects.get(case=case)
    assert notification.status == "failed"
    assert notification.next_attempt_at >= timezone.now() + timedelta(seconds=590)


def test_unreachable_receiver_is_retried(planning, melding, committed):
    planning.url = "http://127.0.0.1:9/nothing-listens-here"
    planning.save()
    with committed():
        case = open_case(case_type=melding, party=None, channel="website")
    notification = Notification.objects.get(case=case)
    assert notification.status == "failed" and "ConnectionError" in notification.last_error


def test_a_redirect_is_not_followed_and_is_dead(httpserver, planning, melding, committed):
    httpserver.expect_oneshot_request("/hooks/midoffice").respond_with_response(
        Response("", status=302, headers={"Location": "/elsewhere"})
    )
    with committed():
        case = open_case(case_type=melding, party=None, channel="website")
    notification = Notification.objects.get(case=case)
    assert (notification.status, notification.last_error) == ("dead", "HTTP 302: ")
    assert len(httpserver.log) == 1


@pytest.fixture
def proxies(monkeypatch):
    """HTTP(S)_PROXY / NO_PROXY as the process read them at start-up."""

    def use(found: dict):
        monkeypatch.setattr(transport, "_proxies", found)
        transport._manager.cache_clear()

    yield use
    transport._manager.cache_clear()


def test_calls_go_through_the_proxy_from_the_environment(httpserver, planning, melding, committed, proxies):
    proxies({"http": httpserver.url_for("/").rstrip("/")})  # the test server plays the proxy
    planning.url = "http://planning.stad.invalid/hooks/midoffice"
    planning.save()
    httpserver.expect_oneshot_request("/hooks/midoffice").respond_with_data("", status=204)
    with committed():
        case = open_case(case_type=melding, party=None, channel="website")
    assert Notification.objects.get(case=case).status == "sent"
    [(request, _response)] = httpserver.log
    assert request.headers["Host"] == "planning.stad.invalid"


def test_no_proxy_hosts_are_called_directly(httpserver, planning, melding, committed, proxies):
    proxies({"http": "http://127.0.0.1:9", "no": "127.0.0.1,localhost"})  # nothing listens on the proxy
    httpserver.expect_oneshot_request("/hooks/midoffice").respond_with_data("", status=204)
    with committed():
        case = open_case(case_type=melding, party=None, channel="website")
    assert Notification.objects.get(case=case).status == "sent"


def test_subscriptions_filter_on_kind_and_case_type(httpserver, planning, melding, committed):
    from tests.factories import CaseTypeFactory

    planning.kinds = ["case_resolved"]
    planning.save()
    with committed():
        open_case(case_type=melding, party=None, channel="website")
        open_case(case_type=CaseTypeFactory(default_group=melding.default_group), party=None, channel="website")
    assert not Notification.objects.exists() and not httpserver.log


def test_https_is_required_in_production(settings):
    settings.MIDOFFICE_WEBHOOK_REQUIRE_HTTPS = True
    subscription = WebhookSubscription(name="x", url="http://planning.stad.be/hook")
    with pytest.raises(ValidationError) as error:
        subscription.full_clean()
    assert "url" in error.value.message_dict
    WebhookSubscription(name="y", url="https://planning.stad.be/hook").full_clean()
    with pytest.raises(ValidationError, match="Unknown case changes"):
        WebhookSubscription(name="z", url="https://planning.stad.be/hook", kinds=["case_exploded"]).full_clean()


def test_the_admin_refuses_a_plain_http_webhook(client, settings):
    from django.urls import reverse

    from tests.factories import UserFactory

    settings.MIDOFFICE_WEBHOOK_REQUIRE_HTTPS = True
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:notifications_webhooksubscription_add")
    data = {"name": "Planning", "url": "http://planning.stad.be/hook", "secret": "abc", "active": "on"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Webhooks must use HTTPS." in response.content.decode()
    assert not WebhookSubscription.objects.exists()
    assert client.post(url, {**data, "url": "https://planning.stad.be/hook"}).status_code == 302
    assert WebhookSubscription.objects.get().kinds == []
