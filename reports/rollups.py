"""Daily rollups on PostgreSQL: the high-volume rows the KPIs count (contacts, cases, call records) summed per local
day (Brussels) and per combination of the attributes the KPIs filter and group by, so that a KPI of a quarter or a
year sums a few thousand rollup rows instead of scanning millions.

Exact, never stale (docs/reports.md):
- every write to a source table — through the services, the admin, an import or raw SQL — marks the local days it
  touches (``RollupMark``), by statement-level triggers in the writing transaction (migration 0005);
- ``refresh`` claims the marks it can see (``DELETE … RETURNING``) and computes those days' rollup rows again from
  the source rows, in one transaction under an advisory lock; a mark committed meanwhile stays for the next one;
- every KPI that reads a rollup refreshes it first, so it counts every committed write; the beat (and the embedded
  scheduler) refreshes every minute to keep that work small.

SQLite (the embedded default, small data) has no triggers: its KPIs read the source tables, which stay the
definition; the test suite checks on PostgreSQL that both give the same figures.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

# The key of the advisory lock that serialises refreshes.
LOCK = 0x6D6F5F726F6C6C  # "mo_roll"
# The prefix of every statement of a refresh: they can be told apart in the logs and in pg_stat_statements.
TAG = "/* rollups */ "
# Days computed per statement: a rebuild of years of data runs in bounded statements.
DAYS_PER_STATEMENT = 31
DAY_BOUNDS = """
    JOIN unnest(%(days)s::date[]) AS d(day)
      ON {column} >= (d.day::timestamp AT TIME ZONE 'Europe/Brussels')
     AND {column} < ((d.day + 1)::timestamp AT TIME ZONE 'Europe/Brussels')
"""


@dataclass(frozen=True)
class Rollup:
    """A source's rollup tables, emptied for the marked days and filled again by ``statements``; its rows' local day
    is that of ``moment`` (a column of ``table``)."""

    source: str
    table: str
    moment: str
    tables: tuple[str, ...]
    statements: tuple[str, ...]


CONTACTS = Rollup(
    "contacts",
    "contacts_contact",
    "occurred_at",
    ("reports_contactday", "reports_contactpartyday"),
    (
        f"""
        INSERT INTO reports_contactday
            (day, channel, direction, source, outcome, linked, about_case, contacts, started, start_seconds)
        SELECT d.day, c.channel, c.direction, c.source, c.outcome, c.party_id IS NOT NULL,
               EXISTS (SELECT 1 FROM cases_case_contacts l JOIN cases_case k ON k.id = l.case_id
                       WHERE l.contact_id = c.id AND k.registered_at < c.occurred_at),
               count(*), count(c.started_at), sum(EXTRACT(EPOCH FROM c.occurred_at - c.started_at))
        FROM contacts_contact c {DAY_BOUNDS.format(column="c.occurred_at")}
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        """,
        f"""
        INSERT INTO reports_contactpartyday (day, channel, parties, guided_parties)
        SELECT d.day, coalesce(c.channel, ''), count(DISTINCT c.party_id),
               count(DISTINCT c.party_id) FILTER (WHERE c.guided)
        FROM contacts_contact c {DAY_BOUNDS.format(column="c.occurred_at")}
        WHERE c.party_id IS NOT NULL
        GROUP BY GROUPING SETS ((d.day, c.channel), (d.day))
        """,
    ),
)

CASES = Rollup(
    "cases",
    "cases_case",
    "registered_at",
    ("reports_caseday",),
    (
        f"""
        INSERT INTO reports_caseday
            (day, channel, intake_source, via_assistant, routed_to_kcc, returned, unanswered_complaint, cases)
        SELECT d.day, k.channel, k.intake_source,
               EXISTS (SELECT 1 FROM cases_case_contacts l JOIN contacts_contact c ON c.id = l.contact_id
                       WHERE l.case_id = k.id AND c.source = 'virtual_assistant' AND c.occurred_at <= k.registered_at),
               g.is_kcc, k.returned_to_kcc_at IS NOT NULL,
               t.kind = 'complaint' AND t.about_unanswered_question,
               count(*)
        FROM cases_case k
        JOIN cases_casetype t ON t.id = k.case_type_id
        JOIN cases_handlergroup g ON g.id = coalesce(k.returned_by_group_id, k.handler_group_id)
        {DAY_BOUNDS.format(column="k.registered_at")}
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        """,
    ),
)

_ANSWERED = "c.answered_at IS NOT NULL"
CALLS = Rollup(
    "calls",
    "reports_callrecord",
    "offered_at",
    ("reports_callday",),
    (
        f"""
        INSERT INTO reports_callday
            (day, queue_id, inside_hours, calls, answered, abandoned, wait_seconds,
             wait_0_30, wait_31_60, wait_61_90, wait_91_120, wait_121_300, wait_301)
        SELECT d.day, c.queue_id, c.inside_hours, count(*),
               count(*) FILTER (WHERE {_ANSWERED}), count(*) FILTER (WHERE c.abandoned),
               coalesce(sum(c.wait_seconds) FILTER (WHERE {_ANSWERED}), 0),
               count(*) FILTER (WHERE {_ANSWERED} AND c.wait_seconds <= 30),
               count(*) FILTER (WHERE {_ANSWERED} AND c.wait_seconds BETWEEN 31 AND 60),
               count(*) FILTER (WHERE {_ANSWERED} AND c.wait_seconds BETWEEN 61 AND 90),
               count(*) FILTER (WHERE {_ANSWERED} AND c.wait_seconds BETWEEN 91 AND 120),
               count(*) FILTER (WHERE {_ANSWERED} AND c.wait_seconds BETWEEN 121 AND 300),
               count(*) FILTER (WHERE {_ANSWERED} AND c.wait_seconds >= 301)
        FROM reports_callrecord c {DAY_BOUNDS.format(column="c.offered_at")}
        GROUP BY 1, 2, 3
        """,
    ),
)

ROLLUPS = {rollup.source: rollup for rollup in (CONTACTS, CASES, CALLS)}


def enabled() -> bool:
    """The KPIs read the rollups: on PostgreSQL, unless ``REPORTS_ROLLUPS`` is off."""
    return connection.vendor == "postgresql" and settings.REPORTS_ROLLUPS


def mark_all() -> None:
    """Mark every day that has rows, for the next refresh to compute again: after rows were written with the
    triggers disabled (a data-only restore with ``--disable-triggers``, ``session_replication_role = replica``)."""
    with connection.cursor() as cursor:
        for rollup in ROLLUPS.values():
            cursor.execute(
                f"{TAG}INSERT INTO reports_rollupmark (source, day) SELECT DISTINCT %s, "
                f"({rollup.moment} AT TIME ZONE 'Europe/Brussels')::date FROM {rollup.table}",
                [rollup.source],
            )


def refresh(*sources: str) -> int:
    """Compute the marked days of ``sources`` (default: every rollup) again; returns the number of days. Safe to run
    at any time and concurrently: one at a time, under an advisory lock. One query when nothing is marked."""
    if connection.vendor != "postgresql":
        return 0
    names = list(sources or ROLLUPS)
    with connection.cursor() as cursor:
        # A mark claimed by a refresh still running is visible here until it commits: this one then waits for it
        # (the lock) and reads its rows; no mark at all means every committed write is in the rollups.
        cursor.execute(TAG + "SELECT EXISTS (SELECT 1 FROM reports_rollupmark WHERE source = ANY(%s))", [names])
        if not cursor.fetchone()[0]:
            return 0
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(TAG + "SELECT pg_advisory_xact_lock(%s)", [LOCK])
        cursor.execute(TAG + "DELETE FROM reports_rollupmark WHERE source = ANY(%s) RETURNING source, day", [names])
        marked: dict[str, set] = defaultdict(set)
        for source, day in cursor.fetchall():
            marked[source].add(day)
        for source, days in marked.items():
            rollup = ROLLUPS[source]
            ordered = sorted(days)
            for start in range(0, len(ordered), DAYS_PER_STATEMENT):
                chunk = ordered[start : start + DAYS_PER_STATEMENT]
                for table in rollup.tables:
                    cursor.execute(f"{TAG}DELETE FROM {table} WHERE day = ANY(%(days)s::date[])", {"days": chunk})
                for statement in rollup.statements:
                    cursor.execute(TAG + statement, {"days": chunk})
    return sum(len(days) for days in marked.values())
