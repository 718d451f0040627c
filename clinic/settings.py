"""Settings for the clinic app, read from the environment.

Every value has a default that makes `make run` work on a fresh checkout; production sets the
variables documented in `.env.example`. There are no production-only branches: the same code
reads the same variables everywhere.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from clinic.kernel.logs import configure_structlog, logging_config
from clinic.kernel.postgresql import ENGINE as POSTGRESQL_ENGINE
from clinic.kernel.postgresql import database_config

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable; a typo such as "ture" stops start-up instead of meaning False."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a yes/no value (use 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from exc


def env_str(name: str, default: str) -> str:
    """A text variable; set but empty counts as unset (as in a copied .env.example)."""
    return os.environ.get(name, "").strip() or default


def env_seconds(name: str, default: int) -> int:
    """A whole number of seconds, 0 or more (0 turns a timeout off)."""
    seconds = env_int(name, default)
    if seconds < 0:
        raise ImproperlyConfigured(f"{name}={seconds} must be 0 or more seconds.")
    return seconds


def postgres_options(
    *, connect: int, statement: int, lock: int, idle_in_transaction: int, extra: str = ""
) -> dict[str, object]:
    """Connection OPTIONS that put a bound on every wait on PostgreSQL.

    A held row lock or a hung query must end in a clear refusal, not in every web worker
    waiting until gunicorn kills it. `extra` keeps any `options` from DATABASE_URL (they come
    last, so they win).
    """
    flags = [
        f"-c statement_timeout={statement}s",
        f"-c lock_timeout={lock}s",
        f"-c idle_in_transaction_session_timeout={idle_in_transaction}s",
    ]
    return {"connect_timeout": connect, "options": " ".join([*flags, extra]).strip()}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Off unless asked for: a server started with no environment is a production server (the
# demo, `make run`, sets DEBUG=1 itself).
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_structlog",
    "bootstrap",  # Bootstrap 5's CSS and JS, from the django-bootstrap-static package
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "pgtrigger",
    # django-ninja: the REST API (clinic.integrations.api); listed for its reference page's own
    # static files (no CDN).
    "ninja",
    "clinic.kernel.outbox",
    "clinic.kernel.access",
    "clinic",
    "clinic.online",  # the public booking pages
    "practitioners",
    "clients",
    "treatments",
    "clinic.waitlist",
    "clinic.integrations",  # the REST API's keys and the webhooks
    "clinic.imports",  # moving a clinic in from CSV files, and its data out
]

MIDDLEWARE = [
    # First: probes are answered before the HTTPS redirect, the host check, sessions and logging.
    "clinic.kernel.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Binds a request id (and, once known, the user's id) to every log line of the request.
    "django_structlog.middlewares.RequestMiddleware",
    # Before anything reads the body: a declared body over MAX_REQUEST_BYTES is answered 413.
    "clinic.kernel.limits.RequestSizeLimitMiddleware",
    # Before the session: a NUL or undecodable value (a cookie included) is answered 400 here.
    "clinic.kernel.hygiene.InputHygieneMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "clinic.kernel.sessions.IdleTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which second-factor device (if any) verified this session: request.user.is_verified().
    # django-otp's OTPMiddleware, answered from the user's own statement (clinic.kernel.identity).
    "clinic.kernel.identity.VerifiedDeviceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session signed in longer than SESSION_ABSOLUTE_HOURS ago is signed out, busy or not.
    "clinic.kernel.sessions.AbsoluteSessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "clinic.middleware.NoStoreForLoggedInMiddleware",
    # Signed in but no code given yet: only the second step's pages (TWO_FACTOR_REQUIRED).
    "clinic.kernel.twofactor.middleware.TwoFactorMiddleware",
    # A lock or statement timeout or a deadlock on any page: 503 "busy, try again", not a 500.
    "clinic.kernel.contention.BusyMiddleware",
    # Last, so a lock-out answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.context_processors.clinic",
            ],
        },
    },
]

# Databases: a SQLite file by default, PostgreSQL (psycopg 3) through DATABASE_URL, with Django's
# backend reading timestamps through psycopg's compiled loader (clinic.kernel.postgresql).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# A kept connection is checked before each request reuses it (a restarted server, a dropped link).
DATABASES = {
    "default": database_config(
        DATABASE_URL, conn_max_age=env_seconds("CONN_MAX_AGE", 0), conn_health_checks=True
    )
}
# Each read whatever the database, so a typo stops start-up everywhere.
_postgres_timeouts = postgres_options(
    connect=env_seconds("DB_CONNECT_TIMEOUT", 5),
    statement=env_seconds("DB_STATEMENT_TIMEOUT", 15),
    lock=env_seconds("DB_LOCK_TIMEOUT", 5),
    idle_in_transaction=env_seconds("DB_IDLE_IN_TRANSACTION_TIMEOUT", 60),
    extra=DATABASES["default"].get("OPTIONS", {}).get("options", ""),
)
_sqlite_busy_timeout = env_seconds("SQLITE_BUSY_TIMEOUT", 5)
_options = DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == POSTGRESQL_ENGINE:
    _options.update(_postgres_timeouts)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes a second writer wait for the first and then see its rows, instead of
    # failing at once with "database is locked" (measured on these machines); `timeout` is how
    # long it waits before the booking service answers "someone else is changing this".
    _options.update({"transaction_mode": "IMMEDIATE", "timeout": _sqlite_busy_timeout})
    # The test database is a file, not Django's in-memory default: an in-memory database
    # hides races between connections, and the race tests must see them.
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME", str(BASE_DIR / "test-db.sqlite3"))}
# A database error halfway through a request must leave nothing half-written behind.
DATABASES["default"]["ATOMIC_REQUESTS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared state across processes (web servers and workers): the database cache by default (its
# table comes from `manage.py createcachetable`, which `make migrate` runs), Redis by setting.
CACHE_URL = env_str("CACHE_URL", env_str("REDIS_URL", ""))
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL in ("", "db://"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "clinic_cache"}
    }
else:
    raise ImproperlyConfigured(f"CACHE_URL={CACHE_URL!r}: use redis://host:6379/0 (or leave it empty).")

# Background work (Django's Tasks API through the django-tasks backport). TASKS_BACKEND picks
# the backend: "database" (django-tasks-db: `manage.py db_worker`, no other server), "rq"
# (django-tasks-rq on REDIS_URL: `manage.py rqworker --with-scheduler`), "immediate" (runs
# each task inside the process that enqueues it: for trying things out only), or a dotted path.
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
TASKS = {"default": {"BACKEND": TASK_BACKENDS.get(TASKS_BACKEND, TASKS_BACKEND), "QUEUES": ["default"]}}
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")  # its rqworker command and queue checks

# The outbox (clinic.kernel.outbox): every email is a row first, sent by a worker.
# Attempts per message before it is given up (shown to managers in the back office).
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10)
# The wait after the first failure, doubling after each one, up to the cap (seconds).
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 60)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 4 * 3600)
# How long a worker holds a message it is sending; after that another may retry it. Keep it well
# above the longest send (several EMAIL_TIMEOUT-bounded steps).
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)
# The workers' periodic sweep (lost tasks, abandoned sends) and heartbeat run this often.
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 60)
# Days `manage.py prune_sent` keeps sent (or given-up) emails and finished webhook events.
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 730)

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, whose signed-in user is read with their roles and second factor
    # in one statement (clinic.kernel.identity).
    "clinic.kernel.identity.UserBackend",
]
# Argon2 (argon2-cffi) for new and changed passwords; hashes made by the others still check, and
# are upgraded to Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# A password-reset link works for one hour (and once: the password change invalidates it).
PASSWORD_RESET_TIMEOUT = 3600
# Reset requests per client address and per typed email address within the window (429 past it).
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 10)
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env_int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", 3)
PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60)

# Two-factor sign-in (django-otp): practitioners, managers and superusers give a code from an
# authenticator app (or a backup code) after their password. TWO_FACTOR_REQUIRED=0 relaxes it
# for a demo (make run); anyone who has set it up still uses it. Reception may set it up.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", True)
OTP_REQUIRED_ROLES = ("Manager", "Practitioner")  # clinic.kernel.roles.Role values
# After a wrong code the next try waits 1, 2, 4... seconds (per device; django-otp's default).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Login throttling: five wrong passwords for one user from one address lock that pair out; the
# same user from another address still signs in.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Attempts are counted in the database, so every web process sees the same count.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]


# Trusted reverse proxies in front of the app (deploy/nginx.conf alone: 1). The client's address
# (lock-out, access log, request logs) is read by one function: clinic.kernel.addresses.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"PROXY_COUNT={PROXY_COUNT} must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "clinic.kernel.addresses.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Sessions end after inactivity: a request pushes the expiry forward, saving the session at most
# once a minute (clinic.kernel.sessions.IdleTimeoutMiddleware), not on every page view.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# ... and, busy or not, a working day after signing in (clinic.kernel.sessions).
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 10)
# A password change ends the account's other sessions: Django keeps a hash of the password in
# each session and signs out any whose hash no longer matches; the password-change page keeps
# only the session that made the change (update_session_auth_hash).

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "clinic" / "static"]
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files (physicians' letters) are private: MEDIA_ROOT is never served by URL; views
# stream a file only after checking the user's role. By default it lies outside the code folder
# (a copy, an archive or a mistaken static route of the code then never carries letters).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(Path.home() / ".local" / "share" / "clinic" / "media")))
# Never routed: no URL pattern serves MEDIA_ROOT (Django needs a value for the test server).
MEDIA_URL = "/private-media/"


def letters_storage(kind: str) -> dict[str, object]:
    """The physicians' letters' storage: `local` (a folder under MEDIA_ROOT, the default) or `s3`
    (any S3-compatible bucket, through django-storages). Either way a letter is read only through
    the clinician's view: the bucket stays private and no URL to an object is ever handed out."""
    if kind == "local":
        # No `location`: the storage follows MEDIA_ROOT, as the letters always have. Files and
        # folders are the app's user's alone, whatever the umask.
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
        }
    if kind == "s3":
        bucket = env_str("LETTERS_S3_BUCKET", "")
        if not bucket:
            raise ImproperlyConfigured("LETTERS_STORAGE=s3 needs LETTERS_S3_BUCKET.")
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                # Empty means AWS itself; set it for MinIO, Ceph, Scaleway, Backblaze and the like.
                "endpoint_url": env_str("LETTERS_S3_ENDPOINT_URL", "") or None,
                "region_name": env_str("LETTERS_S3_REGION", "") or None,
                # Unset keys fall back to boto3's own chain (AWS_* variables, an instance role).
                "access_key": env_str("LETTERS_S3_ACCESS_KEY_ID", "") or None,
                "secret_key": env_str("LETTERS_S3_SECRET_ACCESS_KEY", "") or None,
                "location": env_str("LETTERS_S3_PREFIX", ""),
                "addressing_style": env_str("LETTERS_S3_ADDRESSING_STYLE", "") or None,
                # Private objects; a name taken is never silently replaced (names are random).
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
    raise ImproperlyConfigured(f"LETTERS_STORAGE={kind!r}: use local or s3.")


LETTERS_STORAGE = env_str("LETTERS_STORAGE", "local").lower()
# clients.models.PhysicianClearance.letter stores through this named storage.
STORAGES["letters"] = letters_storage(LETTERS_STORAGE)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest physician's letter the clearance form takes (bytes).
LETTER_MAX_BYTES = env_int("LETTER_MAX_BYTES", 10 * 1024 * 1024)
# The largest CSV file an import reads, and its most rows (clinic.imports); two files of this
# size fit under MAX_REQUEST_BYTES.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)
# The largest request body: a bigger declared Content-Length is answered 413 before the body is
# read (clinic.kernel.limits). DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out, so without this a
# 1 GB upload would be written to a temporary file before any view could refuse it. nginx's
# client_max_body_size (deploy/nginx.conf) is the same limit in front.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", LETTER_MAX_BYTES + 1024 * 1024)

# Email: the console in development; SMTP (or any Django backend) through the environment.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    f"django.core.mail.backends.{'console' if DEBUG else 'smtp'}.EmailBackend",
)
# Backends that keep emails (with clients' names, times and one-time intake links) in a log, in
# memory or in a folder instead of sending them: a production server with one of them loses
# every email and leaks its content. Refused with DEBUG off unless explicitly allowed.
INSECURE_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    }
)
ALLOW_INSECURE_EMAIL_BACKEND = env_bool("ALLOW_INSECURE_EMAIL_BACKEND", False)
if not DEBUG and EMAIL_BACKEND in INSECURE_EMAIL_BACKENDS and not ALLOW_INSECURE_EMAIL_BACKEND:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND={EMAIL_BACKEND} does not send email: with DEBUG off use SMTP "
        "(django.core.mail.backends.smtp.EmailBackend), or set ALLOW_INSECURE_EMAIL_BACKEND=1."
    )
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds SMTP waits on each network step before giving up (a worker's time, never a request's).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# Where the file email backend (django.core.mail.backends.filebased.EmailBackend) writes.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Clinic <clinic@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HTTPS: all on in production (DEBUG off) unless explicitly turned off behind a proxy.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
# A proxy on this host ends TLS and forwards X-Forwarded-Proto and X-Forwarded-For (deploy/nginx.conf).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content Security Policy: everything from this server; no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Inline style attributes are used by server-rendered SVG charts.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}

# Logs: one JSON object per line on standard error (LOG_FORMAT=console for reading by eye),
# with the request id and user id, and no names, health data or URL tokens.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = logging_config(level=LOG_LEVEL, renderer=env_str("LOG_FORMAT", "json"))
configure_structlog()
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = env_bool("LOG_CLIENT_IP", True)

# /readyz: the task worker's heartbeat must be younger than this (seconds) ...
WORKER_HEARTBEAT_MAX_AGE = env_int("WORKER_HEARTBEAT_MAX_AGE", 120)
# ... when a worker is required (by default in production; a developer runs none).
READYZ_REQUIRE_WORKER = env_bool("READYZ_REQUIRE_WORKER", not DEBUG)

# Clinic-wide settings a manager may tune through the environment.
CLINIC_NAME = env_str("CLINIC_NAME", "Meridian Acupressure & Massage")
# The account's name in the staff's authenticator apps.
OTP_TOTP_ISSUER = CLINIC_NAME
INTAKE_VALID_DAYS = env_int("INTAKE_VALID_DAYS", 365)
INTAKE_LINK_VALID_DAYS = env_int("INTAKE_LINK_VALID_DAYS", 7)
# How long a client's record is kept after the last visit (retention_report lists those past it);
# for a client who was a minor then, counted from the birthday at RETENTION_ADULT_AGE when later.
RETENTION_YEARS = env_int("RETENTION_YEARS", 8)
RETENTION_ADULT_AGE = env_int("RETENTION_ADULT_AGE", 18)
# A practitioner's calendar feed address stops working this many days after it was made.
ICAL_FEED_VALID_DAYS = env_int("ICAL_FEED_VALID_DAYS", 180)
LATE_CANCEL_HOURS = env_int("LATE_CANCEL_HOURS", 24)
REMINDER_HOURS_BEFORE = env_int("REMINDER_HOURS_BEFORE", 24)
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

# The waitlist: how long an entry waits before it expires (days), and how far ahead the desk
# looks for freed times to offer (days, today included).
WAITLIST_ENTRY_DAYS = env_int("WAITLIST_ENTRY_DAYS", 30)
WAITLIST_LOOKAHEAD_DAYS = env_int("WAITLIST_LOOKAHEAD_DAYS", 14)
# Phone numbers typed without a country code are read as numbers of this region (ISO 3166 code).
PHONE_DEFAULT_REGION = os.environ.get("PHONE_DEFAULT_REGION", "GB")

# Online booking (clinic.online): codes and details per client address and per typed email, in a
# window; past either the page answers 429 and sends nothing.
ONLINE_BOOKING_LIMIT_PER_ADDRESS = env_int("ONLINE_BOOKING_LIMIT_PER_ADDRESS", 20)
ONLINE_BOOKING_LIMIT_PER_EMAIL = env_int("ONLINE_BOOKING_LIMIT_PER_EMAIL", 5)
ONLINE_BOOKING_WINDOW_MINUTES = env_int("ONLINE_BOOKING_WINDOW_MINUTES", 60)

# The REST API (clinic.integrations): calls per key per minute (429 past it).
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 120)
# Webhooks: seconds a delivery waits for the receiver (a worker's time, never a request's). Retries,
# their back-off and the attempts before giving up are the outbox's (OUTBOX_*).
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
# Endpoints must be https:// (the events name clients and their times) unless this is on (a
# receiver on the same private network, a demo).
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", DEBUG)
# Endpoints must be addresses on the internet, not inside the clinic's network (loopback, private,
# link-local ranges: clinic.integrations.addresses) unless this is on (a receiver on this machine).
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", DEBUG)
