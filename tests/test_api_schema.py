import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/auth/token/": {"post"},
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


def test_docs_and_schema_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
