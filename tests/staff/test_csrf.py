"""CSRF on every form of the staff application: no view of it is exempt, and a form sent without its token is
refused (403) before anything is written. Django's test client skips the check unless asked, as here."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from cases.models import Case, CaseEvent
from cases.workflow import CaseState
from staff.urls import urlpatterns
from tests.factories import UserFactory, open_case

pytestmark = pytest.mark.django_db

# A value for each kind of URL parameter: the CSRF check comes before any look-up, so no row needs to exist.
ARGUMENTS = {"pk": 1, "duplicate_pk": 2, "reference": "1", "transition": "resolve", "code": "kpi"}


def staff_url_names() -> list[str]:
    return sorted(pattern.name for pattern in urlpatterns if isinstance(pattern, URLPattern) and pattern.name)


def url_of(name: str) -> str:
    pattern = next(p for p in urlpatterns if isinstance(p, URLPattern) and p.name == name)
    return reverse(f"staff:{name}", kwargs={key: ARGUMENTS[key] for key in pattern.pattern.converters})


@pytest.fixture
def strict(db):
    """A browser that keeps to the CSRF rules, signed in as someone who may do everything."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("name", staff_url_names())
def test_no_staff_view_takes_a_post_without_the_csrf_token(strict, name):
    response = strict.post(url_of(name), {"anything": "x"})
    assert response.status_code == 403 and b"CSRF" in response.content


def test_a_case_form_without_its_token_writes_nothing_and_with_it_does(strict, melding):
    case = open_case(case_type=melding)
    action = f"/dossiers/{case.reference}/overgang/start/"
    events = CaseEvent.objects.filter(case=case).count()

    response = strict.post(action, {"start-version": case.version})
    assert response.status_code == 403 and b"CSRF" in response.content
    assert Case.objects.get(pk=case.pk).state == CaseState.NEW
    assert CaseEvent.objects.filter(case=case).count() == events

    page = strict.get(f"/dossiers/{case.reference}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = strict.post(action, {"start-version": case.version, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == CaseState.IN_PROGRESS
