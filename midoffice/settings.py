"""Settings, read from the environment (see docs/configuration.md and .env.example).

With no environment at all the project runs embedded: SQLite under var/, Celery eager,
e-mail to the console. Production differs only by environment variables.
"""

from datetime import date, timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

from midoffice.embedded import installation_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
# Runtime files of the embedded default (SQLite database, collected static files) live here.
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)

# --- Embedded mode, secrets, production (midoffice/embedded.py, midoffice/checks.py) ----------------------
# Embedded mode is the SQLite default of `make run`: no DATABASE_URL. It makes its own secret key (once,
# kept in var/) and serves links at the address it listens on. Anything else with DEBUG off is a
# deployment: start-up refuses it without SECRET_KEY and MIDOFFICE_PUBLIC_BASE_URL, and the production
# defaults below (HTTPS only, HSTS, secure cookies, JSON logs) are on.
MIDOFFICE_EMBEDDED = not env.str("DATABASE_URL", default="")
_PRODUCTION = not (DEBUG or MIDOFFICE_EMBEDDED)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and not _PRODUCTION:
    SECRET_KEY = installation_secret_key(VAR_DIR / "secret_key")
# --- end embedded mode ---------------------------------------------------------------------------------
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    # Swagger UI's files served from our own static files (no CDN): drf-spectacular-sidecar.
    "drf_spectacular_sidecar",
    "csp",
    "auditlog",
    "midoffice",
    "contacts",
    "cases",
    "notifications",
    "reports",
    "staff",
    "public",
    "inbound",
    "django_htmx",
]

MIDDLEWARE = [
    # First: every log record of the request, and its response, carry the request id.
    "midoffice.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the locale (its messages are in the caller's language), before anything reads the request.
    "midoffice.middleware.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.htmx: the pages answer a partial update with the fragment it asked for.
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a locked-out admin login into a 429 page (the API answers its own 429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "midoffice.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "staff.context_processors.shell",
            ],
        },
    },
]

WSGI_APPLICATION = "midoffice.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'midoffice.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and a test client write side by side.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's, with a health check of the persistent connection that costs no round trip.
        DATABASES["default"]["ENGINE"] = "midoffice.postgresql"
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        # Server-side binding and prepared statements: psycopg prepares a statement once a connection has run it
        # five times, so PostgreSQL parses and plans each query shape once per connection, not on every execution.
        # Off (DATABASE_PREPARED_STATEMENTS=false) behind a transaction-pooling PgBouncer older than 1.21.
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
    if not env.bool("DATABASE_JIT", default=False):
        # PostgreSQL's JIT compiles a query whose estimated cost is high, which costs more than it saves on every
        # query of this application (a quarter's KPIs: 30–100 % slower with it, docs/performance.md).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl-be"
LANGUAGES = [("nl-be", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="midoffice@localhost")
# For django.core.mail.backends.filebased.EmailBackend (used by the integration tests).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# For django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "staff:login"

# How many reverse proxies in front of the application append to X-Forwarded-For. 0: the client is the
# peer of the connection and X-Forwarded-For is ignored (a client can forge it); N: the address the
# outermost trusted proxy saw. Used by the throttles and the login lockout (midoffice/throttling.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Request bodies above this many bytes answer 413 (Django's default, 2.5 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a request without valid credentials answers 401 (with WWW-Authenticate), not 403.
        "midoffice.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["midoffice.permissions.IsStaffMember"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "midoffice.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "midoffice.schema.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "midoffice.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "midoffice.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Public endpoints (no login) are throttled per client address.
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("PUBLIC_API_RATE", default="30/minute")},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}

# Shared by every process when CACHE_URL is set (e.g. redis://127.0.0.1:6379/1): the throttle counters
# and the OAuth tokens of the notification backends. Local memory of one process in the embedded default.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# API tokens (django-rest-knox): stored as a hash, valid API_TOKEN_TTL_HOURS, revoked by
# POST /api/v1/auth/logout/.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=10)),
    "AUTH_HEADER_PREFIX": "Token",
}

# Brute force (django-axes): after AXES_FAILURE_LIMIT failed logins for one username (from any address)
# or from one address (for any username), every login attempt through the admin or the token endpoint is
# refused, without checking the password, until AXES_COOLOFF_MINUTES have passed since the last failure.
AUTHENTICATION_BACKENDS = [
    "midoffice.auth.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    # ACM/IDM for staff: only a callback with a code and state reaches it (staff.oidc).
    "staff.oidc.StaffOidcBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "midoffice.throttling.client_ip"
# Attempts during a lockout are refused without being recorded, so the cool-off ends on time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Failures and lockouts are still logged (usernames and addresses masked); not the start-up banner.
AXES_VERBOSE = False
# The admin login's 429 page (the API answers {"detail", "code": "login_locked_out"}).
AXES_COOLOFF_MESSAGE = gettext_lazy("Too many failed login attempts: try again later.")

SPECTACULAR_SETTINGS = {
    "TITLE": "Midoffice API",
    "DESCRIPTION": (
        "Contact follow-up for a Flemish city: authentic contact records, contacts, cases "
        "and citizen notifications. Authenticate with a session or `Authorization: Token <key>` "
        "(obtain one with `POST /api/v1/auth/token/`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge fetched from validator.swagger.io: the page loads nothing from elsewhere.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    # Row ids in paths (midoffice/converters.py): digits within the database's 64-bit integers.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**63 - 1}},
    "ENUM_NAME_OVERRIDES": {
        "ContactChannelEnum": "contacts.models.Channel",
        "ContactSourceEnum": "contacts.models.Source",
        "ContactOutcomeEnum": "contacts.models.Outcome",
        "PartyKindEnum": "contacts.models.PartyKind",
        "ContactPointKindEnum": "contacts.models.ContactPointKind",
        "CaseStateEnum": "cases.models.CaseState",
        "AssistantOutcomeEnum": "public.models.AssistantOutcome",
        "KpiStatusEnum": "reports.kpis.base.KpiStatus",
    },
}

# Celery: without a broker URL every task runs eagerly in-process (embedded default, unit tests).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_BROKER_URL.startswith("redis://"):
    # kombu's Redis transport, keeping its client instead of making one per publish (midoffice/broker.py).
    CELERY_BROKER_TRANSPORT = "midoffice.broker:Transport"
# With the broker down a request gives up enqueueing within about a second: the outbox row stays
# pending and the relay delivers it once the broker is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The worker logs through LOGGING below (JSON lines with the request id), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's Django fixup closes the database connection around every task unless this is set: a new
# PostgreSQL connection per delivery. With it, midoffice/celery.py applies Django's own rules between tasks
# (CONN_MAX_AGE, health checks, broken connections), as between requests; the fixup still recycles a
# thread's connection every 5,000 tasks.
CELERY_DB_REUSE_MAX = 5000
CELERY_BEAT_SCHEDULE = {
    "escalate-cases": {
        "task": "cases.tasks.escalate_cases",
        "schedule": env.float("MIDOFFICE_CHASE_INTERVAL_SECONDS", default=300.0),
    },
    "relay-notifications": {
        "task": "notifications.tasks.relay_notifications",
        "schedule": env.float("MIDOFFICE_NOTIFICATION_RELAY_INTERVAL_SECONDS", default=60.0),
    },
    "report-dead-notifications": {
        "task": "notifications.tasks.report_dead_notifications",
        "schedule": crontab(hour=7, minute=0),
    },
    "close-expired-cases": {
        "task": "cases.tasks.close_expired_cases",
        "schedule": env.float("MIDOFFICE_AUTO_CLOSE_INTERVAL_SECONDS", default=3600.0),
    },
    "purge-idempotency-keys": {
        "task": "midoffice.tasks.purge_idempotency_keys",
        "schedule": crontab(hour=3, minute=30),
    },
    # The KPIs' daily rollups: the days written since the last refresh (a report refreshes them too).
    "refresh-rollups": {
        "task": "reports.tasks.rollups_refresh",
        "schedule": env.float("MIDOFFICE_ROLLUP_REFRESH_INTERVAL_SECONDS", default=60.0),
    },
    # The report of the month and of the quarter that just ended, e-mailed to MIDOFFICE_REPORT_RECIPIENTS.
    "mail-monthly-report": {
        "task": "reports.tasks.report_mail_send",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
        "args": ("month",),
    },
    "mail-quarterly-report": {
        "task": "reports.tasks.report_mail_send",
        "schedule": crontab(month_of_year="1,4,7,10", day_of_month=1, hour=6, minute=15),
        "args": ("quarter",),
    },
}

# Domain settings.
# The KPIs read daily rollups on PostgreSQL (reports/rollups.py); off: they scan the source tables.
REPORTS_ROLLUPS = env.bool("REPORTS_ROLLUPS", default=True)
MIDOFFICE_DEFAULT_PHONE_REGION = env.str("MIDOFFICE_DEFAULT_PHONE_REGION", default="BE")
# Regional holidays (MM-DD) that are not working days on top of the Belgian public holidays:
# 11 July, the Flemish holiday, by default.
MIDOFFICE_REGIONAL_HOLIDAYS = env.list("MIDOFFICE_REGIONAL_HOLIDAYS", default=["07-11"])
# Calendar days a resolved case can be reopened before it closes automatically.
MIDOFFICE_REOPEN_WINDOW_DAYS = env.int("MIDOFFICE_REOPEN_WINDOW_DAYS", default=14)
# The earliest moment a client may give (a case's registration): older ones are typing errors, and the
# working-day calendar starts here.
MIDOFFICE_MIN_DATE = date.fromisoformat(env.str("MIDOFFICE_MIN_DATE", default="1990-01-01"))
# Citizen notifications (outbox). A backend that is not listed creates no notifications at all.
MIDOFFICE_NOTIFICATION_BACKENDS = env.list(
    "MIDOFFICE_NOTIFICATION_BACKENDS", default=["email", "webhook", "dosis", "burgerprofiel"]
)
# Webhook subscriptions must use HTTPS unless this is switched off (local development and tests).
MIDOFFICE_WEBHOOK_REQUIRE_HTTPS = env.bool("MIDOFFICE_WEBHOOK_REQUIRE_HTTPS", default=True)
MIDOFFICE_HTTP_TIMEOUT_SECONDS = env.float("MIDOFFICE_HTTP_TIMEOUT_SECONDS", default=10.0)
# The Flemish OAuth2 server (DOSIS, Mijn Burgerprofiel): client credentials with a JWT assertion
# signed with the city's private key. Values the published specifications leave uncertain are settings.
MIDOFFICE_OAUTH_TOKEN_URL = env.str(
    "MIDOFFICE_OAUTH_TOKEN_URL", default="https://oauth.vlaanderen.be/authorization/ws/oauth/v2/token"
)
MIDOFFICE_OAUTH_CLIENT_ID = env.str("MIDOFFICE_OAUTH_CLIENT_ID", default="")
MIDOFFICE_OAUTH_PRIVATE_KEY = env.str("MIDOFFICE_OAUTH_PRIVATE_KEY", default="", multiline=True)
if env.str("MIDOFFICE_OAUTH_PRIVATE_KEY_FILE", default=""):
    MIDOFFICE_OAUTH_PRIVATE_KEY = Path(env.str("MIDOFFICE_OAUTH_PRIVATE_KEY_FILE")).read_text()
MIDOFFICE_OAUTH_JWT_ALGORITHM = env.str("MIDOFFICE_OAUTH_JWT_ALGORITHM", default="RS256")
# DOSIS (dossier status in Mijn Burgerprofiel and the e-loketten): off without a URL.
MIDOFFICE_DOSIS_URL = env.str("MIDOFFICE_DOSIS_URL", default="")
MIDOFFICE_DOSIS_SCOPE = env.str("MIDOFFICE_DOSIS_SCOPE", default="DosisImport")
MIDOFFICE_DOSIS_SOURCE_URI = env.str("MIDOFFICE_DOSIS_SOURCE_URI", default="")
MIDOFFICE_DOSIS_ACCESS_CODE = env.str("MIDOFFICE_DOSIS_ACCESS_CODE", default="Raadpleger")
MIDOFFICE_DOSIS_CONTACT_PHONE = env.str("MIDOFFICE_DOSIS_CONTACT_PHONE", default="")
MIDOFFICE_DOSIS_CONTACT_WEBSITE = env.str("MIDOFFICE_DOSIS_CONTACT_WEBSITE", default="")
# Mijn Burgerprofiel notifications ("meldingen") for persons with an INSZ: off without a URL.
MIDOFFICE_BURGERPROFIEL_URL = env.str("MIDOFFICE_BURGERPROFIEL_URL", default="")
MIDOFFICE_BURGERPROFIEL_SCOPE = env.str("MIDOFFICE_BURGERPROFIEL_SCOPE", default="BurgerprofielNotificaties")
MIDOFFICE_BURGERPROFIEL_SENDER_URI = env.str("MIDOFFICE_BURGERPROFIEL_SENDER_URI", default="")
MIDOFFICE_BURGERPROFIEL_CATEGORY = env.str("MIDOFFICE_BURGERPROFIEL_CATEGORY", default="DossierStatus")
MIDOFFICE_BURGERPROFIEL_RECIPIENT_FIELD = env.str("MIDOFFICE_BURGERPROFIEL_RECIPIENT_FIELD", default="Insz")
MIDOFFICE_BURGERPROFIEL_CHANNELS = env.list("MIDOFFICE_BURGERPROFIEL_CHANNELS", default=[])
MIDOFFICE_BURGERPROFIEL_BRAND_CODE = env.str("MIDOFFICE_BURGERPROFIEL_BRAND_CODE", default="")
# The keys of SleutelWaardeParen must be those of the template the city registered: override any of them
# with e.g. MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS="reference=dossierNummer,link=url".
MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS = {
    "reference": "dossiernummer",
    "case_type": "dossiertype",
    "status": "status",
    "message": "bericht",
    "link": "link",
    **env.dict("MIDOFFICE_BURGERPROFIEL_TEMPLATE_KEYS", default={}),
}
# Where citizens reach this installation: status and survey links start with it. A deployment must set it;
# embedded or with DEBUG, empty means the address `manage.py serve` listens on (midoffice.embedded).
MIDOFFICE_PUBLIC_BASE_URL = env.str("MIDOFFICE_PUBLIC_BASE_URL", default="")
# A status link older than this shows an "expired" page (410) and records nothing.
MIDOFFICE_STATUS_LINK_MAX_AGE_DAYS = env.int("MIDOFFICE_STATUS_LINK_MAX_AGE_DAYS", default=90)
# The city's look in the staff application: its name, its logo (a path under the static files or a URL)
# and its colour (#rrggbb; white text must be readable on it, WCAG AA: a contrast of 4.5 or more).
MIDOFFICE_CITY_NAME = env.str("MIDOFFICE_CITY_NAME", default="Stad")
MIDOFFICE_CITY_LOGO = env.str("MIDOFFICE_CITY_LOGO", default="staff/logo.svg")
MIDOFFICE_CITY_COLOUR = env.str("MIDOFFICE_CITY_COLOUR", default="#1d4f7c")
# Who gets the report (PDF) of each month and quarter by e-mail, comma-separated; empty: nobody, nothing is sent.
MIDOFFICE_REPORT_RECIPIENTS = env.list("MIDOFFICE_REPORT_RECIPIENTS", default=[])
MIDOFFICE_NOTIFICATION_SENDER = env.str("MIDOFFICE_NOTIFICATION_SENDER", default="Stad — Klantencontact")
MIDOFFICE_NOTIFICATION_MAX_ATTEMPTS = env.int("MIDOFFICE_NOTIFICATION_MAX_ATTEMPTS", default=8)
MIDOFFICE_NOTIFICATION_BACKOFF_SECONDS = env.float("MIDOFFICE_NOTIFICATION_BACKOFF_SECONDS", default=30.0)
MIDOFFICE_NOTIFICATION_BACKOFF_MAX_SECONDS = env.float("MIDOFFICE_NOTIFICATION_BACKOFF_MAX_SECONDS", default=21600.0)
# The relay leaves fresh notifications to the task enqueued at commit for this long.
MIDOFFICE_NOTIFICATION_RELAY_GRACE_SECONDS = env.float("MIDOFFICE_NOTIFICATION_RELAY_GRACE_SECONDS", default=60.0)
MIDOFFICE_NOTIFICATION_RELAY_BATCH = env.int("MIDOFFICE_NOTIFICATION_RELAY_BATCH", default=1000)
# Trigram similarity above which two parties' names count as alike (PostgreSQL only).
MIDOFFICE_DUPLICATE_NAME_SIMILARITY = env.float("MIDOFFICE_DUPLICATE_NAME_SIMILARITY", default=0.5)
# Change history (django-auditlog, docs/architecture.md): old and new values kept as JSON (null, numbers),
# not as their string forms.
AUDITLOG_STORE_JSON_CHANGES = True
# How long the response to a write sent with an Idempotency-Key is kept for its retries.
MIDOFFICE_IDEMPOTENCY_KEY_HOURS = env.int("MIDOFFICE_IDEMPOTENCY_KEY_HOURS", default=24)

# --- Production headers and cookies: on in a deployment, off embedded and with DEBUG (plain HTTP) ----------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Behind a proxy that terminates TLS: the header it sets, e.g. "HTTP_X_FORWARDED_PROTO,https". Without it
# every request looks like plain HTTP, and SECURE_SSL_REDIRECT would redirect in a loop.
if _proxy_ssl_header := env.list("SECURE_PROXY_SSL_HEADER", default=[]):
    if len(_proxy_ssl_header) != 2:
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER: the header and its value, e.g. HTTP_X_FORWARDED_PROTO,https"
        )
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_PRODUCTION)
# A load balancer's health probe may speak plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=_PRODUCTION)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=_PRODUCTION)
# Preloading HSTS is a decision for the city's whole domain (the preload list takes registrable domains
# only) and hard to undo: SECURE_HSTS_PRELOAD stays the city's choice, without a warning for not making it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# No inline script or style anywhere (the status page's read receipt is a static script, Swagger UI's
# start-up script a separate request); Swagger UI's stylesheet draws its icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# --- end production headers ------------------------------------------------------------------------------

# --- Logs: JSON lines (a deployment's default) or text, each record with its request id ------------------
# How to log: docs/operations.md#logs. The request id comes from midoffice.logging.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if _PRODUCTION else "text")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "midoffice.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message", "request_id"],
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint (the PDF report) and its font library tell every step at INFO: only their warnings are news.
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
# --- end logs --------------------------------------------------------------------------------------------


# --- The public channels (public/): service clients, intake, status look-up, Open311 -----------------------------
# Files citizens send with a submission (POST /api/v1/public/intake/): at most this many, each at most this large
# and of one of these types, stored in the default storage under MEDIA_ROOT. The whole request stays under
# DATA_UPLOAD_MAX_MEMORY_SIZE (413 beyond): raise that too for larger files.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
PUBLIC_ATTACHMENT_MAX_COUNT = env.int("PUBLIC_ATTACHMENT_MAX_COUNT", default=5)
PUBLIC_ATTACHMENT_MAX_BYTES = env.int("PUBLIC_ATTACHMENT_MAX_BYTES", default=2_000_000)
PUBLIC_ATTACHMENT_CONTENT_TYPES = env.list(
    "PUBLIC_ATTACHMENT_CONTENT_TYPES", default=["image/jpeg", "image/png", "application/pdf"]
)
# Throttles (DRF rate syntax): submissions per service client; status look-ups per service client and, for
# callers without one, per client address.
PUBLIC_INTAKE_RATE = env.str("PUBLIC_INTAKE_RATE", default="120/minute")
PUBLIC_INTAKE_CITIZEN_RATE = env.str("PUBLIC_INTAKE_CITIZEN_RATE", default="20/hour")
PUBLIC_STATUS_CLIENT_RATE = env.str("PUBLIC_STATUS_CLIENT_RATE", default="600/minute")
PUBLIC_STATUS_ADDRESS_RATE = env.str("PUBLIC_STATUS_ADDRESS_RATE", default="10/minute")
# ACM/IDM, the Flemish government's login (OpenID Connect; docs/acm-idm.md): staff sign in with it next to their
# password, citizens to see their own cases. Off while MIDOFFICE_OIDC_ISSUER or MIDOFFICE_OIDC_CLIENT_ID is empty.
# The endpoints are the issuer's (no discovery); the OIDC_* names are mozilla-django-oidc's.
MIDOFFICE_OIDC_ISSUER = env.str("MIDOFFICE_OIDC_ISSUER", default="").rstrip("/")
OIDC_RP_CLIENT_ID = env.str("MIDOFFICE_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("MIDOFFICE_OIDC_CLIENT_SECRET", default="")
_oidc_client_auth = env.str("MIDOFFICE_OIDC_CLIENT_AUTH", default="client_secret_basic")
if _oidc_client_auth not in ("client_secret_basic", "client_secret_post"):
    raise ImproperlyConfigured("MIDOFFICE_OIDC_CLIENT_AUTH must be client_secret_basic or client_secret_post.")
OIDC_TOKEN_USE_BASIC_AUTH = _oidc_client_auth == "client_secret_basic"
OIDC_OP_AUTHORIZATION_ENDPOINT = f"{MIDOFFICE_OIDC_ISSUER}/v1/auth"
OIDC_OP_TOKEN_ENDPOINT = f"{MIDOFFICE_OIDC_ISSUER}/v1/token"
OIDC_OP_USER_ENDPOINT = f"{MIDOFFICE_OIDC_ISSUER}/v1/userinfo"
OIDC_OP_JWKS_ENDPOINT = f"{MIDOFFICE_OIDC_ISSUER}/v1/keys"
MIDOFFICE_OIDC_LOGOUT_ENDPOINT = f"{MIDOFFICE_OIDC_ISSUER}/v1/logout"
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid profile rrn"
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_TIMEOUT = env.float("MIDOFFICE_OIDC_TIMEOUT_SECONDS", default=10.0)
OIDC_CREATE_USER = False
OIDC_AUTHENTICATION_CALLBACK_URL = "staff:oidc-callback"
# The weakest authentication mechanism accepted (the ID token's acr; midoffice.oidc.ACR_LEVELS), also asked
# for with acr_values. Default: substantial (itsme, eID or a CSAM code by SMS or app).
MIDOFFICE_OIDC_ACR_MINIMUM = env.str("MIDOFFICE_OIDC_ACR_MINIMUM", default="urn:be:vlaanderen:authmech:csamsms")
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": MIDOFFICE_OIDC_ACR_MINIMUM}
# How long a citizen's sign-in lasts (the session keeps their party, acr and this expiry).
MIDOFFICE_OIDC_CITIZEN_SESSION_SECONDS = env.int("MIDOFFICE_OIDC_CITIZEN_SESSION_SECONDS", default=3600)

# --- Inbound e-mail (inbound/): the mailboxes polled instead of read by people -----------------------------------
# Every active mailbox (admin → Mailboxes) is polled this often; a poll takes at most MIDOFFICE_INBOUND_BATCH mails.
CELERY_BEAT_SCHEDULE["inbound-mail-poll"] = {
    "task": "inbound.tasks.poll_mailboxes",
    "schedule": env.float("MIDOFFICE_INBOUND_POLL_INTERVAL_SECONDS", default=60.0),
}
MIDOFFICE_INBOUND_BATCH = env.int("MIDOFFICE_INBOUND_BATCH", default=50)
MIDOFFICE_INBOUND_IMAP_TIMEOUT_SECONDS = env.int("MIDOFFICE_INBOUND_IMAP_TIMEOUT_SECONDS", default=30)
# A larger mail is not fetched: recorded as refused and the KCC told.
MIDOFFICE_INBOUND_MAX_MESSAGE_BYTES = env.int("MIDOFFICE_INBOUND_MAX_MESSAGE_BYTES", default=26_214_400)
# An attachment larger than this, or of another type, is left out of the import (the mail says which).
MIDOFFICE_INBOUND_MAX_ATTACHMENT_BYTES = env.int("MIDOFFICE_INBOUND_MAX_ATTACHMENT_BYTES", default=10_485_760)
MIDOFFICE_INBOUND_ATTACHMENT_TYPES = env.list(
    "MIDOFFICE_INBOUND_ATTACHMENT_TYPES",
    default=[
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/heic",
        "text/plain",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/msword",
    ],
)
# The mail's text kept as the contact's summary, in characters.
MIDOFFICE_INBOUND_SUMMARY_MAX_CHARS = env.int("MIDOFFICE_INBOUND_SUMMARY_MAX_CHARS", default=10_000)
