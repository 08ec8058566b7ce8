# The two commands of the README: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: install run test lint format bench bench-data bench-pair messages worker beat

$(STAMP):
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## Install, migrate, seed demo data (idempotent) and serve on http://127.0.0.1:8000 (make run PORT=8080: another
## port). Embedded: the periodic jobs run in the server process and e-mailed links follow the port.
PORT ?= 8000
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py serve 127.0.0.1:$(PORT)

## The whole test suite (SQLite by default; CI sets DATABASE_URL to PostgreSQL)
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

## Celery worker and beat (need CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0)
worker: install
	$(VENV)/bin/celery -A midoffice worker -l INFO

beat: install
	$(VENV)/bin/celery -A midoffice beat -l INFO --schedule var/celerybeat-schedule

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Recompile the translations after editing locale/*/LC_MESSAGES/django.po (needs GNU gettext)
messages: install
	$(PY) manage.py makemessages -l nl --no-obsolete --ignore=.venv --ignore=var --ignore=bench --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

## Benchmarks on PostgreSQL (see docs/performance.md)
bench-data: install
	$(PY) bench/generate.py $(BENCH_ARGS)

bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

## The create scenarios paired with the peer help desk; BENCH_ARGS="--broker redis://127.0.0.1:6379/11" as in production
bench-pair: install
	$(PY) bench/run.py --peer $(BENCH_ARGS)
