"""Confidential cases do not leak through the contacts that opened them, and case look-ups by reference in a
body answer alike for "does not exist" and "not yours"."""

import pytest

from cases.models import Case, CaseEvent
from contacts.models import AccessLog, Contact
from tests.factories import CaseTypeFactory, HandlerGroupFactory, PersonFactory, UserFactory, case_in_state

pytestmark = pytest.mark.django_db

CONTACTS = "/api/v1/contacts/"


@pytest.fixture
def social(kcc_group):
    """A confidential social-welfare case type of its own group, with one member."""
    member = UserFactory(role="handler")
    group = HandlerGroupFactory(name="Sociale dienst", members=[member])
    case_type = CaseTypeFactory(code="leefloon", default_group=group, confidential=True)
    return case_type, member


@pytest.fixture
def logged(social, front_desk_client):
    """A contact at the counter that opened a confidential case."""
    case_type, _ = social
    party = PersonFactory()
    response = front_desk_client.post(
        CONTACTS,
        {
            "channel": "counter",
            "party": party.pk,
            "subject": "Aanvraag leefloon",
            "summary": "Schulden bij de energieleverancier",
            "case": {"case_type": case_type.code, "description": "Aanvraag leefloon, dringend"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    # The writer sees what they wrote, including the reference to tell the citizen.
    assert response.json()["case"] and response.json()["subject"] == "Aanvraag leefloon"
    return party, Contact.objects.get(subject="Aanvraag leefloon"), Case.objects.get()


def _listed(client, party):
    response = client.get(CONTACTS, {"party": party.pk})
    assert response.status_code == 200
    [contact] = response.json()["results"]
    return contact


def test_outsiders_do_not_read_the_contact_of_a_confidential_case(logged, make_client, group):
    party, contact, _case = logged
    for outsider in (make_client("handler"), make_client("kcc"), make_client("front_desk")):
        listed = _listed(outsider, party)
        assert listed["restricted"] is True
        assert (listed["subject"], listed["summary"], listed["case"]) == ("", "", None)
        detail = outsider.get(f"{CONTACTS}{contact.pk}/").json()
        assert (detail["subject"], detail["summary"], detail["case"]) == ("", "", None)
        timeline = outsider.get(f"/api/v1/parties/{party.pk}/timeline/").json()["results"]
        [entry] = [e for e in timeline if e["kind"] == "contact"]
        assert entry["title"] == "" and entry["detail"]["summary"] == "" and entry["detail"]["restricted"]
        assert "leefloon" not in str(timeline).lower()
        assert [e for e in timeline if e["kind"] == "case"] == []


def test_the_group_of_the_confidential_case_reads_everything(logged, social, client_for):
    party, contact, case = logged
    member = client_for(social[1])
    listed = _listed(member, party)
    assert (listed["restricted"], listed["subject"], listed["case"]) == (False, "Aanvraag leefloon", case.reference)
    assert member.get(f"{CONTACTS}{contact.pk}/").json()["summary"] == "Schulden bij de energieleverancier"


def test_a_case_of_another_group_is_not_named_but_the_contact_is_readable(make_client, melding, other_group):
    """Not confidential: the handler of another group reads the contact, but not the case it does not see."""
    case = case_in_state("in_progress", case_type=melding)
    contact = Contact.objects.create(party=case.party, channel="phone", subject="Stoeptegel los")
    case.contacts.add(contact)
    outsider = make_client("handler")
    other_group.members.add(outsider.user)
    listed = _listed(outsider, case.party)
    assert (listed["restricted"], listed["subject"], listed["case"]) == (False, "Stoeptegel los", None)
    assert _listed(make_client("kcc"), case.party)["case"] == case.reference


def test_contact_list_queries_do_not_grow_with_the_page(logged, make_client, django_assert_max_num_queries):
    party, *_ = logged
    for _ in range(10):
        Contact.objects.create(party=party, channel="phone", subject="Nog een vraag")
    client = make_client("handler")
    with django_assert_max_num_queries(6):
        assert client.get(CONTACTS, {"party": party.pk}).json()["count"] == 11


def test_duplicate_of_answers_alike_for_missing_and_invisible_cases(social, melding, client_for, handler):
    """A handler cancelling a case as a duplicate learns nothing about cases outside their sight."""
    confidential = case_in_state("in_progress", case_type=social[0])
    mine = case_in_state("in_progress", case_type=melding)
    client = client_for(handler)
    answers = []
    for reference in (confidential.reference, "999999"):
        response = client.post(
            f"/api/v1/cases/{mine.reference}/transitions/",
            {"transition": "cancel", "reason": "Dubbel", "duplicate_of": reference},
            format="json",
        )
        assert response.status_code == 400
        answers.append(response.json()["duplicate_of"][0].replace(reference, "<ref>"))
    assert answers[0] == answers[1] == "There is no case <ref>."
    mine.refresh_from_db()
    assert mine.state == "in_progress" and not CaseEvent.objects.filter(case=mine, kind="transition").exists()


def test_reading_contacts_is_access_logged(logged, make_client):
    party, contact, _case = logged
    client = make_client("kcc")
    client.get(CONTACTS, {"party": party.pk})
    client.get(f"{CONTACTS}{contact.pk}/")
    logged_reads = AccessLog.objects.filter(user=client.user, party=party).values_list("via", flat=True)
    assert list(logged_reads) == ["api_contacts", "api_contacts"]


def test_the_admin_does_not_show_contacts_of_confidential_cases_to_outsiders(logged, social, client):
    party, contact, _case = logged
    outsider = UserFactory(role="handler", is_staff=True)
    member = social[1]
    member.is_staff = True
    member.save()
    pages = (
        "/admin/contacts/contact/",
        f"/admin/contacts/contact/{contact.pk}/change/",
        f"/admin/contacts/party/{party.pk}/change/",
    )
    client.force_login(outsider)
    answers = [client.get(page) for page in pages]
    assert [a.status_code for a in answers] == [200, 302, 200]
    assert all("Aanvraag leefloon" not in a.content.decode() for a in answers)
    client.force_login(member)
    assert "Aanvraag leefloon" in client.get(pages[0]).content.decode()
