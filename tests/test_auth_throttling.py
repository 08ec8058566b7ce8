"""Brute force on the token endpoint and the admin login, client addresses behind proxies, API tokens."""

import hashlib
from datetime import timedelta

import environ
import pytest
import time_machine
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import AnonRateThrottle

from midoffice.auth import TokenAuthentication
from midoffice.permissions import roles_and_permissions
from midoffice.throttling import client_ip
from notifications import oauth
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
LOGOUT = "/api/v1/auth/logout/"
PARTIES = "/api/v1/parties/"
PASSWORD = "secret-pass-123"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


@pytest.fixture(autouse=True)
def _lockout_after_three(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password_checks(monkeypatch):
    """Counts the logins that reach the password check (and so hash the password)."""
    calls = []
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        calls.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return calls


def login(username, password, address="10.0.0.1", **headers):
    return APIClient().post(TOKEN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


class TestLockout:
    def test_after_the_limit_the_right_password_is_refused_without_checking_it(self, password_checks):
        UserFactory(username="balie", role="front_desk")
        answers = [login("balie", "wrong").status_code for _ in range(3)]
        assert answers == [400, 400, 429]  # the attempt that reaches the limit is refused already
        checked = len(password_checks)

        response = login("balie", PASSWORD)

        assert response.status_code == 429
        assert response.json()["code"] == "login_locked_out"
        assert response["Retry-After"] == str(15 * 60)
        assert len(password_checks) == checked  # the password was not even hashed
        assert not AuthToken.objects.exists()

    def test_counted_per_username_across_addresses(self):
        UserFactory(username="balie", role="front_desk")
        for n in range(3):
            login("balie", "wrong", address=f"10.0.0.{n + 1}")
        assert login("balie", PASSWORD, address="10.0.9.9").status_code == 429
        assert not AuthToken.objects.exists()

    def test_counted_per_address_across_usernames(self):
        UserFactory(username="balie", role="front_desk")
        for n in range(3):
            login(f"guess{n}", "wrong", address="10.0.0.7")
        assert login("balie", PASSWORD, address="10.0.0.7").status_code == 429
        assert not AuthToken.objects.exists()
        assert login("balie", PASSWORD, address="10.0.0.8").status_code == 200

    def test_the_lockout_ends_after_the_cool_off(self):
        UserFactory(username="balie", role="front_desk")
        for _ in range(3):
            login("balie", "wrong")
        assert login("balie", PASSWORD).status_code == 429
        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            assert login("balie", PASSWORD).status_code == 200

    def test_failures_below_the_limit_do_not_lock(self):
        UserFactory(username="balie", role="front_desk")
        for _ in range(2):
            login("balie", "wrong")
        assert login("balie", PASSWORD).status_code == 200

    def test_admin_login_is_locked_out_too(self, client, password_checks):
        UserFactory(username="beheer", is_staff=True, is_superuser=True)
        for _ in range(3):
            client.post("/admin/login/", {"username": "beheer", "password": "wrong"}, REMOTE_ADDR="10.0.0.3")
        checked = len(password_checks)

        response = client.post("/admin/login/", {"username": "beheer", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3")

        assert response.status_code == 429
        assert len(password_checks) == checked
        assert "_auth_user_id" not in client.session


class TestClientAddress:
    def test_forwarded_for_is_ignored_without_trusted_proxies(self, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        UserFactory(username="balie", role="front_desk")
        # One client pretending to be three: still one address.
        for n in range(3):
            login(f"guess{n}", "wrong", address="10.0.0.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}")
        assert login("balie", PASSWORD, address="10.0.0.7", HTTP_X_FORWARDED_FOR="192.0.2.50").status_code == 429

    def test_forwarded_for_is_honoured_behind_one_trusted_proxy(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        UserFactory(username="balie", role="front_desk")
        # Three clients behind the same proxy (10.0.0.7): the proxy's address is not locked out.
        for n in range(3):
            login(f"guess{n}", "wrong", address="10.0.0.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}")
        assert login("balie", PASSWORD, address="10.0.0.7", HTTP_X_FORWARDED_FOR="192.0.2.50").status_code == 200
        # A client forging the left part of the header is still known by what the proxy appended.
        for n in range(3):
            login(f"other{n}", "wrong", address="10.0.0.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 192.0.2.60")
        assert login("balie", PASSWORD, address="10.0.0.7", HTTP_X_FORWARDED_FOR="192.0.2.60").status_code == 429

    @pytest.mark.parametrize(
        ("proxies", "forwarded", "expected"),
        [
            (0, "192.0.2.1", "10.0.0.7"),
            (1, "192.0.2.1", "192.0.2.1"),
            (1, "203.0.113.9, 192.0.2.1", "192.0.2.1"),
            (2, "203.0.113.9, 192.0.2.1", "203.0.113.9"),
            (3, "192.0.2.1", "192.0.2.1"),
            (1, "not-an-address", "10.0.0.7"),
            (1, "", "10.0.0.7"),
        ],
    )
    def test_client_ip(self, settings, proxies, forwarded, expected):
        settings.TRUSTED_PROXY_COUNT = proxies
        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR=forwarded)
        assert client_ip(request) == expected

    def test_public_throttle_ignores_forwarded_for_without_trusted_proxies(self, monkeypatch):
        monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
        client = APIClient()
        answers = [
            client.post(
                "/api/v1/public/surveys/no-such-token/",
                {},
                REMOTE_ADDR="10.0.0.7",
                HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
            ).status_code
            for n in range(3)
        ]
        assert answers == [404, 404, 429]


class TestTokens:
    def test_token_response_and_use(self):
        UserFactory(username="balie", role="front_desk")
        response = login("balie", PASSWORD)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"token", "expiry"}
        expiry = timezone.datetime.fromisoformat(body["expiry"])
        assert abs(expiry - (timezone.now() + timedelta(hours=10))) < timedelta(minutes=1)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
        assert client.get(PARTIES).status_code == 200

    def test_the_users_roles_and_permissions_are_read_with_the_token(self):
        user = UserFactory(username="balie", role="front_desk")
        user.user_permissions.add(Permission.objects.get(content_type__app_label="contacts", codename="view_accesslog"))
        key = login("balie", PASSWORD).json()["token"]
        with CaptureQueriesContext(connection) as queries:
            found, _token = TokenAuthentication().authenticate_credentials(key.encode())
            roles, permissions = roles_and_permissions(found)
        assert len(queries) == 1
        assert roles == {"front_desk"}
        assert {"contacts.add_contact", "contacts.view_accesslog"} <= permissions
        # A user without any role or permission reads as such (the database's empty aggregate is NULL).
        UserFactory(username="leeg")
        bare = TokenAuthentication().authenticate_credentials(login("leeg", PASSWORD).json()["token"].encode())[0]
        assert roles_and_permissions(bare) == (frozenset(), frozenset())

    def test_the_database_holds_only_a_hash_of_the_key(self):
        UserFactory(username="balie", role="front_desk")
        key = login("balie", PASSWORD).json()["token"]
        row = AuthToken.objects.values().get()
        assert key not in {str(value) for value in row.values()}
        assert row["digest"] == hashlib.sha512(key.encode()).hexdigest()

    def test_an_expired_token_is_refused_with_401(self, settings):
        UserFactory(username="balie", role="front_desk")
        key = login("balie", PASSWORD).json()["token"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        with time_machine.travel(timezone.now() + timedelta(hours=10, minutes=1)):
            response = client.get(PARTIES)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert not AuthToken.objects.exists()

    def test_logout_revokes_the_token(self):
        user = UserFactory(username="balie", role="front_desk")
        keys = [login("balie", PASSWORD).json()["token"] for _ in range(2)]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {keys[0]}")
        assert client.post(LOGOUT).status_code == 204
        assert client.get(PARTIES).status_code == 401
        assert AuthToken.objects.filter(user=user).count() == 1  # the other session's token still works
        client.credentials(HTTP_AUTHORIZATION=f"Token {keys[1]}")
        assert client.get(PARTIES).status_code == 200

    def test_a_new_login_sweeps_the_users_expired_tokens(self):
        UserFactory(username="balie", role="front_desk")
        login("balie", PASSWORD)
        with time_machine.travel(timezone.now() + timedelta(hours=11)):
            login("balie", PASSWORD)
        assert AuthToken.objects.count() == 1

    def test_wrong_password_gets_no_token(self):
        UserFactory(username="balie", role="front_desk")
        response = login("balie", "wrong")
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
        assert not AuthToken.objects.exists()

    def test_unauthenticated_requests_answer_401(self):
        assert APIClient().get(PARTIES).status_code == 401

    @pytest.mark.parametrize(
        "forge",
        [
            pytest.param(lambda key: key[:-1] + ("0" if key[-1] != "0" else "1"), id="right-prefix-wrong-rest"),
            pytest.param(lambda key: key[:15], id="prefix-only"),
            pytest.param(lambda key: key[:15] + "é" * (len(key) - 15), id="not-ascii"),
            pytest.param(lambda key: "", id="empty"),
        ],
    )
    def test_a_forged_key_is_refused_and_the_token_kept(self, forge):
        UserFactory(username="balie", role="front_desk")
        key = login("balie", PASSWORD).json()["token"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {forge(key)}")
        assert client.get(PARTIES).status_code == 401
        assert AuthToken.objects.count() == 1
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get(PARTIES).status_code == 200

    def test_the_token_of_a_deactivated_user_is_refused(self):
        user = UserFactory(username="balie", role="front_desk")
        key = login("balie", PASSWORD).json()["token"]
        user.is_active = False
        user.save(update_fields=["is_active"])
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get(PARTIES).status_code == 401

    def test_the_user_comes_with_the_token_in_one_query(self, django_assert_max_num_queries):
        UserFactory(username="balie", role="front_desk")
        key = login("balie", PASSWORD).json()["token"]
        request = APIRequestFactory().get(PARTIES, HTTP_AUTHORIZATION=f"Token {key}")
        with django_assert_max_num_queries(1):
            user, token = TokenAuthentication().authenticate(request)
        assert (user.username, token.user_id, token.expiry > timezone.now()) == ("balie", user.pk, True)


class TestSharedCache:
    @pytest.fixture
    def token_server(self, httpserver, settings):
        settings.MIDOFFICE_OAUTH_TOKEN_URL = httpserver.url_for("/oauth/token")
        settings.MIDOFFICE_OAUTH_CLIENT_ID = "stad-midoffice"
        settings.MIDOFFICE_OAUTH_JWT_ALGORITHM = "HS256"
        settings.MIDOFFICE_OAUTH_PRIVATE_KEY = "a-test-signing-secret-of-at-least-32-bytes"
        return httpserver

    def test_cache_url_selects_redis(self):
        config = environ.Env.cache_url_config("redis://127.0.0.1:6379/1")
        assert config["LOCATION"] == "redis://127.0.0.1:6379/1"
        assert config["BACKEND"] in {REDIS_CACHE, "django_redis.cache.RedisCache"}

    def test_oauth_token_is_cached(self, token_server):
        token_server.expect_oneshot_request("/oauth/token").respond_with_json(
            {"access_token": "t1", "expires_in": 3600}
        )
        assert [oauth.access_token("DosisImport") for _ in range(2)] == ["t1", "t1"]
        assert len(token_server.log) == 1

    def test_oauth_token_without_the_cache_when_redis_is_down(self, token_server):
        for token in ("t1", "t2"):
            token_server.expect_oneshot_request("/oauth/token").respond_with_json(
                {"access_token": token, "expires_in": 3600}
            )
        # Nothing listens on port 1: every cache call fails with a connection error.
        with override_settings(CACHES={"default": {"BACKEND": REDIS_CACHE, "LOCATION": "redis://127.0.0.1:1/0"}}):
            assert oauth.access_token("DosisImport") == "t1"
            assert oauth.access_token("DosisImport") == "t2"
            oauth.forget_token("DosisImport")


def test_lockout_messages_are_in_dutch_by_default(settings, client):
    settings.LANGUAGE_CODE = "nl-be"
    UserFactory(username="balie", role="front_desk")
    for _ in range(3):
        login("balie", "wrong")
    assert login("balie", PASSWORD).json()["detail"].startswith("Te veel mislukte aanmeldpogingen.")
    response = client.post("/admin/login/", {"username": "balie", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.content.decode() == "Te veel mislukte aanmeldpogingen: probeer het later opnieuw."
