"""The front desk (``/balie/``): finding the party, the screen-pop, creating a party, logging the contact with or
without a case, and the call-back request. Every form: what a success writes, and every refused input answered next
to its field with nothing written and what was typed kept."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import Callback, Case
from contacts.models import AccessLog, Contact, ContactPoint, Party
from midoffice.models import IdempotentRequest
from staff.forms_frontdesk import case_type_labels
from tests.factories import (
    CaseTypeFactory,
    ContactFactory,
    HandlerGroupFactory,
    OrganisationFactory,
    PersonFactory,
    PhoneFactory,
    UserFactory,
    open_case,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PAGE = "/balie/"
# A valid INSZ (born 30 July 1985) in the notation people write it, and one with wrong check digits.
VALID_INSZ = "85.07.30-033.28"
INVALID_INSZ = "85.07.30-033.29"


@pytest.fixture
def clerk(kcc_group):
    return UserFactory(role="front_desk", first_name="Fien", last_name="Baert")


@pytest.fixture
def desk(client, clerk):
    client.force_login(clerk)
    client.user = clerk
    return client


def add_address(party, **parts) -> ContactPoint:
    return ContactPoint.objects.create(party=party, kind="address", preferred=True, **parts)


def page_of(response) -> str:
    return response.content.decode()


def contact_post(**fields) -> dict:
    data = {
        "contact-token": fields.pop("token", "token-1"),
        "contact-party": "",
        "contact-channel": "counter",
        "contact-subject": "Vraag over de afvalkalender",
        "contact-summary": "",
        "contact-outcome": "answered",
        "contact-case_type": "",
        "contact-description": "",
        "contact-location": "",
        "contact-postal_code": "",
    }
    data.update({f"contact-{key}": value for key, value in fields.items()})
    return data


# Who may open the screen.


def test_signed_out_the_front_desk_asks_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('staff:login')}?next=/balie/"


@pytest.mark.parametrize("url", [PAGE, "/balie/zoeken/?q=jan", "/balie/klant/1/", "/balie/nieuwe-klant/"])
def test_a_handler_may_not_open_the_front_desk(client, handler, url):
    client.force_login(handler)
    assert client.get(url, **HTMX).status_code == 403


def test_a_handler_may_not_log_a_contact_through_it(client, handler):
    client.force_login(handler)
    response = client.post("/balie/contact/", contact_post(), **HTMX)
    assert response.status_code == 403
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(("role", "channel"), [("front_desk", "counter"), ("kcc", "phone"), ("supervisor", "phone")])
def test_the_channel_is_the_counter_for_the_front_desk_and_the_phone_for_the_kcc(client, kcc_group, role, channel):
    client.force_login(UserFactory(role=role))
    response = client.get(PAGE)
    assert response.status_code == 200
    assert f'<option value="{channel}" selected>' in page_of(response)


def test_the_page_is_dutch_and_in_the_menu(desk, settings):
    settings.LANGUAGE_CODE = "nl-be"
    with translation.override(None):
        page = page_of(desk.get(PAGE))
    assert '<a href="/balie/" aria-current="page">Nieuw contact</a>' in page
    assert "Contact registreren" in page
    assert "Terugbelnotitie" in page


def test_the_page_costs_a_bounded_number_of_queries(desk, django_assert_max_num_queries):
    CaseTypeFactory.create_batch(5)
    with django_assert_max_num_queries(10):
        assert desk.get(PAGE).status_code == 200


# Finding the party.


def test_a_name_search_tells_namesakes_apart_and_logs_each_party_shown(desk, clerk):
    born_1985 = PersonFactory(
        given_name="Jan", family_name="Peeters", birth_date="1985-07-30", national_number="85073003328"
    )
    add_address(born_1985, street="Kerkstraat", house_number="1", postal_code="9000", city="Gent")
    ContactFactory(party=born_1985, occurred_at=timezone.make_aware(timezone.datetime(2026, 3, 12, 10, 0)))
    born_1990 = PersonFactory(given_name="Jan", family_name="Peeters", birth_date="1990-01-02", national_number=None)
    PersonFactory(given_name="Els", family_name="Claes")

    response = desk.get("/balie/zoeken/", {"q": "jan peeters"}, **HTMX)

    page = page_of(response)
    assert page.count('class="party-result"') == 2
    assert "born 1985" in page and "born 1990" in page
    assert "85.07.30-***.**" in page
    assert "85073003328" not in page and "033.28" not in page
    assert "Kerkstraat 1, 9000 Gent" in page
    assert "last contact 12/03/2026" in page
    assert "no contact yet" in page
    logged = AccessLog.objects.filter(user=clerk, via=AccessLog.Via.STAFF_SEARCH)
    assert sorted(logged.values_list("party_id", flat=True)) == sorted([born_1985.pk, born_1990.pk])


@pytest.mark.parametrize("q", ["85073003328", "85.07.30-033.28", "850730 033 28"])
def test_the_insz_is_found_in_any_notation(desk, q):
    person = PersonFactory(birth_date="1985-07-30", national_number="85073003328")
    page = page_of(desk.get("/balie/zoeken/", {"q": q}, **HTMX))
    assert f"/balie/klant/{person.pk}/" in page


@pytest.mark.parametrize("q", ["+32 470 12 34 56", "0470/12.34.56", "0032470123456"])
def test_the_phone_is_found_in_any_notation(desk, q):
    phone = PhoneFactory(value="+32470123456")
    page = page_of(desk.get("/balie/zoeken/", {"q": q}, **HTMX))
    assert f"/balie/klant/{phone.party_id}/" in page


def test_an_organisation_is_found_by_its_kbo_number_with_its_representatives(desk, clerk):
    organisation = OrganisationFactory(name="Bakkerij Smet", enterprise_number="0207451227")
    page = page_of(desk.get("/balie/zoeken/", {"q": "BE 0207.451.227"}, **HTMX))
    assert "Bakkerij Smet" in page
    assert "KBO 0207.451.227" in page
    assert list(AccessLog.objects.values_list("party_id", flat=True)) == [organisation.pk]


def test_at_most_ten_results_are_shown_and_logged(desk, django_assert_max_num_queries):
    PersonFactory.create_batch(12, family_name="Janssens")
    with django_assert_max_num_queries(8):
        page = page_of(desk.get("/balie/zoeken/", {"q": "janssens"}, **HTMX))
    assert page.count('class="party-result"') == 10
    assert "Only the first 10 are shown" in page
    assert AccessLog.objects.count() == 10


def test_nothing_found_offers_a_new_party_with_what_was_typed(desk):
    page = page_of(desk.get("/balie/zoeken/", {"q": "jan@example.be"}, **HTMX))
    assert "No party found." in page
    assert "soort=persoon&amp;email=jan%40example.be" in page
    assert AccessLog.objects.count() == 0


def test_the_search_fragment_without_htmx_is_the_whole_page(desk):
    PersonFactory(given_name="Jan", family_name="Peeters")
    response = desk.get("/balie/zoeken/", {"q": "peeters"})
    assert response.status_code == 302
    page = page_of(desk.get(response["Location"]))
    assert "Jan Peeters" in page
    assert "<h1>New contact</h1>" in page


# The screen-pop.


def test_a_known_number_pops_up_the_caller_with_the_phone_channel(desk, clerk):
    phone = PhoneFactory(value="+32470123456", party__given_name="An", party__family_name="Smet")
    ContactFactory(party=phone.party, subject="Vorige vraag")

    page = page_of(desk.get(PAGE, {"nummer": "0470 12 34 56"}))

    assert "Incoming call from +32 470 12 34 56" in page
    assert '<option value="phone" selected>' in page
    assert '<h3 id="party-panel-heading" tabindex="-1" data-focus>An Smet</h3>' in page
    assert f'name="contact-party" value="{phone.party_id}"' in page
    assert "Vorige vraag" in page
    assert list(AccessLog.objects.filter(user=clerk).values_list("party_id", "via")) == [
        (phone.party_id, AccessLog.Via.STAFF_FRONTDESK)
    ]


def test_a_number_several_parties_share_shows_them_all(desk):
    first = PhoneFactory(value="+3292661234")
    second = PhoneFactory(value="+3292661234")
    page = page_of(desk.get(PAGE, {"nummer": "+32 9 266 12 34"}))
    assert page.count('class="party-result"') == 2
    assert 'name="contact-party" value=""' in page
    assert set(AccessLog.objects.values_list("party_id", flat=True)) == {first.party_id, second.party_id}
    assert set(AccessLog.objects.values_list("via", flat=True)) == {AccessLog.Via.STAFF_SEARCH}


def test_an_unknown_number_offers_a_new_person_with_the_number(desk):
    page = page_of(desk.get(PAGE, {"nummer": "+32470999999"}))
    assert "No party has the number +32 470 99 99 99." in page
    assert "New person with this number" in page
    assert "telefoon=%2B32+470+99+99+99" in page
    # The call-back form has the number already.
    assert 'value="+32 470 99 99 99"' in page


def test_a_malformed_number_is_said_and_nothing_popped_up(desk):
    page = page_of(desk.get(PAGE, {"nummer": "12"}))
    assert "The caller&#x27;s number 12 is not a valid phone number." in page
    assert AccessLog.objects.count() == 0


# The party panel.


def test_choosing_a_party_shows_its_recent_contacts_and_open_cases_and_logs_it(desk, clerk, melding):
    person = PersonFactory(given_name="Jan", family_name="Peeters")
    for day in range(7):
        ContactFactory(party=person, subject=f"Contact {day}", occurred_at=timezone.now() - timedelta(days=day))
    case = open_case(case_type=melding, party=person)

    response = desk.get(f"/balie/klant/{person.pk}/", **HTMX)

    page = page_of(response)
    assert "Jan Peeters" in page
    assert "Contact 0" in page and "Contact 4" in page and "Contact 5" not in page
    assert case.reference in page and "Melding openbaar domein" in page
    assert f'href="/klanten/{person.pk}/"' in page
    # The contact and call-back forms are told whom they are for.
    assert '<div id="contact-party" hx-swap-oob="true">' in page
    assert f'<input type="hidden" name="contact-party" value="{person.pk}">' in page
    assert f'name="callback-party" value="{person.pk}"' in page
    assert list(AccessLog.objects.filter(user=clerk).values_list("party_id", "via")) == [
        (person.pk, AccessLog.Via.STAFF_FRONTDESK)
    ]


def test_the_panel_of_a_party_that_does_not_exist_says_so_and_logs_nothing(desk):
    page = page_of(desk.get("/balie/klant/999999/", **HTMX))
    assert "This party does not exist (any more)" in page
    assert AccessLog.objects.count() == 0


def test_the_panel_costs_a_bounded_number_of_queries(desk, melding, django_assert_max_num_queries):
    person = PersonFactory()
    ContactFactory.create_batch(5, party=person)
    open_case(case_type=melding, party=person)
    with django_assert_max_num_queries(12):
        assert desk.get(f"/balie/klant/{person.pk}/", **HTMX).status_code == 200


# A new party.


def person_post(**fields) -> dict:
    data = {
        "soort": "persoon",
        "person-given_name": "Lotte",
        "person-family_name": "Maes",
        "person-national_number": "",
        "person-birth_date": "",
        "person-phone": "",
        "person-email": "",
        "person-street": "",
        "person-house_number": "",
        "person-postal_code": "",
        "person-city": "",
    }
    data.update({f"person-{key}": value for key, value in fields.items()})
    return data


def test_a_new_person_is_created_chosen_and_logged(desk, clerk):
    data = person_post(
        national_number=VALID_INSZ,
        phone="0470 12 34 56",
        street="Kerkstraat",
        house_number="1",
        postal_code="9000",
        city="Gent",
    )
    response = desk.post("/balie/nieuwe-klant/", data, **HTMX)

    person = Party.objects.get()
    assert (person.given_name, person.family_name, person.national_number) == ("Lotte", "Maes", "85073003328")
    assert set(ContactPoint.objects.values_list("kind", "value")) == {
        ("phone", "+32470123456"),
        ("address", "Kerkstraat 1, 9000 Gent"),
    }
    page = page_of(response)
    assert "Lotte Maes" in page
    assert f'name="contact-party" value="{person.pk}"' in page
    assert list(AccessLog.objects.values_list("party_id", "via")) == [(person.pk, AccessLog.Via.STAFF_FRONTDESK)]


def test_an_invalid_insz_is_refused_at_the_field_and_nothing_written(desk):
    response = desk.post("/balie/nieuwe-klant/", person_post(national_number=INVALID_INSZ, phone="0470123456"), **HTMX)
    page = page_of(response)
    assert response.status_code == 200
    assert (
        '<small class="field-error" id="id_person-national_number_error">'
        "Invalid national number (INSZ): the check digits are wrong.</small>" in page
    )
    assert 'aria-invalid="true"' in page
    assert f'value="{INVALID_INSZ}"' in page and 'value="Lotte"' in page and 'value="0470123456"' in page
    assert Party.objects.count() == ContactPoint.objects.count() == AccessLog.objects.count() == 0


def test_an_invalid_insz_is_refused_in_dutch(desk, settings):
    settings.LANGUAGE_CODE = "nl-be"
    with translation.override(None):
        page = page_of(desk.post("/balie/nieuwe-klant/", person_post(national_number=INVALID_INSZ), **HTMX))
    assert "Ongeldig rijksregisternummer (INSZ)" in page
    assert Party.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"given_name": ""}, "given_name", "This field is required."),
        ({"family_name": "x" * 101}, "family_name", "Ensure this value has at most 100 characters (it has 101)."),
        ({"birth_date": "2090-01-01"}, "birth_date", "The birth date lies in the future."),
        (
            {"national_number": VALID_INSZ, "birth_date": "1986-07-30"},
            "birth_date",
            "differs from the one in the national",
        ),
        ({"email": "jan@"}, "email", "Invalid e-mail address."),
        ({"phone": "12"}, "phone", "Invalid phone number."),
        ({"street": "Kerkstraat"}, "city", "A postal address needs at least a street and a municipality."),
    ],
)
def test_a_refused_person_is_answered_at_the_field_and_nothing_written(desk, fields, field, message):
    page = page_of(desk.post("/balie/nieuwe-klant/", person_post(**fields), **HTMX))
    error = page.split(f'id="id_person-{field}_error">', 1)[1].split("</small>", 1)[0]
    assert message in error
    assert Party.objects.count() == ContactPoint.objects.count() == 0


def test_an_insz_another_party_has_is_refused_at_the_field(desk):
    PersonFactory(birth_date="1985-07-30", national_number="85073003328")
    page = page_of(desk.post("/balie/nieuwe-klant/", person_post(national_number=VALID_INSZ), **HTMX))
    assert 'id="id_person-national_number_error">Another party already has this national number (INSZ).' in page
    assert Party.objects.count() == 1


def test_a_new_organisation_with_an_invalid_kbo_is_refused_at_the_field(desk):
    data = {"soort": "organisatie", "organisation-kind": "organisation", "organisation-name": "Bakkerij Smet"}
    page = page_of(desk.post("/balie/nieuwe-klant/", data | {"organisation-enterprise_number": "0207.451.228"}, **HTMX))
    assert 'id="id_organisation-enterprise_number_error">Invalid enterprise number (KBO)' in page
    assert 'value="Bakkerij Smet"' in page
    assert Party.objects.count() == 0

    desk.post("/balie/nieuwe-klant/", data | {"organisation-enterprise_number": "0207.451.227"}, **HTMX)
    assert Party.objects.get().enterprise_number == "0207451227"


def test_the_new_person_form_is_prefilled_from_the_screen_pop(desk):
    page = page_of(desk.get("/balie/nieuwe-klant/", {"soort": "persoon", "telefoon": "+32 470 99 99 99"}, **HTMX))
    assert 'value="+32 470 99 99 99"' in page
    assert "New person" in page


# Logging the contact.


def test_a_first_line_answer_is_logged_for_the_chosen_party(desk, clerk):
    person = PersonFactory()
    response = desk.post(
        "/balie/contact/",
        contact_post(party=person.pk, summary="Kalender meegegeven", guided="on", channel="phone"),
        **HTMX,
    )
    contact = Contact.objects.get()
    assert (contact.party, contact.channel, contact.outcome, contact.guided, contact.handled_by) == (
        person,
        "phone",
        "answered",
        True,
        clerk,
    )
    assert (contact.subject, contact.summary) == ("Vraag over de afvalkalender", "Kalender meegegeven")
    assert Case.objects.count() == 0
    page = page_of(response)
    assert "Contact logged" in page
    assert "Next contact" in page


def test_a_contact_without_a_party_is_anonymous(desk):
    desk.post("/balie/contact/", contact_post(), **HTMX)
    contact = Contact.objects.get()
    assert contact.party is None and contact.anonymous


def test_a_contact_opens_a_case_routed_to_its_group_and_tells_the_reference(desk, melding):
    person = PersonFactory()
    response = desk.post(
        "/balie/contact/",
        contact_post(
            party=person.pk,
            outcome="case_created",
            case_type=melding.name,
            description="Losliggende stoeptegel",
            location="Kerkstraat 1",
            postal_code="9000",
        ),
        **HTMX,
    )
    contact, case = Contact.objects.get(), Case.objects.get()
    assert case.handler_group == melding.default_group
    assert (case.party, case.channel, case.description, case.location, case.postal_code) == (
        person,
        "counter",
        "Losliggende stoeptegel",
        "Kerkstraat 1",
        "9000",
    )
    assert list(case.contacts.all()) == [contact]
    assert contact.outcome == "case_created"
    page = page_of(response)
    assert f'<dd class="case-reference">{case.reference}</dd>' in page
    assert '<dd class="case-group">Openbaar Domein</dd>' in page
    due = timezone.localtime(case.due_at)
    assert f"{due.day} " in page.split('class="case-due">', 1)[1]


def test_sending_the_same_form_twice_logs_one_contact(desk, melding):
    data = contact_post(token="same", outcome="case_created", case_type=melding.name, description="Stoeptegel")
    first = desk.post("/balie/contact/", data, **HTMX)
    second = desk.post("/balie/contact/", data, **HTMX)
    assert Contact.objects.count() == Case.objects.count() == 1
    assert "This form had been sent already" in page_of(second)
    assert Case.objects.get().reference in page_of(second)
    assert "This form had been sent already" not in page_of(first)


def test_without_htmx_the_contact_is_posted_redirected_and_confirmed(desk):
    response = desk.post("/balie/contact/", contact_post(token="prg"))
    assert response.status_code == 302
    assert response["Location"] == "/balie/?bevestiging=prg"
    assert "Contact logged" in page_of(desk.get(response["Location"]))
    assert Contact.objects.count() == 1


def test_another_users_confirmation_is_not_shown(desk, client):
    desk.post("/balie/contact/", contact_post(token="mine"), **HTMX)
    client.force_login(UserFactory(role="front_desk"))
    assert "Contact logged" not in page_of(client.get("/balie/?bevestiging=mine"))


def assert_refused(response, field: str, message: str, *, kept: dict) -> None:
    page = page_of(response)
    assert response.status_code == 200
    error = page.split(f'id="id_contact-{field}_error"', 1)[1].split("</small>", 1)[0]
    assert message in error
    for value in kept.values():
        assert str(value) in page
    assert Contact.objects.count() == Case.objects.count() == IdempotentRequest.objects.count() == 0


def test_a_contact_without_subject_is_refused_at_the_field(desk):
    response = desk.post("/balie/contact/", contact_post(subject="", summary="Iets getypt"), **HTMX)
    assert_refused(response, "subject", "This field is required.", kept={"summary": "Iets getypt"})


def test_an_over_long_subject_is_refused_at_the_field(desk):
    response = desk.post("/balie/contact/", contact_post(subject="x" * 201), **HTMX)
    assert_refused(response, "subject", "at most 200 characters", kept={"subject": "x" * 201})


def test_the_outcome_case_created_without_a_case_is_refused_at_the_field(desk):
    response = desk.post("/balie/contact/", contact_post(outcome="case_created"), **HTMX)
    assert_refused(response, "outcome", "must open one", kept={"subject": "Vraag over de afvalkalender"})


def test_a_case_without_description_is_refused_at_the_field(desk, melding):
    response = desk.post(
        "/balie/contact/", contact_post(outcome="case_created", case_type=melding.name, location="Markt 1"), **HTMX
    )
    assert_refused(response, "description", "Describe the question or report.", kept={"location": "Markt 1"})
    assert f'value="{melding.name}"' in page_of(response)  # the case type typed is kept


def test_a_case_type_is_found_by_its_name_in_any_case_or_by_its_code(desk, melding):
    for typed in ("melding openbaar domein", melding.code):
        response = desk.post(
            "/balie/contact/",
            contact_post(outcome="case_created", case_type=typed, description="Stoeptegel", token=typed),
            **HTMX,
        )
        assert "Contact logged" in page_of(response), typed
    assert Case.objects.filter(case_type=melding).count() == 2


def test_case_types_with_the_same_name_are_told_apart_by_their_code(melding):
    twin = CaseTypeFactory(code="melding-2", name=melding.name, default_group=melding.default_group)
    labels = case_type_labels()
    assert labels[f"{melding.name} ({melding.code})"] == melding
    assert labels[f"{melding.name} (melding-2)"] == twin
    assert melding.name not in labels


def test_case_fields_without_a_case_type_are_refused_at_the_case_type(desk):
    response = desk.post("/balie/contact/", contact_post(description="Stoeptegel los"), **HTMX)
    assert_refused(response, "case_type", "Choose the case type", kept={"description": "Stoeptegel los"})


def test_an_inactive_case_type_is_refused_at_the_field(desk, melding):
    melding.active = False
    melding.save()
    response = desk.post(
        "/balie/contact/",
        contact_post(outcome="case_created", case_type=melding.name, description="Stoeptegel"),
        **HTMX,
    )
    assert_refused(response, "case_type", "does not exist or is no longer in use", kept={"description": "Stoeptegel"})


def test_a_case_type_that_no_longer_exists_is_refused_at_the_field(desk):
    response = desk.post(
        "/balie/contact/", contact_post(outcome="case_created", case_type="999999", description="Stoeptegel"), **HTMX
    )
    assert_refused(response, "case_type", "does not exist or is no longer in use", kept={"description": "Stoeptegel"})


def test_an_unknown_party_is_refused_at_the_party(desk):
    response = desk.post("/balie/contact/", contact_post(party="999999", summary="Getypt"), **HTMX)
    assert_refused(response, "party", "This party does not exist (any more)", kept={"summary": "Getypt"})


def test_an_over_long_case_location_is_refused_at_the_field(desk, melding):
    response = desk.post(
        "/balie/contact/",
        contact_post(outcome="case_created", case_type=melding.name, description="Stoeptegel", location="x" * 301),
        **HTMX,
    )
    assert_refused(response, "location", "at most 300 characters", kept={"description": "Stoeptegel"})


def test_a_refused_contact_without_htmx_is_the_whole_page_with_the_errors(desk):
    response = desk.post("/balie/contact/", contact_post(subject=""))
    assert response.status_code == 422
    assert 'id="id_contact-subject_error"' in page_of(response)
    assert Contact.objects.count() == 0


# The call-back request.


def callback_post(group, **fields) -> dict:
    due = timezone.localtime() + timedelta(days=1)
    data = {
        "callback-party": "",
        "callback-name": "Mevrouw Claes",
        "callback-phone": "09 266 12 34",
        "callback-topic": "Vraag over haar bouwaanvraag",
        "callback-due_by": due.strftime("%Y-%m-%dT%H:%M"),
        "callback-handler_group": group.pk,
    }
    data.update({f"callback-{key}": value for key, value in fields.items()})
    return data


def test_a_call_back_is_requested_for_a_handler_group(desk, clerk, group):
    person = PersonFactory()
    response = desk.post("/balie/terugbelnotitie/", callback_post(group, party=person.pk, name=""), **HTMX)
    callback = Callback.objects.get()
    assert (callback.party, callback.phone, callback.handler_group, callback.created_by) == (
        person,
        "+3292661234",
        group,
        clerk,
    )
    assert "Call-back noted for Openbaar Domein" in page_of(response)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"phone": "12"}, "phone", "Invalid phone number."),
        ({"topic": ""}, "topic", "This field is required."),
        ({"topic": "x" * 1001}, "topic", "at most 1000 characters"),
        ({"name": ""}, "name", "Say whom to ask for, or choose the party."),
        ({"due_by": "2020-01-01T10:00"}, "due_by", "cannot be due in the past"),
        ({"due_by": "morgen"}, "due_by", "Enter a valid date/time."),
        ({"handler_group": "999999"}, "handler_group", "does not exist or is inactive"),
        ({"party": "999999"}, "party", "This party does not exist (any more)"),
    ],
)
def test_a_refused_call_back_is_answered_at_the_field_and_nothing_written(desk, group, fields, field, message):
    response = desk.post("/balie/terugbelnotitie/", callback_post(group, **fields), **HTMX)
    page = page_of(response)
    error = page.split(f'id="id_callback-{field}_error"', 1)[1].split("</small>", 1)[0]
    assert message in error
    assert "Vraag over haar bouwaanvraag" in page or field == "topic"
    assert Callback.objects.count() == 0


def test_a_call_back_to_an_inactive_group_is_refused(desk, group):
    inactive = HandlerGroupFactory(active=False)
    page = page_of(desk.post("/balie/terugbelnotitie/", callback_post(inactive), **HTMX))
    assert 'id="id_callback-handler_group_error"' in page
    assert Callback.objects.count() == 0
