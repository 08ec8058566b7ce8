"""Excel exports in the browser: a supervisor starts one from the reports and a handler from the inbox, the job's page
offers the download; a running job's page follows its progress by htmx polling (under the strict
Content-Security-Policy) until the download appears. Every page is accessible."""

import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from staff.models import ExportJob
from tests.factories import CaseTypeFactory, ContactFactory, HandlerGroupFactory, UserFactory, open_case


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_supervisor_exports_the_kpi_table_and_downloads_it(page, tmp_path):
    ContactFactory(channel="phone", outcome="answered", occurred_at=timezone.now() - timedelta(days=3))
    page.login(UserFactory(role="supervisor"))
    year = timezone.localdate().year
    page.open(f"/rapporten/?periode={year}")
    page.assert_accessible()
    page.screenshot("export-from-the-reports")

    page.locator("form[action='/rapporten/xlsx/'] button").click()
    page.wait_for_url("**/exporten/*/")
    link = page.locator("a[href$='/download/']")
    assert f"kpis-{year}.xlsx" in link.inner_text()
    page.assert_accessible()
    page.screenshot("export-done")

    with page.expect_download() as waiting:
        link.click()
    saved = tmp_path / "kpis.xlsx"
    waiting.value.save_as(saved)
    assert waiting.value.suggested_filename == f"kpis-{year}.xlsx"
    assert "xl/worksheets/sheet1.xml" in zipfile.ZipFile(saved).namelist()


def test_a_handler_exports_the_inbox(page):
    handler = UserFactory(role="handler")
    group = HandlerGroupFactory(name="Openbaar Domein", members=[handler])
    open_case(case_type=CaseTypeFactory(default_group=group))
    page.login(handler)
    page.open("/dossiers/")
    page.screenshot("export-from-the-inbox")
    page.locator("form[action='/dossiers/xlsx/'] button").click()
    page.wait_for_url("**/exporten/*/")
    assert ".xlsx" in page.locator("a[href$='/download/']").inner_text()
    page.open("/exporten/")
    assert page.locator("a[href$='/download/']").count() == 1
    page.assert_accessible()


def test_the_page_of_a_running_export_follows_it_until_the_download(page):
    handler = UserFactory(role="handler")
    job = ExportJob.objects.create(
        user=handler, kind="cases", status="running", rows_total=4000, rows_written=1000, started_at=timezone.now()
    )
    page.login(handler)
    page.open(f"/exporten/{job.pk}/")
    assert page.locator("progress").get_attribute("value") == "1000"
    page.assert_accessible()
    page.screenshot("export-running")

    job.file.save("dossiers.xlsx", ContentFile(b"PK"), save=False)
    ExportJob.objects.filter(pk=job.pk).update(
        status="done", rows_written=4000, file=job.file.name, file_name="dossiers.xlsx", finished_at=timezone.now()
    )
    page.locator("a[href$='/download/']").wait_for()  # the next poll, within two seconds
    assert page.locator("progress").count() == 0
    page.assert_accessible()
