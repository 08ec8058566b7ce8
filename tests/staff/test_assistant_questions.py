"""The assistant's unanswered questions (``/assistent/vragen/``): grouped on their normalised text per period, "web
page updated" per group (KCC and supervisors only; a refusal writes nothing) and the groups handled per month."""

from datetime import timedelta
from itertools import count

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from public.models import UnansweredQuestion
from public.selectors_assistant import assistant_feedback_per_month, assistant_question_groups
from public.services import service_client_create
from public.services_assistant import assistant_questions_mark_updated, assistant_session_record, question_normalise
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/assistent/vragen/"
ACTION = "/assistent/vragen/webpagina-aangepast/"
SPELLINGS = [
    "Wanneer is het containerpark open?",
    "wanneer is het  CONTAINERPARK open",
    "Wanneer is het contáinerpark open ?!",
]
NORMALISED = "wanneer is het containerpark open"
SESSION_IDS = count(1)


@pytest.fixture
def assistant_client(db):
    client, _key = service_client_create(
        actor=None, name="Virtuele assistent", scopes=["statistics"], channels=["chat"], sources=[]
    )
    return client


@pytest.fixture
def report(assistant_client):
    """``report(questions, days_ago=0)``: a session that ended ``days_ago`` with these unanswered questions."""

    def make(questions, *, days_ago: float = 0):
        ended = timezone.now() - timedelta(days=days_ago, minutes=1)
        session, _created = assistant_session_record(
            client=assistant_client,
            session_id=f"s-{next(SESSION_IDS)}",
            channel="chat",
            started_at=ended - timedelta(minutes=5),
            ended_at=ended,
            signed_in=False,
            topics=[],
            automated_actions=0,
            outcome="handed_over",
            unanswered_questions=list(questions),
        )
        return session

    return make


def test_normalising_strips_case_accents_punctuation_and_extra_whitespace():
    assert {question_normalise(text) for text in SPELLINGS} == {NORMALISED}
    assert question_normalise("  Één\tvraag:\n  e-mail?  ") == "een vraag email"


def test_three_spellings_of_one_question_are_one_group_of_three(report):
    report(SPELLINGS[:2])
    report([SPELLINGS[2], "Hoe vraag ik een parkeerkaart aan?"])
    groups = list(assistant_question_groups(since=timezone.now() - timedelta(days=7)))
    assert [(group["normalised_text"], group["count"]) for group in groups] == [
        ("hoe vraag ik een parkeerkaart aan", 1),
        (NORMALISED, 3),
    ]
    assert {group["example"] for group in groups if group["count"] == 3} <= set(SPELLINGS)


def test_groups_are_newest_first_within_the_period(report):
    report(["Oude vraag over de bib?"], days_ago=20)
    report(["Nieuwe vraag over de bib?"], days_ago=1)
    report(["Heel oude vraag?"], days_ago=60)
    since = timezone.now() - timedelta(days=30)
    assert [group["normalised_text"] for group in assistant_question_groups(since=since)] == [
        "nieuwe vraag over de bib",
        "oude vraag over de bib",
    ]


@pytest.mark.parametrize(("role", "status"), [("kcc", 200), ("supervisor", 200), ("handler", 403), ("front_desk", 403)])
def test_the_page_is_for_the_kcc_and_supervisors(signed_in, role, status):
    assert signed_in(UserFactory(role=role)).get(PAGE).status_code == status


def test_the_menu_shows_the_page_to_the_kcc_only(signed_in):
    assert f'href="{PAGE}"' in signed_in(UserFactory(role="kcc")).get(PAGE).content.decode()
    assert f'href="{PAGE}"' not in signed_in(UserFactory(role="handler")).get("/dossiers/").content.decode()


def test_signed_out_the_page_asks_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/aanmelden/" in response["Location"]


def test_the_page_shows_the_groups_of_the_period_with_few_queries(signed_in, report, django_assert_max_num_queries):
    report(SPELLINGS)
    report(["Waar vind ik mijn rijbewijs?"], days_ago=20)
    for n in range(10):
        report([f"Vraag {n} over de markt?"])
    client = signed_in(UserFactory(role="kcc"))
    client.get(PAGE)
    with django_assert_max_num_queries(8):
        response = client.get(PAGE + "?periode=7")
    assert response.status_code == 200
    groups = response.context["groups"]
    assert len(groups) == 11
    assert next(group for group in groups if group["normalised_text"] == NORMALISED)["count"] == 3
    assert "Waar vind ik mijn rijbewijs?" not in response.content.decode()
    month = signed_in(UserFactory(role="kcc")).get(PAGE + "?periode=30")
    assert "Waar vind ik mijn rijbewijs?" in month.content.decode()


def test_an_unknown_period_falls_back_to_30_days(signed_in):
    response = signed_in(UserFactory(role="kcc")).get(PAGE + "?periode=abc")
    assert response.context["days"] == 30


def test_web_page_updated_handles_the_group_and_counts_it_per_month(signed_in, report):
    report(SPELLINGS)
    report(["Andere vraag?"])
    clerk = UserFactory(role="kcc", first_name="Katrien", last_name="Claes")
    client = signed_in(clerk)
    response = client.post(ACTION, {"normalised_text": NORMALISED, "periode": "7"}, follow=True)
    assert response.redirect_chain == [(PAGE + "?periode=7", 302)]
    assert "3 questions handled" in response.content.decode()
    handled = UnansweredQuestion.objects.filter(normalised_text=NORMALISED)
    assert {(q.handled_by, q.handled_at is not None) for q in handled} == {(clerk, True)}
    assert [group["normalised_text"] for group in response.context["groups"]] == ["andere vraag"]
    month = assistant_feedback_per_month().get()
    assert (month["groups"], month["updated"], month["share"], month["questions"]) == (2, 1, 50.0, 4)
    assert "50 %" in response.content.decode()
    assert response.context["handled"][0]["handled_by"] == "Katrien Claes"
    again = client.post(ACTION, {"normalised_text": NORMALISED}, follow=True)
    assert "These questions were handled already." in again.content.decode()


def test_the_share_counts_each_group_in_the_month_it_was_asked_in(report):
    """A group asked in two months counts in both; updated in the second, it is updated in the second only."""
    report(["Waar vind ik mijn rijbewijs?"], days_ago=40)
    report(SPELLINGS[:1], days_ago=40)
    report(SPELLINGS[1:2])
    assert assistant_questions_mark_updated(actor=UserFactory(role="supervisor"), normalised_text=NORMALISED) == 2
    rows = [(row["groups"], row["updated"], row["share"]) for row in assistant_feedback_per_month()]
    assert rows == [(1, 1, 100.0), (2, 1, 50.0)]


def test_a_new_question_after_the_update_opens_the_group_again(report):
    report(SPELLINGS[:1])
    assert assistant_questions_mark_updated(actor=UserFactory(role="supervisor"), normalised_text=NORMALISED) == 1
    report(SPELLINGS[1:2])
    groups = list(assistant_question_groups(since=timezone.now() - timedelta(days=7)))
    assert [(group["normalised_text"], group["count"]) for group in groups] == [(NORMALISED, 1)]


@pytest.mark.parametrize("role", ["handler", "front_desk"])
def test_others_may_not_mark_a_group_and_nothing_is_written(signed_in, report, role):
    report(SPELLINGS)
    user = UserFactory(role=role)
    assert signed_in(user).post(ACTION, {"normalised_text": NORMALISED}).status_code == 403
    with pytest.raises(PermissionDenied):
        assistant_questions_mark_updated(actor=user, normalised_text=NORMALISED)
    assert not UnansweredQuestion.objects.filter(handled_at__isnull=False).exists()


def test_marking_needs_a_group(report):
    report(SPELLINGS)
    with pytest.raises(ValidationError):
        assistant_questions_mark_updated(actor=UserFactory(role="kcc"), normalised_text="")
    assert not UnansweredQuestion.objects.filter(handled_at__isnull=False).exists()


def test_the_action_takes_posts_only(signed_in):
    assert signed_in(UserFactory(role="kcc")).get(ACTION).status_code == 405
