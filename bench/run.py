#!/usr/bin/env python
"""Load-test the Midoffice API on the benchmark database with gunicorn and ../shared/tools/loadgen.py.

Starts gunicorn (loopback only) against the bench database with DEBUG off, samples real identifiers, names
and busy parties from the database, runs each scenario with loadgen, prints p50/p95/p99 and requests/s
against the targets, writes the raw loadgen JSON lines and a summary to bench/out/, and stops gunicorn.

  .venv/bin/python bench/run.py                          # every scenario, 2 sync workers
  .venv/bin/python bench/run.py --scenarios lookup_insz,contact_log_throughput --duration 10
  .venv/bin/python bench/run.py --sweep                  # compare gunicorn worker/thread counts
  .venv/bin/python bench/run.py --scenarios case_inbox,case_inbox_group,overdue_summary,case_transition,chase
  .venv/bin/python bench/run.py --peer --rounds 2            # creates, alternating with the peer's ticket create
  .venv/bin/python bench/run.py --peer --broker redis://127.0.0.1:6379/11   # the same with a Celery broker

Latency scenarios run at --latency-concurrency (default 1) so p95 reflects service time; the throughput
scenario at --throughput-concurrency (default 6); the create scenarios at --create-concurrency (default 4,
the setting of the paired runs against the peer help desk). The case scenarios (issue 3) authenticate as the
users bench/generate_cases.py made: a handler in five handler groups, and a supervisor; ``chase`` times
``cases_escalate()`` in-process (bench/chase.py) after the HTTP scenarios. Generate the data first:
bench/generate.py.
"""

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

import psycopg
from common import (
    BENCH_USERNAME,
    CASE_HANDLER_USERNAME,
    CASE_SUPERVISOR_USERNAME,
    OUT_DIR,
    ROOT,
    bench_database_url,
    case_users_file,
    database_name,
    ensure_bench_user,
    new_service_client,
    session_cookies,
    token_file,
)

LOADGEN = ROOT.parent / "shared" / "tools" / "loadgen.py"  # shared/ lies beside the project root
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
MAX_DURATION = 30.0

# name, kind (latency: low concurrency; throughput: high), target metric, threshold, description
SCENARIOS = {
    "lookup_insz": ("latency", "p95_ms", 10, "GET /parties/?national_number=<existing INSZ>"),
    "lookup_email": ("latency", "p95_ms", 10, "GET /parties/?email=<existing e-mail>"),
    "lookup_phone": ("latency", "p95_ms", 10, "GET /parties/?phone=<existing phone, E.164 or 04xx notation>"),
    "search_name": ("latency", "p95_ms", 50, "GET /parties/?q=<mix: common, rare family name, given+family>"),
    "search_common": ("latency", "p95_ms", 50, "GET /parties/?q=<one of the 15 commonest family names>"),
    "search_rare": ("latency", "p95_ms", 50, "GET /parties/?q=<one of the 300 least common family names>"),
    "search_pair": ("latency", "p95_ms", 50, "GET /parties/?q=<given family> of a sampled person"),
    "timeline_busy": ("latency", "p95_ms", 50, "GET /parties/<id>/timeline/ of the 200 busiest parties"),
    "timeline_typical": ("latency", "p95_ms", 50, "GET /parties/<id>/timeline/ of random parties"),
    "contact_log": ("latency", None, None, "POST /contacts/ with party_data (INSZ / e-mail / new person)"),
    "contact_log_throughput": ("throughput", "rps", 100, "POST /contacts/ with party_data, high concurrency"),
    # Writes that open a case (issue 5): compared with the peer's ticket create in paired runs (--peer).
    "contact_case_create": ("create", "rps", None, "POST /contacts/ with party_data and an inline case"),
    "case_create_known_party": ("create", "rps", None, "POST /cases/ with the id of a known party"),
    # Cases (issue 3).
    "case_inbox": ("latency", "p95_ms", 50, "GET /cases/?open=true&ordering=due_at as a handler in 5 groups"),
    "case_inbox_group": ("latency", "p95_ms", 50, "the same with &handler_group=<each of the handler's groups>"),
    "case_inbox_kcc": ("latency", None, None, "GET /cases/?open=true&ordering=due_at as the KCC (every open case)"),
    "case_detail": ("latency", None, None, "GET /cases/<reference>/ of random cases of the handler's groups"),
    "case_events": ("latency", None, None, "GET /cases/<reference>/events/ of the same cases"),
    "case_transition": ("latency", "p95_ms", 30, "POST /cases/<reference>/transitions/: suspend, later resume"),
    "overdue_summary": ("latency", "p95_ms", 200, "GET /supervision/overdue/ as a supervisor"),
    "chase": ("in-process", "seconds", 2, "cases_escalate() with the fresh crossings, rolled back (bench/chase.py)"),
    # The staff pages (HTML, signed in by session; issue 10).
    "page_inbox": ("page", "p95_ms", 100, "GET /dossiers/ (and filtered by group, by state) as the handler"),
    "page_case": ("page", "p95_ms", 100, "GET /dossiers/<reference>/ of random cases of the handler's groups"),
    "page_party": ("page", "p95_ms", 100, "GET /klanten/<id>/ of random parties, as the KCC"),
    "page_duplicates": ("page", None, None, "GET /klanten/<id>/dubbels/: the party page's suggestions (htmx)"),
    "page_search": ("page", "p95_ms", 50, "GET /balie/zoeken/?q=<the name-search mix>, as the KCC"),
    "page_board": ("page", "p95_ms", 300, "GET /opvolging/ as the supervisor"),
    "page_reports": ("page", "p95_ms", 3000, "GET /rapporten/?periode=<2026-Q3 or 2026> as the supervisor"),
    # The public channels (issue 11), as a service client.
    "public_intake": ("throughput", "rps", 100, "POST /public/intake/: a known or new citizen and a case, website"),
    "public_status": ("latency", "p95_ms", 20, "GET /public/cases/<reference>/?code=<tracking code>"),
    "open311_requests": ("latency", "p95_ms", 100, "GET /open311/v2/requests.json (the last 90 days, 1,000 at most)"),
}
PUBLIC_SCENARIOS = ["public_intake", "public_status"]
DEFAULT_SCENARIOS = list(SCENARIOS)
CASE_SCENARIOS = [n for n, spec in SCENARIOS.items() if n.startswith("case_") and spec[0] != "create"] + [
    "overdue_summary",
    "page_inbox",
    "page_case",
    "page_board",
    "page_reports",
]
PAGE_SCENARIOS = [name for name, spec in SCENARIOS.items() if spec[0] == "page"]
CREATE_SCENARIOS = [name for name, spec in SCENARIOS.items() if spec[0] == "create"]
# What --peer compares by default: the creates that open a case, and logging a contact without one.
PAIR_SCENARIOS = ["contact_case_create", "case_create_known_party", "contact_log"]
# Who each case scenario authenticates as (the others: the bench user, role kcc).
SCENARIO_USERS = dict.fromkeys(CASE_SCENARIOS, CASE_HANDLER_USERNAME) | {
    "case_inbox_kcc": None,
    "overdue_summary": CASE_SUPERVISOR_USERNAME,
    "page_board": CASE_SUPERVISOR_USERNAME,
    "page_reports": CASE_SUPERVISOR_USERNAME,
}
# POST scenarios: (path, or None when the paths file gives one per body; the status that counts as success).
POSTS = {
    "contact_log": ("/api/v1/contacts/", "201"),
    "contact_log_throughput": ("/api/v1/contacts/", "201"),
    "contact_case_create": ("/api/v1/contacts/", "201"),
    "case_create_known_party": ("/api/v1/cases/", "201"),
    "case_transition": (None, "200"),
    "public_intake": ("/api/v1/public/intake/", "201"),
}
# Transitions: suspend this many cases, then resume them, and so on; pairs leave each case as it was.
TRANSITION_BLOCK = 50
SWEEP_CONFIGS = [(2, 1), (3, 1), (4, 1), (6, 1), (2, 2), (3, 2), (4, 2)]
# The peer help desk (django-helpdesk, installed under PEER_ROOT by the peer's setup.sh and load.py), served as
# its own bench.sh serves it.
PEER_ROOT = Path(os.environ.get("PEER_ROOT", "/tmp/peer-helpdesk"))
PEER_DATABASE_URL = os.environ.get(
    "PEER_DATABASE_URL", "postgres://peer_helpdesk:peer_helpdesk@127.0.0.1:5432/peer_helpdesk"
)
PEER_CREATE = ("/helpdesk/api/tickets/", "201")
PEER_ADMIN = (os.environ.get("PEER_ADMIN_USER", "admin"), os.environ.get("PEER_ADMIN_PASSWORD", "Peer-admin-1"))
# Which of the peer's scenarios each of ours is paired with: its ticket create, or its staff ticket page.
PEER_COUNTERPART = {"page_case": "peer_ticket_page"}
# The e-mail backend of the peer's settings (setup.sh), used by ours in a paired run.
PEER_EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"


# --- inputs sampled from the database --------------------------------------------------------------------


def sample_inputs(url: str, inputs: Path, rng: random.Random) -> dict[str, Path]:
    """Write one paths file per GET scenario (returns scenario -> file) and the samples POST bodies need."""
    inputs.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}

    def write(name: str, lines: list[str]) -> None:
        if not lines:
            sys.exit(f"no input for {name}: is the bench database filled (bench/generate.py)?")
        rng.shuffle(lines)
        files[name] = inputs / f"{name}.txt"
        files[name].write_text("\n".join(lines) + "\n")

    with psycopg.connect(url, autocommit=True) as conn:

        def column(sql: str, *params) -> list:
            return [row[0] for row in conn.execute(sql, params).fetchall()]

        insz = column(
            "SELECT national_number FROM contacts_party TABLESAMPLE BERNOULLI (0.5) "
            "WHERE national_number IS NOT NULL AND merged_into_id IS NULL LIMIT 3000"
        )
        write("lookup_insz", [f"/api/v1/parties/?national_number={n}" for n in insz])
        emails = column(
            "SELECT value FROM contacts_contactpoint TABLESAMPLE BERNOULLI (0.3) WHERE kind = 'email' LIMIT 3000"
        )
        write("lookup_email", [f"/api/v1/parties/?email={quote(e)}" for e in emails])
        phones = column(
            "SELECT value FROM contacts_contactpoint TABLESAMPLE BERNOULLI (0.3) WHERE kind = 'phone' LIMIT 3000"
        )
        # Half as stored (E.164), half as typed at a counter: 0471 23 45 67.
        phones = [p if i % 2 else f"0{p[3:6]} {p[6:8]} {p[8:10]} {p[10:]}" for i, p in enumerate(phones)]
        write("lookup_phone", [f"/api/v1/parties/?phone={quote(p)}" for p in phones])

        common = column(
            "SELECT family_name FROM contacts_party WHERE kind = 'person' GROUP BY 1 ORDER BY count(*) DESC LIMIT 15"
        )
        rare = column(
            "SELECT family_name FROM contacts_party WHERE kind = 'person' GROUP BY 1 ORDER BY count(*), random() "
            "LIMIT 300"
        )
        pairs = conn.execute(
            "SELECT given_name, family_name FROM contacts_party TABLESAMPLE BERNOULLI (0.2) "
            "WHERE kind = 'person' AND merged_into_id IS NULL LIMIT 1000"
        ).fetchall()
        as_q = lambda q: f"/api/v1/parties/?q={quote(q)}"  # noqa: E731
        write("search_common", [as_q(n) for n in common] * 20)
        write("search_rare", [as_q(n) for n in rare])
        write("search_pair", [as_q(f"{g} {f}") for g, f in pairs])
        # The mix: 40 % given+family, 30 % common family name, 30 % rare family name.
        mix = [as_q(f"{g} {f}") for g, f in pairs[:400]] + [as_q(n) for n in common] * 20 + [as_q(n) for n in rare]
        assert len(pairs) >= 400 and len(rare) >= 300, "the data set is too small for the name-search mix"
        write("search_name", mix)
        write("page_search", [path.replace("/api/v1/parties/", "/balie/zoeken/") for path in mix])

        busy = column(
            "SELECT party_id FROM contacts_contact WHERE party_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC "
            "LIMIT 200"
        )
        write("timeline_busy", [f"/api/v1/parties/{pk}/timeline/" for pk in busy])
        typical = column(
            "SELECT id FROM contacts_party TABLESAMPLE BERNOULLI (0.2) WHERE merged_into_id IS NULL LIMIT 1000"
        )
        write("timeline_typical", [f"/api/v1/parties/{pk}/timeline/" for pk in typical])
        write("page_party", [f"/klanten/{pk}/" for pk in typical])
        write("page_duplicates", [f"/klanten/{pk}/dubbels/" for pk in typical])

        persons = conn.execute(
            "SELECT national_number, given_name, family_name FROM contacts_party TABLESAMPLE BERNOULLI (1) "
            "WHERE national_number IS NOT NULL AND merged_into_id IS NULL LIMIT 10000"
        ).fetchall()
        by_email = conn.execute(
            "SELECT cp.value, p.given_name, p.family_name FROM contacts_contactpoint cp TABLESAMPLE BERNOULLI (1) "
            "JOIN contacts_party p ON p.id = cp.party_id "
            "WHERE cp.kind = 'email' AND p.kind = 'person' AND p.merged_into_id IS NULL LIMIT 10000"
        ).fetchall()
    SAMPLES.update(persons=persons, by_email=by_email)
    for name in ("contact_log", "contact_log_throughput"):
        files[name] = inputs / f"{name}.jsonl"
    return files


SAMPLES: dict[str, list] = {}


def sample_create_inputs(url: str, inputs: Path) -> dict[str, Path]:
    """What the create scenarios need besides the parties sample_inputs() drew: case types, parties, rules."""
    with psycopg.connect(url, autocommit=True) as conn:
        # Active case types as often as the data set opens them (a 1 % sample of the cases).
        types = conn.execute(
            "SELECT t.code, count(*) FROM cases_case c TABLESAMPLE SYSTEM (1) "
            "JOIN cases_casetype t ON t.id = c.case_type_id WHERE t.active GROUP BY 1"
        ).fetchall()
        parties = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM contacts_party TABLESAMPLE BERNOULLI (1) WHERE merged_into_id IS NULL LIMIT 10000"
            )
        ]
        # What routing rules match on, so that a share of the new cases is routed by a rule.
        keywords = [
            row[0] for row in conn.execute("SELECT DISTINCT keyword FROM cases_routingrule WHERE keyword <> ''")
        ]
        postal_codes = [
            row[0] for row in conn.execute("SELECT DISTINCT postal_code FROM cases_routingrule WHERE postal_code <> ''")
        ]
    if not types or not parties:
        sys.exit("no case types or parties for the create scenarios: generate the data with cases (bench/generate.py)")
    SAMPLES.update(case_types=types, parties=parties, keywords=keywords, postal_codes=postal_codes)
    return {name: inputs / f"{name}.jsonl" for name in CREATE_SCENARIOS}


def load_case_users(url: str) -> dict[str, dict]:
    """The case scenarios' users (id, token, handler groups), as bench/generate_cases.py wrote them."""
    path = case_users_file(url)
    saved = json.loads(path.read_text()) if path.exists() else {}
    if saved.get("database") != database_name(url):
        sys.exit(f"no case users for {database_name(url)} in {path}: run bench/generate.py (or generate_cases.py)")
    return saved["users"]


def sample_case_inputs(url: str, inputs: Path, rng: random.Random, groups: list[int]) -> dict[str, Path]:
    """Paths files of the case scenarios; ``groups`` are the benchmark handler's handler groups."""
    files: dict[str, Path] = {}

    def write(name: str, lines: list[str]) -> None:
        if not lines:
            sys.exit(f"no input for {name}: is the bench database filled with cases (bench/generate.py)?")
        rng.shuffle(lines)
        files[name] = inputs / f"{name}.txt"
        files[name].write_text("\n".join(lines) + "\n")

    inputs.mkdir(parents=True, exist_ok=True)
    inbox = "/api/v1/cases/?open=true&ordering=due_at"
    write("case_inbox", [inbox])
    write("case_inbox_kcc", [inbox])
    write("case_inbox_group", [f"{inbox}&handler_group={group}" for group in groups])
    write("overdue_summary", ["/api/v1/supervision/overdue/"])
    write("page_board", ["/opvolging/"])
    write("page_reports", ["/rapporten/?periode=2026-Q3", "/rapporten/?periode=2026"])
    write(
        "page_inbox",
        ["/dossiers/"] * 4 + [f"/dossiers/?handler_group={group}" for group in groups] + ["/dossiers/?state=new"],
    )
    with psycopg.connect(url, autocommit=True) as conn:
        references = [
            row[0]
            for row in conn.execute(
                "SELECT reference FROM cases_case WHERE handler_group_id = ANY(%s) ORDER BY random() LIMIT 3000",
                [groups],
            )
        ]
    write("case_detail", [f"/api/v1/cases/{reference}/" for reference in references])
    write("case_events", [f"/api/v1/cases/{reference}/events/" for reference in references])
    write("page_case", [f"/dossiers/{reference}/" for reference in references])
    files["case_transition"] = inputs / "case_transition.jsonl"
    return files


def transition_paths(bodies: Path) -> Path:
    return bodies.with_name(f"{bodies.stem}-paths.txt")


def write_transitions(url: str, bodies: Path, rng: random.Random, groups: list[int], count: int) -> list[str]:
    """Fresh suspend/resume pairs on in-progress cases of the handler's groups; returns their references.

    Blocks of TRANSITION_BLOCK cases are suspended, then resumed, so every request is legal (no 409) even when
    loadgen wraps around the list. Cases not close to their warning time: the chase's work stays as it was.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        references = [
            row[0]
            for row in conn.execute(
                "SELECT reference FROM cases_case WHERE handler_group_id = ANY(%s) AND state = 'in_progress' "
                "AND escalation = 0 AND warn_at > now() + interval '2 days' ORDER BY random() LIMIT %s",
                [groups, count],
            )
        ]
    if not references:
        sys.exit("no in-progress cases far from their due date in the handler's groups: regenerate the data")
    block_size = min(TRANSITION_BLOCK, len(references))  # a small data set has fewer
    references = references[: len(references) // block_size * block_size]
    rng.shuffle(references)
    suspend = {"transition": "suspend", "reason": "Wacht op bijkomende documenten (bench)."}
    resume = {"transition": "resume"}
    paths, lines = [], []
    for i in range(0, len(references), block_size):
        block = references[i : i + block_size]
        for body in (suspend, resume):
            paths += [f"/api/v1/cases/{reference}/transitions/" for reference in block]
            lines += [json.dumps(body, ensure_ascii=False)] * len(block)
    transition_paths(bodies).write_text("\n".join(paths) + "\n")
    bodies.write_text("\n".join(lines) + "\n")
    return references


def restore_transitions(url: str, port: int, token: str, references: list[str]) -> int:
    """Resume the cases a run left suspended (its window closed between a suspend and its resume)."""
    with psycopg.connect(url, autocommit=True) as conn:
        waiting = [
            row[0]
            for row in conn.execute(
                "SELECT reference FROM cases_case WHERE reference = ANY(%s) AND state = 'waiting'", [references]
            )
        ]
    for reference in waiting:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/cases/{reference}/transitions/",
            data=b'{"transition": "resume"}',
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status != 200:
                raise RuntimeError(f"could not resume case {reference}: HTTP {response.status}")
    return len(waiting)


def write_bodies(url: str, file: Path, rng: random.Random, count: int, scenario: str = "contact_log") -> None:
    """Fresh POST bodies for one run (new persons must be new each time)."""
    if scenario == "case_create_known_party":
        channels = ["phone", "counter", "email", "website", "chat", "whatsapp"]
        bodies = [
            {"party": rng.choice(SAMPLES["parties"]), "channel": rng.choice(channels), **case_body(rng)}
            for _ in range(count)
        ]
    else:
        with psycopg.connect(url, autocommit=True) as conn:
            bodies = contact_bodies(conn, rng, SAMPLES["persons"], SAMPLES["by_email"], count)
        if scenario == "contact_case_create":
            for body in bodies:
                body["case"] = case_body(rng)
                body.pop("outcome")  # the service records case_created
        elif scenario == "public_intake":
            bodies = [intake_body(body, rng) for body in bodies]
    file.write_text("".join(json.dumps(b, ensure_ascii=False) + "\n" for b in bodies))


def intake_body(contact: dict, rng: random.Random) -> dict:
    """What a web form sends for a citizen: their data as the contact scenarios make it, and their report."""
    case = case_body(rng)
    body = {
        "channel": "website",
        "source": rng.choice(["web_form", "virtual_assistant"]),
        "party_data": contact["party_data"],
        "case_type": case["case_type"],
        "description": case["description"],
    }
    if "location" in case:
        body |= {"location": case["location"], "postal_code": case["postal_code"]}
    return body


def sample_public_inputs(url: str, inputs: Path, rng: random.Random) -> dict[str, Path]:
    """Status look-ups of cases from all over the table (reference and tracking code), Open311's default search;
    the intake needs the case types and parties of the create scenarios."""
    inputs.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(url, autocommit=True) as conn:
        cases = conn.execute(
            "SELECT reference, tracking_code FROM cases_case TABLESAMPLE SYSTEM (0.5) LIMIT 3000"
        ).fetchall()
    files = {
        "public_status": inputs / "public_status.txt",
        "open311_requests": inputs / "open311_requests.txt",
        "public_intake": inputs / "public_intake.jsonl",
    }
    lines = [f"/api/v1/public/cases/{reference}/?code={code}" for reference, code in cases]
    rng.shuffle(lines)
    files["public_status"].write_text("\n".join(lines) + "\n")
    files["open311_requests"].write_text("/open311/v2/requests.json\n")
    if "case_types" not in SAMPLES:
        sample_create_inputs(url, inputs)
    if "persons" not in SAMPLES:
        sys.exit("the intake scenario needs the parties sample: run it with the party scenarios' inputs")
    return files


def case_body(rng: random.Random) -> dict:
    """A new case: a case type as often as the data set has it; a rule's keyword or postal code now and then."""
    import names

    codes, weights = zip(*SAMPLES["case_types"], strict=True)
    description = rng.choice(names.SUMMARIES)
    if SAMPLES["keywords"] and rng.random() < 0.3:
        description += f" Het gaat over {rng.choice(SAMPLES['keywords'])}."
    body = {"case_type": rng.choices(codes, weights)[0], "description": description}
    if rng.random() < 0.5:
        postal_codes = SAMPLES["postal_codes"] or [code for code, _ in names.MUNICIPALITIES]
        body["postal_code"] = rng.choice(postal_codes)
        body["location"] = f"{rng.choice(names.STREETS)} {rng.randint(1, 200)}"
    return body


def new_national_numbers(conn, rng: random.Random, count: int) -> list[tuple[str, str, bool]]:
    """Valid INSZ that no party holds yet: (number, birth date, male)."""
    sys.path.insert(0, str(ROOT))
    from contacts.demo import national_number

    found: dict[str, tuple[str, str, bool]] = {}
    while len(found) < count:
        candidates = {}
        for _ in range((count - len(found)) * 2):
            born = date.fromordinal(rng.randint(date(1930, 1, 1).toordinal(), date(2024, 12, 31).toordinal()))
            serial = rng.randint(1, 997)
            candidates[national_number(born, serial)] = (born.isoformat(), serial % 2 == 1)
        taken = {
            row[0]
            for row in conn.execute(
                "SELECT national_number FROM contacts_party WHERE national_number = ANY(%s)", [list(candidates)]
            )
        }
        for number, (born, male) in candidates.items():
            if number not in taken and len(found) < count:
                found[number] = (number, born, male)
    return list(found.values())


def contact_bodies(conn, rng: random.Random, persons: list, by_email: list, count: int) -> list[dict]:
    """POST /contacts/ bodies: 40 % known INSZ, 35 % known e-mail (names agree), 25 % a brand-new person."""
    import names

    run = f"{datetime.now():%m%d%H%M%S}{rng.randrange(1000):03d}"
    fresh = new_national_numbers(conn, rng, count // 3 + 10)
    channels = ["phone", "counter", "email", "website", "chat", "whatsapp"]
    bodies = []
    for i in range(count):
        r = rng.random()
        if r < 0.40:
            number, given, family = rng.choice(persons)
            party_data = {"national_number": number, "given_name": given, "family_name": family}
        elif r < 0.75:
            email, given, family = rng.choice(by_email)
            party_data = {"email": email, "given_name": given, "family_name": family}
        else:
            number, born, male = fresh.pop()
            given = rng.choice(names.MALE_GIVEN_NAMES if male else names.FEMALE_GIVEN_NAMES)
            family = rng.choice(names.FAMILY_NAMES)
            party_data = {
                "national_number": number,
                "given_name": given,
                "family_name": family,
                "birth_date": born,
                "email": f"nieuw.{run}.{i}@example.be",
                "phone": f"+3245{rng.randrange(10_000_000):07d}",
            }
        channel = rng.choice(channels)
        bodies.append(
            {
                "party_data": party_data,
                "channel": channel,
                "source": "web_form" if channel == "website" else "staff",
                "subject": rng.choice(names.SUBJECTS),
                "summary": rng.choice(names.SUMMARIES) if rng.random() < 0.5 else "",
                # Not case_created: a contact with that outcome must open a case (contact_case_create does).
                "outcome": rng.choice(["answered", "referred", "no_answer", ""]),
            }
        )
    return bodies


# --- CPU accounting: is someone else using the machine? ----------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def busy_ticks() -> int:
    """Busy CPU time of the whole machine (all cores), in clock ticks."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    values = [int(v) for v in fields]
    return sum(values) - values[3] - values[4]  # minus idle and iowait


def _ticks(pid: int, children: bool = False) -> int | None:
    """utime + stime of ``pid`` (with ``children``: cutime + cstime, the children it has waited for)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[13]) + int(fields[14]) if children else int(fields[11]) + int(fields[12])


def cpu_snapshot(gunicorn_pid: int, dbname: str) -> dict[str, dict[int, int]]:
    """CPU ticks of gunicorn and its workers ("app"), of the PostgreSQL backends serving ``dbname`` ("db"), and
    the exited children of their postmaster ("reaped").

    A parallel query's workers live for one query and are children of the postmaster, not of the backend: their
    CPU time shows in the postmaster's cutime once they exit (as does that of any backend that exits meanwhile,
    which a quiet machine does not have).
    """
    snapshot: dict[str, dict[int, int]] = {"app": {}, "db": {}, "reaped": {}}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        pid, ppid = int(entry.name), int(stat.rsplit(")", 1)[1].split()[1])
        fields = stat.rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        if pid == gunicorn_pid or ppid == gunicorn_pid:
            snapshot["app"][pid] = ticks
        elif f" {dbname} " in cmdline:
            snapshot["db"][pid] = ticks
            snapshot["reaped"][ppid] = _ticks(ppid, children=True) or 0
    return snapshot


def cpu_used(before: dict[str, dict[int, int]], after: dict[str, dict[int, int]]) -> dict[str, int]:
    """Ticks used between two snapshots; a process born in between (a backend the warm-up connected) counts whole,
    but a postmaster's reaped children only from the first snapshot that saw it."""
    used = {part: sum(t - before[part].get(pid, 0) for pid, t in after[part].items()) for part in ("app", "db")}
    used["reaped"] = sum(t - before["reaped"][pid] for pid, t in after["reaped"].items() if pid in before["reaped"])
    return used


def wait_for_quiet(limit_s: float, threshold: float = 0.25) -> float:
    """Wait (at most ``limit_s``) until other work uses under ``threshold`` of one core; returns the last level."""
    deadline = time.monotonic() + limit_s
    while True:
        before, t = busy_ticks(), time.monotonic()
        time.sleep(1.0)
        level = (busy_ticks() - before) / CLOCK_TICKS / (time.monotonic() - t)
        if level < threshold or time.monotonic() >= deadline:
            return level


# --- gunicorn --------------------------------------------------------------------------------------------


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
                return s.getsockname()[1]
            except OSError:
                continue
    raise RuntimeError("no free port")


class Gunicorn:
    """gunicorn on 127.0.0.1 in its own process group; stopped (TERM, then KILL) on exit."""

    def __init__(
        self,
        url: str,
        port: int,
        workers: int,
        threads: int,
        log: Path,
        app_dir: Path = ROOT,
        worker_class: str = "",
        config: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ):
        self.url, self.port, self.workers, self.threads, self.log = url, port, workers, threads, log
        self.app_dir, self.config, self.extra_env = app_dir, config, extra_env or {}
        # gunicorn picks gthread by itself when threads > 1; gthread with one thread keeps connections alive.
        self.worker_class = worker_class or ("gthread" if threads > 1 else "sync")
        self.dbname = database_name(url)
        self.proc: subprocess.Popen | None = None

    @property
    def label(self) -> str:
        kind = (
            f"gthread, {self.threads} thread{'s' if self.threads > 1 else ''}"
            if self.worker_class == "gthread"
            else "sync"
        )
        celery = "broker" if self.extra_env.get("CELERY_BROKER_URL") else "eager Celery"
        return f"{self.workers} workers ({kind}{', ' + self.config.name if self.config else ''}), {celery}"

    def __enter__(self):
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "600",
            "DJANGO_SETTINGS_MODULE": "midoffice.settings",
            **self.extra_env,
        }
        cmd = [str(GUNICORN), "midoffice.wsgi", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}"]
        cmd += ["--timeout", "60", "--graceful-timeout", "10", "--log-level", "warning"]
        cmd += ["-k", self.worker_class] + (["--threads", str(self.threads)] if self.worker_class == "gthread" else [])
        cmd += ["-c", str(self.config.resolve())] if self.config else []
        return self._start(cmd, self.app_dir, env, "/health/", {})

    def _start(self, cmd: list[str], cwd: Path, env: dict, ready_path: str, ready_headers: dict):
        self.logfh = self.log.open("a")
        self.logfh.write(f"\n=== {datetime.now():%Y-%m-%d %H:%M:%S} {' '.join(cmd)}\n")
        self.logfh.flush()
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=self.logfh, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            request = urllib.request.Request(f"http://127.0.0.1:{self.port}{ready_path}", headers=ready_headers)
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer {ready_path} within 30 s; see {self.log}")

    def __exit__(self, *exc):
        self.stop()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # our own child's process group
            self.proc.wait(timeout=10)
        self.logfh.close()


class PeerGunicorn(Gunicorn):
    """The peer help desk as its bench.sh serves it (sync workers, its own venv and site under PEER_ROOT)."""

    def __init__(self, port: int, workers: int, log: Path, token: str):
        super().__init__(PEER_DATABASE_URL, port, workers, 1, log, PEER_ROOT / "site")
        self.token = token

    @property
    def label(self) -> str:
        return f"peer django-helpdesk, {self.workers} workers (sync)"

    def __enter__(self):
        cmd = [
            str(PEER_ROOT / "venv" / "bin" / "gunicorn"),
            "peersite.wsgi:application",
            "--workers",
            str(self.workers),
        ]
        cmd += ["--worker-class", "sync", "--bind", f"127.0.0.1:{self.port}", "--timeout", "900"]
        cmd += ["--graceful-timeout", "10", "--log-level", "warning"]
        # Not our settings (this process may have set up Django for the session cookies): the peer's own.
        env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
        env |= {"PEER_ROOT": str(PEER_ROOT), "PEER_DATABASE_URL": PEER_DATABASE_URL}
        return self._start(cmd, self.app_dir, env, "/helpdesk/api/", {"Authorization": f"Token {self.token}"})


# --- running scenarios -----------------------------------------------------------------------------------


def loadgen(
    port: int,
    token: str,
    name: str,
    file: Path,
    concurrency: int,
    duration: float,
    raw: Path,
    warmup: int,
    server: "Gunicorn | None" = None,
    post: tuple[str | None, str] | None = None,
    headers: list[str] | tuple[str, ...] = (),
) -> dict:
    cmd = [sys.executable, str(LOADGEN), "--base", f"http://127.0.0.1:{port}", "--name", name]
    cmd += ["-H", f"Authorization: Token {token}", "--duration", str(duration), "--concurrency", str(concurrency)]
    for header in headers:
        cmd += ["-H", header]
    cmd += ["--timeout", "30", "--warmup", str(warmup), "--json-out", str(raw)]
    if post:
        path, expect = post
        cmd += ["--method", "POST", "--bodies-file", str(file), "--expect", expect]
        cmd += ["--path", path] if path else ["--paths-file", str(transition_paths(file))]
    else:
        cmd += ["--paths-file", str(file)]
    before = raw.read_text().count("\n") if raw.exists() else 0
    empty = {"app": {}, "db": {}, "reaped": {}}
    snapshot = (lambda: cpu_snapshot(server.proc.pid, server.dbname)) if server else (lambda: empty)
    busy0, ours0, t0 = busy_ticks(), snapshot(), time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 120)
    busy1, ours1, elapsed = busy_ticks(), snapshot(), time.monotonic() - t0
    print("   ", proc.stdout.strip() or proc.stderr.strip(), flush=True)
    if proc.stderr.strip() and proc.stdout.strip():
        print("   ", proc.stderr.strip()[-500:], flush=True)
    lines = raw.read_text().splitlines() if raw.exists() else []
    if len(lines) <= before:
        raise RuntimeError(f"loadgen wrote no result for {name}: {proc.stderr[-1000:]}")
    result = json.loads(lines[-1])
    # CPU in cores (1.0 = one core busy) over the whole loadgen run, warm-up included.
    total = (busy1 - busy0) / CLOCK_TICKS / elapsed
    used = {part: ticks / CLOCK_TICKS / elapsed for part, ticks in cpu_used(ours0, ours1).items()}
    server_cpu = used["app"] + used["db"]
    client_cpu = result.get("client_cpu_s", 0) / elapsed
    result["cpu_cores"] = {
        "total": round(total, 2),
        "server_and_db": round(server_cpu, 2),
        "app": round(used.get("app", 0.0), 2),
        "db": round(used.get("db", 0.0), 2),
        # Exited children of the postmaster: parallel query workers, but also any backend of another database
        # that ended meanwhile (a test run's), so not in the per-request figure.
        "db_reaped": round(used.get("reaped", 0.0), 2),
        "client": round(client_cpu, 2),
        "other": round(max(0.0, total - server_cpu - client_cpu), 2),
    }
    if result.get("ok"):
        # CPU per successful request, gunicorn and PostgreSQL: what throughput on a saturated machine comes from.
        per_request = lambda cores: round(cores * elapsed / result["ok"] * 1000, 2)  # noqa: E731
        result["cpu_ms_per_request"] = {
            "app": per_request(used.get("app", 0.0)),
            "db": per_request(used.get("db", 0.0)),
        }
    print(f"    cpu (cores): {result['cpu_cores']}; per request (ms): {result.get('cpu_ms_per_request')}", flush=True)
    return result


def verdict(scenario: str, result: dict) -> tuple[str, str]:
    _kind, metric, threshold, _ = SCENARIOS[scenario]
    if metric is None:
        return "-", "-"
    value = result[metric]
    if metric == "rps":
        return f"≥ {threshold} req/s", "met" if value >= threshold else "NOT MET"
    return f"p95 < {threshold} ms", "met" if value is not None and value < threshold else "NOT MET"


def table(rows: list[tuple[str, dict]]) -> str:
    head = "| scenario | conc. | requests | p50 ms | p95 ms | p99 ms | req/s | errors | other CPU | target | status |"
    lines = [head, "|" + "---|" * 11]
    for scenario, r in rows:
        target, status = verdict(scenario, r)
        bad = sum(v for k, v in r["statuses"].items() if int(k) >= 400) + sum(r["errors"].values())
        lines.append(
            f"| {scenario} | {r['concurrency']} | {r['ok']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
            f"| {r['rps']} | {bad} | {r['cpu_cores']['other']}{' (noisy)' if r.get('noisy') else ''} "
            f"| {target} | {status} |"
        )
    return "\n".join(lines)


def dataset_size(url: str) -> dict:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relname IN "
            "('contacts_party', 'contacts_contact', 'contacts_contactpoint', 'cases_case', 'cases_caseevent')"
        ).fetchall()
    return dict(rows)


def run_chase(args, url: str) -> dict:
    """bench/chase.py in a subprocess (of the --app-dir checkout when it has one): the chase timed, rolled back."""
    script = args.app_dir / "bench" / "chase.py"
    script = script if script.exists() else ROOT / "bench" / "chase.py"
    level = wait_for_quiet(args.quiet_wait)
    if level >= 0.25:
        print(f"    (machine still busy: {level:.2f} cores used by others)", flush=True)
    cmd = [
        sys.executable,
        str(script),
        "--json",
        "--explain",
        "--database-url",
        url,
        "--repeat",
        str(args.chase_rounds),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, env={**os.environ, "DEBUG": "0"})
    if proc.returncode:
        raise RuntimeError(f"bench/chase.py failed: {proc.stderr[-2000:]}")
    *lines, last = proc.stdout.strip().splitlines()
    print("\n".join("    " + line for line in lines), flush=True)
    result = json.loads(last)
    result["name"] = "chase"
    with args.results.open("a") as fh:
        fh.write(json.dumps(result) + "\n")
    return result


def chase_table(result: dict) -> str:
    _kind, _metric, threshold, _ = SCENARIOS["chase"]
    lines = [
        "| chase round | candidates | first run s | escalated (overdue + due soon) | queries | second run ms "
        "| target | status |",
        "|" + "---|" * 8,
    ]
    for r in result["rounds"]:
        status = "met" if r["first_s"] < threshold else "NOT MET"
        lines.append(
            f"| {r['round']} | {r['candidates']:,} | {r['first_s']} | {r['first']['overdue']} + "
            f"{r['first']['due_soon']} | {r['first_queries']} | {r['second_s'] * 1000:.1f} | < {threshold} s "
            f"| {status} |"
        )
    return "\n".join(lines)


def run_scenario(
    args,
    url: str,
    token: str,
    server: "Gunicorn",
    scenario: str,
    file: Path,
    rng,
    concurrency: int,
    name: str | None = None,
) -> dict:
    """One loadgen run; repeated (up to --retries times) when other work took over --noise-limit of a core."""
    for attempt in range(args.retries + 1):
        level = wait_for_quiet(args.quiet_wait)
        if level >= 0.25:
            print(f"    (machine still busy: {level:.2f} cores used by others)", flush=True)
        references = []
        if scenario in ("contact_log", "contact_log_throughput", "public_intake", *CREATE_SCENARIOS):
            write_bodies(url, file, rng, max(2000, int(args.duration * 400)), scenario)
        elif scenario == "case_transition":
            references = write_transitions(url, file, rng, args.case_groups, max(1000, int(args.duration * 60)))
        post = POSTS.get(scenario)
        result = loadgen(
            server.port, token, name or scenario, file, concurrency, args.duration, args.raw, args.warmup, server, post,
            page_headers(args, scenario),
        )  # fmt: skip
        if references:
            result["restored"] = restore_transitions(url, server.port, token, references)
        result["attempt"] = attempt + 1
        result["gunicorn"] = server.label
        result["app_dir"] = str(server.app_dir)
        result["noisy"] = result["cpu_cores"]["other"] > args.noise_limit
        with args.results.open("a") as fh:
            fh.write(json.dumps(result) + "\n")
        if not result["noisy"]:
            return result
        print(f"    noisy: others used {result['cpu_cores']['other']} cores; repeating", flush=True)
    return result


# --- paired runs against the peer help desk -----------------------------------------------------------------


def write_peer_bodies(file: Path) -> None:
    """The ticket bodies the peer's bench.sh sends (2,000, seed 7, over its queues), made the same way."""
    with psycopg.connect(PEER_DATABASE_URL, autocommit=True) as conn:
        queues = [row[0] for row in conn.execute("SELECT id FROM helpdesk_queue ORDER BY id")]
    if not queues:
        sys.exit(f"the peer has no queues: set up the peer (setup.sh, load.py) under PEER_ROOT={PEER_ROOT}")
    rnd = random.Random(7)
    what = ["invoice", "VPN", "laptop", "password", "order", "refund", "printer", "badge"]
    how = ["is broken", "shows an error", "cannot be opened", "was charged twice", "is very slow"]
    lines = []
    for i in range(2000):
        w = rnd.choice(what)
        body = {
            "queue": queues[i % len(queues)],
            "title": f"My {w} {rnd.choice(how)} (bench {i})",
            "description": f"Hello,\n\nsince this morning my {w} {rnd.choice(how)}. "
            "I restarted and tried again, same result. Please help.\n\nRegards",
            "submitter_email": f"customer{rnd.randint(1, 50000)}@example.com",
            "priority": rnd.choice([2, 3, 3, 3, 4]),
        }
        lines.append(json.dumps(body) + "\n")
    file.write_text("".join(lines))


def page_headers(args, scenario: str) -> list[str]:
    """The staff pages authenticate by session: the cookie of the scenario's user (bench/common.py); the public
    endpoints by the service client's key (replacing the staff token's header)."""
    if scenario in PUBLIC_SCENARIOS:
        return [f"Authorization: ServiceClient {args.client_key}"]
    if scenario not in PAGE_SCENARIOS:
        return []
    headers = [f"Cookie: {args.cookies[SCENARIO_USERS.get(scenario) or BENCH_USERNAME]}", "Accept: text/html"]
    # Fragments are asked for htmx's way (without it: the whole page).
    return headers + (["HX-Request: true"] if scenario in ("page_search", "page_duplicates") else [])


def peer_session_cookie(port: int) -> str:
    """Signs in to the peer's staff pages as its admin (as its bench.sh does); the ``Cookie`` header value."""
    import http.cookiejar
    from urllib.parse import urlencode

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = f"http://127.0.0.1:{port}/helpdesk/login/"
    opener.open(login).read()
    csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = {"csrfmiddlewaretoken": csrf, "username": PEER_ADMIN[0], "password": PEER_ADMIN[1], "next": "/helpdesk/"}
    opener.open(urllib.request.Request(login, data=urlencode(form).encode(), headers={"Referer": login})).read()
    session = next((cookie.value for cookie in jar if cookie.name == "sessionid"), None)
    if not session:
        sys.exit("could not sign in to the peer's staff pages")
    return f"sessionid={session}"


def write_peer_ticket_pages(file: Path) -> None:
    """200 of the peer's tickets, as its bench.sh picks them for its ticket page (``c_html``)."""
    with psycopg.connect(PEER_DATABASE_URL, autocommit=True) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM helpdesk_ticket ORDER BY md5(id::text) LIMIT 200")]
    file.write_text("".join(f"/helpdesk/tickets/{pk}/\n" for pk in ids))


def run_peer(args, server: "PeerGunicorn", file: Path, name: str, page_cookie: str | None = None) -> dict:
    """The peer's create scenario (its bench.sh ``a``), or with ``page_cookie`` its staff ticket page (``c_html``:
    ``file`` holds its paths), with the same noise rule as ours."""
    for attempt in range(args.retries + 1):
        level = wait_for_quiet(args.quiet_wait)
        if level >= 0.25:
            print(f"    (machine still busy: {level:.2f} cores used by others)", flush=True)
        result = loadgen(
            server.port, server.token, name, file, args.create_concurrency, args.duration, args.raw, args.warmup,
            server, None if page_cookie else PEER_CREATE,
            [f"Cookie: {page_cookie}", "Accept: text/html"] if page_cookie else [],
        )  # fmt: skip
        result.update(attempt=attempt + 1, gunicorn=server.label, noisy=result["cpu_cores"]["other"] > args.noise_limit)
        with args.results.open("a") as fh:
            fh.write(json.dumps(result) + "\n")
        if not result["noisy"]:
            return result
        print(f"    noisy: others used {result['cpu_cores']['other']} cores; repeating", flush=True)
    return result


def purge_broker(broker: str | None) -> None:
    """Delete the messages a run left in the broker's default queue (no worker consumes them)."""
    if broker:
        import redis

        client = redis.Redis.from_url(broker)
        print(f"    broker: {client.llen('celery')} messages left in the queue, deleted", flush=True)
        client.delete("celery")


def run_pairs(args, url, tokens, files, rng, scenarios, port, log, extra_env, stamp, size) -> int:
    """Each scenario, then the peer's ticket create, alternating (A B A B …), ``--rounds`` times; the ratios."""
    token_path = PEER_ROOT / "admin.token"
    if not token_path.exists():
        sys.exit(f"no peer at {PEER_ROOT}: set up the peer first (its setup.sh and load.py)")
    peer_file = OUT_DIR / "inputs" / "peer_create.jsonl"
    write_peer_bodies(peer_file)
    peer_pages = OUT_DIR / "inputs" / "peer_ticket_page.txt"
    write_peer_ticket_pages(peer_pages)
    with psycopg.connect(PEER_DATABASE_URL, autocommit=True) as conn:
        tickets = conn.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()[0]
    pairs = []
    peer_cookie = None
    peer_port = free_port(args.peer_port)
    ours = Gunicorn(url, port, args.workers, args.threads, log, args.app_dir, args.worker_class, None, extra_env)
    with ours, PeerGunicorn(peer_port, args.workers, log, token_path.read_text().strip()) as peer:
        print(
            f"paired: ours {ours.label} on :{port}, {peer.label} on :{peer_port} ({tickets:,} tickets); "
            f"concurrency {args.create_concurrency}, {args.duration:g} s windows",
            flush=True,
        )
        for n in range(1, args.rounds + 1):
            for scenario in scenarios:
                user_token = tokens[SCENARIO_USERS.get(scenario)]
                mine = run_scenario(
                    args, url, user_token, ours, scenario, files[scenario], rng, args.create_concurrency,
                    f"pair{n}:{scenario}",
                )  # fmt: skip
                if PEER_COUNTERPART.get(scenario) == "peer_ticket_page":
                    peer_cookie = peer_cookie or peer_session_cookie(peer_port)
                    theirs = run_peer(args, peer, peer_pages, f"pair{n}:peer_ticket_page", peer_cookie)
                else:
                    theirs = run_peer(args, peer, peer_file, f"pair{n}:peer_create")
                pairs.append((n, scenario, mine, theirs))
                print(f"    ratio {mine['rps'] / theirs['rps']:.2f}", flush=True)
        purge_broker(args.broker)
    summary = pair_table(pairs)
    head = (
        f"{datetime.now():%Y-%m-%d %H:%M}, ours: gunicorn {ours.label}, app {args.app_dir}, "
        f"{size.get('contacts_party', 0):,} parties, {size.get('cases_case', 0):,} cases; peer: {tickets:,} tickets; "
        f"concurrency {args.create_concurrency}, {args.duration:g} s windows"
    )
    print(f"\n{head}\n{summary}")
    (OUT_DIR / f"summary-{stamp}.md").write_text(f"# Paired bench run {stamp}\n\n{head}\n\n{summary}\n")
    with args.results.open("a") as fh:
        for n, scenario, mine, theirs in pairs:
            fh.write(json.dumps({"pair": n, "scenario": scenario, "ratio": mine["rps"] / theirs["rps"]}) + "\n")
    return 0


def cpu_per_request(result: dict) -> float | None:
    """gunicorn + PostgreSQL CPU per request, ms."""
    cpu = result.get("cpu_ms_per_request")
    return cpu["app"] + cpu["db"] if cpu else None


def cpu_cell(result: dict) -> str:
    cpu = result.get("cpu_ms_per_request")
    return f"{cpu['app'] + cpu['db']:.1f} ({cpu['app']:.1f} + {cpu['db']:.1f})" if cpu else "–"


def pair_table(pairs: list[tuple[int, str, dict, dict]]) -> str:
    """Each pair, then per scenario the ratios of throughput and of CPU per request (peer / ours).

    On a machine the two products saturate, throughput is the cores over the CPU a request costs; the CPU ratio
    hardly moves when other work takes cores away, the throughput ratio does (the "other CPU" column).
    """
    lines = [
        "| round | scenario | ours req/s | p50 / p95 ms | CPU ms/req (app + db) | peer req/s | p50 / p95 ms "
        "| CPU ms/req | ratio req/s | ratio CPU | other CPU (ours / peer) | errors |",
        "|" + "---|" * 12,
    ]
    ratios: dict[str, list[float]] = {}
    cpu_ratios: dict[str, list[float]] = {}
    for n, scenario, mine, theirs in pairs:
        ratio = mine["rps"] / theirs["rps"]
        ratios.setdefault(scenario, []).append(ratio)
        ours_cpu, peer_cpu = cpu_per_request(mine), cpu_per_request(theirs)
        cpu_ratio = peer_cpu / ours_cpu if ours_cpu and peer_cpu else None
        if cpu_ratio:
            cpu_ratios.setdefault(scenario, []).append(cpu_ratio)
        bad = sum(v for k, v in mine["statuses"].items() if int(k) >= 400) + sum(mine["errors"].values())
        bad += sum(v for k, v in theirs["statuses"].items() if int(k) >= 400) + sum(theirs["errors"].values())
        noisy = " (noisy)" if mine.get("noisy") or theirs.get("noisy") else ""
        lines.append(
            f"| {n} | {scenario} | {mine['rps']} | {mine['p50_ms']} / {mine['p95_ms']} | {cpu_cell(mine)} "
            f"| {theirs['rps']} | {theirs['p50_ms']} / {theirs['p95_ms']} | {cpu_cell(theirs)} | {ratio:.2f} "
            f"| {'–' if cpu_ratio is None else f'{cpu_ratio:.2f}'} "
            f"| {mine['cpu_cores']['other']} / {theirs['cpu_cores']['other']}{noisy} | {bad} |"
        )
    lines += [
        "",
        "| scenario | ratios req/s (ours / peer) | median | ratios of CPU per request (peer / ours) | median |",
    ]
    lines += ["|---|---|---|---|---|"]
    for scenario, values in ratios.items():
        cpu = cpu_ratios.get(scenario, [])
        lines.append(
            f"| {scenario} | {', '.join(f'{v:.2f}' for v in values)} | {median(values):.2f} "
            f"| {', '.join(f'{v:.2f}' for v in cpu) or '–'} | {median(cpu) if cpu else '–'} |"
        )
    return "\n".join(lines)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return round(ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: $BENCH_DATABASE_URL or postgres://.../midoffice_bench")
    parser.add_argument("--scenarios", help=f"comma-separated (default: all; with --peer: {','.join(PAIR_SCENARIOS)})")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2 measured best on 2 cores)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (>1: gthread)")
    parser.add_argument(
        "--worker-class", default="", help="gunicorn worker class (default: sync, gthread if --threads > 1)"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--gunicorn-config", type=Path, help="a gunicorn config file (-c), to compare server settings")
    parser.add_argument("--duration", type=float, default=20.0, help=f"seconds per scenario (≤ {MAX_DURATION:g})")
    parser.add_argument("--latency-concurrency", type=int, default=1)
    parser.add_argument("--throughput-concurrency", type=int, default=6)
    parser.add_argument(
        "--create-concurrency", type=int, default=4, help="the create scenarios', and every scenario of --peer"
    )
    parser.add_argument(
        "--broker",
        help="CELERY_BROKER_URL for gunicorn, e.g. redis://127.0.0.1:6379/11 (default: none, Celery runs eagerly "
        "in the request); no worker is started, the run's messages are deleted from the queue afterwards",
    )
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for gunicorn's environment (repeatable)")
    parser.add_argument(
        "--peer",
        action="store_true",
        help="paired run: each scenario, then the peer help desk's ticket create, alternating, --rounds times",
    )
    parser.add_argument("--rounds", type=int, default=2, help="pairs per scenario with --peer")
    parser.add_argument("--peer-port", type=int, default=8101)
    parser.add_argument("--warmup", type=int, default=10, help="sequential requests before each window")
    parser.add_argument("--repeat", type=int, default=1, help="run each scenario this many times")
    parser.add_argument(
        "--noise-limit",
        type=float,
        default=0.15,
        help="repeat a run when other processes used more than this many cores meanwhile",
    )
    parser.add_argument("--retries", type=int, default=2, help="at most this many repeats of a noisy run")
    parser.add_argument("--quiet-wait", type=float, default=60, help="wait up to this long for a quiet machine")
    parser.add_argument("--sweep", action="store_true", help="compare worker/thread counts on the throughput run")
    parser.add_argument("--no-migrate", action="store_true", help="do not run manage.py migrate first")
    parser.add_argument(
        "--app-dir", type=Path, default=ROOT, help="serve the project checked out here (A/B of a change)"
    )
    parser.add_argument("--chase-rounds", type=int, default=3, help="rounds of the chase timing (each rolled back)")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    if not 0 < args.duration <= MAX_DURATION:
        parser.error(f"--duration must lie in (0, {MAX_DURATION:g}]")
    default = PAIR_SCENARIOS if args.peer else DEFAULT_SCENARIOS
    scenarios = [s.strip() for s in (args.scenarios or ",".join(default)).split(",") if s.strip()]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios {sorted(unknown)}; known: {', '.join(SCENARIOS)}")
    if args.peer and any(SCENARIOS[s][0] == "in-process" for s in scenarios):
        parser.error("--peer compares HTTP scenarios only")
    extra_env = dict(item.split("=", 1) for item in args.env)
    if args.peer:
        # The peer sends its e-mails through Django's dummy backend (its setup.sh): ours too, so that both render
        # their e-mails and neither pays for a transport. In eager mode ours would otherwise write every message
        # to gunicorn's log (the console backend of the embedded default).
        extra_env.setdefault("EMAIL_BACKEND", PEER_EMAIL_BACKEND)
    if args.broker:
        extra_env["CELERY_BROKER_URL"] = args.broker

    # SIGTERM unwinds like Ctrl-C, so the gunicorn context manager stops its server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    url = bench_database_url(args.database_url)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stamp = f"{datetime.now():%Y%m%d-%H%M%S}"
    args.raw = OUT_DIR / f"raw-{stamp}.jsonl"  # loadgen's own lines
    args.results = OUT_DIR / f"results-{stamp}.jsonl"  # the same, with CPU accounting and config
    rng = random.Random(args.seed)
    if not args.no_migrate:
        env = {**os.environ, **extra_env, "DATABASE_URL": url, "DEBUG": "0"}
        # The checkout that is served migrates: an A/B of a change with a migration gets its schema.
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=args.app_dir, env=env, check=True
        )
    saved = json.loads(token_file(url).read_text()) if token_file(url).exists() else {}
    token = saved["token"] if saved.get("database") == database_name(url) else ensure_bench_user(url)
    tokens = {None: token}
    size = dataset_size(url)
    print(
        f"Bench database {database_name(url)}: ~{size.get('contacts_party', 0):,} parties, "
        f"~{size.get('contacts_contact', 0):,} contacts, ~{size.get('cases_case', 0):,} cases, "
        f"~{size.get('cases_caseevent', 0):,} case events; raw results in {args.raw.relative_to(ROOT)}",
        flush=True,
    )
    party_scenarios = [s for s in scenarios if s not in CASE_SCENARIOS and SCENARIOS[s][0] != "in-process"]
    files = sample_inputs(url, OUT_DIR / "inputs", rng) if party_scenarios or args.sweep else {}
    if set(scenarios) & set(CASE_SCENARIOS):
        users = load_case_users(url)
        tokens |= {username: user["token"] for username, user in users.items()}
        args.case_groups = users[CASE_HANDLER_USERNAME]["handler_groups"]
        files |= sample_case_inputs(url, OUT_DIR / "inputs", rng, args.case_groups)
    if set(scenarios) & set(CREATE_SCENARIOS):
        files |= sample_create_inputs(url, OUT_DIR / "inputs")
    args.cookies = {}
    if set(scenarios) & set(PAGE_SCENARIOS):
        args.cookies = session_cookies(url, [BENCH_USERNAME, CASE_HANDLER_USERNAME, CASE_SUPERVISOR_USERNAME])
    args.client_key = new_service_client(url) if set(scenarios) & set(PUBLIC_SCENARIOS) else None
    if set(scenarios) & {"public_intake", "public_status", "open311_requests"}:
        files |= sample_public_inputs(url, OUT_DIR / "inputs", rng)
    port = free_port(args.port)
    log = OUT_DIR / "gunicorn.log"

    if args.sweep:
        rows = []
        for workers, threads in SWEEP_CONFIGS:
            with Gunicorn(url, port, workers, threads, log, args.app_dir, extra_env=extra_env) as server:
                print(f"== {server.label}", flush=True)
                for scenario in ("contact_log_throughput", "lookup_email"):
                    name = f"sweep:{workers}w{threads}t:{scenario}"
                    result = run_scenario(
                        args, url, token, server, scenario, files[scenario], rng, args.throughput_concurrency, name
                    )
                    rows.append((server.label, scenario, result))
        print(f"\nSweep at concurrency {args.throughput_concurrency}, {args.duration:g} s each:")
        print("| gunicorn | scenario | req/s | p50 ms | p95 ms | p99 ms | other CPU |\n|---|---|---|---|---|---|---|")
        for label, scenario, r in rows:
            print(
                f"| {label} | {scenario} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
                f"| {r['cpu_cores']['other']} |"
            )
        return 0
    if args.peer:
        return run_pairs(args, url, tokens, files, rng, scenarios, port, log, extra_env, stamp, size)

    rows = []
    http = [scenario for scenario in scenarios if SCENARIOS[scenario][0] != "in-process"]
    label = "not started"
    if http:
        with Gunicorn(
            url,
            port,
            args.workers,
            args.threads,
            log,
            args.app_dir,
            args.worker_class,
            args.gunicorn_config,
            extra_env,
        ) as server:
            print(f"gunicorn: {server.label} on 127.0.0.1:{port}; {args.duration:g} s per scenario", flush=True)
            for _ in range(args.repeat):
                for scenario in http:
                    concurrency = {
                        "throughput": args.throughput_concurrency,
                        "create": args.create_concurrency,
                    }.get(SCENARIOS[scenario][0], args.latency_concurrency)
                    user_token = tokens[SCENARIO_USERS.get(scenario)]
                    rows.append(
                        (
                            scenario,
                            run_scenario(args, url, user_token, server, scenario, files[scenario], rng, concurrency),
                        )
                    )
            label = server.label
        purge_broker(args.broker)
    summary = table(rows) if rows else ""
    if "chase" in scenarios:
        print("chase: bench/chase.py", flush=True)
        summary += ("\n\n" if summary else "") + chase_table(run_chase(args, url))
    print(
        f"\n{datetime.now():%Y-%m-%d %H:%M}, gunicorn {label}, {size.get('contacts_party', 0):,} parties, "
        f"{size.get('contacts_contact', 0):,} contacts, {size.get('cases_case', 0):,} cases, "
        f"{size.get('cases_caseevent', 0):,} case events\n{summary}"
    )
    (OUT_DIR / f"summary-{stamp}.md").write_text(
        f"# Bench run {stamp}\n\ngunicorn {label}, app {args.app_dir}; dataset {size}\n\n{summary}\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
