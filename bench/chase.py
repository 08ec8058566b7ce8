#!/usr/bin/env python
"""Time the overdue chase, ``cases.services.cases_escalate()``, on the bench database (issue 3: < 2 s).

  .venv/bin/python bench/chase.py                 # three rounds: a run with the fresh crossings, then an immediate one
  .venv/bin/python bench/chase.py --explain       # with EXPLAIN (ANALYZE, BUFFERS) of the candidate query
  .venv/bin/python bench/chase.py --json          # a last line of JSON for bench/run.py

Each round runs the chase twice in one transaction that is rolled back, so the fresh crossings the generator left
(``--fresh-crossings``, 1,000 by default) are there again for the next round: first with them (real work: events,
``escalation`` updates, one message per handler group), then at once again (nothing left to do). Inside the outer
transaction the chase's per-batch transactions are savepoints and its ``on_commit`` hand-off to Celery never runs;
a real run commits each batch of 500 instead (one WAL flush each, ~1 ms here).
"""

import argparse
import json
import sys
import time

from common import bench_database_url, django_setup


def explain(connection, queryset, label: str) -> list[str]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    print(f"\nEXPLAIN (ANALYZE, BUFFERS), {label}:\n  {sql % tuple(repr(p) for p in params)}")
    print("\n".join("    " + line for line in plan), flush=True)
    return plan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds (each rolled back)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) the candidate query")
    parser.add_argument("--json", action="store_true", help="print the figures as a last line of JSON")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    django_setup(bench_database_url(args.database_url))

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from cases.models import Case, CaseEvent, GroupMessage
    from cases.services import cases_escalate
    from cases.services.chase import BATCH, _candidates

    def batch_query(now):
        # The query each batch of cases_escalate() issues (locking, joined), as Django builds it.
        return (
            _candidates(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("case_type", "handler_group")[:BATCH]
        )

    rounds = []
    for round_ in range(1, args.repeat + 1):
        with transaction.atomic():
            now = timezone.now()
            candidates = _candidates(now).count()
            events_before = CaseEvent.objects.count() if round_ == 1 else None
            if args.explain and round_ == 1:
                explain(connection, batch_query(now), f"first batch, {candidates:,} candidates")
            with CaptureQueriesContext(connection) as first_queries:
                t = time.perf_counter()
                first = cases_escalate()
                first_s = time.perf_counter() - t
            with CaptureQueriesContext(connection) as second_queries:
                t = time.perf_counter()
                second = cases_escalate()
                second_s = time.perf_counter() - t
            if args.explain and round_ == 1:
                explain(connection, batch_query(timezone.now()), "the immediate second run (nothing to do)")
            messages = GroupMessage.objects.filter(sent_at__isnull=True, created_at__gte=now).count()
            if events_before is not None:
                written = CaseEvent.objects.count() - events_before
                assert written == sum(first.values()), (written, first)
            left = _candidates(timezone.now()).count()
            transaction.set_rollback(True)
        sql_ms = sum(float(q["time"]) for q in first_queries.captured_queries) * 1000
        row = {
            "round": round_,
            "candidates": candidates,
            "first_s": round(first_s, 3),
            "first": first,
            "first_queries": len(first_queries.captured_queries),
            "first_sql_ms": round(sql_ms, 1),
            "messages": messages,
            "second_s": round(second_s, 4),
            "second": second,
            "second_queries": len(second_queries.captured_queries),
            "left": left,
        }
        rounds.append(row)
        print(
            f"round {round_}: {candidates:,} candidates -> first run {first_s:.3f} s "
            f"({first['overdue']:,} overdue + {first['due_soon']:,} due soon escalated, {messages} group messages, "
            f"{row['first_queries']} queries, {sql_ms:.0f} ms in SQL as timed by Django); "
            f"second run {second_s * 1000:.1f} ms ({sum(second.values())} escalated, {row['second_queries']} queries); "
            f"rolled back",
            flush=True,
        )
    total = Case.objects.count()
    if args.json:
        print(json.dumps({"cases": total, "rounds": rounds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
