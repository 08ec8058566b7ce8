"""The satisfaction survey: invited on resolve through the outbox, answered once through a
signed link valid 14 days; a low score with "please reopen" reopens the case and tells its group."""

from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, CaseState, EventKind
from cases.services import case_event_add, case_transition, group_message_queue
from midoffice.embedded import public_base_url
from midoffice.errors import DomainError
from midoffice.text import clean_text

from .models import SURVEY_VALID_DAYS, Survey

SURVEY_SALT = "notifications.survey"
LOW_SCORE = 2
# The citizen's comment, in characters (about a page).
SURVEY_COMMENT_MAX_LENGTH = 2_000


class SurveyInvalid(DomainError):
    status_code = 404
    code = "survey_invalid"

    def __init__(self):
        super().__init__(gettext_lazy("This survey link is not valid or has expired."))


class SurveyAnswered(DomainError):
    code = "survey_answered"

    def __init__(self):
        super().__init__(gettext_lazy("This survey has already been answered. Thank you!"))


def survey_token(survey: Survey) -> str:
    return signing.dumps(survey.pk, salt=SURVEY_SALT, compress=True)


def survey_url(survey: Survey) -> str:
    return public_base_url() + reverse("survey-page", args=[survey_token(survey)])


def survey_create(*, case: Case) -> Survey | None:
    """The invitation for a resolved case whose type asks for a survey (inside the transition's transaction)."""
    if not case.case_type.survey_enabled or case.party_id is None:
        return None
    now = timezone.now()
    return Survey.objects.create(
        case=case, party_id=case.party_id, created_at=now, expires_at=now + timedelta(days=SURVEY_VALID_DAYS)
    )


def survey_from_token(token: str) -> Survey:
    """The survey behind a link, or ``SurveyInvalid`` for a tampered, unknown or expired one."""
    try:
        pk = signing.loads(token, salt=SURVEY_SALT, max_age=timedelta(days=SURVEY_VALID_DAYS))
    except signing.BadSignature as exc:
        raise SurveyInvalid from exc
    survey = Survey.objects.select_related("case__case_type", "case__handler_group").filter(pk=pk).first()
    if survey is None or survey.expires_at < timezone.now():
        raise SurveyInvalid
    return survey


@transaction.atomic
def survey_answer(
    *,
    survey: Survey,
    answer_score: int,
    speed_score: int,
    service_score: int,
    comment: str = "",
    reopen: bool = False,
) -> Survey:
    """Store the answers once; on the case's timeline, and a reopened case when the citizen asks with a low score."""
    survey = Survey.objects.select_for_update().select_related("case").get(pk=survey.pk)
    if survey.answered_at is not None:
        raise SurveyAnswered
    scores = {"answer_score": answer_score, "speed_score": speed_score, "service_score": service_score}
    errors = {name: [_("Give a score from 1 to 5.")] for name, value in scores.items() if value not in range(1, 6)}
    comment = clean_text(comment)
    if len(comment) > SURVEY_COMMENT_MAX_LENGTH:
        errors["comment"] = [
            _("Keep the comment to %(limit)d characters (it has %(length)d).")
            % {"limit": SURVEY_COMMENT_MAX_LENGTH, "length": len(comment)}
        ]
    if errors:
        raise ValidationError(errors)
    survey.answered_at = timezone.now()
    survey.comment, survey.reopen_requested = comment, reopen
    for name, value in scores.items():
        setattr(survey, name, value)
    survey.save()
    case_event_add(
        case_id=survey.case_id,
        kind=EventKind.SURVEY_ANSWER,
        text=comment,
        data={**scores, "survey": survey.pk, "reopen_requested": reopen},
    )
    case = survey.case
    if reopen and min(scores.values()) <= LOW_SCORE and case.state in (CaseState.RESOLVED, CaseState.CLOSED):
        reason = _("The citizen asked to reopen the case in the satisfaction survey.")
        case = case_transition(actor=None, case=case, transition="reopen", reason=f"{reason} {comment}".strip())
        group_message_queue(
            handler_group=case.handler_group,
            subject=_("Case %(reference)s reopened by the citizen") % {"reference": case.reference},
            body="\n".join(
                [
                    _("The citizen gave a low score in the satisfaction survey and asked to reopen the case."),
                    _("Scores (1–5): answer %(a)d, speed %(s)d, service %(v)d.")
                    % {"a": answer_score, "s": speed_score, "v": service_score},
                    comment,
                ]
            ),
        )
    return survey
