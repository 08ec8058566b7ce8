import pytest
from rest_framework.test import APIClient

from tests.factories import open_case
from tests.test_api_schema import assert_conforms, schema  # noqa: F401 (the module's schema fixture)

pytestmark = pytest.mark.django_db

INTAKE, STATUS = "/api/v1/public/intake/", "/api/v1/public/cases/{reference}/"


@pytest.mark.parametrize(("path", "method"), [(INTAKE, "post"), (STATUS, "get")])
def test_public_operations_document_their_refusals(schema, path, method):  # noqa: F811
    operation = schema["paths"][path][method]
    assert {"400", "401", "403", "429"} <= set(operation["responses"])
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert {"serviceClientAuth": []} in operation["security"]


def test_intake_documents_multipart_and_the_replay_conflict(schema):  # noqa: F811
    operation = schema["paths"][INTAKE]["post"]
    assert {"application/json", "multipart/form-data"} <= set(operation["requestBody"]["content"])
    assert {"201", "422", "413"} <= set(operation["responses"])


def test_status_responses_conform(schema, melding):  # noqa: F811
    case = open_case(case_type=melding)
    client = APIClient()
    found = client.get(f"/api/v1/public/cases/{case.reference}/?code={case.tracking_code}")
    assert found.status_code == 200
    assert_conforms(schema, STATUS, "get", found)
    missing = client.get(f"/api/v1/public/cases/{case.reference}/?code=WRONG")
    assert_conforms(schema, STATUS, "get", missing)
