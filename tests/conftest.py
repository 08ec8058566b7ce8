import pytest
from django.utils import translation
from rest_framework.test import APIClient

from cases.calendar import forget_closing_days
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
