"""Inserts of the hot write paths as precompiled statements.

Opening a case writes five to ten rows (contact, case, its link to the contact, timeline events, outbox rows,
change history). Through the ORM each ``create``/``bulk_create`` compiles its INSERT anew and sends model signals,
which cost the request more CPU than PostgreSQL spends running the statements (docs/performance.md). ``insert``
writes new instances of one model with one ``INSERT … RETURNING`` whose text is made once per model, column set
and row count; the values are prepared by the fields themselves, as the ORM prepares them.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache

from django.db import connection, models, transaction


@cache
def _statement(model: type[models.Model], with_pk: bool, rows: int) -> tuple[str, tuple[models.Field, ...]]:
    opts = model._meta
    fields = tuple(f for f in opts.concrete_fields if with_pk or not f.primary_key)
    quote = connection.ops.quote_name
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES {', '.join([row] * rows)} RETURNING {quote(opts.pk.column)}"
    )
    return sql, fields


def insert(rows: Sequence[models.Model]) -> None:
    """Write ``rows``, new instances of one model, in one statement; each gets its primary key from the database
    unless the first row has one (then all must have one: the case id taken from its sequence). Sends no model
    signals: whoever needs the change history records it (``contacts.history``)."""
    if not rows:
        return
    model = type(rows[0])
    with_pk = rows[0].pk is not None
    sql, fields = _statement(model, with_pk, len(rows))
    params = [value for row in rows for value in _prepared(row, fields)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [found[0] for found in cursor.fetchall()]
    for row, pk in zip(rows, ids, strict=True):
        _written(row, pk)


@cache
def _numbered_statement(
    model: type[models.Model], field_name: str, dependents: tuple[tuple[type[models.Model], str], ...]
) -> tuple[str, tuple[models.Field, ...], tuple[tuple[models.Field, ...], ...]]:
    quote = connection.ops.quote_name
    opts = model._meta
    numbered = opts.get_field(field_name)
    fields = tuple(f for f in opts.concrete_fields if not f.primary_key and f is not numbered)
    pk = quote(opts.pk.column)
    columns = ", ".join([pk, quote(numbered.column), *(quote(f.column) for f in fields)])
    values = ", ".join(["n.id", "n.id::text", *["%s"] * len(fields)])
    parts = [
        f"n AS (SELECT nextval(pg_get_serial_sequence('{opts.db_table}', '{opts.pk.column}')) AS id)",
        f"r AS (INSERT INTO {quote(opts.db_table)} ({columns}) SELECT {values} FROM n RETURNING {pk})",
    ]
    dependent_fields = []
    for index, (dependent, attname) in enumerate(dependents):
        dopts = dependent._meta
        refers = next(f for f in dopts.concrete_fields if f.attname == attname)
        dfields = tuple(f for f in dopts.concrete_fields if not f.primary_key and f is not refers)
        dcolumns = ", ".join([quote(refers.column), *(quote(f.column) for f in dfields)])
        dvalues = ", ".join([f"r.{pk}", *["%s"] * len(dfields)])
        parts.append(
            f"w{index} AS (INSERT INTO {quote(dopts.db_table)} ({dcolumns}) SELECT {dvalues} FROM r"
            f" RETURNING {quote(dopts.pk.column)})"
        )
        dependent_fields.append(dfields)
    returned = ", ".join([f"r.{pk}", *(f"(SELECT * FROM w{i})" for i in range(len(dependents)))])
    return f"WITH {', '.join(parts)} SELECT {returned} FROM r", fields, tuple(dependent_fields)


def _prepared(row: models.Model, fields: Sequence[models.Field]) -> list:
    return [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]


def _written(row: models.Model, pk: int) -> None:
    row.pk = pk
    row._state.adding = False
    row._state.db = connection.alias


def insert_numbered(row: models.Model, field_name: str, *, dependents: Sequence[tuple[models.Model, str]] = ()) -> None:
    """Write ``row``, a new instance, with its primary key in text in ``field_name`` too (a case's reference: its
    number, short, unique and easy to read out over the phone), and ``dependents``: new rows of other models,
    each with the name of its field (attname) that refers to ``row`` (a case's link to its contact, its first
    timeline event), each model at most once.

    On PostgreSQL in one statement: the number taken from the table's sequence and the rows written with it.
    Setting the field by an UPDATE afterwards wrote the row and every index of the table twice, and taking the
    number first, then writing each row, cost a round trip each. SQLite (the embedded default) has no sequence:
    there the field is set after the insert, and the dependents are written after it.
    """
    model = type(row)
    if connection.vendor != "postgresql":
        insert([row])
        setattr(row, field_name, str(row.pk))
        model._default_manager.filter(pk=row.pk).update(**{field_name: getattr(row, field_name)})
        for dependent, attname in dependents:
            setattr(dependent, attname, row.pk)
            insert([dependent])
        return
    shape = tuple((type(dependent), attname) for dependent, attname in dependents)
    sql, fields, dependent_fields = _numbered_statement(model, field_name, shape)
    params = _prepared(row, fields)
    for (dependent, _attname), dfields in zip(dependents, dependent_fields, strict=True):
        params += _prepared(dependent, dfields)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk, *dependent_pks = cursor.fetchone()
    _written(row, pk)
    setattr(row, field_name, str(pk))
    for (dependent, attname), dependent_pk in zip(dependents, dependent_pks, strict=True):
        setattr(dependent, attname, pk)
        _written(dependent, dependent_pk)


def locking(sql: str) -> str:
    """``sql`` (a SELECT) taking a row lock on what it reads that does not block inserts referring to the rows
    (``FOR NO KEY UPDATE``); SQLite, the embedded default, serialises writers anyway and takes none."""
    if not connection.features.has_select_for_update:
        return sql
    return sql + (" FOR NO KEY UPDATE" if connection.features.has_select_for_no_key_update else " FOR UPDATE")


@contextmanager
def planned_per_value() -> Iterator[None]:
    """Reads inside are planned for their own parameter values (until the end of the transaction: one of their
    own, unless the caller's).

    With prepared statements (``DATABASE_PREPARED_STATEMENTS``) PostgreSQL switches to one plan for every value
    of a query's parameters once that looks no costlier. For a party's rows that plan is made for the average
    party (a few contacts) and sorts all 10,000 contacts of the busiest parties to show 25 (40 ms instead of
    0.3). Everywhere else the shared plan saves the planning, so this is used only around such reads.
    """
    if connection.vendor != "postgresql":
        yield
        return
    # No savepoint inside a caller's transaction: the setting lasts until its end either way.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        yield
