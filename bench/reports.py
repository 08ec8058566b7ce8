#!/usr/bin/env python
"""The reports at scale (in-process, on the bench database): the full KPI set for a quarter and for a year, the PDF
report, and a 100 k-row CSV export of the inbox streamed in constant memory.

  .venv/bin/python bench/reports.py                  # loads 500 k counter visits and 100 k assistant sessions first
  .venv/bin/python bench/reports.py --no-load        # timings only

Needs the bench database of bench/generate.py (parties, contacts, cases) and the call records of
``bench/import_calls.py --rows 3000000 --keep``. The visits and sessions are written with ``COPY`` (derived values
computed as the import service computes them: the visits through ``reports.services.counter``' helpers).
Prints each timing (best and median of ``--rounds``) against its target.
"""

import argparse
import io
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from common import bench_database_url, django_setup

TARGETS = {"quarter": 2.0, "year": 5.0, "pdf": 10.0}
VISITS, SESSIONS = 500_000, 100_000


def load(rng: random.Random) -> None:
    from django.db import connection

    from cases.calendar import working_days_between
    from public.models import AssistantSession
    from public.services import service_client_create
    from reports.models import CounterCluster, CounterVisit
    from reports.services.counter import visit_wait_seconds

    CounterVisit.objects.filter(key__startswith="bench-").delete()
    AssistantSession.objects.filter(session_id__startswith="bench-").delete()
    clusters = []
    for code, norm in (("bench-burgerzaken", 1), ("bench-ocmw", 10), ("bench-wonen", 5)):
        cluster, _ = CounterCluster.objects.get_or_create(code=code, defaults={"name": code, "norm_minutes": norm})
        clusters.append(cluster.pk)
    start = datetime(2025, 1, 1, 8, tzinfo=UTC)
    span = (datetime(2026, 11, 30, tzinfo=UTC) - start).total_seconds()
    buffer = io.StringIO()
    for n in range(VISITS):
        scheduled = start + timedelta(seconds=rng.uniform(0, span))
        booked = scheduled - timedelta(days=rng.uniform(0, 12))
        called = scheduled + timedelta(seconds=rng.gauss(180, 240)) if rng.random() < 0.96 else None
        wait = visit_wait_seconds(scheduled, called)
        lead = working_days_between(booked, scheduled)
        buffer.write(
            f"bench-{n}\t{rng.choice(clusters)}\t{booked.isoformat()}\t{scheduled.isoformat()}\t"
            f"{called.isoformat() if called else chr(92) + 'N'}\t{rng.choice(['website', 'phone', 'counter'])}\tstaff\t"
            f"\\N\t{wait if wait is not None else chr(92) + 'N'}\t{lead}\t{scheduled.isoformat()}\n"
        )
    buffer.seek(0)
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY reports_countervisit (key, cluster_id, booked_at, scheduled_start, called_at, booking_channel, "
            "booking_source, started_at, wait_seconds, lead_working_days, received_at) FROM STDIN"
        ) as copy,
    ):
        copy.write(buffer.read())
    client = service_client_create(
        actor=None, name=f"bench-assistant-{rng.random()}", scopes=["statistics"], channels=["website"], sources=[]
    )[0]
    sessions = []
    for n in range(SESSIONS):
        started = start + timedelta(seconds=rng.uniform(0, span))
        sessions.append(
            AssistantSession(
                client=client,
                session_id=f"bench-{n}",
                channel=rng.choice(["website", "whatsapp", "messenger"]),
                started_at=started,
                ended_at=started + timedelta(seconds=rng.uniform(30, 300)),
                signed_in=rng.random() < 0.2,
                topics=[],
                automated_actions=rng.choice([0, 1, 2]),
                outcome=rng.choice(["answered", "status_looked_up", "handed_over", "appointment_made"]),
            )
        )
    AssistantSession.objects.bulk_create(sessions, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_countervisit; ANALYZE reports_callrecord; ANALYZE public_assistantsession")


def timed(function, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def line(name: str, times: list[float], target: float | None) -> str:
    best, median = min(times), statistics.median(times)
    verdict = "" if target is None else (" met" if median < target else " NOT MET")
    limit = f" (target < {target:g} s){verdict}" if target else ""
    return f"{name:<28} best {best:6.2f} s  median {median:6.2f} s{limit}"


def counts() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        found = []
        for table in ("contacts_contact", "cases_case", "reports_callrecord", "reports_countervisit"):
            cursor.execute(f"SELECT reltuples::bigint FROM pg_class WHERE relname = '{table}'")
            found.append(f"{table.split('_', 1)[1]} {cursor.fetchone()[0]:,}")
    return ", ".join(found)


def csv_export_child() -> None:
    """In a child process of its own (``--csv-child``): stream the inbox export of every case as the bench supervisor
    sees them, count 100 k rows, print the rows and the peak RSS (MB)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench_supervisor"))
    response = client.get("/dossiers/export.csv", {"state": "all"}, SERVER_NAME="127.0.0.1")
    rows = 0
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
        if rows > 100_000:
            break
    print(rows - 1, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)


def csv_export_rss(url: str) -> str:
    started = time.perf_counter()
    command = [sys.executable, __file__, "--csv-child", "--database-url", url]
    rows, rss = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()[-2:]
    seconds = time.perf_counter() - started
    return f"CSV export of the inbox: {int(rows):,} rows in {seconds:.1f} s, peak RSS {rss} MB (target < 200 MB)"


def per_kpi(period) -> None:
    """Each KPI's report for ``period`` (its figure and the year-earlier one), slowest first."""
    from reports.kpis import REGISTRY
    from reports.selectors import kpi_report

    times = {code: min(timed(lambda code=code: kpi_report(code, period), 1)) for code in REGISTRY}
    for code, seconds in sorted(times.items(), key=lambda item: -item[1]):
        print(f"  {code:<32} {seconds:6.3f} s")
    print(f"  {'all':<32} {sum(times.values()):6.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-kpi", action="store_true", help="time each KPI of the quarter (and a year earlier)")
    parser.add_argument("--csv-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = bench_database_url(args.database_url)
    django_setup(url)
    if args.csv_child:
        csv_export_child()
        return
    from django.utils import translation

    from reports.pdf import report_pdf
    from reports.periods import parse_period
    from reports.selectors import kpi_reports

    if not args.no_load:
        started = time.perf_counter()
        load(random.Random(20261130))
        print(f"loaded {VISITS:,} visits and {SESSIONS:,} sessions in {time.perf_counter() - started:.0f} s")
    print("data:", counts())
    from reports import rollups

    started = time.perf_counter()
    days = rollups.refresh()
    print(f"rollups: {days:,} day(s) written since the last refresh computed in {time.perf_counter() - started:.1f} s")
    translation.activate("nl-be")
    quarter, year = parse_period("2026-Q3"), parse_period("2026")
    if args.per_kpi:
        per_kpi(quarter)
        return
    print(line("KPI set, quarter (2026-Q3)", timed(lambda: kpi_reports(quarter), args.rounds), TARGETS["quarter"]))
    print(line("KPI set, year (2026)", timed(lambda: kpi_reports(year), args.rounds), TARGETS["year"]))
    print(line("PDF report, quarter", timed(lambda: report_pdf(quarter), args.rounds), TARGETS["pdf"]))
    print(csv_export_rss(url))
    print(f"this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
