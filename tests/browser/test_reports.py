"""The reports in the browser: the KPI table with its traffic lights and one KPI with its charts (SVG images under
the strict Content-Security-Policy) and their tables; accessible."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import ContactFactory, UserFactory


def test_a_supervisor_reads_the_reports_and_one_kpi(page):
    now = timezone.now()
    for days, outcome in ((3, "answered"), (40, "answered"), (70, "referred"), (100, "answered"), (370, "referred")):
        ContactFactory(channel="phone", outcome=outcome, occurred_at=now - timedelta(days=days))
    page.login(UserFactory(role="supervisor", first_name="Sara"))

    page.open("/rapporten/?periode=" + str(timezone.localdate().year))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Rapporten")
    page.assert_accessible()
    page.screenshot("reports-dashboard")

    page.get_by_role("link", name="Eerstelijnsoplossing").click()
    chart = page.get_by_role("img", name="Grafiek van de laatste twaalf maanden; de cijfers staan in de tabel eronder.")
    assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
    assert page.get_by_role("table", name="Per maand").is_visible()
    page.assert_accessible()
    page.screenshot("reports-kpi")
