import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def dutch_by_default(settings):
    settings.LANGUAGE_CODE = "nl-be"


def test_api_messages_are_dutch_by_default(dutch_by_default, kcc_client):
    response = kcc_client.post("/api/v1/parties/", {"given_name": "Jan", "national_number": "85073003329"})
    assert response.json()["national_number"] == [
        "Ongeldig rijksregisternummer (INSZ): de controlecijfers kloppen niet."
    ]


def test_english_on_request(dutch_by_default, kcc_client):
    response = kcc_client.post(
        "/api/v1/parties/", {"given_name": "Jan", "national_number": "85073003329"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["national_number"] == ["Invalid national number (INSZ): the check digits are wrong."]


def test_conflict_names_the_identifier_in_the_users_language(dutch_by_default, kcc_client):
    from tests.factories import PersonFactory

    existing = PersonFactory()
    response = kcc_client.post("/api/v1/parties/", {"given_name": "Jan", "national_number": existing.national_number})
    assert response.status_code == 409
    assert "rijksregisternummer" in response.json()["detail"]


def test_admin_is_dutch_by_default(dutch_by_default, admin_client):
    response = admin_client.get("/admin/contacts/party/")
    assert "Contactfiches" in response.content.decode()
