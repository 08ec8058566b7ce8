import pytest
from django.utils import timezone

from contacts.models import AccessLog, Contact, ContactPoint, Party, PartyMerge, Representative
from tests.factories import (
    AssociationFactory,
    ContactFactory,
    EmailFactory,
    OrganisationFactory,
    PersonFactory,
    PhoneFactory,
    RepresentativeFactory,
)

pytestmark = pytest.mark.django_db


def merge(client, survivor, duplicate):
    return client.post(f"/api/v1/parties/{survivor.pk}/merge/", {"duplicate": duplicate.pk}, HTTP_ACCEPT_LANGUAGE="en")


def snapshot():
    return (
        list(Party.objects.order_by("pk").values()),
        list(Contact.objects.order_by("pk").values_list("pk", "party_id")),
        list(ContactPoint.objects.order_by("pk").values_list("pk", "party_id", "preferred")),
        PartyMerge.objects.count(),
    )


def test_merge_moves_everything_and_leaves_a_tombstone(kcc_client):
    survivor = PersonFactory(given_name="Jan", family_name="Peeters", national_number=None)
    duplicate = PersonFactory(given_name="Jan", family_name="Peters")
    EmailFactory(party=survivor, value="jan@example.be")
    same_email = EmailFactory(party=duplicate, value="jan@example.be", preferred=False)
    other_email = EmailFactory(party=duplicate, value="jan.werk@example.be")
    phone = PhoneFactory(party=duplicate)
    contacts = ContactFactory.create_batch(3, party=duplicate)
    ContactFactory(party=survivor)
    association = AssociationFactory()
    represents = RepresentativeFactory(organisation=association, person=duplicate, role="voorzitter")
    earlier_tombstone = PersonFactory(national_number=None, merged_into=duplicate, merged_at=timezone.now())
    duplicate_national_number = duplicate.national_number

    response = merge(kcc_client, survivor, duplicate)

    assert response.status_code == 200, response.json()
    body = response.json()
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.merged_into == survivor and duplicate.merged_at is not None
    assert duplicate.national_number is None
    assert survivor.national_number == duplicate_national_number  # the survivor had none: it takes it over
    assert Contact.objects.filter(party=survivor).count() == 4
    assert not Contact.objects.filter(party=duplicate).exists()
    assert not ContactPoint.objects.filter(pk=same_email.pk).exists()  # the same address once is enough
    other_email.refresh_from_db()
    phone.refresh_from_db()
    assert (other_email.party, other_email.preferred) == (survivor, False)  # survivor keeps its preferred e-mail
    assert (phone.party, phone.preferred) == (survivor, True)  # no preferred phone yet: it stays preferred
    represents.refresh_from_db()
    assert represents.person == survivor
    earlier_tombstone.refresh_from_db()
    assert earlier_tombstone.merged_into == survivor

    record = PartyMerge.objects.get()
    assert (record.survivor, record.duplicate, record.actor) == (survivor, duplicate, kcc_client.user)
    assert sorted(record.moved["contacts.contact"]) == sorted(c.pk for c in contacts)
    assert record.moved["identifiers"] == {"national_number": duplicate_national_number}
    assert record.moved["tombstones_repointed"] == [earlier_tombstone.pk]
    assert body["survivor"]["id"] == survivor.pk
    assert body["duplicate"] == duplicate.pk

    # The tombstone answers with where its record went.
    tombstone = kcc_client.get(f"/api/v1/parties/{duplicate.pk}/").json()
    assert tombstone["merged_into"] == survivor.pk


def test_merging_organisations_moves_their_representatives(kcc_client):
    survivor, duplicate = AssociationFactory(), AssociationFactory(association_code=None)
    person = PersonFactory()
    RepresentativeFactory(organisation=survivor, person=person, role="voorzitter")
    same = RepresentativeFactory(organisation=duplicate, person=person, role="voorzitter")
    other = RepresentativeFactory(organisation=duplicate, role="secretaris")
    assert merge(kcc_client, survivor, duplicate).status_code == 200
    assert not Representative.objects.filter(pk=same.pk).exists()
    other.refresh_from_db()
    assert other.organisation == survivor


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: (p := PersonFactory(), p), "same_party"),
        (lambda: (PersonFactory(), PersonFactory()), "conflicting_identifiers"),
        (lambda: (OrganisationFactory(), PersonFactory()), "kind_mismatch"),
        (
            lambda: (
                (s := PersonFactory()),
                PersonFactory(national_number=None, merged_into=s, merged_at=timezone.now()),
            ),
            "tombstone",
        ),
        (
            lambda: (
                PersonFactory(national_number=None, merged_into=PersonFactory(), merged_at=timezone.now()),
                PersonFactory(),
            ),
            "tombstone",
        ),
    ],
)
def test_refused_merges_are_409_and_change_nothing(kcc_client, make, reason):
    survivor, duplicate = make()
    ContactFactory(party=duplicate if not duplicate.merged_into_id else survivor)
    before = snapshot()
    response = merge(kcc_client, survivor, duplicate)
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "merge_refused"
    assert response.json()["reason"] == reason
    assert snapshot() == before


def test_conflicting_identifiers_name_the_fields(kcc_client):
    response = merge(kcc_client, PersonFactory(), PersonFactory())
    assert response.json()["fields"] == ["national_number"]
    assert "not the same party" in response.json()["detail"]


def test_only_roles_with_the_merge_permission_may_merge(make_client):
    survivor, duplicate = PersonFactory(national_number=None), PersonFactory()
    for role in ("front_desk", "handler"):
        assert merge(make_client(role), survivor, duplicate).status_code == 403
    assert not PartyMerge.objects.exists()
    assert merge(make_client("supervisor"), survivor, duplicate).status_code == 200


def test_merge_with_unknown_duplicate_is_404(kcc_client):
    survivor = PersonFactory()
    response = kcc_client.post(f"/api/v1/parties/{survivor.pk}/merge/", {"duplicate": 999999})
    assert response.status_code == 404
    assert not PartyMerge.objects.exists()


def test_access_logs_stay_with_the_record_that_was_viewed(kcc_client):
    survivor, duplicate = PersonFactory(national_number=None), PersonFactory()
    kcc_client.get(f"/api/v1/parties/{duplicate.pk}/")
    merge(kcc_client, survivor, duplicate)
    # The merge's answer shows the survivor's record: that is logged as seen too.
    assert list(AccessLog.objects.order_by("pk").values_list("party", "via")) == [
        (duplicate.pk, "api_detail"),
        (survivor.pk, "api_merge"),
    ]
