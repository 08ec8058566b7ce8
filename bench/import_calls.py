#!/usr/bin/env python
"""Time ``manage.py import_calls`` on PostgreSQL (target: 1 M call records in under 2 minutes).

  .venv/bin/python bench/import_calls.py                     # 1 M rows into the bench database
  .venv/bin/python bench/import_calls.py --rows 100000       # a quick run
  .venv/bin/python bench/import_calls.py --database-url postgres://postgres@127.0.0.1:5432/midoffice_bench_calls

Creates the database if missing and migrates it, creates three queues (``bench-*``, weekday and Saturday opening
hours) and generates a CSV (``bench/out/calls-<rows>.csv``, reused by the next run) of calls over 2025 and 2026:
three in four answered after 0–15 minutes (most within a minute), one in five abandoned, one in twenty ended without
either, offered at any hour of any day (about a quarter inside the opening hours); the offsets mix +01:00, +02:00
and Z. Then each step as its own process, as an operator runs it: the import (every row new), the same file again
(every row a duplicate), and prints the wall time, the rows per second and the largest resident memory. The call
records of the bench queues are deleted before and after (``--keep`` leaves them).
"""

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from common import OUT_DIR, ROOT, bench_database_url, database_name, django_setup
from generate import create_database, migrate

QUEUES = ("bench-kcc", "bench-burgerzaken", "bench-wonen")
TARGET_SECONDS = 120
SEED = 20260302
OFFSETS = ("+01:00", "+02:00", "Z")


def moment(value: datetime, offset: str) -> str:
    """``value`` (UTC) written with one of the offsets: the same instant, as a telephony system in any zone sends it."""
    if offset == "Z":
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    hours = int(offset[1:3])
    return (value + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S.%f") + offset


def generate_csv(path: Path, rows: int) -> None:
    rng = random.Random(SEED)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    span = int(timedelta(days=730).total_seconds())
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["key", "queue", "caller_number", "offered_at", "answered_at", "ended_at", "abandoned", "agent"]
        )
        for n in range(rows):
            offered = start + timedelta(seconds=rng.randrange(span), microseconds=rng.randrange(1_000_000))
            offset = rng.choice(OFFSETS)
            fate = rng.random()
            answered = ended = None
            agent = ""
            if fate < 0.75:
                answered = offered + timedelta(seconds=min(rng.expovariate(1 / 40), 900))
                ended = answered + timedelta(seconds=rng.randrange(30, 900))
                agent = f"agent{rng.randrange(40)}"
            else:
                ended = offered + timedelta(seconds=rng.randrange(5, 600))
            writer.writerow(
                [
                    f"bench-{n:08d}",
                    rng.choice(QUEUES),
                    f"+324{rng.randrange(70000000, 99999999)}",
                    moment(offered, offset),
                    moment(answered, offset) if answered else "",
                    moment(ended, offset) if ended else "",
                    "1" if 0.75 <= fate < 0.95 else "0",
                    agent,
                ]
            )


def prepare() -> None:
    """The bench queues with their opening hours, and none of their call records."""
    from reports.models import CallRecord, OpeningInterval, Queue

    for code in QUEUES:
        queue, created = Queue.objects.get_or_create(code=code, defaults={"name": code})
        if created:
            OpeningInterval.objects.bulk_create(
                [OpeningInterval(queue=queue, weekday=day, opens=clock(8, 30), closes=clock(17)) for day in range(5)]
                + [OpeningInterval(queue=queue, weekday=5, opens=clock(9), closes=clock(12))]
            )
    CallRecord.objects.filter(queue__code__in=QUEUES).delete()


def run_import(url: str, path: Path) -> tuple[float, str, int]:
    """Wall time, the command's output and the largest resident memory (KiB) of a child so far."""
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "import_calls", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"import_calls failed:\n{done.stdout}{done.stderr[-4000:]}")
    return seconds, done.stdout.strip(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="default: $BENCH_DATABASE_URL or postgres://.../midoffice_bench")
    parser.add_argument("--keep", action="store_true", help="leave the imported call records in the database")
    args = parser.parse_args()
    url = bench_database_url(args.database_url)
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("the target is PostgreSQL: give a postgres:// URL")

    print(f"database {database_name(url)}: {create_database(url, drop=False)}", flush=True)
    migrate(url)
    django_setup(url)
    prepare()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"calls-{args.rows}.csv"
    if not path.exists():
        started = time.perf_counter()
        generate_csv(path, args.rows)
        size = path.stat().st_size / 1e6
        print(
            f"generated {path.relative_to(ROOT)} ({size:.0f} MB) in {time.perf_counter() - started:.1f} s", flush=True
        )

    seconds, output, peak = run_import(url, path)
    print(f"import:       {seconds:6.1f} s  {args.rows / seconds:9,.0f} rows/s  {output}")
    again, output, peak = run_import(url, path)
    print(f"same file:    {again:6.1f} s  {args.rows / again:9,.0f} rows/s  {output}")
    print(f"largest resident memory of an import: {peak / 1024:.0f} MB")
    verdict = "met" if seconds < TARGET_SECONDS * args.rows / 1_000_000 else "NOT met"
    print(f"target: 1 M rows in < {TARGET_SECONDS} s → {verdict} ({seconds * 1_000_000 / args.rows:.0f} s per million)")
    if not args.keep:
        prepare()
    return 0


if __name__ == "__main__":
    sys.exit(main())
