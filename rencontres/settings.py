"""Settings of the Rencontres AICT site.

Every value that differs between a laptop and production comes from the environment
(the README lists them). The defaults are safe for development: SQLite, email written to
the console, DEBUG only when asked for, a throw-away secret key.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
import xstatic.pkg.bootstrap
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


VAR_DIR.mkdir(parents=True, exist_ok=True)


def development_secret_key():
    """A random key kept in var/ (ignored by git), for DEBUG only: without DEBUG a missing
    SECRET_KEY stops the process (a key made up on one server would differ on the next and
    sign nothing the others accept)."""
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see the README).")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or development_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # modeltranslation must come before admin to patch its forms.
    "modeltranslation",
    "rencontres.apps.AdminConfig",  # django.contrib.admin on the site's AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "phonenumber_field",
    "rencontres",
    "events",
    "registration",
    "outreach",
    "meetings",
    "staff",
    # django_tasks_db under translated names; after staff, whose db_worker (the package's,
    # with a heartbeat) then wins.
    "rencontres.taskapp.BackgroundTasksConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads a body (the CSRF check does), in the request's language.
    "rencontres.middleware.RequestSizeMiddleware",
    "rencontres.middleware.UnusableAddressMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "rencontres.urls"
WSGI_APPLICATION = "rencontres.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "db.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Without IMMEDIATE transactions, concurrent writers fail with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # Readers never wait for a writer (nor it for them): a staff edit or a sign-up does
        # not hold up the pages being read meanwhile.
        "init_command": "PRAGMA journal_mode=WAL;",
    }
    # Connections are kept as on PostgreSQL (CONN_MAX_AGE): opening one is Django's
    # functions registered anew and the file opened, more than many a page costs in all
    # (bench/pages.py, the programme right after an edit: 7.5 % of the ceiling with a
    # connection per request, 10.4 % kept and in WAL mode, 2026-12-02).

# The statements every visit of a personal page, the B2B directory or the desk runs are
# prepared once per PostgreSQL connection (registration.queries.prepared). Off behind a
# connection pooler in transaction mode (PgBouncer before 1.21 or without
# max_prepared_statements), which hands a connection's prepared statements to others.
PREPARED_STATEMENTS = env_bool("PREPARED_STATEMENTS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------
# Shared by every process of one host by default (rendered public pages, their version).
# Several app servers: point CACHE_URL at a shared Redis (redis://host:6379/0).
CACHE_URL = os.environ.get("CACHE_URL", f"file://{VAR_DIR / 'cache'}")


def parse_cache_url(url, *, max_entries=None):
    """A CACHES entry from a URL. ``max_entries`` bounds the caches that cull (file, memory,
    database); Redis takes no such option (its client would refuse it): it is bounded by
    the server's maxmemory and policy."""
    parts = urlsplit(url)
    culling = {"OPTIONS": {"MAX_ENTRIES": max_entries}} if max_entries else {}
    if parts.scheme == "file":
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": unquote(parts.path),
            **culling,
        }
    if parts.scheme in {"redis", "rediss"}:
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            # An unreachable Redis fails a request in seconds instead of hanging a worker.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    if parts.scheme == "locmem":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": url,
            **culling,
        }
    if parts.scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": parts.netloc or "cache_table",
            **culling,
        }
    raise ImproperlyConfigured(f"CACHE_URL: unsupported scheme {parts.scheme!r}")


# The counters of rate limits and login throttling have a store of their own: a flood of
# page-cache entries must not evict them (the file cache culls, Redis evicts under
# maxmemory). On one host: a folder of their own; with Redis: the same server unless
# RATELIMIT_CACHE_URL names another (one that does not evict, see the README).
RATELIMIT_CACHE_URL = os.environ.get("RATELIMIT_CACHE_URL") or (
    CACHE_URL if CACHE_URL.startswith(("redis", "rediss")) else f"file://{VAR_DIR / 'ratelimit'}"
)
CACHES = {
    "default": parse_cache_url(CACHE_URL),
    "ratelimit": {
        # Entries are made only by what costs (valid sign-ups, emails, failed logins): far
        # below this, so the file cache never culls a live counter.
        **parse_cache_url(RATELIMIT_CACHE_URL, max_entries=1_000_000),
        "KEY_PREFIX": "ratelimit",
    },
}

# --- Email --------------------------------------------------------------------------------
# EMAIL_URL examples: console://, file:///tmp/mail, smtp://127.0.0.1:2525,
# smtp+tls://user:password@host:587, smtp+ssl://user:password@host:465
EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
EMAIL_TIMEOUT_SECONDS = 10


def parse_email_url(url):
    parts = urlsplit(url)
    scheme = parts.scheme
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "file":
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": unquote(parts.path)},
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme in {"smtp", "smtp+tls", "smtp+ssl"}:
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parts.hostname or "localhost",
                "port": parts.port,
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_tls": scheme == "smtp+tls",
                "use_ssl": scheme == "smtp+ssl",
                "timeout": min(float(query.get("timeout", EMAIL_TIMEOUT_SECONDS)), 10),
            },
        }
    raise ImproperlyConfigured(f"EMAIL_URL: unsupported scheme {scheme!r}")


MAILERS = {"default": parse_email_url(EMAIL_URL)}

# Emails leave through an outbox: a row written with the change that causes it, sent by the
# task worker (`manage.py db_worker`), retried with backoff (registration/emails.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_RETRY_MINUTES = (1, 5, 15, 60, 240)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Cités Unies France <coop-dec@cites-unies-france.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_LANGUAGES = ("fr", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr",)

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Bootstrap from the xstatic-bootstrap wheel: served by us, never from a CDN.
    ("vendor/bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
# Files staff upload in admin (speaker photos, partner logos, the programme PDF), served by
# rencontres/media.py under random names.
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Badge sheets and other files with personal data: never under a public URL.
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "private", "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -----------------------------------------------------------------------------
# A strict Content-Security-Policy (Django's own): no inline script or style anywhere, no
# other origin. Bootstrap's form controls draw with data: SVG images.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Set by /en/admin/ and /fr/admin/ (the admin's language); read by the server only.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
if SITE_URL.startswith("https://"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [SITE_URL]

# Django's ModelBackend, a staff member's permissions read in one statement, not two.
AUTHENTICATION_BACKENDS = ["staff.auth.ModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Every handler drops the secret half of personal links (rencontres/logging.py): Django logs
# request paths as they came (CSRF refusals, 404s, the development server's requests).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_links": {"()": "rencontres.logging.RedactPersonalLinks"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_links"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["personal_links"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (console with DEBUG, mail to ADMINS) are replaced: its
        # records go to the root's handler, through the filter (no ADMINS are set).
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # WeasyPrint reports every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Personal data of an edition's registrations is anonymised this many months after its
# last day (staff/privacy.py), keeping only aggregate statistics.
PERSONAL_DATA_RETENTION_MONTHS = int(os.environ.get("PERSONAL_DATA_RETENTION_MONTHS", "12"))

# Public pages are cached this long at most (and dropped at once on any programme change).
PAGE_CACHE_SECONDS = 3600

# Reverse proxies in front of the app servers that append the client's address to
# X-Forwarded-For (0: none, the address is REMOTE_ADDR; 1: one nginx or load balancer...).
# The client is the rightmost address the trusted proxies did not write; with 0 the header
# is ignored, so a forged one buys nothing. See rencontres/ratelimit.py (client_address)
# and the README.
TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", "0"))

# What costs us, per client address and window (seconds): valid sign-ups (a town hall
# registering its staff from one address gets through), « lien perdu » requests (an email
# each), failed admin logins (per address and per username). The README gives the reasons.
RATE_LIMITS = {
    "signup": (int(os.environ.get("SIGNUP_RATE_LIMIT", "100")), 3600),
    "lost_link": (10, 3600),
    "lost_link_address": (3, 3600),
    "change": (20, 3600),
    "login_address": (20, 900),
    "login_username": (5, 900),
}

# Request bodies: the largest form of the site is a few kilobytes; the admin's, with long
# session descriptions, well under this.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
# Whole bodies, files included, refused before they are read (rencontres.middleware): the
# public forms send no file; the admin's carry the staff's uploads (a programme PDF of
# 20 MB at most, events/uploads.py) and their form. Behind nginx, `client_max_body_size`
# a little above the admin's.
REQUEST_BODY_MAX_BYTES = 1024 * 1024
ADMIN_REQUEST_BODY_MAX_BYTES = 21 * 1024 * 1024

# Phone numbers: France by default, international numbers accepted.
PHONENUMBER_DEFAULT_REGION = "FR"
