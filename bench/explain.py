#!/usr/bin/env python
"""Show the SQL one API request issues on the bench database, with timings and EXPLAIN (ANALYZE, BUFFERS).

  .venv/bin/python bench/explain.py '/api/v1/parties/?q=peeters'
  .venv/bin/python bench/explain.py '/api/v1/parties/123/timeline/' --explain
  .venv/bin/python bench/explain.py /api/v1/contacts/ --post '{"party_data": {...}, "channel": "phone", ...}'
  .venv/bin/python bench/explain.py '/api/v1/cases/?open=true&ordering=due_at' --user bench_handler --explain
  .venv/bin/python bench/explain.py /dossiers/ --user bench_handler --profile 30      # a staff page (session)

The request runs in-process (Django test client, as the bench user) inside a transaction that is rolled
back, so a POST leaves nothing behind. --explain runs EXPLAIN (ANALYZE, BUFFERS) on every SELECT (twice:
the first run warms the cache, the second is shown) and EXPLAIN (SUMMARY) on every write (its plan and
planning time; it is not run again). --app-dir runs another checkout of the project on the same data.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from datetime import timedelta
from pathlib import Path

from common import BENCH_USERNAME, bench_database_url, django_setup


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--post", help="JSON body: POST instead of GET")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) each SELECT")
    parser.add_argument("--repeat", type=int, default=3, help="run the request this many times, show the last")
    parser.add_argument("--user", default=BENCH_USERNAME, help="as this user (bench_handler, bench_supervisor…)")
    parser.add_argument("--htmx", action="store_true", help="as htmx asks for a fragment (HX-Request: true)")
    parser.add_argument("--profile", type=int, default=0, help="cProfile the last run: the top N by own time")
    parser.add_argument("--database-url")
    parser.add_argument("--app-dir", type=Path, help="run the project checked out here (default: this one)")
    args = parser.parse_args()
    if args.app_dir:
        sys.path.insert(0, str(args.app_dir.resolve()))
        os.chdir(args.app_dir)  # Celery's Django fixup puts the working directory first on sys.path
    django_setup(bench_database_url(args.database_url))

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from knox.models import AuthToken

    # A short-lived token of its own: the stored ones are hashes, their keys cannot be read back.
    user = get_user_model().objects.get(username=args.user)
    _, token = AuthToken.objects.create(user, expiry=timedelta(hours=1))
    headers = {"HX-Request": "true"} if args.htmx else {}
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}", headers=headers)
    client.force_login(user)  # the staff pages sign in by session; the API takes the token
    profiler = cProfile.Profile()
    for run in range(args.repeat):
        with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
            last = args.profile and run == args.repeat - 1
            if last:
                profiler.enable()
            t = time.perf_counter()
            if args.post:
                response = client.post(args.path, data=args.post, content_type="application/json")
            else:
                response = client.get(args.path)
            elapsed = (time.perf_counter() - t) * 1000
            if last:
                profiler.disable()
            transaction.set_rollback(True)
    sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    print(
        f"HTTP {response.status_code}, {elapsed:.1f} ms in-process, {len(ctx.captured_queries)} queries, "
        f"{sql_ms:.1f} ms in SQL (as timed by Django)"
    )
    if args.profile:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
        if os.environ.get("EXPLAIN_CUMULATIVE"):
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile)
    for i, query in enumerate(ctx.captured_queries, 1):
        print(f"\n[{i}] {float(query['time']) * 1000:.2f} ms  {query['sql']}")
        verb = query["sql"].lstrip().split(" ", 1)[0].upper()
        if args.explain and verb in ("SELECT", "INSERT", "UPDATE", "DELETE"):
            # A write is planned, not run (its rows were rolled back): the plan and its planning time.
            explain = "EXPLAIN (ANALYZE, BUFFERS)" if verb == "SELECT" else "EXPLAIN (SUMMARY)"
            with connection.cursor() as cursor:
                for _ in range(2):
                    cursor.execute(f"{explain} {query['sql']}")
                    plan = cursor.fetchall()
            print("\n".join("      " + row[0] for row in plan))
    return 0


if __name__ == "__main__":
    sys.exit(main())
