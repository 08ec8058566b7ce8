"""The request id: one per request (or the caller's, when sane), on every log record made while serving it,
in the ``X-Request-ID`` response header, and carried to the Celery tasks the request enqueues.

How to log: docs/operations.md#logs.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from celery import signals

HEADER = "X-Request-ID"
# The Celery message header that carries the id of the request that enqueued the task.
TASK_HEADER = "midoffice_request_id"
# What a proxy or client may hand us: short, and nothing that could break a log line or a header.
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record the handler formats: the current request's or task's, else None.

    Django logs a 4xx or 5xx answer after the middleware has returned, passing the request along: its id is
    taken from there.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or getattr(getattr(record, "request", None), "request_id", None)
        return True


class RequestIdMiddleware:
    """First in MIDDLEWARE, so the id covers everything the request logs, also a redirect or a refusal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(HEADER, "")
        request_id = incoming if SANE_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[HEADER] = request_id
        return response


@signals.before_task_publish.connect(dispatch_uid="midoffice.request_id.publish")
def _send_request_id(headers=None, **kwargs):
    if headers is not None and (request_id := _request_id.get()):
        headers.setdefault(TASK_HEADER, request_id)


_task_tokens = {}


@signals.task_prerun.connect(dispatch_uid="midoffice.request_id.prerun")
def _task_request_id(task_id=None, task=None, **kwargs):
    """A task logs under the id of the request that enqueued it, else its own task id. Run eagerly inside a
    request, it keeps that request's id."""
    request_id = getattr(task.request, TASK_HEADER, None)
    if request_id is None and task.request.is_eager:
        request_id = _request_id.get()
    _task_tokens[task_id] = _request_id.set(request_id or task_id)


@signals.task_postrun.connect(dispatch_uid="midoffice.request_id.postrun")
def _task_done(task_id=None, **kwargs):
    if (token := _task_tokens.pop(task_id, None)) is not None:
        _request_id.reset(token)
