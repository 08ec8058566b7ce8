"""Delivery by a real Celery worker process on a real Redis broker, against PostgreSQL and a local HTTP server
standing in for the OAuth token endpoint, DOSIS and two webhook receivers.

Runs when MIDOFFICE_TEST_BROKER_URL is set and the suite runs on PostgreSQL (CI); skipped otherwise.
"""

import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from cases.models import EventKind
from cases.services import case_transition
from notifications.links import notification_from_token
from notifications.models import DosisStatus, Notification, WebhookSubscription
from tests.factories import CaseTypeFactory, HandlerGroupFactory, PersonFactory, UserFactory, open_case

from .conftest import BROKER, celery, publishing_to, wait_for, worker_env

pytestmark = [
    pytest.mark.skipif(not BROKER, reason="MIDOFFICE_TEST_BROKER_URL not set"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs a database it can share"),
    pytest.mark.django_db(transaction=True),
]

SOURCE = "https://data.stad.be/id/midoffice"


@pytest.fixture
def publishing():
    with publishing_to(BROKER):
        yield BROKER


@pytest.fixture
def handler_and_type():
    HandlerGroupFactory(name="KCC", is_kcc=True)
    group = HandlerGroupFactory(name="Openbaar Domein", email="openbaardomein@stad.be")
    case_type = CaseTypeFactory(default_group=group, ipdc_product_id="1502")
    handler = UserFactory(role="handler")
    group.members.add(handler)
    return handler, case_type


def all_delivered() -> bool:
    return not Notification.objects.filter(status__in=["pending", "failed"]).exists()


def outbox() -> list:
    return list(Notification.objects.values_list("kind", "recipient", "status", "attempts", "last_error"))


def test_a_transition_reaches_dosis_with_the_exact_document_and_headers(
    publishing, handler_and_type, httpserver, settings, tmp_path
):
    handler, case_type = handler_and_type
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "client-key.pem"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    dosis = {
        "MIDOFFICE_NOTIFICATION_BACKENDS": "dosis",
        "MIDOFFICE_DOSIS_URL": httpserver.url_for("/"),
        "MIDOFFICE_OAUTH_TOKEN_URL": httpserver.url_for("/oauth/token"),
        "MIDOFFICE_OAUTH_CLIENT_ID": "stad-midoffice",
        "MIDOFFICE_DOSIS_SOURCE_URI": SOURCE,
    }
    # This process queues the notifications (same settings as the worker); the worker sends them.
    for name, value in dosis.items():
        setattr(settings, name, [value] if name == "MIDOFFICE_NOTIFICATION_BACKENDS" else value)
    httpserver.expect_oneshot_request("/oauth/token", method="POST").respond_with_json(
        {"access_token": "tok-1", "token_type": "Bearer", "expires_in": 3600}
    )
    httpserver.expect_request("/api/v2/dosis/dossiers", method="POST").respond_with_json({"Status": "Ontvangen"})
    # The mapping the migration seeds; an earlier transactional test may have flushed it.
    for state, phase, code, action_needed in [
        ("new", "Samenstelling", "Ingediend", False),
        ("in_progress", "Behandeling", "InBehandeling", False),
        ("waiting", "Behandeling", "DossierOnvolledig", True),
    ]:
        DosisStatus.objects.update_or_create(
            state=state, defaults={"phase": phase, "code": code, "action_needed": action_needed}
        )
    party = PersonFactory(national_number="85073003328")

    env = worker_env(**dosis, MIDOFFICE_OAUTH_PRIVATE_KEY_FILE=str(key_file))
    with celery("worker", "--pool=threads", "--concurrency=2", "--hostname=dosis@%h", env=env) as worker:
        case = open_case(case_type=case_type, party=party)
        assert wait_for(all_delivered, timeout=60, processes=[worker]), outbox()
        case = case_transition(actor=handler, case=case, transition="start")
        assert wait_for(all_delivered, timeout=30, processes=[worker]), outbox()
        case_transition(actor=handler, case=case, transition="suspend", reason="foto", public_message="Stuur een foto.")
        assert wait_for(all_delivered, timeout=30, processes=[worker]), outbox()
    cache.clear()

    (token_request, _), (created_request, _), (started_request, _), (suspended_request, _) = httpserver.log
    form = dict(token_request.form)
    assert form["grant_type"] == "client_credentials" and form["scope"] == "DosisImport"
    claims = jwt.decode(
        form["client_assertion"], key.public_key(), algorithms=["RS256"], audience=httpserver.url_for("/oauth/token")
    )
    assert claims["iss"] == claims["sub"] == "stad-midoffice"
    for request in (created_request, started_request, suspended_request):
        assert request.headers["Authorization"] == "Bearer tok-1"  # one token, cached by the worker
        assert request.headers["Content-Type"] == "application/json"

    suspended = Notification.objects.get(case=case, kind="case_suspended")
    assert (suspended.status, suspended.attempts, suspended.recipient) == ("sent", 1, "85073003328")
    body = json.loads(suspended_request.data)
    assert body == {
        "Identificatie": {"Bron": SOURCE, "DossierNummer": case.reference},
        "Naam": f"{case_type.name} {case.reference}",
        "WijzigingsDatum": suspended.payload["document"]["WijzigingsDatum"],
        "TypeDossierCode": "DossierStatus",
        "DossierBeheerder": {
            "Naam": case.handler_group.public_name,
            "Dienst": "Openbaar Domein",
            "Email": "openbaardomein@stad.be",
            "Telefoon": "",
            "Website": "",
        },
        "Agenten": [{"Identificatie": "85073003328", "Toegangsrechten": [{"Code": "Raadpleger"}]}],
        "Producten": [{"Id": "1502"}],
        "Status": {
            "VlaamsCode": "DossierOnvolledig",
            "VlaamsFase": "Behandeling",
            "Detail1": "Stuur een foto.",
            "Actie": {"ActieNodig": True, "Actie": "Stuur een foto."},
        },
        "UploadId": str(suspended.idempotency_key),
        "Doorverwijzing": body["Doorverwijzing"],  # signed with a timestamp: checked below
    }
    token = body["Doorverwijzing"].removeprefix("http://127.0.0.1:8000/status/").rstrip("/")
    assert notification_from_token(token) == suspended
    assert json.loads(created_request.data)["Status"]["VlaamsCode"] == "Ingediend"
    assert json.loads(started_request.data)["Status"]["VlaamsCode"] == "InBehandeling"
    assert json.loads(started_request.data)["Status"]["VlaamsCode"] == "InBehandeling"


def test_receivers_failing_twice_or_refusing_are_retried_or_dead(publishing, handler_and_type, httpserver, settings):
    """One case change, two webhook receivers: one answers 500, 502, then 204; the other 400."""
    _handler, case_type = handler_and_type
    settings.MIDOFFICE_NOTIFICATION_BACKENDS = ["webhook"]
    settings.MIDOFFICE_WEBHOOK_REQUIRE_HTTPS = False
    flaky = WebhookSubscription.objects.create(name="Planning", url=httpserver.url_for("/planning"), secret="s")
    strict = WebhookSubscription.objects.create(name="GIS", url=httpserver.url_for("/gis"), secret="t")
    for status in (500, 502, 204):
        httpserver.expect_oneshot_request("/planning").respond_with_data("busy" if status >= 500 else "", status=status)
    httpserver.expect_request("/gis").respond_with_data("unknown case type", status=400)

    env = worker_env(MIDOFFICE_NOTIFICATION_BACKENDS="webhook", MIDOFFICE_NOTIFICATION_BACKOFF_SECONDS="0.5")
    with celery("worker", "--pool=threads", "--concurrency=2", "--hostname=hooks@%h", env=env) as worker:
        case = open_case(case_type=case_type, party=None, channel="website")
        assert wait_for(all_delivered, timeout=60, processes=[worker]), outbox()

    delivered = Notification.objects.get(webhook=flaky)
    assert (delivered.status, delivered.attempts, delivered.last_error) == ("sent", 3, "")
    planning_calls = [request for request, _ in httpserver.log if request.path == "/planning"]
    assert [r.headers["X-Midoffice-Delivery"] for r in planning_calls] == [str(delivered.idempotency_key)] * 3
    refused = Notification.objects.get(webhook=strict)
    assert (refused.status, refused.attempts) == ("dead", 1)
    assert [r for r, _ in httpserver.log if r.path == "/gis"][1:] == []  # not retried
    attempts = case.events.filter(data__notification=delivered.pk).exclude(kind=EventKind.NOTIFICATION_QUEUED)
    assert list(attempts.order_by("id").values_list("kind", "data__attempt")) == [
        (EventKind.NOTIFICATION_FAILED, 1),
        (EventKind.NOTIFICATION_FAILED, 2),
        (EventKind.NOTIFICATION_SENT, 3),
    ]

    # The supervisor sees the dead one, with the receiver's answer.
    supervisor = APIClient()
    supervisor.force_authenticate(UserFactory(role="supervisor"))
    response = supervisor.get("/api/v1/notifications/", {"status": "dead"})
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["id"], row["last_error"], row["attempts"]) == (refused.pk, "HTTP 400: unknown case type", 1)
