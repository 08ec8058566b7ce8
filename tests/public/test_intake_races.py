"""Two identical submissions at the same moment, as a virtual assistant retrying on a timeout sends them."""

import threading

import pytest
from django.db import connection, connections

from cases.models import Case
from contacts.models import Contact
from tests.factories import CaseTypeFactory, HandlerGroupFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent transactions"),
    pytest.mark.django_db(transaction=True),
]


def test_two_concurrent_identical_submissions_create_one_contact_and_one_case(make_service_client):
    HandlerGroupFactory(name="KCC", is_kcc=True)
    CaseTypeFactory(code="melding")
    assistant = make_service_client()
    body = {
        "channel": "chat",
        "source": "virtual_assistant",
        "party_data": {"email": "an@example.be"},
        "case_type": "melding",
        "description": "Losliggende stoeptegel",
    }
    start, responses = threading.Barrier(2), [None, None]

    def submit(index):
        try:
            start.wait(timeout=10)
            responses[index] = assistant.post(
                "/api/v1/public/intake/", body, format="json", HTTP_IDEMPOTENCY_KEY="same"
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [r.status_code for r in responses] == [201, 201], [r.content for r in responses]
    assert responses[0].json() == responses[1].json()
    assert Contact.objects.count() == 1 and Case.objects.count() == 1
