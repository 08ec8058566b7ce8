"""midoffice.db: the precompiled inserts and row locks of the hot write paths."""

from datetime import date
from decimal import Decimal

import psycopg
import pytest
from django.db import connection, connections
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseEvent
from contacts.models import Contact, ContactPoint, Party
from midoffice.db import (
    AS_IS,
    NEW_ID,
    NULL_AS_IS,
    OF_ID,
    PREPARE,
    Dependent,
    _plan,
    _prepared,
    fetch,
    insert,
    insert_with,
    locking,
    planned_per_value,
    refers_to,
    select_list,
    statement_cursor,
)
from tests.factories import CaseTypeFactory, ContactFactory, PersonFactory, open_case

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


def test_the_values_taken_as_they_are_are_those_the_orm_would_prepare():
    """The shortcut for text, flags and empty values (midoffice.db._prepared) changes nothing: every value equals
    what the field itself prepares, also where it must not apply (a number, a moment, auto_now)."""
    case = open_case(case_type=CaseTypeFactory(), party=PersonFactory())
    case.latitude, case.paused_at, case.returned_by_group = None, None, None
    # auto_now and auto_now_add set the moment of the call: not comparable between two calls.
    fields = [
        f for f in Case._meta.concrete_fields if not f.primary_key and f.attname not in ("created_at", "updated_at")
    ]
    expected = [f.get_db_prep_save(f.pre_save(case, True), connection) for f in fields]
    plan = _plan(fields)
    assert _prepared(case, plan, connections["default"]) == expected
    assert {how for _field, _attname, how in plan} == {AS_IS, NULL_AS_IS}  # a number or a moment: prepared
    [(_field, _attname, how)] = _plan([Case._meta.get_field("updated_at")])
    assert how is PREPARE


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


def _new_case_like(template: Case) -> Case:
    skip = ("id", "reference", "tracking_code", "created_at", "updated_at")
    case = Case(
        **{f.attname: getattr(template, f.attname) for f in Case._meta.concrete_fields if f.attname not in skip}
    )
    case.tracking_code = "NUMBERED23"
    return case


def test_a_numbered_row_and_its_dependents_are_written_together_and_refer_to_it():
    template, contact = open_case(), ContactFactory()
    case = _new_case_like(template)
    link = Case.contacts.through(contact_id=contact.pk)
    event = CaseEvent(kind="note", text="first", data={"n": 1})
    with CaptureQueriesContext(connection) as queries:
        insert_with(
            case, number_field="reference", dependents=[refers_to(link, "case_id"), refers_to(event, "case_id")]
        )
    # One round trip on PostgreSQL; SQLite has no sequence to number the row inside the INSERT.
    assert len(queries) == (1 if connection.vendor == "postgresql" else 4)
    assert case.pk is not None and case.reference == str(case.pk) and not case._state.adding
    assert Case.objects.get(pk=case.pk).reference == str(case.pk)
    assert list(Case.objects.get(pk=case.pk).contacts.all()) == [contact]
    stored = CaseEvent.objects.get(pk=event.pk)
    assert (stored.case_id, stored.text, stored.data, event.case_id) == (case.pk, "first", {"n": 1}, case.pk)
    assert Case.contacts.through.objects.get(pk=link.pk).case_id == case.pk


def test_a_dependent_column_may_be_an_expression_of_the_new_id_and_of_its_own_value():
    contact = ContactFactory.build(party=PersonFactory(), subject="Vraag")

    def complete(event, pk):
        event.text, event.data = f"contact {pk}", {**event.data, "contact": pk}

    # An event of an existing case that names the new contact, by SQL on PostgreSQL and by ``complete`` elsewhere.
    event = CaseEvent(case_id=open_case().pk, kind="note", data={"kept": True})
    expressions = {"text": f"'contact ' || {NEW_ID}", "data": f"jsonb_set(%s, '{{contact}}', to_jsonb({NEW_ID}))"}
    insert_with(contact, dependents=[Dependent(event, expressions, complete)])
    assert Contact.objects.filter(pk=contact.pk, subject="Vraag").exists()
    stored = CaseEvent.objects.get(pk=event.pk)
    assert (stored.text, stored.data) == (f"contact {contact.pk}", {"kept": True, "contact": contact.pk})
    assert (event.text, event.data) == (stored.text, stored.data)


@pytest.mark.parametrize("model", [Party, Case, CaseEvent])
def test_rows_read_with_fetch_are_the_instances_the_orm_reads(model):
    """Moments, numbers, JSON and flags come out as the ORM converts them (SQLite stores them as text)."""
    case = open_case(case_type=CaseTypeFactory(), party=PersonFactory(birth_date=date(1985, 7, 30)))
    Case.objects.filter(pk=case.pk).update(latitude=Decimal("51.054342"), longitude=Decimal("3.717424"))
    pk = {Party: case.party_id, Case: case.pk, CaseEvent: CaseEvent.objects.filter(case=case).first().pk}[model]
    table = model._meta.db_table

    (read,) = fetch(model, f"SELECT {select_list(model, 't')}, 1 AS extra FROM {table} t WHERE t.id = %s", [pk])

    expected = model.objects.get(pk=pk)
    fields = [f.attname for f in model._meta.concrete_fields]
    assert [getattr(read, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert (read._state.adding, read._state.db) == (False, "default")


def test_a_dependent_may_belong_to_another_dependent_and_use_both_ids():
    contact = ContactFactory.build(party=PersonFactory(), subject="Vraag")
    case_id = open_case().pk
    first = CaseEvent(case_id=case_id, kind="note", data={})
    second = CaseEvent(case_id=case_id, kind="note", data={})

    def complete_first(event, pk):
        event.text = f"contact {pk}"

    def complete_second(event, pk, of_pk):
        event.text = f"contact {pk}, event {of_pk}"

    insert_with(
        contact,
        dependents=[
            Dependent(first, {"text": f"'contact ' || {NEW_ID}"}, complete_first),
            Dependent(second, {"text": f"'contact ' || {NEW_ID} || ', event ' || {OF_ID}"}, complete_second, of=0),
        ],
    )
    stored = CaseEvent.objects.get(pk=second.pk).text
    assert stored == second.text == f"contact {contact.pk}, event {first.pk}"
    assert CaseEvent.objects.get(pk=first.pk).text == f"contact {contact.pk}"


def test_a_dependent_belongs_only_to_one_written_before_it():
    contact = ContactFactory.build(party=PersonFactory())
    event = CaseEvent(case_id=open_case().pk, kind="note", data={})
    with pytest.raises(ValueError, match="not written before it"):
        insert_with(contact, dependents=[Dependent(event, {}, lambda *args: None, of=0)])
    assert not Contact.objects.exists()


def test_a_row_a_unique_constraint_refuses_is_skipped_with_its_dependents_and_the_transaction_goes_on():
    PersonFactory(national_number="85073003328")
    parties, points = Party.objects.count(), ContactPoint.objects.count()
    twin = Party(kind="person", family_name="Peeters", national_number="85073003328")
    point = ContactPoint(kind="email", value="twin@example.be", preferred=True)

    assert insert_with(twin, dependents=[refers_to(point, "party_id")], skip_conflicting=True) is False
    assert insert([Party(kind="person", national_number="85073003328")], skip_conflicting=True) is False

    assert (twin.pk, point.pk, twin._state.adding) == (None, None, True)
    # No error ended the transaction: it reads and writes on.
    assert (Party.objects.count(), ContactPoint.objects.count()) == (parties, points)
    other = Party(kind="person", family_name="Peeters", national_number="85073003427")
    assert insert_with(other, dependents=[refers_to(point, "party_id")], skip_conflicting=True) is True
    assert ContactPoint.objects.get(pk=point.pk).party_id == other.pk


def test_only_one_row_at_a_time_may_be_skipped():
    rows = [Party(kind="person", family_name=name) for name in ("A", "B")]
    with pytest.raises(ValueError, match="one row"):
        insert(rows, skip_conflicting=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's connections")
@pytest.mark.django_db(transaction=True)
def test_the_health_check_replaces_a_connection_the_server_closed_without_asking_it():
    wrapper = connections.create_connection("default")
    try:
        wrapper.ensure_connection()
        first = wrapper.connection
        # A sound idle connection is kept, and checked without a query.
        wrapper.health_check_done = False
        with CaptureQueriesContext(wrapper) as queries:
            wrapper.close_if_health_check_failed()
        assert wrapper.connection is first and len(queries) == 0
        # The server ends it (a restart, pg_terminate_backend): it is closed, and the next query opens another.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [first.info.backend_pid])
        wrapper.health_check_done = False
        wrapper.close_if_health_check_failed()
        assert wrapper.connection is None and first.closed
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        assert wrapper.connection is not first
        with pytest.raises(psycopg.OperationalError):
            first.execute("SELECT 1")
    finally:
        wrapper.close()


@pytest.mark.django_db(transaction=True)
def test_the_statement_cursor_is_kept_per_connection_and_checked_like_a_new_one():
    wrapper = connections.create_connection("default")
    try:
        kept = statement_cursor(wrapper)
        kept.execute("SELECT 1")
        assert statement_cursor(wrapper) is kept and kept.fetchone() == (1,)
        # Query capture (DEBUG, the tests) logs the statements of cursors made while it is on: each gets its own.
        with CaptureQueriesContext(wrapper) as queries:
            statement_cursor(wrapper).execute("SELECT 2")
        assert [q["sql"] for q in queries] == ["SELECT 2"]
        assert statement_cursor(wrapper) is kept
        # A request's first use checks the connection, as making a cursor does.
        wrapper.health_check_done = False
        checked = []
        wrapper.close_if_health_check_failed = lambda: checked.append(True)
        assert statement_cursor(wrapper) is kept and checked == [True]
        del wrapper.close_if_health_check_failed
        first = wrapper.connection
        wrapper.close()
        renewed = statement_cursor(wrapper)
        renewed.execute("SELECT 3")
        assert renewed.fetchone() == (3,)
        # A new connection, a new cursor (SQLite's in-memory test database keeps its one connection open).
        assert (renewed is kept) == (wrapper.connection is first)
        assert renewed is not kept or connection.vendor == "sqlite"
    finally:
        wrapper.close()


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


def test_an_insert_may_carry_the_change_it_records_in_its_statement():
    case = open_case()
    event = CaseEvent(case_id=case.pk, kind="note", text="renamed")
    change = (f"UPDATE {Case._meta.db_table} SET location = %s WHERE id = %s", ["Kerkstraat 1", case.pk])
    with CaptureQueriesContext(connection) as queries:
        insert([event], preceded_by=change)
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    assert Case.objects.get(pk=case.pk).location == "Kerkstraat 1"
    assert CaseEvent.objects.get(pk=event.pk).text == "renamed"
