import jsonschema
import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import ContactFactory, PersonFactory, open_case

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/auth/token/": {"post"},
    "/api/v1/auth/logout/": {"post"},
    "/api/v1/parties/": {"get", "post"},
    "/api/v1/parties/{id}/": {"get", "patch"},
    "/api/v1/parties/{id}/timeline/": {"get"},
    "/api/v1/parties/{id}/duplicates/": {"get"},
    "/api/v1/parties/{id}/merge/": {"post"},
    "/api/v1/contacts/": {"get", "post"},
}


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yml"
    with django_db_blocker.unblock():
        # --fail-on-warn: every endpoint must be fully described (types, parameters, responses).
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_every_endpoint_is_in_the_schema(schema):
    paths = {path.replace("{pk}", "{id}"): set(ops) - {"parameters"} for path, ops in schema["paths"].items()}
    for path, methods in ENDPOINTS.items():
        assert methods <= paths.get(path, set()), path


def test_every_operation_has_a_summary_or_description(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/parties") or path.startswith("/api/v1/contacts"):
                assert operation.get("summary") or operation.get("description"), (method, path)


def response_schema(schema, operation, code):
    """The schema of a JSON response, with a component reference resolved."""
    body = operation["responses"][code]["content"]["application/json"]["schema"]
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return body


def operations(schema):
    for path, items in schema["paths"].items():
        for method, operation in items.items():
            if method != "parameters":
                yield path, method, operation


# Every GET on a collection (a path not ending in a parameter) answers a list or a page of one.
SINGLE_OBJECTS = {"/health/", "/api/v1/reports/kpis/"}


def test_collections_are_typed_as_lists(schema):
    collections = [
        (path, operation)
        for path, method, operation in operations(schema)
        if method == "get" and not path.endswith("}/") and path not in SINGLE_OBJECTS
    ]
    assert len(collections) >= 12
    for path, operation in collections:
        body = response_schema(schema, operation, "200")
        if body.get("type") != "array":
            assert body["properties"]["results"]["type"] == "array", path
            assert {"count", "next", "previous"} <= set(body["properties"]), path


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/api/v1/parties/{id}/representatives/", "array"),
        ("/api/v1/parties/{id}/contact-points/", "array"),
        ("/api/v1/parties/{id}/duplicates/", "array"),
        ("/api/v1/handler-groups/", "array"),
        ("/api/v1/case-types/", "array"),
        ("/api/v1/supervision/overdue/", "array"),
        ("/api/v1/access-log/", "page"),
        ("/api/v1/parties/{id}/timeline/", "page"),
        ("/api/v1/notifications/", "page"),
        ("/api/v1/contacts/", "page"),
    ],
)
def test_list_shapes(schema, path, shape):
    body = response_schema(schema, schema["paths"][path]["get"], "200")
    if shape == "array":
        assert body["type"] == "array"
    else:
        assert body["properties"]["results"]["type"] == "array"


def test_error_responses_are_documented(schema):
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        public = operation.get("security") == [{}]
        if not public:
            assert {"401", "403"} <= codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if "requestBody" in operation:
            assert {"400", "413"} <= codes, (method, path)
        for code in codes - {"200", "201", "204", "414"}:
            reference = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            expected = "ValidationError" if code == "400" else "Error"
            assert reference == f"#/components/schemas/{expected}", (method, path, code)
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"detail", "code"}


def test_paged_lists_document_404_for_a_page_that_does_not_exist(schema):
    operation = schema["paths"]["/api/v1/parties/"]["get"]
    assert "404" in operation["responses"]
    assert any(parameter["name"] == "page" for parameter in operation["parameters"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/parties/"),
        ("patch", "/api/v1/parties/{id}/"),
        ("post", "/api/v1/parties/{id}/merge/"),
        ("post", "/api/v1/parties/{id}/contact-points/"),
        ("delete", "/api/v1/parties/{id}/contact-points/{point_pk}/"),
        ("post", "/api/v1/cases/{reference}/transitions/"),
        ("post", "/api/v1/cases/{reference}/reassign/"),
        ("post", "/api/v1/notifications/{id}/retry/"),
        ("post", "/api/v1/public/surveys/{token}/"),
    ],
)
def test_conflicts_are_documented(schema, method, path):
    assert "409" in schema["paths"][path][method]["responses"]


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/public/surveys/{token}/"])
def test_throttled_operations_document_429_with_retry_after(schema, path):
    response = schema["paths"][path]["post"]["responses"]["429"]
    assert "Retry-After" in response["headers"]


def test_ids_in_paths_are_bounded_integers(schema):
    parameters = [
        parameter
        for _, _, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"] not in ("reference", "token", "code")
    ]
    assert parameters
    for parameter in parameters:
        assert parameter["schema"] == {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**63 - 1}


def test_token_authentication_is_described(schema):
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert '"Token"' in scheme["description"]


def as_json_schema(node, components):
    """OpenAPI 3.0 to JSON Schema, as far as these documents need: ``nullable`` and component references."""
    if isinstance(node, list):
        return [as_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return as_json_schema(components[node["$ref"].rsplit("/", 1)[1]], components)
    converted = {key: as_json_schema(value, components) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


def assert_conforms(schema, path, method, response):
    operation = schema["paths"][path][method]
    assert str(response.status_code) in operation["responses"], (path, response.status_code)
    body = operation["responses"][str(response.status_code)]["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), as_json_schema(body, schema["components"]["schemas"]))


def test_anonymous_contact_conforms(schema, make_client):
    contact = ContactFactory(party=None, anonymous=True, outcome="", handled_by=None)
    client = make_client("supervisor")
    response = client.get(f"/api/v1/contacts/{contact.pk}/")
    assert response.status_code == 200
    assert response.json()["handled_by"] is None
    assert response.json()["outcome"] == ""
    assert_conforms(schema, "/api/v1/contacts/{id}/", "get", response)
    assert_conforms(schema, "/api/v1/contacts/", "get", client.get("/api/v1/contacts/"))


def test_unassigned_case_conforms(schema, make_client):
    case = open_case()
    client = make_client("supervisor")
    response = client.get(f"/api/v1/cases/{case.reference}/")
    assert response.json()["assignee"] is None
    assert_conforms(schema, "/api/v1/cases/{reference}/", "get", response)
    assert_conforms(
        schema, "/api/v1/cases/{reference}/events/", "get", client.get(f"/api/v1/cases/{case.reference}/events/")
    )
    assert_conforms(schema, "/api/v1/cases/", "get", client.get("/api/v1/cases/"))


def test_party_without_preferred_channel_conforms(schema, make_client):
    party = PersonFactory(preferred_channel="")
    client = make_client("supervisor")
    assert_conforms(schema, "/api/v1/parties/{id}/", "get", client.get(f"/api/v1/parties/{party.pk}/"))
    assert_conforms(schema, "/api/v1/parties/", "get", client.get("/api/v1/parties/"))


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/parties/{id}/", "get"),
        ("/api/v1/parties/{id}/contact-points/{point_pk}/", "delete"),
        ("/api/v1/cases/{reference}/", "get"),
    ],
)
def test_errors_conform(schema, make_client, path, method):
    url = path.replace("{id}", "999999").replace("{point_pk}", "1").replace("{reference}", "999999")
    response = getattr(make_client("supervisor", is_superuser=True), method)(url)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert_conforms(schema, path, method, response)
    anonymous = getattr(APIClient(), method)(url)
    assert anonymous.status_code == 401
    assert_conforms(schema, path, method, anonymous)


def test_docs_and_schema_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
