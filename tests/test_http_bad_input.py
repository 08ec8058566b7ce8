"""Malformed HTTP input answers a clear 4xx, never a 500, and writes nothing."""

import io
import json

import pytest
from django.db import DataError, connection, transaction
from rest_framework.test import APIClient

from contacts.models import AccessLog, Party
from midoffice.exceptions import exception_handler
from midoffice.parsers import MAX_JSON_DEPTH, JSONParser, RequestTooLarge
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

PARTIES = "/api/v1/parties/"
TWENTY_DIGITS = "9" * 20


def nested(depth: int) -> str:
    """A JSON document ``depth`` levels deep: {"a": {"a": … {} …}}."""
    return '{"a": ' * (depth - 1) + "{}" + "}" * (depth - 1)


class TestNulCharacters:
    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/cases/%00/",
            "/api/v1/parties/?q=%00",
            "/api/v1/parties/?q=jan%00peeters",
            "/api/v1/cases/?assignee=%00",
            "/api/v1/notifications/?status=%00",
            "/status/%00/",
            "/admin/contacts/party/?q=%00",
        ],
    )
    def test_refused_with_400(self, make_client, url):
        response = make_client("supervisor", is_staff=True, is_superuser=True).get(url)
        assert response.status_code == 400
        assert response.json() == {"detail": "The address contains a NUL character.", "code": "invalid_characters"}

    def test_refused_before_any_write(self, kcc_client):
        response = kcc_client.post(f"{PARTIES}?x=%00", {"given_name": "Jan"})
        assert response.status_code == 400
        assert not Party.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL refuses NUL in text; SQLite stores it")
class TestNulCharacterThatReachesTheDatabase:
    """Form fields no validator checks (a choice looked up by its value) answer 400, never a 500."""

    def test_a_staff_form_answers_a_400_page(self, client):
        supervisor = UserFactory(role="supervisor")
        client.force_login(supervisor)
        response = client.post("/dossiers/toewijzen/", {"cases": ["M-1"], "assignee": "ja\x00n"})
        assert response.status_code == 400
        assert "The request contains a NUL character, which cannot be stored." in response.content.decode()

    def test_the_api_answers_a_400(self, kcc_client):
        """The net under the API's validators: PostgreSQL's own refusal becomes the caller's 400."""
        with pytest.raises(DataError) as refused, transaction.atomic():
            Party.objects.filter(family_name="ja\x00n").exists()
        request = kcc_client.get("/api/v1/parties/").wsgi_request
        response = exception_handler(refused.value, {"request": request})
        assert response.status_code == 400
        assert response.data == {
            "detail": "The request contains a NUL character, which cannot be stored.",
            "code": "invalid_characters",
        }


class TestNumbersOutOfRange:
    @pytest.mark.parametrize(
        "path",
        [
            f"/api/v1/parties/{TWENTY_DIGITS}/",
            f"/api/v1/parties/{TWENTY_DIGITS}/timeline/",
            f"/api/v1/parties/{TWENTY_DIGITS}/contact-points/",
            f"/api/v1/parties/1/contact-points/{TWENTY_DIGITS}/",
            f"/api/v1/parties/1/representatives/{TWENTY_DIGITS}/",
            f"/api/v1/contacts/{TWENTY_DIGITS}/",
        ],
    )
    def test_an_id_beyond_the_database_integers_is_404(self, make_client, path):
        client = make_client("supervisor", is_superuser=True)
        assert client.get(path).status_code == 404
        assert client.delete(path).status_code in (404, 405)

    def test_retrying_an_id_beyond_the_database_integers_is_404(self, make_client):
        client = make_client("supervisor")
        assert client.post(f"/api/v1/notifications/{TWENTY_DIGITS}/retry/").status_code == 404

    def test_the_largest_id_still_matches(self, make_client):
        assert make_client("supervisor").get(f"/api/v1/parties/{2**63 - 1}/").status_code == 404
        party = PersonFactory()
        assert make_client("supervisor").get(f"/api/v1/parties/{party.pk}/").status_code == 200

    @pytest.mark.parametrize("page", [TWENTY_DIGITS, "0", "-1", "abc", "2"])
    @pytest.mark.parametrize("path", [PARTIES, "/api/v1/cases/", "/api/v1/notifications/", "/api/v1/access-log/"])
    def test_pages_that_do_not_exist_are_404(self, make_client, path, page):
        PersonFactory()
        response = make_client("supervisor").get(path, {"page": page})
        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid page.", "code": "not_found"}

    @pytest.mark.parametrize("page", [TWENTY_DIGITS, "0", "-1", "abc", "2"])
    def test_timeline_pages_like_the_other_lists(self, make_client, page):
        party = PersonFactory()
        response = make_client("supervisor").get(f"/api/v1/parties/{party.pk}/timeline/", {"page": page})
        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid page.", "code": "not_found"}
        assert not AccessLog.objects.exists()


class TestJsonDepth:
    def test_deeper_than_the_limit_is_400(self, kcc_client):
        response = kcc_client.post(PARTIES, nested(MAX_JSON_DEPTH + 1), content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {
            "detail": f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.",
            "code": "too_deep",
        }
        assert not Party.objects.exists()

    def test_deeper_than_the_interpreter_can_parse_is_400(self, kcc_client):
        response = kcc_client.post(PARTIES, "[" * 100_000 + "]" * 100_000, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] == "too_deep"

    def test_at_the_limit_is_parsed(self):
        parsed = JSONParser().parse(io.BytesIO(nested(MAX_JSON_DEPTH).encode()))
        assert parsed["a"]["a"]

    def test_anonymous_endpoint_too(self):
        response = APIClient().post(
            "/api/v1/auth/token/", "[" * 100_000 + "]" * 100_000, content_type="application/json"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "too_deep"

    @pytest.mark.parametrize("body", ['{"given_name": NaN}', '{"given_name": "Jan"', "\xff"])
    def test_malformed_json_is_400(self, kcc_client, body):
        response = kcc_client.post(PARTIES, body.encode("latin-1"), content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] == "parse_error"
        assert not Party.objects.exists()


class TestBodySize:
    def test_a_declared_body_over_the_limit_is_413(self, kcc_client, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        response = kcc_client.post(PARTIES, {"given_name": "Jan", "family_name": "x" * 2000})
        assert response.status_code == 413
        assert response.json()["code"] == "request_too_large"
        assert not Party.objects.exists()

    def test_the_parser_reads_no_more_than_the_limit(self, settings):
        # A chunked body declares no length: the parser stops reading past the limit.
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        body = json.dumps({"family_name": "x" * 2000}).encode()
        with pytest.raises(RequestTooLarge):
            JSONParser().parse(io.BytesIO(body))

    def test_a_form_over_the_limit_is_413(self, client, settings):
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        response = client.post("/admin/login/", {"username": "x" * 2000, "password": "y"})
        assert response.status_code == 413

    def test_a_malformed_content_length_is_400(self, kcc_client):
        response = kcc_client.post(PARTIES, {"given_name": "Jan"}, CONTENT_LENGTH="lots")
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_content_length"
        assert not Party.objects.exists()


class TestAuthorizationHeader:
    @pytest.mark.parametrize(
        "header",
        ["Token \xff\xfe", "Token", "Token a b", "Token " + "0" * 5000, "Token ab\x00cd", "ServiceClient ab\x00cd"],
    )
    def test_a_malformed_token_is_401(self, header):
        UserFactory(role="kcc")
        response = APIClient().get(PARTIES, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401


def test_refusals_are_in_dutch_by_default(settings, kcc_client):
    settings.LANGUAGE_CODE = "nl-be"
    assert kcc_client.get(f"{PARTIES}?q=%00").json()["detail"] == "Het adres bevat een NUL-teken."
    response = kcc_client.post(PARTIES, nested(MAX_JSON_DEPTH + 1), content_type="application/json")
    assert response.json()["detail"] == f"De JSON-inhoud is meer dan {MAX_JSON_DEPTH} niveaus diep genest."
