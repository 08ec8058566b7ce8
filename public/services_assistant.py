"""Every write of the virtual assistant's statistics: the sessions it reports and the web editors' "web page
updated" on a group of questions it could not answer."""

import re
import unicodedata
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.services.contacts import FUTURE_TOLERANCE
from midoffice.permissions import roles_and_permissions
from midoffice.roles import KCC, SUPERVISOR

from .models import AssistantOutcome, AssistantSession, ServiceClient, UnansweredQuestion

SESSION_ID_MAX_LENGTH = 100
MAX_TOPICS = 20
TOPIC_MAX_LENGTH = 100
MAX_QUESTIONS = 20
QUESTION_MAX_LENGTH = 1_000
# Who follows up the assistant's unanswered questions (the staff page and its action).
QUESTION_ROLES = (KCC, SUPERVISOR)

_WHITESPACE = re.compile(r"\s+")


def question_normalise(text: str) -> str:
    """The text questions are grouped on: lower case, accents and punctuation stripped, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(
        " " if unicodedata.category(char)[0] in "ZC" else char
        for char in decomposed
        if unicodedata.category(char)[0] not in "MPS"
    )
    return _WHITESPACE.sub(" ", kept).strip()[:QUESTION_MAX_LENGTH]


def _check_session(
    *,
    client: ServiceClient,
    session_id: str,
    channel: str,
    started_at: datetime,
    ended_at: datetime,
    topics: list[str],
    outcome: str,
    unanswered_questions: list[str],
    now: datetime,
) -> dict:
    errors: dict[str, list[str]] = {}
    if not session_id.strip():
        errors["session_id"] = [_("Give the session's id.")]
    elif len(session_id) > SESSION_ID_MAX_LENGTH:
        errors["session_id"] = [_("At most %(count)d characters.") % {"count": SESSION_ID_MAX_LENGTH}]
    if channel not in client.channels:
        errors["channel"] = [_("This client may not report the channel %(value)s.") % {"value": channel}]
    if outcome not in AssistantOutcome.values:
        errors["outcome"] = [_("Unknown: %(values)s.") % {"values": outcome}]
    if started_at > now + FUTURE_TOLERANCE:
        errors["started_at"] = [_("The start cannot lie in the future.")]
    if ended_at > now + FUTURE_TOLERANCE:
        errors["ended_at"] = [_("The end cannot lie in the future.")]
    elif ended_at < started_at:
        errors["ended_at"] = [_("The session cannot end before it started.")]
    if len(topics) > MAX_TOPICS:
        errors["topics"] = [_("Send at most %(count)d topics.") % {"count": MAX_TOPICS}]
    elif any(not topic.strip() or len(topic) > TOPIC_MAX_LENGTH for topic in topics):
        errors["topics"] = [_("A topic has 1 to %(count)d characters.") % {"count": TOPIC_MAX_LENGTH}]
    if len(unanswered_questions) > MAX_QUESTIONS:
        errors["unanswered_questions"] = [_("Send at most %(count)d questions.") % {"count": MAX_QUESTIONS}]
    elif any(len(question) > QUESTION_MAX_LENGTH for question in unanswered_questions):
        errors["unanswered_questions"] = [
            _("A question has at most %(count)d characters.") % {"count": QUESTION_MAX_LENGTH}
        ]
    elif any(not question_normalise(question) for question in unanswered_questions):
        errors["unanswered_questions"] = [_("A question needs words.")]
    return errors


def assistant_session_record(
    *,
    client: ServiceClient,
    session_id: str,
    channel: str,
    started_at: datetime,
    ended_at: datetime,
    signed_in: bool,
    topics: list[str],
    automated_actions: int,
    outcome: str,
    unanswered_questions: list[str],
) -> tuple[AssistantSession, bool]:
    """Store a session the client reports, with its unanswered questions; a session it reported before is
    returned as stored, unchanged (``created`` False), so a client may resend whatever it is unsure of."""
    now = timezone.now()
    errors = _check_session(
        client=client,
        session_id=session_id,
        channel=channel,
        started_at=started_at,
        ended_at=ended_at,
        topics=topics,
        outcome=outcome,
        unanswered_questions=unanswered_questions,
        now=now,
    )
    if errors:
        raise ValidationError(errors)
    # A client's clock a little ahead is no reason to refuse.
    ended_at = min(ended_at, now)
    started_at = min(started_at, ended_at)
    existing = AssistantSession.objects.filter(client=client, session_id=session_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            session = AssistantSession.objects.create(
                client=client,
                session_id=session_id,
                channel=channel,
                started_at=started_at,
                ended_at=ended_at,
                signed_in=signed_in,
                topics=[topic.strip() for topic in topics],
                automated_actions=automated_actions,
                outcome=outcome,
                received_at=now,
            )
            UnansweredQuestion.objects.bulk_create(
                UnansweredQuestion(
                    session=session,
                    text=question.strip(),
                    normalised_text=question_normalise(question),
                    asked_at=ended_at,
                )
                for question in unanswered_questions
            )
    except IntegrityError:
        # The same session sent twice at once: the unique constraint let one in; answer with that one.
        existing = AssistantSession.objects.filter(client=client, session_id=session_id).first()
        if existing is None:
            raise
        return existing, False
    return session, True


def may_follow_up_questions(user) -> bool:
    return user.is_superuser or not roles_and_permissions(user)[0].isdisjoint(QUESTION_ROLES)


@transaction.atomic
def assistant_questions_mark_updated(*, actor, normalised_text: str) -> int:
    """The web page that answers this group of questions was updated: its open questions are handled by
    ``actor`` now and leave the open list. Returns how many; 0 when another editor was first."""
    if actor is None or not actor.is_authenticated or not may_follow_up_questions(actor):
        raise PermissionDenied(_("You may not follow up the assistant's questions."))
    if not normalised_text:
        raise ValidationError({"normalised_text": [_("Choose a group of questions.")]})
    return UnansweredQuestion.objects.filter(normalised_text=normalised_text, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=actor
    )
