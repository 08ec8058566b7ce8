"""Settings, read from the environment (see docs/configuration.md and .env.example).

With no environment at all the project runs embedded: SQLite under var/, Celery eager,
e-mail to the console. Production differs only by environment variables.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
# Runtime files of the embedded default (SQLite database, collected static files) live here.
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)
# The embedded default needs no configuration; a deployment must set its own key.
SECRET_KEY = env.str("SECRET_KEY", default="insecure-embedded-default-change-me")
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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "midoffice",
    "contacts",
    "cases",
    "notifications",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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

LOGIN_URL = "admin:login"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["midoffice.permissions.IsStaffMember"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "midoffice.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "midoffice.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Public endpoints (no login) are throttled per client address.
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("PUBLIC_API_RATE", default="30/minute")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Midoffice API",
    "DESCRIPTION": (
        "Contact follow-up for a Flemish city: authentic contact records, contacts, cases "
        "and citizen notifications. Authenticate with a session or `Authorization: Token <key>` "
        "(obtain one with `POST /api/v1/auth/token/`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ContactChannelEnum": "contacts.models.Channel",
        "ContactSourceEnum": "contacts.models.Source",
        "ContactOutcomeEnum": "contacts.models.Outcome",
        "PartyKindEnum": "contacts.models.PartyKind",
        "ContactPointKindEnum": "contacts.models.ContactPointKind",
        "CaseStateEnum": "cases.models.CaseState",
    },
}

# Celery: without a broker URL every task runs eagerly in-process (embedded default, unit tests).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
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
}

# Domain settings.
MIDOFFICE_DEFAULT_PHONE_REGION = env.str("MIDOFFICE_DEFAULT_PHONE_REGION", default="BE")
# Regional holidays (MM-DD) that are not working days on top of the Belgian public holidays:
# 11 July, the Flemish holiday, by default.
MIDOFFICE_REGIONAL_HOLIDAYS = env.list("MIDOFFICE_REGIONAL_HOLIDAYS", default=["07-11"])
# Calendar days a resolved case can be reopened before it closes automatically.
MIDOFFICE_REOPEN_WINDOW_DAYS = env.int("MIDOFFICE_REOPEN_WINDOW_DAYS", default=14)
# Citizen notifications (outbox). A backend that is not listed creates no notifications at all.
MIDOFFICE_NOTIFICATION_BACKENDS = env.list(
    "MIDOFFICE_NOTIFICATION_BACKENDS", default=["email", "webhook", "dosis", "burgerprofiel"]
)
# Webhook subscriptions must use HTTPS unless this is switched off (local development and tests).
MIDOFFICE_WEBHOOK_REQUIRE_HTTPS = env.bool("MIDOFFICE_WEBHOOK_REQUIRE_HTTPS", default=True)
MIDOFFICE_HTTP_TIMEOUT_SECONDS = env.float("MIDOFFICE_HTTP_TIMEOUT_SECONDS", default=10.0)
# The Flemish OAuth2 server (DOSIS, Mijn Burgerprofiel): client credentials with a JWT assertion
# signed with the city's private key. Values marked uncertain in REFERENCE.md are settings.
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
# Where citizens reach this installation: the status links in notifications start with it.
MIDOFFICE_PUBLIC_BASE_URL = env.str("MIDOFFICE_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
MIDOFFICE_NOTIFICATION_SENDER = env.str("MIDOFFICE_NOTIFICATION_SENDER", default="Stad — Klantencontact")
MIDOFFICE_NOTIFICATION_MAX_ATTEMPTS = env.int("MIDOFFICE_NOTIFICATION_MAX_ATTEMPTS", default=8)
MIDOFFICE_NOTIFICATION_BACKOFF_SECONDS = env.float("MIDOFFICE_NOTIFICATION_BACKOFF_SECONDS", default=30.0)
MIDOFFICE_NOTIFICATION_BACKOFF_MAX_SECONDS = env.float("MIDOFFICE_NOTIFICATION_BACKOFF_MAX_SECONDS", default=21600.0)
# The relay leaves fresh notifications to the task enqueued at commit for this long.
MIDOFFICE_NOTIFICATION_RELAY_GRACE_SECONDS = env.float("MIDOFFICE_NOTIFICATION_RELAY_GRACE_SECONDS", default=60.0)
MIDOFFICE_NOTIFICATION_RELAY_BATCH = env.int("MIDOFFICE_NOTIFICATION_RELAY_BATCH", default=1000)
# Trigram similarity above which two parties' names count as alike (PostgreSQL only).
MIDOFFICE_DUPLICATE_NAME_SIMILARITY = env.float("MIDOFFICE_DUPLICATE_NAME_SIMILARITY", default=0.5)

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env.bool("SECURE_COOKIES", default=False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
