#!/usr/bin/env python
"""How many mails one worker imports per second: a real IMAP server (pymap's in-memory backend, as the tests use)
with ``--mails`` mails in its inbox, polled in-process on the bench database as the Celery task polls.

  .venv/bin/python bench/inbound.py --mails 400

The mix: 60 % new reports from citizens the city knows (by e-mail), 20 % from new senders, 20 % replies to one of
the sender's own open cases (reference in the subject). The mailbox opens cases of a public case type, so each new
mail is a contact and a routed case, like a group mailbox replaced. The mails stay in the bench database (a few
hundred contacts and cases among millions); the mailbox is deactivated afterwards.
"""

import argparse
import os
import random
import sys
import time
import uuid

from common import ROOT, bench_database_url, django_setup

sys.path.insert(0, str(ROOT))
USER, PASSWORD = "stad", "geheim-wachtwoord"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=400)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    django_setup(bench_database_url(args.database_url))

    import psycopg
    from django.conf import settings
    from django.db import connection

    from inbound.models import Mailbox
    from inbound.services import mailbox_poll, mailbox_save
    from tests.inbound.conftest import ImapServer, mail

    rng = random.Random(11)
    os.environ["MIDOFFICE_IMAP_TESTS"] = "required"
    with psycopg.connect(bench_database_url(args.database_url), autocommit=True) as conn:
        known = conn.execute(
            "SELECT cp.value, p.given_name, p.family_name FROM contacts_contactpoint cp TABLESAMPLE SYSTEM (1) "
            "JOIN contacts_party p ON p.id = cp.party_id WHERE cp.kind = 'email' AND p.merged_into_id IS NULL "
            "LIMIT 2000"
        ).fetchall()
        replies = conn.execute(
            "SELECT cp.value, c.reference FROM cases_case c TABLESAMPLE SYSTEM (1) "
            "JOIN contacts_contactpoint cp ON cp.party_id = c.party_id AND cp.kind = 'email' "
            "WHERE c.state IN ('new', 'accepted', 'in_progress', 'waiting') LIMIT 2000"
        ).fetchall()
        case_type = conn.execute("SELECT id FROM cases_casetype WHERE active AND public ORDER BY id LIMIT 1").fetchone()

    server = ImapServer().start()
    try:
        client = server.client()
        for _ in range(args.mails):
            roll = rng.random()
            if roll < 0.6:
                address, given, family = rng.choice(known)
                raw = mail(sender=f"{given} {family} <{address}>", subject="Losliggende stoeptegel")
            elif roll < 0.8:
                raw = mail(sender=f"Nieuwe Burger <nieuw.{uuid.uuid4().hex[:10]}@example.be>", subject="Vraag")
            else:
                address, reference = rng.choice(replies)
                raw = mail(sender=f"<{address}>", subject=f"Re: Uw melding {reference}")
            status, data = client.append("INBOX", None, None, raw)
            assert status == "OK", data
        client.logout()
        mailbox = mailbox_save(
            actor=None,
            mailbox=Mailbox(
                name=f"bench {uuid.uuid4().hex[:8]}",
                address="info@stad.example",
                host="127.0.0.1",
                port=server.port,
                use_tls=False,
                username=USER,
                default_case_type_id=case_type[0],
            ),
            password=PASSWORD,
        )
        settings.MIDOFFICE_INBOUND_BATCH = args.mails
        # The groups' e-mails are composed and "sent" as in production, into memory rather than onto the console.
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        cpu0, wall0 = time.process_time(), time.perf_counter()
        result = mailbox_poll(mailbox_id=mailbox.pk)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        Mailbox.objects.filter(pk=mailbox.pk).update(active=False)
    finally:
        server.stop()
        connection.close()
    print(
        f"{result.recorded} of {args.mails} mails imported ({result.failed} failed) in {wall:.2f} s: "
        f"{result.recorded / wall:.1f} mails/s, {cpu / max(result.recorded, 1) * 1000:.1f} ms of this process's CPU "
        "per mail (PostgreSQL and the IMAP server not included)"
    )
    return 0 if result.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
