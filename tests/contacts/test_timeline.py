from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from contacts.models import AccessLog
from contacts.services import party_merge
from tests.factories import ContactFactory, PersonFactory

# Whatever the number of contacts; on PostgreSQL one more: the plan setting of midoffice.db.planned_per_value.
TIMELINE_QUERIES = 12 + (connection.vendor == "postgresql")

pytestmark = pytest.mark.django_db


def test_timeline_newest_first_with_contacts_and_merges(kcc_client):
    party = PersonFactory(national_number=None)
    now = timezone.now()
    old = ContactFactory(party=party, occurred_at=now - timedelta(days=30), channel="letter")
    new = ContactFactory(party=party, occurred_at=now - timedelta(days=1), channel="email")
    duplicate = PersonFactory()
    moved = ContactFactory(party=duplicate, occurred_at=now - timedelta(days=10), channel="whatsapp")
    merge = party_merge(actor=kcc_client.user, survivor=party, duplicate=duplicate)

    response = kcc_client.get(f"/api/v1/parties/{party.pk}/timeline/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [(e["kind"], e["id"]) for e in body["results"]] == [
        ("merge", merge.pk),
        ("contact", new.pk),
        ("contact", moved.pk),
        ("contact", old.pk),
    ]
    assert body["results"][1]["detail"]["channel"] == "email"
    assert AccessLog.objects.get().via == "api_timeline"


def test_timeline_pages(kcc_client, django_assert_max_num_queries):
    party = PersonFactory()
    now = timezone.now()
    contacts = [ContactFactory(party=party, occurred_at=now - timedelta(hours=i)) for i in range(7)]
    # Two queries per source (contacts, cases, notifications, merges), the caller's access and the access log.
    with django_assert_max_num_queries(TIMELINE_QUERIES):
        first = kcc_client.get(f"/api/v1/parties/{party.pk}/timeline/", {"page_size": 3}).json()
    second = kcc_client.get(first["next"]).json()
    third = kcc_client.get(second["next"]).json()
    ids = [e["id"] for page in (first, second, third) for e in page["results"]]
    assert ids == [c.pk for c in contacts]
    assert first["previous"] is None and third["next"] is None
    assert second["previous"] is not None


def test_timeline_query_count_does_not_grow_with_contacts(kcc_client, django_assert_max_num_queries):
    party = PersonFactory()
    ContactFactory.create_batch(30, party=party, handled_by=kcc_client.user)
    with django_assert_max_num_queries(TIMELINE_QUERIES):
        response = kcc_client.get(f"/api/v1/parties/{party.pk}/timeline/")
    assert len(response.json()["results"]) == 25
