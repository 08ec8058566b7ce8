import pytest

from tests.factories import CaseTypeFactory, HandlerGroupFactory, UserFactory


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
def client_for(make_client):
    """An API client authenticated as an existing user."""
    from rest_framework.test import APIClient

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        client.user = user
        return client

    return make
