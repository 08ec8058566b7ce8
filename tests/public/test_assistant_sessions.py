"""``POST /api/v1/assistant/sessions/``: the virtual assistant reports its sessions (scope ``statistics``), idempotent
on the client's ``session_id``; every refused report answers why and stores nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from public.models import AssistantSession, UnansweredQuestion
from public.services import service_client_revoke
from tests.test_api_schema import assert_conforms, schema  # noqa: F401 (the module's schema fixture)

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/assistant/sessions/"


@pytest.fixture
def reporter(make_service_client):
    return make_service_client(scopes=["statistics"], channels=["website", "chat"], sources=["virtual_assistant"])


def session(**fields) -> dict:
    ended = timezone.now() - timedelta(minutes=1)
    body = {
        "session_id": "conv-0001",
        "channel": "chat",
        "started_at": (ended - timedelta(minutes=6)).isoformat(),
        "ended_at": ended.isoformat(),
        "signed_in": True,
        "topics": ["afval", "containerpark"],
        "automated_actions": 2,
        "outcome": "answered",
        "unanswered_questions": ["Wanneer is het containerpark open op zondag?"],
    }
    body.update(fields)
    return body


def assert_nothing_written():
    assert not AssistantSession.objects.exists()
    assert not UnansweredQuestion.objects.exists()


def test_a_new_session_is_stored_with_its_questions(reporter, schema):  # noqa: F811
    response = reporter.post(SESSIONS, session(), format="json")
    assert response.status_code == 201, response.json()
    assert_conforms(schema, SESSIONS, "post", response)
    assert response.json()["unanswered_questions"] == ["Wanneer is het containerpark open op zondag?"]
    stored = AssistantSession.objects.get()
    assert (stored.client, stored.session_id, stored.outcome) == (reporter.client, "conv-0001", "answered")
    assert stored.topics == ["afval", "containerpark"] and stored.signed_in and stored.automated_actions == 2
    question = UnansweredQuestion.objects.get()
    assert question.normalised_text == "wanneer is het containerpark open op zondag"
    assert question.asked_at == stored.ended_at and question.handled_at is None


def test_a_session_sent_again_answers_200_with_the_stored_one_and_changes_nothing(reporter, schema):  # noqa: F811
    first = reporter.post(SESSIONS, session(), format="json")
    again = reporter.post(
        SESSIONS, session(outcome="handed_over", unanswered_questions=["Iets anders?"]), format="json"
    )
    assert again.status_code == 200
    assert_conforms(schema, SESSIONS, "post", again)
    assert again.json() == first.json()
    assert AssistantSession.objects.count() == 1 and UnansweredQuestion.objects.count() == 1
    assert AssistantSession.objects.get().outcome == "answered"


def test_session_ids_are_unique_per_client(reporter, make_service_client):
    other = make_service_client(scopes=["statistics"], channels=["chat"])
    assert reporter.post(SESSIONS, session(), format="json").status_code == 201
    assert other.post(SESSIONS, session(), format="json").status_code == 201
    assert AssistantSession.objects.count() == 2


def test_a_client_without_the_statistics_scope_answers_403(make_service_client):
    intake_only = make_service_client(scopes=["intake"], channels=["chat"])
    response = intake_only.post(SESSIONS, session(), format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "This service client may not use the scope statistics."
    assert_nothing_written()


def test_a_revoked_key_answers_401(reporter):
    service_client_revoke(actor=None, client=reporter.client)
    response = reporter.post(SESSIONS, session(), format="json")
    assert response.status_code == 401
    assert response.json()["detail"] == "This service client's key was revoked."
    assert_nothing_written()


def test_no_key_answers_401(api_client):
    assert api_client.post(SESSIONS, session(), format="json").status_code == 401
    assert_nothing_written()


def too_many(count: int) -> list[str]:
    return [f"Vraag nummer {n}?" for n in range(count)]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"channel": "whatsapp"}, "channel", "This client may not report the channel whatsapp."),
        (
            {"ended_at": (timezone.now() - timedelta(hours=2)).isoformat()},
            "ended_at",
            "The session cannot end before it started.",
        ),
        (
            {"ended_at": (timezone.now() + timedelta(hours=1)).isoformat()},
            "ended_at",
            "The end cannot lie in the future.",
        ),
        ({"unanswered_questions": too_many(21)}, "unanswered_questions", "Send at most 20 questions."),
        (
            {"unanswered_questions": ["w" * 1001]},
            "unanswered_questions",
            "A question has at most 1000 characters.",
        ),
        ({"unanswered_questions": ["?!"]}, "unanswered_questions", "A question needs words."),
        ({"topics": too_many(21)}, "topics", "Send at most 20 topics."),
        ({"topics": ["t" * 101]}, "topics", "A topic has 1 to 100 characters."),
        ({"session_id": "s" * 101}, "session_id", "At most 100 characters."),
        ({"outcome": "gave_up"}, "outcome", '"gave_up" is not a valid choice.'),
        ({"automated_actions": -1}, "automated_actions", "Ensure this value is greater than or equal to 0."),
        (
            {"started_at": "2026-03-01T10:00:00"},
            "started_at",
            "Give the time with its offset, e.g. 2026-03-01T10:00:00+01:00.",
        ),
    ],
)
def test_refused_input_answers_400_and_writes_nothing(reporter, fields, field, message):
    response = reporter.post(SESSIONS, session(**fields), format="json")
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert_nothing_written()


def test_a_clock_a_little_ahead_is_accepted_and_clamped(reporter):
    ahead = timezone.now() + timedelta(minutes=2)
    response = reporter.post(SESSIONS, session(started_at=ahead.isoformat(), ended_at=ahead.isoformat()), format="json")
    assert response.status_code == 201
    stored = AssistantSession.objects.get()
    assert stored.ended_at <= stored.received_at and stored.started_at <= stored.ended_at


def test_the_operation_documents_its_refusals(schema):  # noqa: F811
    operation = schema["paths"][SESSIONS]["post"]
    assert {"200", "201", "400", "401", "403", "429"} <= set(operation["responses"])
    assert {"serviceClientAuth": []} in operation["security"]
