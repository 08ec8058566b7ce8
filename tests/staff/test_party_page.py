"""The 360° party page: the record, the timeline as the user may see it, the access log, duplicates and the merge."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from contacts.models import AccessLog, Contact, ContactPoint, Party, PartyMerge, Representative
from notifications.models import Notification, Survey
from staff.views.parties import VIA_MERGE, VIA_RECORD, VIA_TIMELINE
from tests.factories import (
    CaseTypeFactory,
    ContactFactory,
    EmailFactory,
    HandlerGroupFactory,
    OrganisationFactory,
    PersonFactory,
    PhoneFactory,
    RepresentativeFactory,
    UserFactory,
    open_case,
)

pytestmark = pytest.mark.django_db


def page_of(client, party, **params):
    response = client.get(reverse("staff:party", args=[party.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def dead_notification(case, **fields) -> Notification:
    return Notification.objects.create(
        case=case,
        party=case.party,
        backend="email",
        kind="case_created",
        recipient="burger@example.be",
        language="nl",
        status=fields.pop("status", "dead"),
        attempts=1,
        last_error="recipient refused: 550",
        **fields,
    )


def test_the_record_shows_identity_contact_points_and_contacts_in_words(kcc_user, signed_in):
    party = PersonFactory(given_name="An", family_name="Peeters", national_number="85073003328")
    EmailFactory(party=party, value="an@example.be", preferred=True)
    EmailFactory(party=party, value="an.werk@example.be", preferred=False)
    ContactFactory(party=party, subject="Vraag over afvalophaling", channel="counter", outcome="answered")

    page = page_of(signed_in(kcc_user), party)

    assert "An Peeters" in page
    assert "85.07.30-033.28" in page
    assert "an@example.be" in page and "an.werk@example.be" in page
    assert page.count('<span class="status status-ok">preferred</span>') == 1
    assert "Vraag over afvalophaling" in page
    assert "Counter" in page and "Answered first-line" in page


def test_an_organisation_shows_its_representatives(kcc_user, signed_in):
    organisation = OrganisationFactory(name="Bakkerij De Korst")
    representative = RepresentativeFactory(organisation=organisation, role="zaakvoerder")

    page = page_of(signed_in(kcc_user), organisation)

    assert representative.person.display_name in page and "zaakvoerder" in page
    assert organisation.enterprise_number_formatted in page


def test_opening_the_page_writes_one_access_log_row(kcc_user, signed_in):
    party = PersonFactory()
    ContactFactory(party=party)
    client = signed_in(kcc_user)

    page_of(client, party)

    assert list(AccessLog.objects.values_list("party_id", "user_id", "username", "via")) == [
        (party.pk, kcc_user.pk, kcc_user.username, VIA_RECORD)
    ]
    page_of(client, party)
    assert AccessLog.objects.count() == 2


def test_every_party_the_page_shows_is_logged(kcc_user, signed_in):
    """The persons representing an organisation and the suggested duplicates are shown too (docs: Privacy)."""
    organisation = OrganisationFactory(name="Bakkerij De Korst")
    representative = RepresentativeFactory(organisation=organisation)
    lookalike = OrganisationFactory(name="Bakkerij De Korst", enterprise_number=None)

    client = signed_in(kcc_user)
    page = page_of(client, organisation)

    logged = sorted(AccessLog.objects.filter(via=VIA_RECORD).values_list("party_id", flat=True))
    assert logged == sorted([organisation.pk, representative.person_id])
    # The suggestions come once the page is shown (htmx), and log whom they show.
    duplicates = reverse("staff:party-duplicates", args=[organisation.pk])
    assert f'hx-get="{duplicates}"' in page
    fragment = client.get(duplicates, headers={"HX-Request": "true"}).content.decode()
    assert f"/klanten/{lookalike.pk}/" in fragment
    logged = sorted(AccessLog.objects.filter(via=VIA_RECORD).values_list("party_id", flat=True))
    assert logged == sorted([organisation.pk, representative.person_id, lookalike.pk])


def test_without_scripts_the_duplicates_come_with_the_page(kcc_user, signed_in):
    person = PersonFactory(given_name="Lotte", family_name="Dubois")
    lookalike = PersonFactory(given_name="Lotte", family_name="Dubois", birth_date=person.birth_date)
    client = signed_in(kcc_user)
    response = client.get(reverse("staff:party-duplicates", args=[person.pk]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f"/klanten/{lookalike.pk}/" in page


def test_a_confidential_case_of_another_group_never_appears(kcc_user, signed_in):
    party = PersonFactory()
    secret_group = HandlerGroupFactory(name="Sociale Dienst")
    secret_type = CaseTypeFactory(name="Leefloon", default_group=secret_group, confidential=True)
    secret = open_case(case_type=secret_type, party=party, description="Dakloos sinds maart")
    contact = ContactFactory(party=party, subject="Aanvraag leefloon", summary="Details over de situatie")
    secret.contacts.add(contact)
    dead_notification(secret)
    open_type = CaseTypeFactory(name="Losliggende tegel", default_group=HandlerGroupFactory(name="Openbaar Domein"))
    visible = open_case(case_type=open_type, party=party)

    page = page_of(signed_in(kcc_user), party)

    assert f"/dossiers/{secret.reference}/" not in page
    assert "Leefloon" not in page and "Dakloos" not in page
    assert "Aanvraag leefloon" not in page and "Details over de situatie" not in page
    assert "confidential case that you may not see" in page
    assert f'href="/dossiers/{visible.reference}/"' in page and "Losliggende tegel" in page
    # Its own group sees it.
    member = UserFactory(role="handler")
    secret_group.members.add(member)
    assert f"/dossiers/{secret.reference}/" in page_of(signed_in(member), party)


def test_notifications_show_their_delivery_status_and_surveys_their_answers(kcc_user, signed_in, melding):
    party = PersonFactory()
    case = open_case(case_type=melding, party=party)
    dead_notification(case)
    Survey.objects.create(
        case=case,
        party=party,
        expires_at=timezone.now() + timedelta(days=14),
        answered_at=timezone.now(),
        answer_score=4,
        speed_score=2,
        service_score=5,
        comment="Vlot geholpen",
    )

    page = page_of(signed_in(kcc_user), party)

    assert "Case registered" in page and '<span class="status status-late">Dead</span>' in page
    assert "Vlot geholpen" in page and "2/5" in page


def test_the_timeline_pages_with_load_more(kcc_user, signed_in, django_assert_max_num_queries):
    party = PersonFactory()
    start = timezone.now() - timedelta(days=30)
    for day in range(25):
        ContactFactory(party=party, subject=f"Contact van dag {day:02d}", occurred_at=start + timedelta(days=day))
    client = signed_in(kcc_user)

    page = page_of(client, party)
    assert "Contact van dag 24" in page and "Contact van dag 05" in page and "Contact van dag 04" not in page
    assert page.index("Contact van dag 24") < page.index("Contact van dag 23")  # newest first
    more = reverse("staff:party-timeline", args=[party.pk]) + "?offset=20"
    assert f'hx-get="{more}"' in page

    with django_assert_max_num_queries(16):  # PostgreSQL plans the timeline per party: one more statement
        fragment = client.get(more).content.decode()
    assert (
        "Contact van dag 04" in fragment and "Contact van dag 00" in fragment and "Contact van dag 05" not in fragment
    )
    assert "Load more" not in fragment
    assert AccessLog.objects.filter(via=VIA_TIMELINE, party=party).count() == 1
    # Without scripts the link opens the page at that offset.
    assert "Contact van dag 00" in page_of(client, party, offset=20)


def test_the_page_costs_a_fixed_number_of_queries(kcc_user, signed_in, melding, django_assert_max_num_queries):
    def busy_party(n):
        party = PersonFactory()
        EmailFactory(party=party)
        PhoneFactory(party=party)
        for _ in range(n):
            ContactFactory(party=party)
            dead_notification(open_case(case_type=melding, party=party))
        return party

    client = signed_in(UserFactory(role="supervisor"))
    small, large = busy_party(1), busy_party(15)
    with django_assert_max_num_queries(24) as small_queries:
        page_of(client, small)
    with django_assert_max_num_queries(len(small_queries)):
        page_of(client, large)


def test_the_duplicate_suggestions_cost_a_fixed_number_of_queries(kcc_user, signed_in, django_assert_max_num_queries):
    """The fragment the page asks for once it is shown: one look-up and one access-log insert, however many
    suggestions it shows."""

    def party_with_namesakes(n, email):
        party = PersonFactory(given_name="Marie", family_name="Peeters")
        EmailFactory(party=party, value=email)
        for _ in range(n):
            EmailFactory(
                party=PersonFactory(given_name="Maria", family_name="Pieters", national_number=None), value=email
            )
        return party

    client = signed_in(kcc_user)
    few, many = party_with_namesakes(1, "een@example.be"), party_with_namesakes(6, "zes@example.be")
    url = "staff:party-duplicates"
    with django_assert_max_num_queries(12) as few_queries:
        small = client.get(reverse(url, args=[few.pk]), headers={"HX-Request": "true"}).content.decode()
    with django_assert_max_num_queries(len(few_queries)):
        large = client.get(reverse(url, args=[many.pk]), headers={"HX-Request": "true"}).content.decode()
    assert (small.count("into this record"), large.count("into this record")) == (1, 6)


def test_a_merged_party_leads_to_the_survivor(kcc_user, signed_in):
    survivor = PersonFactory()
    tombstone = PersonFactory(national_number=None, merged_into=survivor, merged_at=timezone.now())

    response = signed_in(kcc_user).get(reverse("staff:party", args=[tombstone.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("staff:party", args=[survivor.pk])
    assert not AccessLog.objects.filter(party=tombstone).exists()


def test_the_change_history_is_for_supervisors(kcc_user, signed_in):
    party = PersonFactory(given_name="Jan")
    party.given_name = "Johan"
    party.save()

    assert "Change history" not in page_of(signed_in(kcc_user), party)
    page = page_of(signed_in(UserFactory(role="supervisor")), party)
    assert "Change history" in page and "Jan → Johan" in page


def test_an_unknown_party_is_404_and_logs_nothing(kcc_user, signed_in):
    assert signed_in(kcc_user).get(reverse("staff:party", args=[999999])).status_code == 404
    assert AccessLog.objects.count() == 0


# The merge


@pytest.fixture
def duplicate_pair():
    """An organisation and the same one recorded twice: the duplicate has contacts, a case, contact points and a
    representative."""
    survivor = OrganisationFactory(name="Bakkerij De Korst")
    duplicate = OrganisationFactory(name="Bakkerij de Korst", enterprise_number=None)
    ContactFactory.create_batch(2, party=duplicate)
    EmailFactory(party=duplicate, value="info@dekorst.be")
    PhoneFactory(party=duplicate)
    RepresentativeFactory(organisation=duplicate)
    return survivor, duplicate


def test_the_merge_preview_counts_what_moves_and_the_merge_moves_it(kcc_user, signed_in, melding, duplicate_pair):
    survivor, duplicate = duplicate_pair
    open_case(case_type=melding, party=duplicate)
    client = signed_in(kcc_user)
    url = reverse("staff:party-merge", args=[survivor.pk, duplicate.pk])

    page = client.get(url).content.decode()
    moves = page[page.index('<ul class="moves">') : page.index("</ul>", page.index('<ul class="moves">'))]
    assert "<strong>2</strong> contacts" in moves
    assert "<strong>1</strong> cases" in moves
    assert "<strong>2</strong> contact points" in moves
    assert "<strong>1</strong> representatives" in moves
    assert set(AccessLog.objects.filter(via=VIA_MERGE).values_list("party_id", flat=True)) >= {
        survivor.pk,
        duplicate.pk,
    }

    response = client.post(url)

    assert response.status_code == 302 and response["Location"] == reverse("staff:party", args=[survivor.pk])
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor
    assert Contact.objects.filter(party=survivor).count() == 2
    assert Case.objects.filter(party=survivor).count() == 1
    assert ContactPoint.objects.filter(party=survivor).count() == 2
    assert Representative.objects.filter(organisation=survivor).count() == 1
    assert PartyMerge.objects.get().actor == kcc_user
    assert "was merged into this party" in client.get(response["Location"]).content.decode()


def test_the_merge_preview_costs_a_fixed_number_of_queries(
    kcc_user, signed_in, melding, duplicate_pair, django_assert_max_num_queries
):
    survivor, duplicate = duplicate_pair
    client = signed_in(kcc_user)
    url = reverse("staff:party-merge", args=[survivor.pk, duplicate.pk])
    client.get(url)  # the cases' configuration is read once per process: not counted
    with django_assert_max_num_queries(16) as few_queries:
        assert client.get(url).status_code == 200
    budget = len(few_queries)  # read now: the log is cleared by the next request
    ContactFactory.create_batch(10, party=duplicate)
    for _ in range(5):
        open_case(case_type=melding, party=duplicate)
    client.get(url)
    with django_assert_max_num_queries(budget):
        assert client.get(url).status_code == 200


def nothing_merged(survivor, duplicate, history_before):
    assert not PartyMerge.objects.exists()
    assert Contact.objects.filter(party=duplicate).count() == 2
    assert ContactPoint.objects.filter(party=duplicate).count() == 2
    assert LogEntry.objects.count() == history_before
    return True


def test_a_party_is_not_merged_into_itself(kcc_user, signed_in, duplicate_pair):
    survivor, duplicate = duplicate_pair
    history_before = LogEntry.objects.count()

    response = signed_in(kcc_user).post(reverse("staff:party-merge", args=[duplicate.pk, duplicate.pk]))

    assert response.status_code == 409
    assert "A party cannot be merged into itself." in response.content.decode()
    assert nothing_merged(survivor, duplicate, history_before)


def test_an_already_merged_party_is_not_merged_again(kcc_user, signed_in, duplicate_pair):
    survivor, duplicate = duplicate_pair
    elsewhere = OrganisationFactory()
    Party.objects.filter(pk=elsewhere.pk).update(enterprise_number=None, merged_into=survivor, merged_at=timezone.now())
    history_before = LogEntry.objects.count()

    response = signed_in(kcc_user).post(reverse("staff:party-merge", args=[duplicate.pk, elsewhere.pk]))

    assert response.status_code == 409
    assert f"Party {elsewhere.pk} was already merged into party {survivor.pk}." in response.content.decode()
    assert nothing_merged(survivor, duplicate, history_before)


def test_merging_needs_the_permission(signed_in, duplicate_pair):
    survivor, duplicate = duplicate_pair
    history_before = LogEntry.objects.count()
    client = signed_in(UserFactory(role="handler"))
    url = reverse("staff:party-merge", args=[survivor.pk, duplicate.pk])

    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert "/samenvoegen/" not in page_of(client, survivor)
    assert nothing_merged(survivor, duplicate, history_before)
    assert not AccessLog.objects.filter(via=VIA_MERGE).exists()
