"""Exact look-ups (contacts.selectors.ExactMatches) read the rows the ORM query with the same filters reads."""

import pytest

from contacts.models import ContactPointKind
from contacts.selectors import ExactMatches, party_queryset, party_search
from tests.factories import EmailFactory, OrganisationFactory, PersonFactory, PhoneFactory

pytestmark = pytest.mark.django_db

SHARED = "gezin.peeters@example.be"


@pytest.fixture
def family():
    """Five people sharing an e-mail address, each with a phone and an e-mail address of their own too, and an
    organisation. (A tombstone holds no identifier and no contact point: a merge moves them to the survivor.)"""
    people = [PersonFactory(family_name="Peeters", given_name=name) for name in ("Zoë", "An", "Bert", "Cas", "An")]
    for n, person in enumerate(people):
        EmailFactory(party=person, value=SHARED, preferred=n % 2 == 0)
        PhoneFactory(party=person, value=f"+3247000000{n}")
        EmailFactory(party=person, value=f"eigen{n}@example.be", preferred=n % 2 == 1)
    OrganisationFactory(name="Peeters BV")
    return people


def orm(**filters):
    """The ORM's reading of the same filters, as party_search built it before exact look-ups had their own."""
    parties = party_queryset().filter(contact_points__kind=ContactPointKind.EMAIL, contact_points__value=SHARED)
    if not filters.get("include_merged"):
        parties = parties.filter(merged_into__isnull=True)
    return list(parties.order_by("search_name", "pk"))


def shown(parties):
    return [(p.pk, [(c.kind, c.value, c.preferred) for c in p.contact_points.all()]) for p in parties]


@pytest.mark.parametrize("include_merged", [False, True])
def test_the_same_parties_in_the_same_order_with_the_same_contact_points(family, include_merged):
    matches = party_search(email=SHARED, include_merged=include_merged)
    assert isinstance(matches, ExactMatches)
    assert len(matches) == 5
    assert shown(matches[:25]) == shown(orm(include_merged=include_merged))


def test_pages_single_rows_and_the_end(family, django_assert_num_queries):
    matches = party_search(email=SHARED)
    expected = shown(orm())
    with django_assert_num_queries(2):  # the parties, then their contact points
        assert shown(matches[1:3]) == expected[1:3]
    assert shown([matches[0], matches[-1]]) == [expected[0], expected[-1]]
    assert matches[10:20] == [] and shown(matches[2:]) == expected[2:]
    with pytest.raises(IndexError):
        matches[10]


def test_every_filter_given_must_match(family):
    phone = party_search(phone="+32470000001", email=SHARED)
    assert [p.pk for p in phone] == [family[1].pk]
    assert list(party_search(email=SHARED, kind="organisation")) == []
    by_insz = party_search(national_number=family[2].national_number)
    assert [p.pk for p in by_insz] == [family[2].pk]
    # A name with the exact filters still searches names, through the ORM.
    assert not isinstance(party_search(email=SHARED, q="bert"), ExactMatches)
