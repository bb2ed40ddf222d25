"""Common Ground settings: one module, driven by environment variables, failing loudly.

Every setting an operator may change is read from the environment here and listed in the README.
The defaults are safe for the local demo; production (COMMONGROUND_ENV=production) refuses to start
with the demo secret key or a debug flag.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

django_stubs_ext.monkeypatch()  # lets typed generics such as ModelAdmin[User] run

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.getenv("COMMONGROUND_VAR_DIR", str(BASE_DIR / "var")))

DEMO_SECRET_KEY = "demo-only-secret-key-never-use-in-production"


def env_str(name: str, default: str) -> str:
    return os.getenv(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use true or false")


def env_int(name: str, default: int) -> int:
    value = os.getenv(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={value!r}: a whole number is needed") from error


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


ENVIRONMENT = env_str("COMMONGROUND_ENV", "development")
if ENVIRONMENT not in ("development", "test", "production"):
    raise ImproperlyConfigured("COMMONGROUND_ENV must be development, test or production")

SECRET_KEY = env_str("COMMONGROUND_SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = env_bool("COMMONGROUND_DEBUG", False)
if ENVIRONMENT == "production":
    if SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("Set COMMONGROUND_SECRET_KEY to a long random value in production")
    if DEBUG:
        raise ImproperlyConfigured("COMMONGROUND_DEBUG must be off in production")

ALLOWED_HOSTS = env_list("COMMONGROUND_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("COMMONGROUND_CSRF_TRUSTED_ORIGINS", "")
# Behind a TLS-terminating proxy: cookies are Secure and __Host- prefixed, HSTS is sent.
HTTPS = env_bool("COMMONGROUND_HTTPS", ENVIRONMENT == "production")
BEHIND_PROXY = env_bool("COMMONGROUND_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "simple_history",
    "axes",
    "django_q",
    "commonground.kit",
    "commonground.accounts",
    "commonground.audit",
    "commonground.patients",
    "commonground.careteam",
    "commonground.access",
    "commonground.notifications",
    "commonground.measures",
    "commonground.safety",
    "commonground.coordination",
    "commonground.goals",
    "commonground.notes",
    "commonground.careplans",
    "commonground.diary",
    "commonground.referrals",
    "commonground.conversations",
    "commonground.groups",
    "commonground.clinician",
    "commonground.portal",
    "commonground.demo",
]

MIDDLEWARE = [
    "commonground.kit.middleware.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "commonground.kit.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "commonground.accounts.middleware.SessionExpiryMiddleware",
    "commonground.audit.middleware.AuditContextMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "commonground.kit.middleware.MethodNotAllowedPage",
    "commonground.kit.middleware.WritesAreAtomicMiddleware",  # last: it runs the view (decision 0009)
]

ROOT_URLCONF = "commonground.urls"
WSGI_APPLICATION = "commonground.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

TEMPLATES = [
    {
        # The project's own pages: Jinja2, from the site folder and each domain's templates/.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [PACKAGE_DIR / "templates", *sorted(p for p in PACKAGE_DIR.glob("*/templates") if p.is_dir())],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "commonground.jinja.environment",
            "autoescape": True,
            "context_processors": ["commonground.jinja.translations", "commonground.jinja.urls"],
        },
    },
    {
        # Django's admin and the API docs page keep Django templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

# --- database -------------------------------------------------------------------------------
DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'commonground.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", DEFAULT_SQLITE_URL), conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
    )
}
# Not ATOMIC_REQUESTS: WritesAreAtomicMiddleware makes every unsafe request one transaction (decision 0009).
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with writers queued for the write lock instead of sleeping in the busy handler
    # (decision 0021).
    DATABASES["default"]["ENGINE"] = "commonground.kit.sqlite"
    # Test databases stay in memory (pytest-django recognises only Django's own engine name as SQLite).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    DATABASES["default"]["OPTIONS"] = {
        # Every request may write an audit event, so a request takes the write lock up front:
        # no lock upgrades, no "database is locked" half-way through a request.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts, passwords and sessions --------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "commonground.accounts.backends.AccountBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("COMMONGROUND_PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "commonground.accounts.passwords.MaximumLengthValidator"},
]

LOCKOUT_FAILURES = env_int("COMMONGROUND_LOCKOUT_FAILURES", 5)
LOCKOUT_MINUTES = env_int("COMMONGROUND_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "commonground.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

SESSION_IDLE_MINUTES = env_int("COMMONGROUND_SESSION_IDLE_MINUTES", 15)
SESSION_ABSOLUTE_HOURS = env_int("COMMONGROUND_SESSION_ABSOLUTE_HOURS", 12)
SESSION_ENGINE = "commonground.accounts.sessions"
# Messages can name a goal or a step: they live in the server-side session, never in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "__Host-cg_session" if HTTPS else "cg_session"
CSRF_COOKIE_NAME = "__Host-cg_csrf" if HTTPS else "cg_csrf"
LANGUAGE_COOKIE_NAME = "cg_language"

INVITATION_DAYS = env_int("COMMONGROUND_INVITATION_DAYS", 14)
PASSWORD_RESET_MINUTES = env_int("COMMONGROUND_PASSWORD_RESET_MINUTES", 60)
API_TOKEN_MAX_DAYS = env_int("COMMONGROUND_API_TOKEN_MAX_DAYS", 365)
BREAK_GLASS_MINUTES = env_int("COMMONGROUND_BREAK_GLASS_MINUTES", 60)

# --- security headers ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("COMMONGROUND_SSL_REDIRECT", False)

# --- language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# --- background jobs: django-q2 with the database as broker ---------------------------------
JOB_MAX_ATTEMPTS = 3
Q_CLUSTER = {
    "name": "commonground",
    "orm": "default",
    "workers": env_int("COMMONGROUND_WORKERS", 1),
    "timeout": 300,
    "retry": 360,
    "max_attempts": JOB_MAX_ATTEMPTS,
    "catch_up": False,
    "save_limit": 500,
    "sync": env_bool("COMMONGROUND_JOBS_SYNC", False),
    "poll": 2,
}
# A clinic's own instrument files and licensed texts (`commonground instruments load FILE`).
INSTRUMENTS_DIR = Path(env_str("COMMONGROUND_INSTRUMENTS_DIR", str(VAR_DIR / "instruments")))
AUDIT_SEAL_BATCH = env_int("COMMONGROUND_AUDIT_SEAL_BATCH", 5000)

# --- e-mail -----------------------------------------------------------------------------------
EMAIL_TRANSPORT = env_str("COMMONGROUND_EMAIL_TRANSPORT", "console")  # smtp | console | memory
if ENVIRONMENT == "production" and EMAIL_TRANSPORT != "smtp":
    raise ImproperlyConfigured("COMMONGROUND_EMAIL_TRANSPORT must be smtp in production")
EMAIL_HOST = env_str("COMMONGROUND_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("COMMONGROUND_SMTP_PORT", 25)
EMAIL_HOST_USER = env_str("COMMONGROUND_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env_str("COMMONGROUND_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("COMMONGROUND_SMTP_TLS", False)
DEFAULT_FROM_EMAIL = env_str("COMMONGROUND_FROM_EMAIL", "Common Ground <no-reply@commonground.invalid>")
SITE_URL = env_str("COMMONGROUND_SITE_URL", "http://127.0.0.1:8000")

# --- record history ----------------------------------------------------------------------------
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- logging: no patient data, one line per event -------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("COMMONGROUND_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django_q": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
SILENCED_SYSTEM_CHECKS = ["axes.W006"]  # lockout is per account by design: see docs/decisions/0006-sign-in-lockout.md

# --- the test profile: fast hashing, memory e-mail, jobs run inline, plain static storage ------
if ENVIRONMENT == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    EMAIL_TRANSPORT = "memory"
    Q_CLUSTER["sync"] = True
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_AUTOREFRESH = True
    WHITENOISE_USE_FINDERS = True  # serve from the source folders: tests never depend on collectstatic
