import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from knox.crypto import hash_token

from public.models import ServiceClient
from public.services import service_client_create, service_client_revoke
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/public/intake/"


def test_the_key_is_stored_as_a_digest_only(assistant):
    client = assistant.client
    assert client.key_digest == hash_token(assistant.key)
    assert assistant.key not in (client.key_prefix + client.key_digest)[len(client.key_prefix) :]
    assert client.key_prefix == assistant.key[:12]
    assert client.user.is_active is False and not client.user.has_usable_password()


def test_unknown_scopes_channels_and_sources_are_refused():
    with pytest.raises(ValidationError) as error:
        service_client_create(actor=None, name="X", scopes=["admin"], channels=["pigeon"], sources=["staff"])
    assert set(error.value.message_dict) == {"scopes", "channels", "sources"}
    assert not ServiceClient.objects.exists()


def test_an_unknown_key_answers_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="ServiceClient not-a-key")
    response = api_client.post(INTAKE, {}, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid service client key.", "code": "authentication_failed"}
    assert response["WWW-Authenticate"] == "ServiceClient"


def test_no_credentials_answer_401_and_a_staff_token_is_not_a_client_key(api_client, make_client):
    assert api_client.post(INTAKE, {}, format="json").status_code == 401
    staff = make_client("kcc")
    assert staff.post(INTAKE, {}, format="json").status_code == 401


def test_a_revoked_key_answers_401(assistant):
    service_client_revoke(actor=None, client=assistant.client)
    response = assistant.post(INTAKE, {}, format="json")
    assert response.status_code == 401
    assert response.json()["detail"] == "This service client's key was revoked."


def test_a_key_without_the_scope_answers_403(make_service_client):
    status_only = make_service_client(scopes=["status"])
    response = status_only.post(INTAKE, {}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "This service client may not use the scope intake."


def test_last_used_is_written_at_most_once_a_minute(assistant, django_assert_num_queries):
    assistant.post(INTAKE, {}, format="json")
    first = ServiceClient.objects.get(pk=assistant.client.pk).last_used_at
    assert first is not None
    assistant.post(INTAKE, {}, format="json")
    assert ServiceClient.objects.get(pk=assistant.client.pk).last_used_at == first
    ServiceClient.objects.filter(pk=assistant.client.pk).update(
        last_used_at=timezone.now() - timezone.timedelta(minutes=2)
    )
    assistant.post(INTAKE, {}, format="json")
    assert ServiceClient.objects.get(pk=assistant.client.pk).last_used_at > first


def test_the_admin_shows_the_key_once_and_revokes(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:public_serviceclient_add"),
        {
            "name": "Virtuele assistent",
            "scopes": ["intake", "status"],
            "channels": ["chat"],
            "sources": ["virtual_assistant"],
        },
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    created = ServiceClient.objects.get(name="Virtuele assistent")
    assert created.created_by == admin and created.scopes == ["intake", "status"]
    key = shown[0].rsplit("ServiceClient ", 1)[1]
    assert hash_token(key) == created.key_digest
    listing = client.get(reverse("admin:public_serviceclient_changelist"))
    assert key not in listing.content.decode() and created.key_digest not in listing.content.decode()
    client.post(
        reverse("admin:public_serviceclient_changelist"),
        {"action": "revoke", "_selected_action": [created.pk]},
    )
    created.refresh_from_db()
    assert created.revoked_at is not None
