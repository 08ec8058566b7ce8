#!/usr/bin/env bash
# Schemathesis against a live server: the OpenAPI document (/api/schema/) must describe what the API
# really answers. A fresh PostgreSQL database with the demo data, gunicorn on a free local port, then one
# bounded run per role (KCC, handler, supervisor) that fails on any 5xx, any response outside its
# documented schema and any undocumented status code. Run by .ci/run after the test suite; runnable on
# its own:
#
#   .ci/schemathesis.sh                      # database midoffice_schemathesis, 40 s per role
#   SCHEMATHESIS_DB=mine SCHEMATHESIS_SECONDS=20 .ci/schemathesis.sh
#
# Failures are listed with a curl command that reproduces them; the server's log is printed too.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

PG="${SCHEMATHESIS_PG:-postgres://postgres@127.0.0.1:5432}"
DB="${SCHEMATHESIS_DB:-midoffice_schemathesis}"
SECONDS_PER_ROLE="${SCHEMATHESIS_SECONDS:-40}"
PY=.venv/bin/python
LOG_DIR="$(mktemp -d)"

# A deployment as production runs it (DEBUG off), but over plain HTTP on the loopback.
export DATABASE_URL="$PG/$DB"
export DEBUG=false
export SECRET_KEY="schemathesis-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export MIDOFFICE_PUBLIC_BASE_URL=http://127.0.0.1
export SECURE_SSL_REDIRECT=false SECURE_COOKIES=false SECURE_HSTS_SECONDS=0
# The server's log keeps what went wrong on its side (the tracebacks of 5xx), readable.
export LOG_LEVEL=ERROR LOG_FORMAT=text
export EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend
# No broker: tasks run in the request, as in the embedded default. Only e-mail, so that no notification
# tries to reach an outside system.
export CELERY_BROKER_URL=""
export MIDOFFICE_NOTIFICATION_BACKENDS=email

psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" -c "CREATE DATABASE \"$DB\""
$PY manage.py migrate --noinput -v 0
$PY manage.py seed_demo --force --parties 60 >/dev/null

# One API token per role; their keys exist only here (the database keeps hashes).
read -r KCC_TOKEN HANDLER_TOKEN SUPERVISOR_TOKEN < <($PY manage.py shell -v 0 -c "
from django.contrib.auth import get_user_model
from knox.models import AuthToken
users = get_user_model().objects
print(*(AuthToken.objects.create(users.get(username=name))[1] for name in ('kcc', 'behandelaar', 'supervisor')))
")

PORT="$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
.venv/bin/gunicorn midoffice.wsgi -b "127.0.0.1:$PORT" -w 2 --threads 4 --timeout 30 \
  --error-logfile "$LOG_DIR/server.log" --capture-output &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$LOG_DIR"' EXIT
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$PORT/health/" >/dev/null 2>&1 && break
  sleep 0.2
done

run() {  # run ROLE TOKEN
  echo "== Schemathesis as $1 (${SECONDS_PER_ROLE}s)"
  # Logging out would revoke the token the rest of the run uses. One worker: Hypothesis parses lambda sources
  # with ast.parse, which Python 3.11.7 can fail in a second thread ("AST constructor recursion depth mismatch").
  # From the log directory: Schemathesis and Hypothesis keep their caches in the working directory.
  (cd "$LOG_DIR" && timeout $((SECONDS_PER_ROLE + 60)) "$ROOT/.venv/bin/schemathesis" run \
    "http://127.0.0.1:$PORT/api/schema/" \
    --header "Authorization: Token $2" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance \
    --exclude-path /api/v1/auth/logout/ \
    --phases examples,coverage,fuzzing \
    --max-time "$SECONDS_PER_ROLE" --max-examples 50 --workers 1 \
    --request-timeout 20 --seed 20261130 \
    --suppress-health-check all --generation-database none --no-color)
}

status=0
run kcc "$KCC_TOKEN" || status=1
run behandelaar "$HANDLER_TOKEN" || status=1
run supervisor "$SUPERVISOR_TOKEN" || status=1
if [ "$status" -ne 0 ]; then
  echo "== Server errors (with their tracebacks)"
  awk '/^[0-9]{4}-[0-9]{2}-[0-9]{2} /{show = / (ERROR|CRITICAL) /} /^\[/{show = /\[(ERROR|CRITICAL)\]/} show' "$LOG_DIR/server.log" | tail -n 400
fi
exit "$status"
