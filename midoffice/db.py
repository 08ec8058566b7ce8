"""Inserts of the hot write paths as precompiled statements.

Opening a case writes five to ten rows (contact, case, its link to the contact, timeline events, outbox rows,
change history). Through the ORM each ``create``/``bulk_create`` compiles its INSERT anew and sends model signals,
which cost the request more CPU than PostgreSQL spends running the statements (docs/performance.md). ``insert``
writes new instances of one model with one ``INSERT … RETURNING`` whose text is made once per model, column set
and row count; the values are prepared by the fields themselves, as the ORM prepares them. ``insert_with`` writes
a row and the rows that refer to it (its links, its first event, its history entry) in one statement.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

# Appended to an INSERT that skips a row a unique constraint refuses (PostgreSQL, and SQLite since 3.24).
_SKIP_CONFLICTING = " ON CONFLICT DO NOTHING"


@cache
def _statement(model: type[models.Model], with_pk: bool, rows: int, skip_conflicting: bool) -> tuple[str, "Plan"]:
    opts = model._meta
    fields = tuple(f for f in opts.concrete_fields if with_pk or not f.primary_key)
    quote = connection.ops.quote_name
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in fields)})"
        f" VALUES {', '.join([row] * rows)}{_SKIP_CONFLICTING if skip_conflicting else ''}"
        f" RETURNING {quote(opts.pk.column)}"
    )
    return sql, _plan(fields)


def insert(
    rows: Sequence[models.Model],
    *,
    preceded_by: tuple[str, Sequence] | None = None,
    skip_conflicting: bool = False,
) -> bool:
    """Write ``rows``, new instances of one model, in one statement; each gets its primary key from the database
    unless the first row has one (then all must have one). Sends no model signals: whoever needs the change
    history records it (``contacts.history``).

    ``preceded_by``: an UPDATE or DELETE and its parameters, run first, in the same statement on PostgreSQL (a
    delivery attempt recorded on its notification and on the case's timeline: one round trip), before it elsewhere.

    ``skip_conflicting`` (one row): a row a unique constraint refuses is not written and False is returned, without
    the error that would end the transaction (and so without the savepoint that would have to catch it).
    """
    if not rows:
        return True
    if skip_conflicting and len(rows) != 1:
        raise ValueError("skip_conflicting writes one row: which of several was skipped is not known")
    model = type(rows[0])
    with_pk = rows[0].pk is not None
    sql, plan = _statement(model, with_pk, len(rows), skip_conflicting)
    wrapper = connections[DEFAULT_DB_ALIAS]
    params = [value for row in rows for value in _prepared(row, plan, wrapper)]
    cursor = statement_cursor(wrapper)
    if preceded_by is not None and wrapper.vendor == "postgresql":
        sql, params = f"WITH preceding AS ({preceded_by[0]}) {sql}", [*preceded_by[1], *params]
    elif preceded_by is not None:
        cursor.execute(*preceded_by)
    cursor.execute(sql, params)
    ids = [found[0] for found in cursor.fetchall()]
    if not ids and skip_conflicting:
        return False
    for row, pk in zip(rows, ids, strict=True):
        _written(row, pk, wrapper.alias)
    return True


# In a dependent's column expression (``Dependent``): the id of the row it is written with, and the id of the
# dependent it belongs to (``Dependent.of``).
NEW_ID = "NEW_ID"
OF_ID = "OF_ID"


@dataclass(frozen=True)
class Dependent:
    """A new row written in the statement of the row it depends on (``insert_with``).

    ``columns`` maps some of its fields (attnames) to SQL expressions of the new row's id (``NEW_ID``) and, where
    they hold ``%s``, of the field's own value; ``complete`` gives the fields those values in Python, from the id.

    ``of``: the position, among the dependents before it, of another dependent this row belongs to (the change
    history entry of a new party's contact point): its expressions may use that row's id too (``OF_ID``), and
    ``complete`` is given it as a third argument.
    """

    row: models.Model
    columns: dict[str, str]
    complete: Callable[..., None]
    of: int | None = None


def refers_to(row: models.Model, attname: str) -> Dependent:
    """``row``, whose field ``attname`` refers to the new row (a case's link to its contact, its first event)."""
    return Dependent(row, {attname: NEW_ID}, lambda dependent, pk: setattr(dependent, attname, pk))


Shape = tuple[type[models.Model], tuple[tuple[str, str], ...], int | None]


@cache
def _statement_with(
    model: type[models.Model], number_field: str | None, skip_conflicting: bool, shapes: tuple[Shape, ...]
) -> tuple[str, "Plan", tuple["Plan", ...]]:
    quote = connection.ops.quote_name
    opts = model._meta
    pk = quote(opts.pk.column)
    on_conflict = _SKIP_CONFLICTING if skip_conflicting else ""
    if number_field is None:
        fields = tuple(f for f in opts.concrete_fields if not f.primary_key)
        values = ", ".join(["%s"] * len(fields))
        columns = ", ".join(quote(f.column) for f in fields)
        parts = [
            f"new AS (INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({values}){on_conflict} RETURNING {pk})"
        ]
    else:
        numbered = opts.get_field(number_field)
        fields = tuple(f for f in opts.concrete_fields if not f.primary_key and f is not numbered)
        values = ", ".join(["n.id", "n.id::text", *["%s"] * len(fields)])
        columns = ", ".join([pk, quote(numbered.column), *(quote(f.column) for f in fields)])
        parts = [
            f"n AS (SELECT nextval(pg_get_serial_sequence('{opts.db_table}', '{opts.pk.column}')) AS id)",
            f"new AS (INSERT INTO {quote(opts.db_table)} ({columns}) SELECT {values} FROM n{on_conflict}"
            f" RETURNING {pk})",
        ]
    dependent_fields = []
    for index, (dependent, expressions, of) in enumerate(shapes):
        dopts, expressions = dependent._meta, dict(expressions)
        source = "new"
        if of is not None:
            of_pk = f"w{of}.{quote(shapes[of][0]._meta.pk.column)}"
            expressions = {attname: sql.replace(OF_ID, of_pk) for attname, sql in expressions.items()}
            source = f"new, w{of}"
        dfields = tuple(
            (f, expressions.get(f.attname, "%s").replace(NEW_ID, f"new.{pk}"))
            for f in dopts.concrete_fields
            if not f.primary_key
        )
        dcolumns = ", ".join(quote(f.column) for f, _expression in dfields)
        dvalues = ", ".join(expression for _f, expression in dfields)
        parts.append(
            f"w{index} AS (INSERT INTO {quote(dopts.db_table)} ({dcolumns}) SELECT {dvalues} FROM {source}"
            f" RETURNING {quote(dopts.pk.column)})"
        )
        dependent_fields.append(_plan([f for f, expression in dfields if "%s" in expression]))
    returned = ", ".join([f"new.{pk}", *(f"(SELECT * FROM w{i})" for i in range(len(shapes)))])
    return f"WITH {', '.join(parts)} SELECT {returned} FROM new", _plan(fields), tuple(dependent_fields)


# How each value of a statement is prepared (``_plan``): stored as it is when it is plain, when it is None, or
# prepared by its field as the ORM prepares it.
AS_IS, NULL_AS_IS, PREPARE = "as is", "null as is", "prepare"
Plan = tuple[tuple[models.Field, str, str], ...]

# Fields whose preparation hands a str, a bool or None back unchanged: text and boolean fields as Django defines them.
_UNCHANGED_BY = {
    models.Field.get_prep_value,
    models.CharField.get_prep_value,
    models.TextField.get_prep_value,
    models.BooleanField.get_prep_value,
}
_PLAIN = (str, bool, type(None))
# Django's fields that store None as it is, unless they set their own value on save (auto_now, auto_now_add).
_NULL_AS_IS = {
    models.DateTimeField,
    models.DateField,
    models.DecimalField,
    models.IntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.ForeignKey,
    models.OneToOneField,
}


def _how(field: models.Field) -> str:
    kind = type(field)
    if (
        kind.pre_save is models.Field.pre_save
        and kind.get_db_prep_save is models.Field.get_db_prep_save
        and kind.get_db_prep_value is models.Field.get_db_prep_value
        and kind.get_prep_value in _UNCHANGED_BY
    ):
        return AS_IS
    if kind in _NULL_AS_IS and not getattr(field, "auto_now", False) and not getattr(field, "auto_now_add", False):
        return NULL_AS_IS
    return PREPARE


def _plan(fields: Sequence[models.Field]) -> Plan:
    """How to prepare the values of ``fields``, worked out with the statement that writes them."""
    return tuple((field, field.attname, _how(field)) for field in fields)


def _prepared(row: models.Model, plan: Plan, wrapper) -> list:
    """The row's values as the ORM prepares them for saving. Text, flags and empty values are most of a row's
    values and are stored as they are: preparing each (three calls deep) cost more than writing the row."""
    values = []
    for field, attname, how in plan:
        if how is not PREPARE:
            value = getattr(row, attname)
            if value is None or (how is AS_IS and type(value) in _PLAIN):
                values.append(value)
                continue
        values.append(field.get_db_prep_save(field.pre_save(row, True), wrapper))
    return values


def _written(row: models.Model, pk: int, alias: str) -> None:
    row.pk = pk
    row._state.adding = False
    row._state.db = alias


def insert_with(
    row: models.Model,
    *,
    number_field: str | None = None,
    dependents: Sequence[Dependent] = (),
    skip_conflicting: bool = False,
) -> bool:
    """Write ``row``, a new instance, and its ``dependents``: on PostgreSQL in one statement, a round trip for all
    of them (each round trip costs both processes a system call, a wake-up and the protocol's work).

    With ``number_field`` the row's primary key goes into that field too, as text (a case's reference: its number,
    short, unique and easy to read out over the phone), taken from the table's sequence inside the statement:
    setting it by an UPDATE afterwards wrote the row and every index of the table twice. SQLite (the embedded
    default) has no sequence: there the field is set after the insert and each dependent written after it.

    ``skip_conflicting``: when a unique constraint refuses ``row``, nothing is written and False is returned (see
    ``insert``).
    """
    for index, dependent in enumerate(dependents):
        if dependent.of is not None and not 0 <= dependent.of < index:
            raise ValueError(f"dependent {index} belongs to dependent {dependent.of}, which is not written before it")
    model = type(row)
    # The connection itself, not the proxy ``connection``: the fields preparing the values ask it a dozen times.
    wrapper = connections[DEFAULT_DB_ALIAS]
    if wrapper.vendor != "postgresql":
        if not insert([row], skip_conflicting=skip_conflicting):
            return False
        if number_field is not None:
            setattr(row, number_field, str(row.pk))
            model._default_manager.filter(pk=row.pk).update(**{number_field: getattr(row, number_field)})
        for dependent in dependents:
            _complete(dependent, row.pk, dependents)
            insert([dependent.row])
        return True
    shapes = tuple((type(d.row), tuple(sorted(d.columns.items())), d.of) for d in dependents)
    sql, plan, dependent_plans = _statement_with(model, number_field, skip_conflicting, shapes)
    params = _prepared(row, plan, wrapper)
    for dependent, dependent_plan in zip(dependents, dependent_plans, strict=True):
        params += _prepared(dependent.row, dependent_plan, wrapper)
    cursor = statement_cursor(wrapper)
    cursor.execute(sql, params)
    written = cursor.fetchone()
    if written is None:
        return False
    pk, *dependent_pks = written
    _written(row, pk, wrapper.alias)
    if number_field is not None:
        setattr(row, number_field, str(pk))
    for dependent, dependent_pk in zip(dependents, dependent_pks, strict=True):
        _complete(dependent, pk, dependents)
        _written(dependent.row, dependent_pk, wrapper.alias)
    return True


def _complete(dependent: Dependent, pk: int, dependents: Sequence[Dependent]) -> None:
    if dependent.of is None:
        dependent.complete(dependent.row, pk)
    else:
        dependent.complete(dependent.row, pk, dependents[dependent.of].row.pk)


def select_list(model: type[models.Model], table: str | None = None) -> str:
    """The columns of ``model``'s fields, in their order, for a precompiled SELECT whose rows ``row_reader``
    turns into instances; ``table``: the table's name or alias in that SELECT."""
    quote = connection.ops.quote_name
    prefix = f"{table}." if table else ""
    return ", ".join(f"{prefix}{quote(f.column)}" for f in model._meta.concrete_fields)


@cache
def row_reader(model: type[models.Model]) -> Callable[[Sequence], models.Model]:
    """What turns the values of ``select_list(model)`` in a row into an instance, as the ORM does: its converters
    (SQLite's text into aware moments, for one) and ``Model.from_db``. A ``RawQuerySet`` does this too, and works
    out its columns and converters again for each query: on a look-up read by every request, that cost more than
    the look-up."""
    fields = model._meta.concrete_fields
    attnames = [f.attname for f in fields]
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if found:
            converters.append((index, found, column))
    end = len(fields)

    def read(row: Sequence) -> models.Model:
        values = list(row[:end])
        for index, found, column in converters:
            for convert in found:
                values[index] = convert(values[index], column, connection)
        return model.from_db(DEFAULT_DB_ALIAS, attnames, values)

    return read


def fetch(model: type[models.Model], sql: str, params: Sequence) -> list[models.Model]:
    """The instances of ``model`` that ``sql`` (selecting ``select_list(model)``) reads."""
    cursor = statement_cursor()
    cursor.execute(sql, params)
    rows = cursor.fetchall()
    read = row_reader(model)
    return [read(row) for row in rows]


def statement_cursor(wrapper: BaseDatabaseWrapper | None = None) -> CursorWrapper:
    """A cursor for the precompiled statements of the hot paths (this module's, identity resolution's, the token
    check's), which the connection keeps between them: making a cursor (Django's wrapper, psycopg's own copy of
    the adapters) cost about a quarter of the CPU of a short statement, and a create request runs six. A new connection
    gets a new one; while queries are logged (``DEBUG``, the tests' query capture) each statement gets its own,
    as Django logs a cursor's queries from when it is made. Not closed: the next statement reuses it."""
    wrapper = wrapper or connections[DEFAULT_DB_ALIAS]
    kept = getattr(wrapper, _KEPT_CURSOR, None)
    if kept is not None and kept[0] is wrapper.connection and not wrapper.queries_logged:
        # What ``cursor()`` does before making one: the health check of a request's first use.
        wrapper.close_if_health_check_failed()
        if kept[0] is wrapper.connection:
            return kept[1]
    cursor = wrapper.cursor()
    if not wrapper.queries_logged:
        setattr(wrapper, _KEPT_CURSOR, (wrapper.connection, cursor))
    return cursor


# Where the connection keeps it, with the database connection it belongs to.
_KEPT_CURSOR = "midoffice_statement_cursor"


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
