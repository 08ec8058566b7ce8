"""Writers and reports at the same moment (PostgreSQL, each in its own thread and connection, as under gunicorn):
every committed contact is in the rollups a report reads afterwards, counted once, whatever the interleaving of
the writers' marks and the refreshes that claim them."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test import override_settings

from contacts.models import Channel, Contact
from reports import rollups
from reports.kpis import NO_FILTERS, REGISTRY
from reports.models import ContactDay, RollupMark
from reports.periods import parse_period
from tests.factories import ContactFactory, PersonFactory

from .helpers import at

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the rollups are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

WRITERS, CONTACTS_EACH = 4, 15


def test_concurrent_writes_and_refreshes_count_every_contact_once():
    people = [PersonFactory() for _ in range(WRITERS)]
    start = threading.Barrier(WRITERS * 2)
    errors = []

    def write(index):
        try:
            start.wait(timeout=10)
            for n in range(CONTACTS_EACH):
                with transaction.atomic():
                    ContactFactory(
                        party=people[index],
                        channel=Channel.PHONE,
                        occurred_at=at(2026, 5, 4, 9) + timedelta(minutes=n),  # all on one day
                    )
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    def report():
        try:
            start.wait(timeout=10)
            for _ in range(CONTACTS_EACH):
                rollups.refresh()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    threads += [threading.Thread(target=report) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    written = WRITERS * CONTACTS_EACH
    assert Contact.objects.count() == written
    period = parse_period("2026-05")
    found = REGISTRY["contacts_linked_share"].compute(period, NO_FILTERS, None)[0]
    assert (found.numerator, found.denominator) == (written, written)
    assert sum(ContactDay.objects.values_list("contacts", flat=True)) == written
    assert not RollupMark.objects.exists()
    with override_settings(REPORTS_ROLLUPS=False):
        raw = REGISTRY["contacts_linked_share"].compute(period, NO_FILTERS, None)[0]
    assert (raw.numerator, raw.denominator) == (written, written)
