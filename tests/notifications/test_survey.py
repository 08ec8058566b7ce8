"""The satisfaction survey: invited on resolve, answered once through a signed link, reopening on request."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseEvent, EventKind, GroupMessage
from cases.services import case_transition
from notifications.models import Notification, Survey
from tests.factories import EmailFactory, PersonFactory, open_case

pytestmark = pytest.mark.django_db

ANSWERS = {"answer_score": 4, "speed_score": 5, "service_score": 4, "comment": "Vlot geholpen."}


@pytest.fixture
def invited(melding, handler, django_capture_on_commit_callbacks):
    """A resolved case of a type with a survey; returns (case, the survey link's path)."""
    melding.survey_enabled = True
    melding.save()
    party = PersonFactory(language="nl")
    EmailFactory(party=party, value="burger@example.be")
    case = open_case(case_type=melding, party=party)
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(actor=handler, case=case, transition="resolve", public_message="Hersteld.")
    invitation = Notification.objects.get(kind="survey_invitation")
    assert invitation.status == "sent"
    [path] = re.findall(r"http://127\.0\.0\.1:8000(/survey/[^/\s]+/)", mail.outbox[-1].body)
    return case, path


def api_url(path):
    return reverse("v1:public-survey", args=[path.split("/")[2]])


def test_resolving_invites_once_and_the_answer_lands_on_the_timeline(api_client, invited):
    case, path = invited
    assert Survey.objects.filter(case=case).count() == 1
    assert "Hoe hebben we uw aanvraag" in mail.outbox[-1].subject

    response = api_client.post(api_url(path), ANSWERS, format="json")

    assert response.status_code == 201
    survey = Survey.objects.get()
    assert (survey.answer_score, survey.speed_score, survey.service_score) == (4, 5, 4)
    event = CaseEvent.objects.get(case=case, kind=EventKind.SURVEY_ANSWER)
    assert event.data["answer_score"] == 4 and event.text == "Vlot geholpen."
    case.refresh_from_db()
    assert case.state == "resolved"  # a good score reopens nothing

    again = api_client.post(api_url(path), ANSWERS, format="json")
    assert again.status_code == 409 and again.data["code"] == "survey_answered"
    assert CaseEvent.objects.filter(kind=EventKind.SURVEY_ANSWER).count() == 1


def test_a_low_score_with_please_reopen_reopens_and_tells_the_group(
    api_client, invited, django_capture_on_commit_callbacks
):
    case, path = invited
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            api_url(path), {**ANSWERS, "answer_score": 1, "comment": "Tegel ligt weer los.", "reopen": True}
        )
    assert response.status_code == 201
    case.refresh_from_db()
    assert case.state == "in_progress"
    reopen = case.events.get(transition="reopen")
    assert reopen.actor is None and "Tegel ligt weer los." in reopen.text
    message = GroupMessage.objects.get()
    assert message.handler_group == case.handler_group and case.reference in message.subject
    assert message.sent_at is not None


@pytest.mark.parametrize("field", ["answer_score", "speed_score", "service_score"])
def test_a_score_outside_1_to_5_is_refused(api_client, invited, field):
    _case, path = invited
    for bad in (0, 6):
        response = api_client.post(api_url(path), {**ANSWERS, field: bad}, format="json")
        assert response.status_code == 400 and field in response.data
    assert Survey.objects.get().answered_at is None


def test_invalid_and_expired_links_store_nothing(api_client, client, invited):
    _case, path = invited
    tampered = api_client.post(api_url(path[:-3] + "zz/"), ANSWERS, format="json")
    assert tampered.status_code == 404 and tampered.data["code"] == "survey_invalid"
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        expired = api_client.post(api_url(path), ANSWERS, format="json")
        page = client.get(path, HTTP_ACCEPT_LANGUAGE="nl")
    assert expired.status_code == 404
    assert page.status_code == 404 and "niet geldig of verlopen" in page.content.decode()
    assert Survey.objects.get().answered_at is None


def test_the_survey_page(client, invited):
    case, path = invited
    form = client.get(path, HTTP_ACCEPT_LANGUAGE="nl")
    assert form.status_code == 200 and case.reference in form.content.decode()

    incomplete = client.post(path, {"answer_score": 3}, HTTP_ACCEPT_LANGUAGE="nl")
    assert incomplete.status_code == 400
    assert Survey.objects.get().answered_at is None

    done = client.post(path, {**ANSWERS, "reopen": ""}, HTTP_ACCEPT_LANGUAGE="nl")
    assert done.status_code == 200 and "Bedankt" in done.content.decode()
    assert Survey.objects.get().answered_at is not None
    assert client.get(path, HTTP_ACCEPT_LANGUAGE="nl").status_code == 200  # says it was answered
    assert client.post(path, ANSWERS, HTTP_ACCEPT_LANGUAGE="nl").status_code == 409


def test_no_survey_without_the_case_types_consent_or_an_address(melding, handler, django_capture_on_commit_callbacks):
    party = PersonFactory()
    EmailFactory(party=party)
    case = open_case(case_type=melding, party=party)  # survey_enabled is off
    silent = open_case(case_type=melding, party=PersonFactory())
    melding.survey_enabled = True
    melding.save()
    with django_capture_on_commit_callbacks(execute=True):
        case_transition(actor=handler, case=case, transition="resolve", public_message="ok")
        case_transition(actor=handler, case=silent, transition="resolve", public_message="ok")
    assert Survey.objects.filter(case=case).count() == 1  # switched on before the resolve
    assert not Survey.objects.filter(case=silent).exists()  # no e-mail address


def test_an_overlong_comment_is_refused_and_nothing_stored(api_client, client, invited):
    case, path = invited
    too_long = "x" * 2_001

    response = api_client.post(api_url(path), {**ANSWERS, "comment": too_long}, format="json")
    assert response.status_code == 400
    assert "no more than 2000 characters" in str(response.data["comment"])
    page = client.post(path, {**ANSWERS, "comment": too_long}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400 and "at most 2000 characters" in page.content.decode()
    assert 'maxlength="2000"' in page.content.decode()

    assert Survey.objects.get().answered_at is None
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.SURVEY_ANSWER).exists()


def test_the_service_refuses_an_overlong_comment_too(invited):
    from django.core.exceptions import ValidationError

    from notifications.surveys import survey_answer

    with pytest.raises(ValidationError) as refused:
        survey_answer(survey=Survey.objects.get(), **{**ANSWERS, "comment": "x" * 2_001})
    assert refused.value.message_dict == {"comment": ["Keep the comment to 2000 characters (it has 2001)."]}
    assert Survey.objects.get().answered_at is None


@pytest.mark.parametrize("post", ["api", "form"])
def test_invisible_characters_are_removed_from_the_comment(api_client, client, invited, post):
    case, path = invited
    comment = "\u200b\u202eVlot\u200e geholpen.\ufeff\r\nDank u.\u2066 "
    if post == "api":
        response = api_client.post(api_url(path), {**ANSWERS, "comment": comment}, format="json")
        assert response.status_code == 201
    else:
        response = client.post(path, {**ANSWERS, "comment": comment})
        assert response.status_code == 200
    survey = Survey.objects.get()
    assert survey.comment == "Vlot geholpen.\nDank u."
    assert CaseEvent.objects.get(case=case, kind=EventKind.SURVEY_ANSWER).text == "Vlot geholpen.\nDank u."


def test_an_invisible_comment_is_no_comment(api_client, invited):
    _case, path = invited
    response = api_client.post(api_url(path), {**ANSWERS, "comment": "\u200b\u200e\u2066 "}, format="json")
    assert response.status_code == 201
    assert Survey.objects.get().comment == ""
