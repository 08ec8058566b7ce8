"""A local ACM/IDM stand-in for the OpenID Connect tests: the token, userinfo and JWKS endpoints on
pytest-httpserver, RS256 ID tokens made with PyJWT. The authorization step (the person signing in) is
``authorize``: it checks the request our application sent and returns the code the provider would."""

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug import Response

EID = "urn:be:vlaanderen:authmech:eid"
CSAM_PASSWORD = "urn:be:vlaanderen:authmech:csampassword"
CLIENT_ID = "midoffice-test"
CLIENT_SECRET = "s3cret-test"


class Provider:
    def __init__(self, httpserver):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.issuer = httpserver.url_for("/op").rstrip("/")
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk |= {"kid": "test-key", "alg": "RS256", "use": "sig"}
        httpserver.expect_request("/op/v1/keys").respond_with_json({"keys": [jwk]})
        httpserver.expect_request("/op/v1/token", method="POST").respond_with_handler(self._token)
        httpserver.expect_request("/op/v1/userinfo").respond_with_handler(self._userinfo)

    def authorize(self, location: str, *, sub: str, acr: str = EID, nonce: str | None = None, **claims) -> dict:
        """The person signs in: checks what we asked for and returns the callback's query (code and state)."""
        url = urlsplit(location)
        assert f"{url.scheme}://{url.netloc}{url.path}" == f"{self.issuer}/v1/auth"
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert params["response_type"] == "code"
        assert params["client_id"] == CLIENT_ID
        assert params["scope"] == "openid profile rrn"
        assert params["code_challenge_method"] == "S256"
        assert params["acr_values"] == "urn:be:vlaanderen:authmech:csamsms"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "challenge": params["code_challenge"],
            "redirect_uri": params["redirect_uri"],
            "claims": {"sub": sub, "acr": acr, "nonce": nonce or params["nonce"], **claims},
        }
        self.last_request = params
        return {"code": code, "state": params["state"]}

    def id_token(self, claims: dict, **overrides) -> str:
        now = int(time.time())
        body = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, **claims, **overrides}
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": "test-key"})

    def _token(self, request):
        form = request.form
        self.token_requests.append(dict(form))
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        grant = self.codes.pop(form.get("code", ""), None)  # a code is used once
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (
            request.headers.get("Authorization") != f"Basic {basic}"
            or form.get("grant_type") != "authorization_code"
            or grant is None
            or grant["challenge"] != challenge
            or grant["redirect_uri"] != form.get("redirect_uri")
        ):
            return Response(json.dumps({"error": "invalid_grant"}), status=400, content_type="application/json")
        access_token = secrets.token_urlsafe(16)
        claims = grant["claims"]
        self.access_tokens[access_token] = {k: v for k, v in claims.items() if k not in ("acr", "nonce")}
        body = {"access_token": access_token, "token_type": "Bearer", "id_token": self.id_token(claims)}
        return Response(json.dumps(body), content_type="application/json")

    def _userinfo(self, request):
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.access_tokens:
            return Response("", status=401)
        return Response(json.dumps(self.access_tokens[token]), content_type="application/json")
