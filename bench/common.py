"""Shared by bench/generate.py and bench/run.py: where the bench database and outputs live."""

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/midoffice_bench"
BENCH_USERNAME = "bench"
# The case scenarios (issue 3): a handler in five handler groups, and a supervisor (member of the KCC group).
CASE_HANDLER_USERNAME = "bench_handler"
CASE_SUPERVISOR_USERNAME = "bench_supervisor"

# The benchmarks run the application with DEBUG off, where an installation must bring its own secret key and public
# address (the system checks refuse to start without them): the bench scripts and every process they start get
# these, unless the environment sets its own. For loopback benchmarks only, never for a real installation.
BENCH_SETTINGS = {
    "SECRET_KEY": "bench-only-secret-key-0123456789abcdef0123456789abcdef",
    "MIDOFFICE_PUBLIC_BASE_URL": "http://127.0.0.1:8765",
    "SECURE_SSL_REDIRECT": "false",
    # The public endpoints' throttles would answer the load with 429s: the benchmarks measure the work, not them.
    "PUBLIC_INTAKE_RATE": "1000000/minute",
    "PUBLIC_STATUS_CLIENT_RATE": "1000000/minute",
    "PUBLIC_API_RATE": "1000000/minute",
}
for _name, _value in BENCH_SETTINGS.items():
    os.environ.setdefault(_name, _value)


def token_file(url: str) -> Path:
    """Where the benchmark user's API token for the database at ``url`` is written."""
    return OUT_DIR / f"token-{database_name(url)}.json"


def case_users_file(url: str) -> Path:
    """The case scenarios' users for the database at ``url``: id, API token and handler groups of each."""
    return OUT_DIR / f"case-users-{database_name(url)}.json"


def bench_database_url(arg: str | None = None) -> str:
    """--database-url, else $BENCH_DATABASE_URL, else $DATABASE_URL if it is PostgreSQL, else the default."""
    if arg:
        return arg
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url
    return DEFAULT_DATABASE_URL


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def maintenance_url(url: str) -> str:
    """The same server, database ``postgres``: to create or drop the bench database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def refuse_unless_bench(url: str, force: bool) -> None:
    """The generator truncates tables: only on a database whose name says it is for benchmarks."""
    if "bench" not in database_name(url) and not force:
        sys.exit(f"refusing to touch {database_name(url)!r}: its name lacks 'bench' (use --force if you mean it)")


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "midoffice.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_bench_user(url: str) -> str:
    """The user the load runs authenticate as: role group kcc, with an API token. Returns the key."""
    django_setup(url)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from knox.models import AuthToken

    from midoffice.roles import KCC

    user, _ = get_user_model().objects.get_or_create(
        username=BENCH_USERNAME, defaults={"first_name": "Bench", "last_name": "Mark"}
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=KCC))
    # Only a hash of a key is stored: replace the user's tokens by one that never expires and keep its key.
    AuthToken.objects.filter(user=user).delete()
    _, key = AuthToken.objects.create(user, expiry=None)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    token_file(url).write_text(
        json.dumps({"database": database_name(url), "username": user.username, "token": key}) + "\n"
    )
    connection.close()
    return key


def plain_indexes(conn, tables) -> list[tuple[str, str, str]]:
    """(table, index, definition) of every index of ``tables`` that is neither unique nor primary."""
    return conn.execute(
        """
        SELECT t.relname, i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary
        ORDER BY t.relname, i.relname
        """,
        [list(tables)],
    ).fetchall()


def index_file(url: str, name: str = "dropped-indexes") -> Path:
    """Where a load keeps the definitions of the indexes it dropped until it has rebuilt them."""
    return OUT_DIR / f"{name}-{database_name(url)}.sql"


def restore_leftover_indexes(url: str, name: str = "dropped-indexes") -> int:
    """After an interrupted run: recreate indexes that were dropped but not yet rebuilt."""
    import psycopg

    path = index_file(url, name)
    if not path.exists():
        return 0
    statements = [line for line in path.read_text().splitlines() if line.strip()]
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
    path.unlink()
    return len(statements)


def session_cookies(url: str, usernames: list[str]) -> dict[str, str]:
    """A signed-in session for each user (the staff pages authenticate by session, not by token): username ->
    the ``Cookie`` header value. The sessions are stored in the bench database, valid for two weeks."""
    django_setup(url)
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    cookies = {}
    for user in get_user_model().objects.filter(username__in=usernames):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies[user.username] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    connection.close()
    missing = set(usernames) - set(cookies)
    if missing:
        sys.exit(f"no users {sorted(missing)} in {database_name(url)}: run bench/generate.py")
    return cookies


def new_service_client(url: str) -> str:
    """A service client for the public-channel scenarios (intake and status, website/web form): its key. A new one
    per run (keys are shown once); old ones stay, revoked."""
    django_setup(url)
    from django.db import connection
    from django.utils import timezone

    from public.models import ServiceClient
    from public.services import service_client_create, service_client_revoke

    for old in ServiceClient.objects.filter(name__startswith="bench ", revoked_at__isnull=True):
        service_client_revoke(actor=None, client=old)
    _client, key = service_client_create(
        actor=None,
        name=f"bench {timezone.now():%Y-%m-%d %H:%M:%S.%f}",
        scopes=["intake", "status"],
        channels=["website"],
        sources=["web_form", "virtual_assistant"],
    )
    connection.close()
    return key
