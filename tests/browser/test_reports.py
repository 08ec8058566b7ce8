"""The reports in the browser: the KPI table with its traffic lights and one KPI with its charts (SVG images under
the strict Content-Security-Policy) and their tables; accessible."""

from datetime import timedelta

from django.utils import timezone

from notifications.services import notifications_silenced
from tests.factories import ContactFactory, UserFactory, open_case


def test_a_supervisor_reads_the_reports_and_one_kpi(page):
    now = timezone.now()
    for days, outcome in ((3, "answered"), (40, "answered"), (70, "referred"), (100, "answered"), (370, "referred")):
        ContactFactory(channel="phone", outcome=outcome, occurred_at=now - timedelta(days=days))
    # Two cases: one by phone, one opened by a contact of the virtual assistant (the charts per channel and source).
    with notifications_silenced():
        open_case(channel="phone", registered_at=now - timedelta(days=2))
        through_assistant = open_case(channel="website", registered_at=now - timedelta(days=2))
    through_assistant.contacts.add(
        ContactFactory(
            party=through_assistant.party,
            channel="website",
            source="virtual_assistant",
            occurred_at=through_assistant.registered_at,
        )
    )
    page.login(UserFactory(role="supervisor", first_name="Sara"))

    page.open("/rapporten/?periode=" + str(timezone.localdate().year))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Rapporten")
    for caption in ("Aandeel per kanaal en bron — Kanaal", "Aandeel per kanaal en bron — Bron"):
        assert page.get_by_role("table", name=caption).is_visible()
    assert page.get_by_role(
        "img", name="Grafiek: Aandeel per kanaal en bron — Bron; de cijfers staan in de tabel eronder."
    ).is_visible()
    page.assert_accessible()
    page.screenshot("reports-dashboard")

    page.get_by_role("link", name="Eerstelijnsoplossing").click()
    chart = page.get_by_role("img", name="Grafiek van de laatste twaalf maanden; de cijfers staan in de tabel eronder.")
    assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
    assert page.get_by_role("table", name="Per maand").is_visible()
    page.assert_accessible()
    page.screenshot("reports-kpi")
