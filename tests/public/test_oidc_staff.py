"""Staff sign in with ACM/IDM (OpenID Connect) against a local provider: only a linked account, never a new one."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from staff.checks import oidc_configuration
from staff.models import OidcIdentity
from tests.factories import UserFactory

from .oidc_provider import CLIENT_ID, CSAM_PASSWORD

pytestmark = pytest.mark.django_db
CALLBACK = "/aanmelden/acmidm/callback/"


def start(client, next_url=""):
    response = client.get(reverse("staff:oidc-login") + (f"?next={next_url}" if next_url else ""))
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, provider, *, sub, **kwargs):
    query = provider.authorize(start(client), sub=sub, **kwargs)
    return client.get(CALLBACK, query)


def refusal(response, client) -> str:
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:login")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("staff:login")).content.decode()
    return page


@pytest.fixture
def linked(db):
    user = UserFactory(role="handler", username="an.handler")
    OidcIdentity.objects.create(user=user, sub="sub-an")
    return user


def test_without_settings_there_is_no_button_and_no_flow(client):
    assert "ACM/IDM" not in client.get(reverse("staff:login")).content.decode()
    assert client.get(reverse("staff:oidc-login")).status_code == 404
    assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404


def test_the_sign_in_page_offers_acm_idm_when_configured(client, oidc_provider):
    page = client.get(reverse("staff:login")).content.decode()
    assert f'href="{reverse("staff:oidc-login")}"' in page
    with translation.override("nl"):
        page = client.get(reverse("staff:login"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Aanmelden met ACM/IDM" in page


def test_a_linked_user_signs_in_with_pkce_and_keeps_their_roles(client, oidc_provider, linked):
    response = sign_in(client, oidc_provider, sub="sub-an")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:home")
    assert client.session["_auth_user_id"] == str(linked.pk)
    assert client.session["staff_oidc"] is True
    # PKCE: the verifier went to the token endpoint (the provider checked it against the challenge), with basic auth.
    (token_request,) = oidc_provider.token_requests
    assert len(token_request["code_verifier"]) >= 43
    assert "client_secret" not in token_request
    assert oidc_provider.last_request["redirect_uri"] == f"http://testserver{CALLBACK}"
    assert list(linked.groups.values_list("name", flat=True)) == ["handler"]
    assert client.get(reverse("staff:home"))["Location"] == reverse("staff:inbox")


def test_the_next_page_is_kept(client, oidc_provider, linked):
    query = oidc_provider.authorize(start(client, "/dossiers/"), sub="sub-an")
    assert client.get(CALLBACK, query)["Location"] == "/dossiers/"


def test_an_unknown_sub_is_refused_and_no_account_made(client, oidc_provider, linked):
    users = get_user_model().objects.count()
    response = sign_in(client, oidc_provider, sub="sub-unknown", given_name="Eve", family_name="Unknown")
    assert "not linked to a staff account" in refusal(response, client)
    assert get_user_model().objects.count() == users
    assert OidcIdentity.objects.count() == 1


def test_an_inactive_linked_user_is_refused(client, oidc_provider, linked):
    linked.is_active = False
    linked.save()
    assert "not linked to a staff account" in refusal(sign_in(client, oidc_provider, sub="sub-an"), client)


def test_a_too_weak_authentication_is_refused(client, oidc_provider, linked):
    response = sign_in(client, oidc_provider, sub="sub-an", acr=CSAM_PASSWORD)
    assert "not secure enough" in refusal(response, client)


def test_a_tampered_state_is_refused(client, oidc_provider, linked):
    query = oidc_provider.authorize(start(client), sub="sub-an")
    response = client.get(CALLBACK, {**query, "state": query["state"] + "x"})
    assert "cancelled or has expired" in refusal(response, client)
    assert oidc_provider.token_requests == []


def test_a_replayed_callback_is_refused(client, oidc_provider, linked):
    query = oidc_provider.authorize(start(client), sub="sub-an")
    assert client.get(CALLBACK, query)["Location"] == reverse("staff:home")
    client.logout()
    assert "cancelled or has expired" in refusal(client.get(CALLBACK, query), client)


def test_a_replayed_nonce_is_refused(client, oidc_provider, linked):
    old_nonce = parse_qs(urlsplit(start(client)).query)["nonce"][0]
    response = sign_in(client, oidc_provider, sub="sub-an", nonce=old_nonce)
    assert "could not be verified" in refusal(response, client)


def test_an_error_from_the_provider_is_refused(client, oidc_provider, linked):
    state = parse_qs(urlsplit(start(client)).query)["state"][0]
    response = client.get(CALLBACK, {"error": "access_denied", "state": state})
    assert "cancelled or has expired" in refusal(response, client)


@pytest.mark.parametrize(
    "override",
    [{"aud": "another-client"}, {"iss": "https://elsewhere.example/op"}, {"exp": 1}],
    ids=["audience", "issuer", "expired"],
)
def test_an_id_token_for_someone_else_is_refused(client, oidc_provider, linked, override, monkeypatch):
    original = oidc_provider.id_token
    monkeypatch.setattr(oidc_provider, "id_token", lambda claims: original(claims, **override))
    assert "could not be verified" in refusal(sign_in(client, oidc_provider, sub="sub-an"), client)


def test_signing_out_ends_the_provider_session(client, oidc_provider, linked):
    sign_in(client, oidc_provider, sub="sub-an")
    response = client.post(reverse("staff:logout"))
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{oidc_provider.issuer}/v1/logout"
    params = parse_qs(url.query)
    assert params["client_id"] == [CLIENT_ID]
    assert params["post_logout_redirect_uri"] == [f"http://testserver{reverse('staff:login')}"]
    assert len(params["state"][0]) == 32
    assert "_auth_user_id" not in client.session


def test_a_password_sign_in_signs_out_locally(client, oidc_provider, linked):
    client.post(reverse("staff:login"), {"username": linked.username, "password": "secret-pass-123"})
    response = client.post(reverse("staff:logout"))
    assert not response["Location"].startswith(oidc_provider.issuer)


def test_half_a_configuration_or_an_unknown_level_stops_the_start_up(settings):
    settings.MIDOFFICE_OIDC_ISSUER = "https://authenticatie-ti.vlaanderen.be/op"
    assert [e.id for e in oidc_configuration()] == ["staff.E003"]
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "client", "secret"
    settings.MIDOFFICE_OIDC_ACR_MINIMUM = "urn:be:vlaanderen:authmech:pigeon"
    assert [e.id for e in oidc_configuration()] == ["staff.E004"]
    settings.MIDOFFICE_OIDC_ACR_MINIMUM = "urn:be:vlaanderen:authmech:itsme"
    assert oidc_configuration() == []
