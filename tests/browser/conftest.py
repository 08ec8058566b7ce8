"""Browser tests: Python Playwright driving Debian's chromium (never a downloaded browser) against a live server.

Skipped when chromium is missing, unless MIDOFFICE_BROWSER_TESTS=required (CI sets it: there a missing browser
fails the run). Every page visited is checked with axe-core (WCAG 2.1 A and AA rules). Screenshots of the main
pages go to var/screenshots/ (MIDOFFICE_SCREENSHOTS to change), for a person to look at.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.utils import translation

CHROMIUM = os.environ.get("MIDOFFICE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("MIDOFFICE_SCREENSHOTS", django_settings.BASE_DIR / "var" / "screenshots"))
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PASSWORD = "secret-pass-123"  # tests.factories.UserFactory's

# Playwright's synchronous API runs an event loop in this thread; Django's ORM calls made by the test itself
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    if os.environ.get("MIDOFFICE_BROWSER_TESTS") == "required":
        raise pytest.UsageError(f"MIDOFFICE_BROWSER_TESTS=required but there is no chromium at {CHROMIUM}")
    skip = pytest.mark.skip(reason=f"no chromium at {CHROMIUM} (apt-get install -y chromium)")
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _english(settings):
    """Overrides the suite's English: the pages are tested as staff see them, in Dutch."""
    settings.LANGUAGE_CODE = "nl-be"
    with translation.override("nl-be"):
        yield


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def server(live_server, transactional_db):
    """The live server's address; the test's data is committed (the server runs in another thread)."""
    return live_server.url


class Page:
    """A browser tab on the live server with the helpers every browser test needs."""

    def __init__(self, page, base_url: str, axe: Axe):
        self.page, self.base_url, self.axe = page, base_url, axe
        self.csp_violations: list[str] = []
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def __getattr__(self, name):
        return getattr(self.page, name)

    def open(self, path: str):
        return self.page.goto(self.base_url + path)

    def login(self, user, password: str = PASSWORD) -> None:
        self.open("/aanmelden/")
        self.page.get_by_label("Gebruikersnaam").fill(user.get_username())
        self.page.get_by_label("Wachtwoord").fill(password)
        self.page.get_by_role("button", name="Aanmelden").click()
        self.page.wait_for_load_state()

    def assert_accessible(self, context: str | dict | None = None) -> None:
        """axe-core's WCAG 2.1 A/AA rules find nothing on the page as it is now, and the CSP blocked nothing."""
        results = self.axe.run(self.page, context=context, options=WCAG_AA)
        assert results.violations_count == 0, results.generate_report()
        assert not self.csp_violations, self.csp_violations

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def page(browser, server, axe):
    context = browser.new_context(
        locale="nl-BE", timezone_id="Europe/Brussels", viewport={"width": 1366, "height": 900}
    )
    context.set_default_timeout(10_000)
    yield Page(context.new_page(), server, axe)
    context.close()


@pytest.fixture
def new_page(browser, server, axe):
    """More tabs, each with its own session (two clerks at once)."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(
            locale="nl-BE", timezone_id="Europe/Brussels", viewport={"width": 1366, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return Page(context.new_page(), server, axe)

    yield make
    for context in contexts:
        context.close()
