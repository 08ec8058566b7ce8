"""A mailbox's secrets and sign-in: encrypted at rest, write-only in the admin, XOAUTH2 with a client-credentials
token (a real local HTTP server stands in for Microsoft's token endpoint)."""

import base64
import json
import urllib.parse

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inbound.admin import MailboxForm
from inbound.credentials import CredentialError, forget_tokens, oauth_token, secret_decrypt, xoauth2_string
from inbound.models import AuthMethod, Mailbox
from inbound.services import mailbox_save

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cached_tokens():
    forget_tokens()
    yield
    forget_tokens()


def test_the_xoauth2_string_is_the_sasl_initial_response():
    raw = xoauth2_string("info@stad.example", "ya29.token")
    assert raw == b"user=info@stad.example\x01auth=Bearer ya29.token\x01\x01"
    # What imaplib sends on the wire (Google's and Microsoft's documented example shape).
    assert base64.b64encode(raw) == b"dXNlcj1pbmZvQHN0YWQuZXhhbXBsZQFhdXRoPUJlYXJlciB5YTI5LnRva2VuAQE="


def test_a_token_is_fetched_by_client_credentials_and_cached(httpserver):
    httpserver.expect_oneshot_request("/tenant/oauth2/v2.0/token", method="POST").respond_with_json(
        {"access_token": "tok-1", "expires_in": 3599, "token_type": "Bearer"}
    )
    arguments = {
        "token_url": httpserver.url_for("/tenant/oauth2/v2.0/token"),
        "client_id": "app-id",
        "client_secret": "s3cret",
        "scope": "https://outlook.office365.com/.default",
    }

    assert oauth_token(**arguments) == "tok-1"
    assert oauth_token(**arguments) == "tok-1"  # cached: the one-shot endpoint would refuse a second request

    request, _response = httpserver.log[0]
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qs(request.get_data(as_text=True)) == {
        "grant_type": ["client_credentials"],
        "client_id": ["app-id"],
        "client_secret": ["s3cret"],
        "scope": ["https://outlook.office365.com/.default"],
    }


def test_a_refused_client_is_a_clear_error(httpserver):
    httpserver.expect_request("/token").respond_with_data(
        json.dumps({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret."}),
        status=401,
        content_type="application/json",
    )
    with pytest.raises(CredentialError, match="HTTP 401: AADSTS7000215"):
        oauth_token(token_url=httpserver.url_for("/token"), client_id="a", client_secret="b", scope="c")


def test_passwords_are_stored_encrypted_and_never_shown_back(melding):
    mailbox = mailbox_save(
        actor=None,
        mailbox=Mailbox(name="Info", host="imap.stad.example", username="info@stad.example"),
        password="geheim-wachtwoord",
    )
    assert "geheim" not in mailbox.password_encrypted
    assert secret_decrypt(mailbox.password_encrypted) == "geheim-wachtwoord"

    form = MailboxForm(instance=mailbox)
    assert "geheim" not in str(form) and mailbox.password_encrypted not in str(form)
    # Saving without typing it again keeps it.
    data = {**form.initial, "password": "", "client_secret": "", "default_case_type": "", "default_group": ""}
    form = MailboxForm(data, instance=mailbox)
    assert form.is_valid(), form.errors
    saved = mailbox_save(actor=None, mailbox=form.save(commit=False), password="")
    assert secret_decrypt(saved.password_encrypted) == "geheim-wachtwoord"


def test_a_secret_under_another_key_asks_to_enter_it_again(settings):
    mailbox = mailbox_save(actor=None, mailbox=Mailbox(name="Info", host="h", username="u"), password="pw")
    settings.SECRET_KEY = "another-" + settings.SECRET_KEY
    with pytest.raises(CredentialError, match="enter it again"):
        secret_decrypt(mailbox.password_encrypted)
    settings.SECRET_KEY_FALLBACKS = ["-".join(settings.SECRET_KEY.split("-")[1:])]
    assert secret_decrypt(mailbox.password_encrypted) == "pw"


def test_an_incomplete_mailbox_is_refused_and_nothing_is_written(melding, group):
    form = MailboxForm(
        {
            "name": "Info",
            "host": "imap.stad.example",
            "port": 993,
            "username": "info",
            "auth_method": AuthMethod.XOAUTH2,
            "folder": "INBOX",
            "processed_action": "move",
            "processed_keyword": "MidofficeImported",
            "default_case_type": melding.pk,
            "default_group": group.pk,
        }
    )
    assert not form.is_valid()
    assert form.errors["oauth_client_id"] == ["Signing in with OAuth2 needs this."]
    assert form.errors["client_secret"] == ["Signing in with OAuth2 needs this."]
    with pytest.raises(ValidationError):
        mailbox_save(
            actor=None,
            mailbox=Mailbox(name="Info", host="h", username="u", default_case_type=melding, default_group=group),
            password="pw",
        )
    assert not Mailbox.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Mailbox.objects.create(name="Info", host="h", username="u", default_case_type=melding, default_group=group)
