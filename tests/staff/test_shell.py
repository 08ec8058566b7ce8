"""Signing in, the start page of each role, the menu by role, the header and the city's look."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from cases.workflow import CaseState
from staff.checks import check_city_colour, contrast_with_white
from staff.navigation import menu_for
from tests.factories import HandlerGroupFactory, UserFactory, case_in_state, open_case

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    client.force_login(user)
    return client


def test_signed_out_every_page_asks_to_sign_in_first(client):
    response = client.get(reverse("staff:home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('staff:login')}?next=/"


def test_the_sign_in_page_is_dutch_by_default(client, settings):
    settings.LANGUAGE_CODE = "nl-be"
    with translation.override(None):
        response = client.get(reverse("staff:login"))
    page = response.content.decode()
    assert '<html lang="nl"' in page
    assert "Aanmelden" in page
    assert "Gebruikersnaam" in page


def test_a_wrong_password_is_refused_and_the_username_kept(client):
    user = UserFactory(role="handler")
    response = client.post(reverse("staff:login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please enter a correct username and password" in page
    assert f'value="{user.username}"' in page
    assert "_auth_user_id" not in client.session


def test_signing_in_leads_to_the_start_page_of_the_role(client):
    user = UserFactory(role="handler")
    response = client.post(reverse("staff:login"), {"username": user.username, "password": "secret-pass-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:home")


@pytest.mark.parametrize(
    ("role", "start"),
    [
        ("front_desk", "staff:frontdesk"),
        ("kcc", "staff:frontdesk"),
        ("supervisor", "staff:board"),
        ("handler", "staff:inbox"),
    ],
)
def test_each_role_starts_on_its_own_page(client, role, start):
    response = sign_in(client, UserFactory(role=role)).get(reverse("staff:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(start)


def test_a_user_without_a_staff_role_is_refused(client):
    response = sign_in(client, UserFactory()).get(reverse("staff:home"))
    assert response.status_code == 403


def _menu(user) -> list[str]:
    request = RequestFactory().get("/")
    request.user = user
    with translation.override("en"):
        return [str(entry["label"]) for entry in menu_for(request)]


def test_the_menu_shows_each_role_its_own_pages():
    assert "Supervision" not in _menu(UserFactory(role="handler"))
    assert "New contact" not in _menu(UserFactory(role="handler"))
    assert "Cases" in _menu(UserFactory(role="handler"))
    assert {"New contact", "Cases", "Supervision"} <= set(_menu(UserFactory(role="kcc")))
    assert "Supervision" not in _menu(UserFactory(role="front_desk"))
    assert _menu(AnonymousUser()) == []


def test_the_header_shows_my_groups_and_my_open_cases(client, handler, group, melding):
    mine = open_case(case_type=melding)
    mine.assignee = handler
    mine.save(update_fields=["assignee"])
    finished = case_in_state(CaseState.CLOSED, case_type=melding)
    finished.assignee = handler
    finished.save(update_fields=["assignee"])
    HandlerGroupFactory(name="Wonen", members=[handler])

    page = sign_in(client, handler).get(reverse("staff:inbox")).content.decode()
    assert "Openbaar Domein, Wonen" in page
    assert "1 open case of mine" in page
    assert f'href="{reverse("staff:inbox")}?assignee=me"' in page


def test_the_city_colour_is_served_as_the_primary_colour(client, settings):
    settings.MIDOFFICE_CITY_COLOUR = "#00594f"
    response = client.get(reverse("staff:city-style"))
    assert response["Content-Type"].startswith("text/css")
    assert "--pico-primary: #00594f;" in response.content.decode()


def test_a_colour_white_text_cannot_be_read_on_is_refused_at_start_up(settings):
    settings.MIDOFFICE_CITY_COLOUR = "#1d4f7c"
    assert check_city_colour(None) == []
    settings.MIDOFFICE_CITY_COLOUR = "#ffcc00"
    assert [error.id for error in check_city_colour(None)] == ["staff.E002"]
    settings.MIDOFFICE_CITY_COLOUR = "blue"
    assert [error.id for error in check_city_colour(None)] == ["staff.E001"]


def test_contrast_follows_wcag():
    assert contrast_with_white("#000000") == pytest.approx(21.0)
    assert contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)
