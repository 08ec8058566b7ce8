import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from cases.models import CaseState
from cases.services import case_transition
from public.services import service_client_create
from tests.factories import PersonFactory, case_in_state

from .oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

ALL_SCOPES = ["intake", "status", "catalogue", "statistics"]


@pytest.fixture(autouse=True)
def _media_and_throttles(settings, tmp_path):
    """Files land in a temporary folder; the throttles' counters start at zero."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_service_client(db):
    """``make_service_client(scopes=[...])``: an APIClient sending a new service client's key, with ``.client``."""

    def make(
        *,
        scopes=("intake", "status"),
        channels=("website", "chat"),
        sources=("web_form", "virtual_assistant"),
        name=None,
    ):
        make.count += 1
        client, key = service_client_create(
            actor=None,
            name=name or f"Assistant {make.count}",
            scopes=list(scopes),
            channels=list(channels),
            sources=list(sources),
        )
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"ServiceClient {key}")
        api.client, api.key = client, key
        return api

    make.count = 0
    return make


@pytest.fixture
def assistant(make_service_client):
    return make_service_client()


@pytest.fixture
def oidc_provider(httpserver, settings):
    """A local ACM/IDM (tests/public/oidc_provider.py) and the settings that point at it."""
    provider = Provider(httpserver)
    settings.MIDOFFICE_OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.issuer}/v1/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.issuer}/v1/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.issuer}/v1/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.issuer}/v1/keys"
    settings.MIDOFFICE_OIDC_LOGOUT_ENDPOINT = f"{provider.issuer}/v1/logout"
    return provider


# The citizen's status page (tests of the look-up and of the reply).


@pytest.fixture
def browser():
    """A citizen's browser asking for Dutch."""
    return Client(enforce_csrf_checks=False, HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9")


@pytest.fixture
def waiting(melding, handler):
    """A case the handler put on hold with a question to the citizen."""
    case = case_in_state(CaseState.IN_PROGRESS, case_type=melding, party=PersonFactory(given_name="An"))
    return case_transition(
        actor=handler,
        case=case,
        transition="suspend",
        reason="Foto nodig",
        public_message="Waar precies ligt de tegel?",
    )
