#!/usr/bin/env python
"""Where the time of a create request goes: phases, SQL statements and Python hot spots, in-process.

  .venv/bin/python bench/profile_create.py                                   # eager Celery (the embedded default)
  .venv/bin/python bench/profile_create.py --broker redis://127.0.0.1:6379/11   # a broker, as in production
  .venv/bin/python bench/profile_create.py --scenarios case_create_known_party --requests 300 --cprofile 40
  .venv/bin/python bench/profile_create.py --app-dir /tmp/perfproto          # another checkout, same data

Sends ``--requests`` requests of each scenario (bodies made as bench/run.py makes them) through Django's test
client as the bench user (role kcc), after ``--warmup`` requests, on the bench database. The requests commit, as
through gunicorn (a rolled-back transaction would never run the after-commit work: publishing to the broker, or
in eager mode delivering the e-mail). Each phase is timed inclusively and by itself (its time minus that of the
phases inside it); every SQL statement is timed and charged to the innermost phase and to its kind (INSERT INTO
cases_case, …). A second pass of the same number of requests runs under cProfile, timed by this thread's CPU
(waiting for PostgreSQL does not count): ``--cprofile N`` shows the top N functions by own time and by
cumulative time; ``--dump PREFIX`` saves it for pstats. The console e-mail backend writes to /dev/null meanwhile.
"""

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import random
import re
import sys
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from common import BENCH_USERNAME, OUT_DIR, ROOT, bench_database_url

SCENARIO_PATHS = {
    "contact_case_create": "/api/v1/contacts/",
    "case_create_known_party": "/api/v1/cases/",
    "contact_log": "/api/v1/contacts/",
}


class Phases:
    """Inclusive and own time of nested phases (wall clock and this thread's CPU), and the SQL each one issued."""

    def __init__(self):
        self.enabled = False
        self.missing: list[str] = []
        self.reset()

    def reset(self) -> None:
        self.stack: list[tuple[str, float, float, list[float]]] = []  # label, wall start, CPU start, children
        self.stats = defaultdict(
            lambda: {"calls": 0, "incl": 0.0, "own": 0.0, "own_cpu": 0.0, "sql_n": 0, "sql_s": 0.0}
        )
        self.statements = defaultdict(lambda: {"n": 0, "s": 0.0})

    def enter(self, label: str) -> None:
        self.stack.append((label, time.perf_counter(), time.thread_time(), [0.0, 0.0]))

    def exit(self) -> None:
        label, wall0, cpu0, children = self.stack.pop()
        wall, cpu = time.perf_counter() - wall0, time.thread_time() - cpu0
        entry = self.stats[label]
        entry["calls"] += 1
        entry["incl"] += wall
        entry["own"] += wall - children[0]
        entry["own_cpu"] += cpu - children[1]
        if self.stack:
            self.stack[-1][3][0] += wall
            self.stack[-1][3][1] += cpu

    def wrap(self, owner, name: str, label):
        """Time ``owner.name`` as phase ``label`` (a string, or a function of the call's arguments)."""
        original = getattr(owner, name, None)
        if original is None:  # another version of the code: its phases have other names
            self.missing.append(f"{getattr(owner, '__name__', owner)}.{name}")
            return
        timed = self._timed(original, label)
        if hasattr(original, "in_transaction"):  # midoffice.transactions.atomic_service: both ways in are timed
            timed.in_transaction = self._timed(original.in_transaction, label)
        setattr(owner, name, timed)

    def _timed(self, original, label):
        phases = self

        def timed(*args, **kwargs):
            if not phases.enabled:
                return original(*args, **kwargs)
            phases.enter(label(*args, **kwargs) if callable(label) else label)
            try:
                return original(*args, **kwargs)
            finally:
                phases.exit()

        timed.__wrapped__ = original
        return timed

    def sql(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if self.enabled:
                elapsed = time.perf_counter() - start
                entry = self.stats[self.stack[-1][0] if self.stack else "(outside any phase)"]
                entry["sql_n"] += 1
                entry["sql_s"] += elapsed
                kind = self.statements[statement_kind(sql)]
                kind["n"] += 1
                kind["s"] += elapsed


def statement_kind(sql: str) -> str:
    """A short name for a statement: verb and table (and the first columns of an UPDATE, the lock of a SELECT)."""
    text = " ".join(sql.split())
    for command in ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"):
        if text.startswith(command):
            return command
    if text.startswith("SELECT pg_advisory_xact_lock"):
        return "SELECT pg_advisory_xact_lock(…)"
    match = re.match(r'(INSERT INTO|UPDATE|DELETE FROM) "?(\w+)"?', text)
    if match:
        verb, table = match.groups()
        if verb == "UPDATE":
            columns = re.findall(r'"(\w+)" = ', text.split(" WHERE ")[0])
            return f"UPDATE {table} SET {', '.join(columns[:3])}"
        return f"{verb} {table}"
    tables = re.findall(r'FROM "?(\w+)"?', text)
    if not tables:
        return text[:60]
    return f"SELECT {tables[0]}{' FOR UPDATE' if 'FOR UPDATE' in text else ''}"


# What is timed: (module, attribute, phase label); a label may be a function of the call's arguments. Entries
# a checkout does not have are skipped (and listed), so the script also profiles other versions of the code.
PHASES = [
    ("rest_framework.views", "APIView.perform_authentication", "auth: token"),
    ("rest_framework.views", "APIView.check_permissions", "permissions"),
    ("rest_framework.serializers", "Serializer.is_valid", lambda self, *a, **kw: f"validate: {type(self).__name__}"),
    ("cases.services", "contact_log_with_case", "contact_log_with_case (service, incl. commit)"),
    ("cases.services.contacts", "contact_log", "contact_log (service)"),
    ("contacts.services.contacts", "party_resolve", "identity resolution (party_resolve)"),
    ("contacts.services.identity", "party_create", "new party (party_create)"),
    ("contacts.services.identity", "party_write_new", "new party (party_write_new)"),
    ("cases.services", "case_open", "case_open (service, incl. commit)"),
    ("cases.services.contacts", "case_open", "case_open (service)"),
    ("cases.services.cases", "_next_case_id", "case id (sequence)"),
    ("cases.services.cases", "insert_with", "case row, its link and first event (insert_with)"),
    ("contacts.history", "_record", "change history rows (bulk)"),
    ("cases.services.cases", "route", "routing (route)"),
    ("cases.services.cases", "deadlines_for", "deadlines (calendar)"),
    ("cases.services.cases", "new_tracking_code", "tracking code"),
    ("cases.services.cases", "case_event_add", "case event (case_event_add)"),
    ("cases.services.cases", "notifications_queue", "notifications_queue (outbox rows + events)"),
    ("notifications.services", "notifications_queue", "notifications_queue (outbox rows + events)"),
    ("notifications.services", "_enqueue", "after commit: enqueue (publish; older checkouts: eager delivery)"),
    ("notifications.services", "notification_deliver", "eager: notification_deliver"),
    ("notifications.services", "_deliver_held", "eager: the held first attempt (_deliver_held)"),
    ("notifications.backends", "email_send", "eager: email_send (render + send)"),
    ("cases.api", "_detail", "response: re-read case + serialize"),
    (
        "rest_framework.serializers",
        "Serializer.to_representation",
        lambda self, *a, **kw: f"serialize: {type(self).__name__}",
    ),
    ("rest_framework.renderers", "JSONRenderer.render", "render JSON"),
    ("django.db.models", "QuerySet.create", lambda self, *a, **kw: f"ORM create {self.model.__name__}"),
    ("django.db.models", "QuerySet.bulk_create", lambda self, *a, **kw: f"ORM bulk_create {self.model.__name__}"),
    ("django.db.models", "QuerySet.update", lambda self, *a, **kw: f"ORM update {self.model.__name__}"),
    ("django.db.backends.base.base", "BaseDatabaseWrapper._commit", "COMMIT"),
    ("django.db.backends.base.base", "BaseDatabaseWrapper.run_and_clear_commit_hooks", "on_commit hooks"),
    ("django.db.backends.base.base", "BaseDatabaseWrapper.close_if_health_check_failed", "connection health check"),
]


def instrument(phases: Phases) -> None:
    import importlib

    for module_name, attribute, label in PHASES:
        try:
            owner = importlib.import_module(module_name)
        except ImportError:
            phases.missing.append(module_name)
            continue
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        phases.wrap(owner, name, label)
    try:
        from notifications import backends
    except ImportError:
        return
    # The senders' table holds the function itself.
    if hasattr(backends, "SENDERS") and hasattr(backends.email_send, "__wrapped__"):
        backends.SENDERS[backends.Backend.EMAIL] = backends.email_send


def make_bodies(url: str, rng: random.Random, scenario: str, count: int) -> list[str]:
    import run

    inputs = OUT_DIR / "inputs" / "profile"
    run.sample_inputs(url, inputs, rng)
    run.sample_create_inputs(url, inputs)
    file = inputs / f"{scenario}.jsonl"
    run.write_bodies(url, file, rng, count, scenario)
    return file.read_text().splitlines()


def backend_ticks(connection) -> int:
    """CPU ticks the PostgreSQL backend of ``connection`` has used (it runs on this machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def profile_scenario(
    client, phases: Phases, scenario: str, bodies: list[str], warmup: int, requests: int, top: int, dump: Path | None
):
    """Warm up, time ``requests`` requests phase by phase, then profile as many more.

    Returns the totals of the timed requests (wall clock, this process's CPU, the PostgreSQL backend's CPU, in
    seconds) and the cProfile report.
    """
    from django.db import connection

    path = SCENARIO_PATHS[scenario]

    def send(body: str) -> None:
        response = client.post(path, data=body, content_type="application/json")
        if response.status_code != 201:
            raise RuntimeError(f"{path}: HTTP {response.status_code} {response.content[:500]!r}")

    import run

    with connection.execute_wrapper(phases.sql):
        for body in bodies[:warmup]:
            send(body)
        run.wait_for_quiet(60)
        phases.reset()
        phases.enabled = True
        backend, busy = backend_ticks(connection), run.busy_ticks()
        start, cpu_start = time.perf_counter(), time.process_time()
        for body in bodies[warmup : warmup + requests]:
            phases.enter("request (middleware, view, DRF)")
            send(body)
            phases.exit()
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        phases.enabled = False
        busy = (run.busy_ticks() - busy) / run.CLOCK_TICKS
        db_cpu = (backend_ticks(connection) - backend) / run.CLOCK_TICKS
        # What other processes used meanwhile, in cores: CPU times measured on a busy machine run high.
        totals = {"wall": wall, "cpu": cpu, "db_cpu": db_cpu, "other": max(0.0, busy - cpu - db_cpu) / wall}
        if not top:
            return totals, ""
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
        for body in bodies[warmup + requests :]:
            send(body)
        profiler.disable()
    if dump:
        profiler.dump_stats(f"{dump}-{scenario}.pstats")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return totals, out.getvalue()


def report_scenario(phases: Phases, scenario: str, mode: str, n: int, totals: dict) -> dict:
    """Print the phases and statements (ms per request) and return them."""

    def per(seconds: float) -> float:
        return seconds / n * 1000

    print(
        f"\n== {scenario} ({mode}): {n} requests; per request: {per(totals['wall']):.2f} ms wall in-process, "
        f"CPU {per(totals['cpu']):.2f} ms Python + {per(totals['db_cpu']):.2f} ms PostgreSQL backend "
        f"= {per(totals['cpu'] + totals['db_cpu']):.2f} ms; other processes used {totals['other']:.2f} cores"
    )
    print(f"{'phase':<52}{'calls/req':>10}{'incl ms':>9}{'own ms':>8}{'own CPU':>8}{'SQL n':>7}{'SQL ms':>8}")
    for name, e in sorted(phases.stats.items(), key=lambda kv: -kv[1]["incl"]):
        print(
            f"{name[:51]:<52}{e['calls'] / n:>10.2f}{per(e['incl']):>9.2f}{per(e['own']):>8.2f}"
            f"{per(e['own_cpu']):>8.2f}{e['sql_n'] / n:>7.2f}{per(e['sql_s']):>8.2f}"
        )
    sql_n = sum(s["n"] for s in phases.statements.values())
    sql_s = sum(s["s"] for s in phases.statements.values())
    print(f"\nSQL: {sql_n / n:.1f} statements, {per(sql_s):.2f} ms per request (execute round trips)")
    for kind, s in sorted(phases.statements.items(), key=lambda kv: -kv[1]["s"]):
        print(f"  {s['n'] / n:5.2f} × {per(s['s']) / (s['n'] / n):6.3f} ms = {per(s['s']):6.2f} ms  {kind}")
    return {
        "requests": n,
        "ms_per_request": round(per(totals["wall"]), 3),
        "cpu_ms_per_request": round(per(totals["cpu"]), 3),
        "db_cpu_ms_per_request": round(per(totals["db_cpu"]), 3),
        "other_cores": round(totals["other"], 3),
        "phases": {
            name: {
                "calls": round(e["calls"] / n, 3),
                "incl_ms": round(per(e["incl"]), 3),
                "own_ms": round(per(e["own"]), 3),
                "own_cpu_ms": round(per(e["own_cpu"]), 3),
                "sql_n": round(e["sql_n"] / n, 3),
                "sql_ms": round(per(e["sql_s"]), 3),
            }
            for name, e in phases.stats.items()
        },
        "sql": {
            k: {"per_request": round(s["n"] / n, 3), "ms": round(per(s["s"]), 3)} for k, s in phases.statements.items()
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", default="contact_case_create,case_create_known_party")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--broker", help="CELERY_BROKER_URL (default: none, eager); its queue is emptied afterwards")
    parser.add_argument("--cprofile", type=int, default=30, help="show the top N functions (0: no cProfile pass)")
    parser.add_argument(
        "--dump", type=Path, help="also save the cProfile pass to DUMP-<scenario>.pstats (callers, callees: pstats)"
    )
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="profile the project checked out here")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    url = bench_database_url(args.database_url)
    if args.broker:
        os.environ["CELERY_BROKER_URL"] = args.broker
    else:
        os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.update(DEBUG="0", LOG_LEVEL="WARNING", CONN_MAX_AGE="600", DATABASE_URL=url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "midoffice.settings")
    sys.path.insert(0, str(args.app_dir.resolve()))
    os.chdir(args.app_dir)  # Celery's Django fixup puts the working directory first on sys.path
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from knox.models import AuthToken

    import midoffice

    if not Path(midoffice.__file__).resolve().is_relative_to(args.app_dir.resolve()):
        sys.exit(f"loaded {midoffice.__file__}, not the project in {args.app_dir}")
    # A token of its own (only hashes are stored): the one bench/run.py keeps stays valid.
    user = get_user_model().objects.get(username=BENCH_USERNAME)
    _, token = AuthToken.objects.create(user, expiry=timedelta(hours=1))
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    rng = random.Random(args.seed)
    phases = Phases()
    instrument(phases)
    if phases.missing:
        print(f"(not in this checkout, not timed: {', '.join(phases.missing)})")
    mode = "broker" if args.broker else "eager"
    report = {"mode": mode, "app_dir": str(args.app_dir), "scenarios": {}}
    # The console e-mail backend (eager mode) writes every message to stdout.
    with open(os.devnull, "w") as devnull:
        for scenario in [s for s in args.scenarios.split(",") if s]:
            total = args.warmup + args.requests * (2 if args.cprofile else 1)
            bodies = make_bodies(url, rng, scenario, total)
            with contextlib.redirect_stdout(devnull):
                totals, profile = profile_scenario(
                    client, phases, scenario, bodies, args.warmup, args.requests, args.cprofile, args.dump
                )
            report["scenarios"][scenario] = report_scenario(phases, scenario, mode, args.requests, totals)
            if profile:
                print(f"\ncProfile over {args.requests} more requests:\n{profile}")
    if args.broker:
        import redis

        redis.Redis.from_url(args.broker).delete("celery")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
