import os
import secrets

import pytest
from django.conf import settings as django_settings
from django.test.utils import override_settings
from django.utils import translation
from rest_framework.test import APIClient

from cases.calendar import forget_closing_days
from cases.configuration import forget_configuration
from notifications.backends import forget_email_texts
from notifications.services import forget_subscriptions
from tests.factories import CaseTypeFactory, HandlerGroupFactory, UserFactory


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


@pytest.fixture(autouse=True, scope="session")
def _not_a_deployment():
    """The suite is no deployment, also on PostgreSQL (DATABASE_URL set, so not embedded mode): it brings its
    own secret key and public address, and speaks plain HTTP. The worker processes of the integration tests
    inherit the environment, so they sign and link as this process does."""
    os.environ["SECRET_KEY"] = os.environ.get("SECRET_KEY") or "tests-" + secrets.token_urlsafe(32)
    os.environ["MIDOFFICE_PUBLIC_BASE_URL"] = os.environ.get("MIDOFFICE_PUBLIC_BASE_URL") or "http://127.0.0.1:8000"
    # For the whole run, not restored afterwards: Django refuses to even read back an empty key.
    django_settings.SECRET_KEY = os.environ["SECRET_KEY"]
    django_settings.MIDOFFICE_PUBLIC_BASE_URL = os.environ["MIDOFFICE_PUBLIC_BASE_URL"]
    django_settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _fresh_configuration():
    """The closing days, the cases configuration, the webhook subscriptions and the e-mail texts are cached per
    process; a rolled-back test must not leave its own behind."""
    forget_closing_days()
    forget_configuration()
    forget_subscriptions()
    forget_email_texts()
    yield
    forget_closing_days()
    forget_configuration()
    forget_subscriptions()
    forget_email_texts()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    # PBKDF2 is slow on purpose; tests only need passwords to round-trip. For the whole session, so that data
    # seeded once for a class or module (tests/contacts/test_seed_demo.py) is hashed the same way.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests read messages in English; Dutch is the product's default (tested in test_i18n.py)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# Cases: a KCC, a group with one handler, another group, and a report type of the first group.


@pytest.fixture
def kcc_group(db):
    return HandlerGroupFactory(name="KCC", is_kcc=True)


@pytest.fixture
def handler(db):
    return UserFactory(role="handler")


@pytest.fixture
def group(handler, kcc_group):
    """Openbaar Domein, with ``handler`` as its member; the KCC exists."""
    return HandlerGroupFactory(name="Openbaar Domein", members=[handler])


@pytest.fixture
def other_group(db):
    return HandlerGroupFactory(name="Mobiliteit", members=[UserFactory(role="handler")])


@pytest.fixture
def melding(group):
    """A report with an admissibility decision, 3 working days, warned 1 day before."""
    return CaseTypeFactory(code="melding", name="Melding openbaar domein", default_group=group, admissibility_step=True)


@pytest.fixture
def client_for(db):
    """An API client authenticated as an existing user."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        client.user = user
        return client

    return make
