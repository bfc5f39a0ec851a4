"""Aftermath settings: one file, every deploy-time choice from the environment.

See `.env.example` for the variables and their defaults.
"""

import mimetypes
import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
# Under pytest: fast hashing, no HTTPS redirect, unhashed static files.
TESTING = env_bool("AFTERMATH_TESTING", default="pytest" in sys.modules)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "axes",
    # Two-factor log-in (checkins.twofactor): an authenticator app's codes, and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    "ninja",  # the API; listed so that its docs page uses the Swagger UI files it ships, not a CDN
]
LOCAL_APPS = [
    "checkins",
    "advice",
    "api",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are small once compressed (the check-in page fits the first 14 KB
    # round trip). Django's gzip adds random padding against BREACH, and CSRF
    # tokens are masked per response.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Views marked @read_only begin their request transaction without SQLite's write lock.
    "config.transactions.ReadOnlyTransactionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed the code step (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # A runner with two-factor log-in on reaches no page without having passed it.
    "checkins.twofactor.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A body larger than the URL takes is refused from its Content-Length, before it is read.
    "config.bodysize.RequestBodyLimitMiddleware",
    # Pages for a signed-in runner: Cache-Control: private, no-store.
    "checkins.middleware.PrivatePagesMiddleware",
    "checkins.middleware.RunnerTimezoneMiddleware",
    "checkins.middleware.MedicalNoticeMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "checkins.context_processors.runner",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
# SQLite by default, under data/. WAL lets readers run beside a writer; the busy
# timeout and IMMEDIATE transactions make concurrent writers queue for the lock
# instead of failing with "database is locked" when a read turns into a write.
DATA_DIR = Path(os.environ.get("AFTERMATH_DATA_DIR", BASE_DIR / "data"))
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'aftermath.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if TESTING else DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Tests get a file of their own (per process), not a shared in-memory database: the
    # browser tests' live server and task worker write from two threads, which an
    # in-memory database answers with "database table is locked" instead of waiting.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True

# --- Cache -------------------------------------------------------------------
# Each app server's own memory. Everything cached is keyed by what it shows (the
# runner's log revision, profile, day and URL: checkins.pagecache), so no copy is
# ever stale and app servers need not share one. Bounded per worker process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "aftermath",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("AFTERMATH_CACHE_ENTRIES") or "500")},
    }
}

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "checkins.User"
AUTHENTICATION_BACKENDS = [
    # Login throttling: refuses a login for an address and IP after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Failures are counted per account and IP address, and per account from any address: a
# guesser gains nothing by spreading guesses over many addresses. (The second count also
# bounds the first; axes' check W006 asks for the IP address to be named.) The cost: a
# stranger can pause an account's log-in for the cool-off time.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # keep failures only, not a log of every successful log-in
AXES_USERNAME_FORM_FIELD = "username"  # the log-in form's field (it holds the e-mail address)
AXES_USERNAME_CALLABLE = "config.net.login_name"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "config.net.client_ip"
# How many proxies in front of the app append to X-Forwarded-For (0: none, trust REMOTE_ADDR).
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
# The code step of two-factor log-in (checkins.twofactor): the authenticator app shows this name.
OTP_TOTP_ISSUER = "Aftermath"
# Password-reset e-mails per address and per client, per hour (checkins.ratelimit).
PASSWORD_RESET_PER_ADDRESS = int(os.environ.get("AFTERMATH_RESET_PER_ADDRESS") or "3")
PASSWORD_RESET_PER_CLIENT = int(os.environ.get("AFTERMATH_RESET_PER_CLIENT") or "10")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- E-mail (password reset) --------------------------------------------------
# Django 6.1's MAILERS. Console by default (the reset link is printed to stdout);
# SMTP when DJANGO_EMAIL_BACKEND names it.
EMAIL_BACKEND_PATH = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": {}}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("DJANGO_EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("DJANGO_EMAIL_PORT", "587")),
        "username": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
        "password": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", True),
        "timeout": 10,
    }
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Aftermath <noreply@localhost>")

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"  # storage; each runner's own zone is activated per request
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Uploads waiting for the task worker. Web servers and workers must share this folder
    # (one machine, or a shared volume: see the README's deploying section). Never served.
    "imports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": Path(os.environ.get("AFTERMATH_UPLOAD_DIR") or DATA_DIR / "uploads")},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The web app manifest's own type, whoever serves it: whitenoise has its own list (without
# it: application/octet-stream); Django's static view (the test live server) asks mimetypes.
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}
mimetypes.add_type("application/manifest+json", ".webmanifest")

# In development and tests whitenoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -----------------------------------------------------------------
# A strict content security policy: no inline style, and no inline script but the
# colour mode's in base.html, which carries the request's nonce (CSP.NONCE below; a
# cached page gets its own per response, checkins.pagecache). The other scripts are
# our own static files and the vendored htmx.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not TESTING)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers check over plain HTTP
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not TESTING)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not TESTING)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)

# --- Logging: everything to stdout, for the process manager to collect ------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- The API (api/) -------------------------------------------------------------
# Requests per personal access token per minute: a fixed window counted on the token's
# row, so the limit holds across every app server and worker (the cache is per process).
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("AFTERMATH_API_RATE_LIMIT") or "60")
API_MAX_BODY_BYTES = 64 * 1024  # a check-in is under 2 KB; larger bodies are answered 413 unread

# --- Uploads and the task worker -------------------------------------------------
# Uploads stream to a temporary file as they arrive (never held whole in memory), and a
# request's files are capped as they stream (checkins.transfer.uploads).
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
# A form's fields (not its files) together: the largest form, a check-in, is under 4 KB;
# this leaves room for a pasted note and refuses more before it is parsed (400).
# Bodies are also refused whole from their Content-Length (config.bodysize).
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
FILE_UPLOAD_HANDLERS = ["checkins.transfer.uploads.CappedUploadHandler"]

# Long work (imports) runs on Django's Tasks API with django-tasks-db's database backend:
# the queue is a table of this database, so nothing else has to be installed or run
# beside `manage.py worker` (which wraps django-tasks-db's db_worker).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "imports", "reminders"],
    }
}

# --- Reminders (checkins.reminders) ----------------------------------------------
# Web Push (VAPID) keys: without them, debug and tests make a pair in data/ and production
# offers reminders by e-mail only. The subject is where push services can reach you.
VAPID_PRIVATE_KEY = os.environ.get("AFTERMATH_VAPID_PRIVATE_KEY", "").strip()
VAPID_PUBLIC_KEY = os.environ.get("AFTERMATH_VAPID_PUBLIC_KEY", "").strip()
VAPID_SUBJECT = os.environ.get("AFTERMATH_VAPID_SUBJECT") or "mailto:" + (
    DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()
)
# The address links in e-mails start with (the worker sends them, with no request to ask).
SITE_URL = (os.environ.get("AFTERMATH_SITE_URL") or "http://localhost:8000").rstrip("/")
