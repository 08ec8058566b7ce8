"""midoffice.db: the precompiled inserts and row locks of the hot write paths."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseEvent
from midoffice.db import insert, locking, planned_per_value
from tests.factories import CaseTypeFactory, PersonFactory, open_case

pytestmark = pytest.mark.django_db


def test_rows_are_written_in_one_statement_with_their_ids_in_order():
    case = open_case()
    events = [CaseEvent(case_id=case.pk, kind="note", text=f"event {i}", data={"i": i}) for i in range(3)]
    with CaptureQueriesContext(connection) as queries:
        insert(events)
    assert len(queries) == 1
    assert [e.pk for e in events] == sorted(e.pk for e in events)
    stored = {e.pk: (e.text, e.data) for e in CaseEvent.objects.filter(pk__in=[e.pk for e in events])}
    assert stored == {e.pk: (e.text, e.data) for e in events}
    assert all(not e._state.adding for e in events)


def test_values_are_prepared_by_the_fields_and_auto_now_is_set():
    template = open_case(case_type=CaseTypeFactory(), party=PersonFactory())
    case = Case(
        **{
            f.attname: getattr(template, f.attname)
            for f in Case._meta.concrete_fields
            if not f.primary_key and f.attname not in ("reference", "tracking_code", "created_at", "updated_at")
        }
    )
    case.tracking_code = "TESTCODE23"
    case.latitude, case.longitude = Decimal("51.054342"), Decimal("3.717424")
    insert([case])
    stored = Case.objects.get(pk=case.pk)
    assert (stored.latitude, stored.longitude) == (Decimal("51.054342"), Decimal("3.717424"))
    assert stored.created_at is not None and stored.created_at == case.created_at
    assert stored.updated_at is not None


def test_no_signals_are_sent():
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    post_save.connect(receiver, sender=CaseEvent)
    try:
        insert([CaseEvent(case_id=open_case().pk, kind="note")])
    finally:
        post_save.disconnect(receiver, sender=CaseEvent)
    assert received == []


def test_nothing_to_insert_is_no_statement():
    with CaptureQueriesContext(connection) as queries:
        insert([])
    assert len(queries) == 0


def test_locking_takes_a_row_lock_where_the_database_has_them():
    sql = locking("SELECT 1")
    if connection.vendor == "postgresql":
        assert sql == "SELECT 1 FOR NO KEY UPDATE"
    else:
        assert sql == "SELECT 1"


def _plan_cache_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan cache")
@pytest.mark.django_db(transaction=True)
def test_reads_of_a_partys_rows_are_planned_for_the_party_and_only_they():
    """A plan shared by every party (generic) sorts all contacts of the busiest ones to show one page."""
    assert _plan_cache_mode() == "auto"
    with planned_per_value():
        assert _plan_cache_mode() == "force_custom_plan"
    assert _plan_cache_mode() == "auto"
