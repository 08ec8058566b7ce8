"""A deployment refuses to start without its own secret key and public address; embedded mode needs nothing;
the production environment of docs/configuration.md passes `check --deploy`; every page works under the
Content-Security-Policy (no inline script or style), Swagger UI from our own static files."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

ROOT = Path(__file__).resolve().parents[1]
OLD_PUBLIC_KEY = "insecure-embedded-default-change-me"


def documented_production_environment() -> dict[str, str]:
    """The block of docs/configuration.md#production, with a real random key in place of the placeholder."""
    text = (ROOT / "docs" / "configuration.md").read_text()
    [block] = re.findall(r"<!-- production-environment -->\n```sh\n(.*?)```", text, re.S)
    environment = dict(line.split("=", 1) for line in block.splitlines() if line and not line.startswith("#"))
    assert environment["SECRET_KEY"].startswith("<")
    return {**environment, "SECRET_KEY": secrets.token_urlsafe(64)}


EMBEDDED = """
import django; django.setup()
from django.conf import settings; from django.core.management import call_command
call_command("check", "--fail-level", "WARNING")
print(settings.MIDOFFICE_EMBEDDED, settings.SECRET_KEY)
"""
DEPLOY_CHECK = """
import midoffice.wsgi
from django.core.management import call_command
call_command("check", "--deploy", "--fail-level", "WARNING")
"""


@pytest.fixture(scope="module")
def started():
    """Python in fresh processes, each with only the environment given, since settings read the environment
    once, at start: started together, as each spends seconds starting Django."""
    production = documented_production_environment()
    unsafe = {
        name: value for name, value in production.items() if name not in {"SECRET_KEY", "MIDOFFICE_PUBLIC_BASE_URL"}
    }
    runs = {
        "embedded": (EMBEDDED, {}),
        "unsafe gunicorn": ("import midoffice.wsgi", unsafe),
        "production": (DEPLOY_CHECK, production),
    }
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "midoffice.settings", **environment},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (code, environment) in runs.items()
    }
    outputs = {name: process.communicate(timeout=120) for name, process in processes.items()}
    return {name: (processes[name].returncode, *output) for name, output in outputs.items()}


# --- Secrets fail closed ---------------------------------------------------------------------------------


@pytest.fixture
def deployment(settings):
    """In-process settings of a deployment (DEBUG off, not embedded) that has everything it needs."""
    settings.DEBUG = False
    settings.MIDOFFICE_EMBEDDED = False
    settings.SECRET_KEY = secrets.token_urlsafe(64)
    settings.MIDOFFICE_PUBLIC_BASE_URL = "https://midoffice.stad.be"
    return settings


def check_errors() -> str:
    with pytest.raises(SystemCheckError) as refused:
        call_command("check")
    return str(refused.value)


def test_a_complete_deployment_passes(deployment):
    call_command("check", "--fail-level", "WARNING")


def test_a_deployment_without_a_secret_key_is_refused(deployment):
    deployment.SECRET_KEY = ""

    assert "midoffice.E001" in check_errors()


@pytest.mark.parametrize("key", [OLD_PUBLIC_KEY, "change-me-to-a-long-random-string"])
def test_a_published_secret_key_is_refused(deployment, key):
    deployment.SECRET_KEY = key

    errors = check_errors()

    assert "midoffice.E002" in errors and "published example key" in errors


def test_a_deployment_without_a_public_address_is_refused(deployment):
    deployment.MIDOFFICE_PUBLIC_BASE_URL = ""

    errors = check_errors()

    assert "midoffice.E003" in errors and "MIDOFFICE_PUBLIC_BASE_URL is not set" in errors


def test_a_public_address_must_be_absolute(deployment):
    deployment.MIDOFFICE_PUBLIC_BASE_URL = "midoffice.stad.be"

    assert "midoffice.E004" in check_errors()


@pytest.mark.django_db
def test_migrate_refuses_an_unsafe_deployment_before_touching_the_database(deployment):
    deployment.SECRET_KEY = ""

    with pytest.raises(SystemCheckError, match=r"midoffice\.E001"):
        call_command("migrate", "--noinput", verbosity=0, skip_checks=False)  # as manage.py runs it


def test_debug_makes_no_demands(deployment):
    deployment.DEBUG = True
    deployment.SECRET_KEY = OLD_PUBLIC_KEY
    deployment.MIDOFFICE_PUBLIC_BASE_URL = ""

    call_command("check", "--fail-level", "WARNING")


def test_embedded_mode_needs_no_configuration_and_shares_no_key(started):
    """No environment at all: the checks pass, with the key generated once for this copy in var/."""
    returncode, stdout, stderr = started["embedded"]

    assert returncode == 0, stderr
    embedded, key = stdout.split()[-2:]
    assert embedded == "True"
    assert key == (ROOT / "var" / "secret_key").read_text().strip()
    assert key != OLD_PUBLIC_KEY and len(key) >= 50


def test_gunicorn_does_not_load_an_unsafe_deployment(started):
    """The production environment without SECRET_KEY and MIDOFFICE_PUBLIC_BASE_URL."""
    returncode, _stdout, stderr = started["unsafe gunicorn"]

    assert returncode != 0
    assert "midoffice.E001: SECRET_KEY is not set" in stderr
    assert "midoffice.E003" in stderr


# --- Production headers ----------------------------------------------------------------------------------


def test_the_documented_production_environment_passes_the_deploy_checks(started):
    """HSTS, HTTPS redirect, secure cookies… on by default in a deployment: `check --deploy` finds nothing,
    and gunicorn's entry point loads."""
    returncode, stdout, stderr = started["production"]

    assert returncode == 0, stderr
    assert "System check identified no issues" in stdout


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\son[a-z]+=|\sstyle=", re.I)


def same_origin_assets(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)


@pytest.mark.django_db
def test_swagger_ui_is_served_from_our_own_static_files(client):
    page = client.get("/api/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    assert not INLINE.search(html), INLINE.search(html)
    assets = same_origin_assets(html)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in assets
    assert "/api/docs/?script=" in assets
    for url in assets:
        assert url.startswith("/"), url  # nothing from a CDN
        response = client.get(url)
        response.close()
        assert response.status_code == 200, url
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content and b"/api/schema/" in script.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/admin/login/", "/status/nonsense/", "/survey/nonsense/"])
def test_every_page_has_a_strict_content_security_policy(client, path):
    response = client.get(path)

    policy = dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";") if directive
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert not INLINE.search(response.content.decode())
