import pytest
from rest_framework.test import APIClient

from public.services import service_client_create
from tests.factories import UserFactory


@pytest.fixture
def supervisor_api(db):
    """An API client signed in as a supervisor (who may see the reports)."""
    client = APIClient()
    client.force_authenticate(UserFactory(role="supervisor"))
    return client


@pytest.fixture
def reports_client(db):
    """``reports_client(scopes=[...])``: an API client sending a new service client's key."""

    def make(scopes=("reports",), channels=("phone",), sources=("integration",)):
        make.count += 1
        client, key = service_client_create(
            actor=None,
            name=f"Rapportering {make.count}",
            scopes=list(scopes),
            channels=list(channels),
            sources=list(sources),
        )
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"ServiceClient {key}")
        api.client = client
        return api

    make.count = 0
    return make
