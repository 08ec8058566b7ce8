#!/usr/bin/env python
"""Notification delivery figures (issue 4) on the bench database, with a real Redis broker and one real worker.

  .venv/bin/python bench/notifications.py                      # relay scan, throughput, latency under load
  .venv/bin/python bench/notifications.py --skip-load          # the relay scan only

1. **Relay scan**: with 1 M sent and 10,000 pending notifications in the table (loaded once with INSERT … SELECT),
   the relay's query (``notifications_relay``, enqueueing switched off) timed and EXPLAINed. Target < 100 ms.
2. **Throughput**: N webhook notifications to a local receiver (a threaded HTTP server answering 204), enqueued at
   once; one ``celery worker`` process (``--pool=threads --concurrency=8`` by default: deliveries wait on the
   network and the database) delivers them. Target ≥ 200 notifications/s.
3. **Latency under load**: notifications committed one by one at ``--rate`` per second for ``--duration`` seconds,
   each enqueued after its commit; commit → delivered (``sent_at - created_at``) p50/p95. Target p95 < 2 s.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from common import ROOT, bench_database_url, django_setup

RELAY_MARK = "relay-bench@example.invalid"


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver behind a load balancer

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def load_relay_rows(connection, sent: int, pending: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM notifications_notification WHERE recipient = %s", [RELAY_MARK])
        if cursor.fetchone()[0] >= sent:
            return
        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO notifications_notification (case_id, party_id, backend, kind, recipient, language, payload,
                idempotency_key, status, attempts, next_attempt_at, last_attempt_at, last_error, created_at, sent_at)
            SELECT id, party_id, 'email', 'case_created', %s, 'nl', '{}', gen_random_uuid(), 'sent', 1,
                registered_at, registered_at, '', registered_at, registered_at
            FROM cases_case WHERE party_id IS NOT NULL ORDER BY id LIMIT %s
            """,
            [RELAY_MARK, sent],
        )
        cursor.execute("ANALYZE notifications_notification")
        print(f"loaded {sent:,} sent notifications in {time.perf_counter() - started:.1f} s", flush=True)


def relay_scan(connection, pending: int, repeat: int) -> dict:
    from notifications import services

    enqueue, services._enqueue = services._enqueue, lambda ids, countdown=0: None  # the scan, not the broker
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO notifications_notification (case_id, party_id, backend, kind, recipient, language, payload,
                idempotency_key, status, attempts, next_attempt_at, last_error, created_at)
            SELECT id, party_id, 'email', 'case_resolved', %s, 'nl', '{}', gen_random_uuid(), 'pending', 0,
                now() - interval '10 minutes' * random(), '', now() - interval '20 minutes'
            FROM cases_case WHERE party_id IS NOT NULL ORDER BY id DESC LIMIT %s
            """,
            [RELAY_MARK + ".pending", pending],
        )
        cursor.execute("ANALYZE notifications_notification")
    timings = []
    try:
        for _ in range(repeat):
            started = time.perf_counter()
            picked = services.notifications_relay()
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        services._enqueue = enqueue
    from django.conf import settings
    from django.utils import timezone

    from notifications.models import DELIVERABLE, Notification

    query = (
        Notification.objects.filter(
            status__in=DELIVERABLE,
            next_attempt_at__lte=timezone.now()
            - timezone.timedelta(seconds=settings.MIDOFFICE_NOTIFICATION_RELAY_GRACE_SECONDS),
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: settings.MIDOFFICE_NOTIFICATION_RELAY_BATCH]
    )
    print("\n" + query.explain(analyze=True, buffers=True), flush=True)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM notifications_notification WHERE recipient = %s", [RELAY_MARK + ".pending"])
    return {"picked": picked, "median_ms": statistics.median(timings), "max_ms": max(timings)}


def start_worker(url: str, broker: str, pool: str, concurrency: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": broker, "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "midoffice",
            "worker",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
    )


def wait_sent(ids: list[int], timeout: float) -> float:
    from notifications.models import Notification

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if not Notification.objects.filter(pk__in=ids).exclude(status="sent").exists():
            return time.perf_counter()
        time.sleep(0.05)
    raise SystemExit(f"not all {len(ids)} notifications were sent within {timeout} s")


def webhook_notification(case, subscription):
    from notifications.models import Backend, Notification

    return Notification(
        case=case,
        party_id=case.party_id,
        webhook=subscription,
        backend=Backend.WEBHOOK,
        kind="case_started",
        recipient=subscription.url,
        language="",
        payload={"case": {"reference": case.reference}},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--sent", type=int, default=1_000_000)
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--count", type=int, default=4_000, help="notifications of the throughput run")
    parser.add_argument("--rate", type=float, default=200.0, help="notifications per second of the latency run")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of the latency run")
    parser.add_argument("--skip-load", action="store_true", help="only the relay scan")
    parser.add_argument("--pool", default="threads", help="the worker's pool: threads (I/O-bound deliveries) or solo")
    parser.add_argument("--concurrency", type=int, default=8, help="threads of the one worker process")
    args = parser.parse_args()
    url = bench_database_url(args.database_url)
    django_setup(url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    load_relay_rows(connection, args.sent, args.pending)
    relay = relay_scan(connection, args.pending, repeat=5)
    print(
        f"relay scan: {relay['picked']:,} due of {args.pending:,} pending among {args.sent:,} sent: "
        f"median {relay['median_ms']:.1f} ms, max {relay['max_ms']:.1f} ms (target < 100 ms)",
        flush=True,
    )
    if args.skip_load:
        return 0

    from cases.models import Case
    from midoffice.celery import app
    from notifications import services
    from notifications.models import Notification, WebhookSubscription

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    subscription, _ = WebhookSubscription.objects.update_or_create(
        name="bench receiver", defaults={"url": f"http://127.0.0.1:{server.server_port}/hook", "kinds": []}
    )
    app.conf.task_always_eager, app.conf.broker_url = False, args.broker
    cases = list(Case.objects.filter(party__isnull=False).order_by("-id")[: max(args.count, 1000)])
    worker = start_worker(url, args.broker, args.pool, args.concurrency)
    try:
        time.sleep(4)  # the worker connects and is ready
        rows = Notification.objects.bulk_create(
            webhook_notification(cases[i % len(cases)], subscription) for i in range(args.count)
        )
        ids = [n.pk for n in rows]
        started = time.perf_counter()
        services._enqueue(ids)
        done = wait_sent(ids, timeout=300)
        rate = args.count / (done - started)
        print(
            f"throughput: {args.count:,} webhook notifications by one worker process ({args.pool}, "
            f"concurrency {args.concurrency}) in {done - started:.1f} s: "
            f"{rate:.0f}/s (target ≥ 200/s)",
            flush=True,
        )

        latency_ids, interval = [], 1 / args.rate
        next_at, stop_at = time.perf_counter(), time.perf_counter() + args.duration
        while time.perf_counter() < stop_at:
            notification = webhook_notification(cases[len(latency_ids) % len(cases)], subscription)
            notification.save()  # autocommit: this is the commit
            services._enqueue([notification.pk])
            latency_ids.append(notification.pk)
            next_at += interval
            time.sleep(max(0, next_at - time.perf_counter()))
        produced = len(latency_ids) / args.duration
        wait_sent(latency_ids, timeout=300)
        delays = sorted(
            (sent - created).total_seconds() * 1000
            for created, sent in Notification.objects.filter(pk__in=latency_ids).values_list("created_at", "sent_at")
        )
        p50, p95 = delays[len(delays) // 2], delays[int(len(delays) * 0.95)]
        print(
            f"latency at {produced:.0f}/s for {args.duration:.0f} s ({len(delays):,} notifications): commit → "
            f"delivered p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {delays[-1]:.0f} ms (target p95 < 2 s)",
            flush=True,
        )
        Notification.objects.filter(pk__in=ids + latency_ids).delete()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
