"""Structured logs: JSON lines (a deployment's LOG_FORMAT) carrying the id of the request, or of the task, that
made them; the id is returned in X-Request-ID and travels with the Celery tasks a request enqueues."""

import io
import json
import logging
import re

import pytest
from celery import shared_task
from celery.app.trace import build_tracer
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.module_loading import import_string

from cases.services import case_transition
from contacts.services import party_merge
from midoffice.logging import TASK_HEADER, RequestIdFilter, RequestIdMiddleware, _send_request_id, current_request_id
from notifications.models import Notification
from tests.factories import ContactFactory, EmailFactory, PersonFactory, UserFactory, open_case


def handler_of(format_name: str, stream) -> logging.Handler:
    """The console handler of settings.LOGGING with the given formatter, writing to ``stream``."""
    options = dict(settings.LOGGING["formatters"][format_name])
    factory = options.pop("()", None)
    formatter = import_string(factory)(**options) if factory else logging.Formatter(options["format"])
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    return handler


@pytest.fixture
def json_lines():
    """What the root logger writes in a deployment (LOG_FORMAT=json), as parsed lines."""
    stream = io.StringIO()
    handler = handler_of("json", stream)
    root = logging.getLogger()
    # Another test (a Celery worker's set-up) may have left the root logger at another level.
    level, root.level = root.level, logging.INFO
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.level = level


def test_a_requests_log_lines_are_json_with_its_request_id(client, json_lines):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="lb-7f3a9c")

    assert response.status_code == 404
    assert response["X-Request-ID"] == "lb-7f3a9c"
    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert line["request_id"] == "lb-7f3a9c"
    assert line["level"] == "WARNING" and line["message"] == "Not Found: /no-such-page/"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", line["timestamp"])


@pytest.mark.parametrize("incoming", [None, "", "x" * 129, "abc def", "abc\r\nX-Injected: 1", "é"])
def test_without_a_sane_incoming_id_one_is_generated(client, json_lines, incoming):
    headers = {} if incoming is None else {"HTTP_X_REQUEST_ID": incoming}

    response = client.get("/no-such-page/", **headers)

    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert line["request_id"] == request_id


def test_extra_fields_become_json_keys_and_the_id_ends_with_the_request(json_lines):
    def view(request):
        logging.getLogger("cases").info("case.transition", extra={"case": "1234", "transition": "resolve"})
        return HttpResponse()

    RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-1"))
    logging.getLogger("cases").info("after the request")

    during, after = json_lines()
    assert during == {
        "level": "INFO",
        "logger": "cases",
        "message": "case.transition",
        "request_id": "req-1",
        "case": "1234",
        "transition": "resolve",
        "timestamp": during["timestamp"],
    }
    assert after["request_id"] is None
    assert current_request_id() is None


def test_the_text_format_shows_the_request_id_too():
    stream = io.StringIO()
    logger = logging.getLogger("tests.text")
    logger.addHandler(handler_of("text", stream))
    try:
        RequestIdMiddleware(lambda request: logger.warning("hello") or HttpResponse())(
            RequestFactory().get("/", HTTP_X_REQUEST_ID="req-2")
        )
    finally:
        logger.handlers.clear()

    assert re.search(r" WARNING tests\.text \[req-2\] hello$", stream.getvalue().strip())


@shared_task
def log_in_a_task():
    logging.getLogger("tests.task").info("task.ran")


def test_a_task_run_in_the_request_logs_under_its_id(json_lines):
    """Eager (embedded mode, tests): the task runs inside the request and keeps its id."""
    RequestIdMiddleware(lambda request: log_in_a_task.delay() and HttpResponse())(
        RequestFactory().get("/", HTTP_X_REQUEST_ID="req-3")
    )

    [line] = [line for line in json_lines() if line["logger"] == "tests.task"]
    assert line["request_id"] == "req-3"


def test_a_task_outside_a_request_logs_under_its_task_id(json_lines):
    result = log_in_a_task.delay()

    [line] = [line for line in json_lines() if line["logger"] == "tests.task"]
    assert line["request_id"] == result.id
    assert current_request_id() is None


def test_a_task_sent_to_the_broker_carries_the_request_id_to_the_worker(json_lines):
    """Publishing adds the request's id to the message headers; the worker reads it from the task's request,
    where Celery puts the message headers."""
    headers = {}
    RequestIdMiddleware(lambda request: _send_request_id(headers=headers) or HttpResponse())(
        RequestFactory().get("/", HTTP_X_REQUEST_ID="req-4")
    )
    assert headers == {TASK_HEADER: "req-4"}

    # As a worker runs it: not eager, the message headers as the task's request.
    tracer = build_tracer(log_in_a_task.name, log_in_a_task, eager=False, app=log_in_a_task.app)
    tracer("task-1", (), {}, {"id": "task-1", **headers})

    [line] = [line for line in json_lines() if line["logger"] == "tests.task"]
    assert line["request_id"] == "req-4"


@pytest.mark.django_db
class TestTheDomainsLogLines:
    """Case transitions, merges and notification outcomes each leave one JSON line an operator can search."""

    def test_a_case_transition(self, json_lines, melding, handler):
        case = open_case(case_type=melding)
        case_transition(actor=handler, case=case, transition="accept")
        [line] = [line for line in json_lines() if line["message"] == "case.transition"]
        assert (line["case"], line["transition"], line["from_state"], line["to_state"], line["actor"]) == (
            case.reference,
            "accept",
            "new",
            "accepted",
            handler.get_username(),
        )

    def test_a_merge_once_committed_without_personal_data(self, json_lines, django_capture_on_commit_callbacks):
        survivor, duplicate = PersonFactory(national_number=None), PersonFactory()
        ContactFactory(party=duplicate)
        clerk = UserFactory(role="supervisor")
        with django_capture_on_commit_callbacks(execute=True):
            party_merge(actor=clerk, survivor=survivor, duplicate=duplicate)
            assert not [line for line in json_lines() if line["message"] == "party.merge"]
        [line] = [line for line in json_lines() if line["message"] == "party.merge"]
        assert (line["survivor"], line["duplicate"], line["actor"]) == (survivor.pk, duplicate.pk, clerk.username)
        assert line["moved"]["contacts.contact"] == 1 and line["moved"]["identifiers"] == 1
        assert duplicate.national_number not in json.dumps(line)

    def test_a_notification_attempt(self, json_lines, melding, django_capture_on_commit_callbacks):
        party = PersonFactory()
        EmailFactory(party=party)
        with django_capture_on_commit_callbacks(execute=True):
            case = open_case(case_type=melding, party=party)
        [line] = [line for line in json_lines() if line["message"] == "notification.attempt"]
        notification = Notification.objects.get(case=case)
        assert (line["notification"], line["case_id"], line["backend"], line["kind"]) == (
            notification.pk,
            case.pk,
            "email",
            "case_created",
        )
