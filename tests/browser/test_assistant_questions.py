"""The assistant's unanswered questions in the browser: grouped, "web page updated" on one group, the month's count;
accessible in every state."""

from datetime import timedelta

from django.utils import timezone

from public.models import UnansweredQuestion
from public.services import service_client_create
from public.services_assistant import assistant_session_record
from tests.factories import UserFactory


def report(client, session_id: str, questions: list[str], *, days_ago: int = 0) -> None:
    ended = timezone.now() - timedelta(days=days_ago, minutes=3)
    assistant_session_record(
        client=client,
        session_id=session_id,
        channel="chat",
        started_at=ended - timedelta(minutes=4),
        ended_at=ended,
        signed_in=False,
        topics=["afval"],
        automated_actions=1,
        outcome="handed_over",
        unanswered_questions=questions,
    )


def test_the_kcc_marks_a_group_of_questions_as_answered_on_the_web(page):
    client, _key = service_client_create(
        actor=None, name="Virtuele assistent", scopes=["statistics"], channels=["chat"], sources=[]
    )
    report(client, "a", ["Wanneer is het containerpark open?", "Waar haal ik een parkeerkaart?"])
    report(client, "b", ["wanneer is het CONTAINERPARK open"])
    report(client, "c", ["Wanneer is het contáinerpark open ?!"], days_ago=2)
    report(client, "d", ["Hoe vraag ik een evenementenvergunning aan?"], days_ago=40)
    clerk = UserFactory(role="kcc", first_name="Katrien", last_name="Claes")

    page.login(clerk)
    page.get_by_role("link", name="Vragen van de assistent").click()
    page.wait_for_url("**/assistent/vragen/")
    assert page.get_by_role("heading", name="Vragen van de assistent", level=1).is_visible()
    rows = page.locator("table.assistant-questions tbody tr")
    assert rows.count() == 2
    containerpark = rows.filter(has_text="containerpark")
    assert containerpark.locator("td").nth(1).inner_text() == "3"
    assert "evenementenvergunning" not in page.locator("main").inner_text()
    page.assert_accessible()
    page.screenshot("assistent-vragen")

    page.get_by_role("link", name="Laatste 90 dagen").click()
    page.get_by_role("cell", name="Hoe vraag ik een evenementenvergunning aan?", exact=True).wait_for()
    assert rows.count() == 3

    rows.filter(has_text="containerpark").get_by_role("button", name="Webpagina aangepast").click()
    page.get_by_text("Webpagina aangepast: 3 vragen afgehandeld.").wait_for()
    assert rows.count() == 2 and "containerpark" not in page.locator("table.assistant-questions").inner_text()
    assert "Katrien Claes" in page.locator("main").inner_text()
    assert set(UnansweredQuestion.objects.filter(handled_at__isnull=False).values_list("handled_by", flat=True)) == {
        clerk.pk
    }
    page.assert_accessible()
    page.screenshot("assistent-vragen-afgehandeld")
