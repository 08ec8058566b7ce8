"""A citizen signed in with ACM/IDM submits as themselves, through the intake API or the form at /burger/melden/:
their identity comes from the login, never from what the request says; every refusal writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.models import Case
from contacts.models import Contact, Party
from public.models import Attachment
from tests.factories import CaseTypeFactory, PersonFactory

from .test_intake import PNG, nothing_written
from .test_oidc_citizen import RRN, sign_in

pytestmark = pytest.mark.django_db

INTAKE = "/api/v1/public/intake/"
MY_CASES = "/api/v1/public/my/cases/"
REPORT = "/burger/melden/"


@pytest.fixture
def me(db):
    return PersonFactory(national_number=RRN, given_name="An", family_name="Peeters")


@pytest.fixture
def citizen(client, oidc_provider, me):
    """The test client, signed in with ACM/IDM as ``me``."""
    assert sign_in(client, oidc_provider).status_code == 302
    return client


def submission(**changes):
    data = {"case_type": "melding", "description": "Losliggende stoeptegel\nVoor nummer 12.", "location": "Kerkstraat"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


class TestApi:
    def test_the_case_is_the_signed_in_citizens_through_the_website(self, citizen, me, melding):
        parties = Party.objects.count()
        response = citizen.post(INTAKE, submission(), content_type="application/json")
        assert response.status_code == 201, response.json()
        case = Case.objects.get(reference=response.json()["reference"])
        contact = Contact.objects.get(pk=response.json()["contact"])
        assert case.party == me and contact.party == me
        assert (contact.channel, contact.source) == ("website", "web_form")
        assert case.handler_group == melding.default_group
        assert Party.objects.count() == parties
        mine = citizen.get(MY_CASES).json()["results"]
        assert [c["reference"] for c in mine] == [case.reference]

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            (
                {"party_data": {"email": "someone.else@example.be"}},
                "party_data",
                "You are signed in: your details come from your login; leave them out.",
            ),
            (
                {"anonymous": True},
                "party_data",
                "You are signed in: your details come from your login; leave them out.",
            ),
            ({"channel": "whatsapp"}, "channel", "A signed-in citizen submits through the website."),
            ({"source": "virtual_assistant"}, "source", "A signed-in citizen submits through the web form."),
            (
                {"answered": True, "case_type": None},
                "answered",
                "Only a service client can answer a question itself.",
            ),
            ({"case_type": "nope"}, "case_type", "There is no case type nope for the public."),
            ({"description": " "}, "description", "This field may not be blank."),
        ],
    )
    def test_refusals_write_nothing(self, citizen, melding, changes, field, message):
        response = citizen.post(INTAKE, submission(**changes), content_type="application/json")
        assert response.status_code == 400
        assert message in response.json()[field]
        assert nothing_written()

    def test_a_write_needs_the_csrf_token(self, oidc_provider, me, melding):
        browser = Client(enforce_csrf_checks=True)
        sign_in(browser, oidc_provider)
        refused = browser.post(INTAKE, submission(), content_type="application/json")
        assert refused.status_code == 403
        assert "CSRF" in refused.json()["detail"]
        assert nothing_written()
        token = str(browser.get(REPORT).context["csrf_token"])
        accepted = browser.post(INTAKE, submission(), content_type="application/json", HTTP_X_CSRFTOKEN=token)
        assert accepted.status_code == 201

    def test_without_a_citizen_or_a_service_client_it_is_401(self, client, melding):
        assert client.post(INTAKE, submission(), content_type="application/json").status_code == 401
        assert nothing_written()

    def test_a_record_gone_since_the_sign_in_is_401(self, citizen, me, melding):
        Party.objects.filter(pk=me.pk).delete()
        assert citizen.post(INTAKE, submission(), content_type="application/json").status_code == 401
        assert not Case.objects.exists()

    def test_submissions_are_throttled_per_citizen_across_the_api_and_the_form(self, citizen, melding, settings):
        settings.PUBLIC_INTAKE_CITIZEN_RATE = "2/hour"
        assert citizen.post(INTAKE, submission(), content_type="application/json").status_code == 201
        assert citizen.post(REPORT, submission()).status_code == 201
        throttled = citizen.post(INTAKE, submission(), content_type="application/json")
        assert throttled.status_code == 429 and "Retry-After" in throttled
        page = citizen.post(REPORT, submission())
        assert page.status_code == 429 and "Retry-After" in page
        assert Case.objects.count() == 2


class TestPage:
    def test_without_a_sign_in_it_leads_to_the_sign_in(self, client, oidc_provider):
        response = client.get(REPORT)
        assert response.status_code == 302 and response["Location"] == "/burger/aanmelden/"

    def test_it_offers_the_public_case_types_only(self, citizen, melding, group):
        CaseTypeFactory(code="intern", name="Intern dossier", public=False, default_group=group)
        CaseTypeFactory(code="sluikstort", name="Sluikstort", name_fr="Dépôt clandestin", default_group=group)
        page = citizen.get(REPORT).content.decode()
        assert 'value="melding"' in page and 'value="sluikstort"' in page
        assert "intern" not in page
        french = citizen.get(REPORT, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Dépôt clandestin" in french

    def test_a_submission_tells_the_number_code_date_and_handler(self, citizen, me, melding):
        photo = SimpleUploadedFile("tegel.png", PNG, content_type="image/png")
        response = citizen.post(REPORT, {**submission(), "attachments": [photo]})
        assert response.status_code == 201
        case = Case.objects.get()
        page = response.content.decode()
        assert case.reference in page and case.tracking_code in page
        assert melding.default_group.public_name in page
        assert case.party == me and case.contacts.get().channel == "website"
        assert Attachment.objects.get().case == case
        status_page = citizen.get(response.context["status_url"])
        assert status_page.status_code == 200 and case.reference in status_page.content.decode()

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"description": ""}, "description", "This field is required."),
            (
                {"case_type": "intern"},
                "case_type",
                "Select a valid choice. intern is not one of the available choices.",
            ),
            ({"location": ""}, "location", "Say where: an address, or latitude and longitude."),
        ],
    )
    def test_refusals_are_shown_next_to_their_field_and_write_nothing(self, citizen, group, changes, field, message):
        CaseTypeFactory(code="melding", location_required=True, default_group=group)
        CaseTypeFactory(code="intern", public=False, default_group=group)
        response = citizen.post(REPORT, submission(**changes), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert response.context["form"].errors[field] == [message]
        assert 'aria-invalid="true"' in response.content.decode()
        assert nothing_written()

    def test_a_refused_file_is_shown_and_nothing_is_stored(self, citizen, melding):
        bad = SimpleUploadedFile("script.html", b"<script>", content_type="text/html")
        response = citizen.post(REPORT, {**submission(), "attachments": [bad]})
        assert response.status_code == 400
        # In Dutch, the citizen's language by default.
        assert "script.html is van een type dat we niet aanvaarden" in response.content.decode()
        assert nothing_written()

    def test_my_cases_offer_the_form(self, citizen):
        assert REPORT in citizen.get("/burger/dossiers/").content.decode()
