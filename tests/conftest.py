import pytest
from django.utils import translation
from rest_framework.test import APIClient

from cases.calendar import forget_closing_days
from tests.factories import UserFactory


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def make_client(db):
    """``make_client("kcc")``: an API client logged in as a new user with that role."""

    def make(role: str | None = None, **user_fields):
        client = APIClient()
        user = UserFactory(role=role, **user_fields)
        client.force_authenticate(user)
        client.user = user
        return client

    return make


@pytest.fixture
def kcc_client(make_client):
    return make_client("kcc")


@pytest.fixture
def front_desk_client(make_client):
    return make_client("front_desk")


@pytest.fixture(autouse=True)
def _fresh_closing_days():
    """The closing days are cached per process; a rolled-back test must not leave its days behind."""
    forget_closing_days()
    yield
    forget_closing_days()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 is slow on purpose; tests only need passwords to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read messages in English; Dutch is the product's default (tested in test_i18n.py)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
