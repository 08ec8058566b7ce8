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
    params = [field.get_db_prep_save(field.pre_save(row, True), connection) for row in rows for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [found[0] for found in cursor.fetchall()]
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
        row._state.adding = False
        row._state.db = connection.alias


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
