"""Short Media settings: one module, every value from the environment (see .env.example).

The embedded default (no variables set) runs on SQLite, the in-memory channel layer, a
local-memory cache and eager Celery, so `make run` needs no servers. Setting DATABASE_URL and
REDIS_URL switches to MySQL/MariaDB and Redis for the cache, channel layer and Celery broker.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from decouple import Csv, config

BASE_DIR = Path(__file__).resolve().parent.parent


def flag(name: str, default: bool) -> bool:
    """A True/False variable whose empty value means `default` (so .env.example can list it)."""
    value = config(name, default="").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


DEBUG = flag("DEBUG", default=True)
# Production refuses to start without a real secret; development gets a fixed, clearly fake one.
SECRET_KEY = config("SECRET_KEY", default="") or ("dev-only-insecure-key-never-use-in-production" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set in the environment when DEBUG is False.")

ALLOWED_HOSTS = config("ALLOWED_HOSTS", default="127.0.0.1,localhost,testserver", cast=Csv())
CSRF_TRUSTED_ORIGINS = config("CSRF_TRUSTED_ORIGINS", default="", cast=Csv())
SITE_NAME = config("SITE_NAME", default="Short Media")
# Where people reach the site: links in emails, texts and push notifications start with it.
SITE_URL = config("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# How many reverse proxies (nginx) stand in front of the app; their X-Forwarded-For entries
# are trusted to find the client's address for rate limits. 0 = use the socket address.
NUM_PROXIES = config("NUM_PROXIES", default=0, cast=int)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "core",
    "notifications",
    "users",
    "posts",
    "videos",
]

MIDDLEWARE = [
    # Prometheus's request metrics wrap everything else (Before first, After last); the request
    # id and access line (core.logs) come next, so every later line carries the id.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.DomainErrorMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        config("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=config("DB_CONN_MAX_AGE", default=60, cast=int),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"]["OPTIONS"] = {
        "charset": "utf8mb4",
        "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
    }
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one connection writes; IMMEDIATE takes the write lock at
    # BEGIN, so concurrent writers queue (up to `timeout` seconds) instead of failing mid-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# django-prometheus's subclasses of the same backends count connections, queries, errors and
# query time for /metrics (connection.vendor stays "mysql" or "sqlite").
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends."
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery broker ---------------------------------------------
REDIS_URL = config("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": config("CACHE_KEY_PREFIX", default="sm"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # Redis PUBLISH/SUBSCRIBE: each server subscribes once per group it has sockets in
            # and fans out locally. Against the core layer (docs/BENCHMARKS.md): a quarter to a
            # third less CPU per delivery, a fan-out to 1,000 groups 5x faster, and one or two
            # Redis connections per server instead of one per command in flight (redis-py caps a
            # pool at 100 and then fails). It keeps nothing: an event published while a server
            # is cut off from Redis is lost (clients catch up on reconnect), and it has no
            # capacity or expiry; core.layers adds telling sockets to catch up after an outage.
            "BACKEND": "core.layers.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": config("CHANNELS_PREFIX", default="sm")},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The in-memory layer's queue per socket holds a burst of events on all the streams it may
    # follow (core.consumers MAX_STREAMS); past that, or after a minute unread, the oldest are
    # dropped: a stalled socket must not fill memory with live updates that are stale anyway.
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 500, "expiry": 60}}
    }

CELERY_BROKER_URL = config("CELERY_BROKER_URL", default="") or REDIS_URL
# Without a broker, tasks run in-process so the embedded default still works end to end.
CELERY_TASK_ALWAYS_EAGER = flag("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A task whose worker process died (killed, out of memory) goes back on the queue rather than
# being acknowledged as failed; tasks are idempotent, so running one again is safe.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A message taken by a worker that vanished (SIGKILL of the whole worker) is delivered again
# after this many seconds: longer than any task runs, or a slow task would run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": config("CELERY_VISIBILITY_TIMEOUT", default=3600, cast=int),
    "unacked_restore_interval": config("CELERY_RESTORE_INTERVAL", default=10, cast=int),
    "unacked_restore_throttle": 1,  # look at every interval (kombu's default is every tenth)
}
CELERY_TASK_DEFAULT_QUEUE = config("CELERY_QUEUE", default="shortmedia")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = None
CELERY_BEAT_SCHEDULE = {
    "purge-stale-signups": {"task": "users.tasks.purge_stale_signups", "schedule": timedelta(hours=6)},
    # Expired data downloads are deleted; accounts past their deletion grace period are erased.
    "your-data-upkeep": {"task": "users.tasks.your_data_upkeep", "schedule": timedelta(hours=1)},
    # Each run mails those whose digest is due (a day after their last one).
    "notification-digests": {"task": "notifications.tasks.send_digests", "schedule": timedelta(hours=1)},
    # Abandoned resumable uploads are deleted; videos whose worker died are queued again.
    "video-upkeep": {"task": "videos.tasks.upkeep", "schedule": timedelta(minutes=10)},
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = ["users.backends.EmailOrUsernameBackend"]
LOGIN_URL = "users:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Emailed one-time codes (sign-up confirmation, password reset).
EMAIL_CODE_TTL = timedelta(minutes=config("EMAIL_CODE_TTL_MINUTES", default=10, cast=int))
EMAIL_CODE_MAX_ATTEMPTS = config("EMAIL_CODE_MAX_ATTEMPTS", default=5, cast=int)
EMAIL_CODE_COOLDOWN = timedelta(seconds=config("EMAIL_CODE_COOLDOWN_SECONDS", default=60, cast=int))
UNCONFIRMED_ACCOUNT_TTL = timedelta(days=config("UNCONFIRMED_ACCOUNT_DAYS", default=7, cast=int))
# "Delete my account": hidden at once, erased for good after this many days unless cancelled.
ACCOUNT_DELETION_GRACE_DAYS = config("ACCOUNT_DELETION_GRACE_DAYS", default=14, cast=int)
# "Download your data": how long a finished zip stays downloadable before it is deleted.
DATA_EXPORT_KEEP_DAYS = config("DATA_EXPORT_KEEP_DAYS", default=7, cast=int)
TOTP_ISSUER = config("TOTP_ISSUER", default=SITE_NAME)
RECOVERY_CODE_COUNT = 10

# Avatars: accepted upload size and pixel count, and the square renditions kept (pixels).
AVATAR_MAX_BYTES = config("AVATAR_MAX_BYTES", default=5 * 1024 * 1024, cast=int)
IMAGE_MAX_PIXELS = config("IMAGE_MAX_PIXELS", default=40_000_000, cast=int)
AVATAR_SIZES = {"large": 400, "small": 96}
MIN_AGE = config("MIN_AGE", default=13, cast=int)

# Posts: lengths in characters, image limits, and the ranking strategy of each feed.
POST_MAX_LENGTH = config("POST_MAX_LENGTH", default=2000, cast=int)
COMMENT_MAX_LENGTH = config("COMMENT_MAX_LENGTH", default=200, cast=int)
POST_MAX_IMAGES = config("POST_MAX_IMAGES", default=10, cast=int)
POST_IMAGE_MAX_BYTES = config("POST_IMAGE_MAX_BYTES", default=10 * 1024 * 1024, cast=int)
POST_IMAGE_SIDE = 1440  # longest side of a post picture as shown
POST_THUMBNAIL_SIDE = 480  # square tiles in profile grids
POST_VIEW_WINDOW = 3600  # seconds in which one viewer's repeated views count once
TRENDING_WINDOW_DAYS = config("TRENDING_WINDOW_DAYS", default=7, cast=int)  # how far back Trending looks
# Following-feed timelines in Redis (posts.integrations.timelines), on by default with Redis:
# posts kept per person, days an unread timeline is kept, and the follower count above which an
# author's posts are not pushed.
FEED_TIMELINES = flag("FEED_TIMELINES", default=bool(REDIS_URL))
TIMELINE_LENGTH = config("TIMELINE_LENGTH", default=800, cast=int)
TIMELINE_DAYS = config("TIMELINE_DAYS", default=7, cast=int)
TIMELINE_FAN_OUT_LIMIT = config("TIMELINE_FAN_OUT_LIMIT", default=10_000, cast=int)
FEED_RANKING = {
    "following": config("FEED_RANKING_FOLLOWING", default="recency"),
    "latest": "recency",
    "trending": config("FEED_RANKING_TRENDING", default="engagement"),
    "for_you": config("FEED_RANKING_FOR_YOU", default="personalized"),
    "hashtag": config("FEED_RANKING_HASHTAG", default="recency"),
    "profile": "recency",
}

# Videos: what an upload may be, the ladder made from it, and the encoder's settings. Rungs are
# the short side in pixels (720 makes 720x1280 of a portrait clip); none is larger than the
# source. Chunks are the pieces a resumable upload is sent in.
VIDEO_MAX_SECONDS = config("VIDEO_MAX_SECONDS", default=5.0, cast=float)
VIDEO_DURATION_TOLERANCE = config("VIDEO_DURATION_TOLERANCE", default=0.3, cast=float)  # container rounding
VIDEO_MAX_BYTES = config("VIDEO_MAX_BYTES", default=200 * 1024 * 1024, cast=int)
VIDEO_MAX_SIDE = config("VIDEO_MAX_SIDE", default=4096, cast=int)  # longest side of an upload, pixels
VIDEO_MIN_SIDE = config("VIDEO_MIN_SIDE", default=64, cast=int)
VIDEO_RUNGS = [int(rung) for rung in config("VIDEO_RUNGS", default="360,540,720", cast=Csv())]
VIDEO_MAX_FPS = config("VIDEO_MAX_FPS", default=30, cast=int)
VIDEO_SEGMENT_SECONDS = config("VIDEO_SEGMENT_SECONDS", default=2, cast=int)
VIDEO_X264_PRESET = config("VIDEO_X264_PRESET", default="superfast")
VIDEO_CRF = config("VIDEO_CRF", default=23, cast=int)
VIDEO_THUMBNAILS = config("VIDEO_THUMBNAILS", default=5, cast=int)
VIDEO_CHUNK_BYTES = config("VIDEO_CHUNK_BYTES", default=4 * 1024 * 1024, cast=int)
VIDEO_UPLOAD_TTL = timedelta(hours=config("VIDEO_UPLOAD_TTL_HOURS", default=24, cast=int))
VIDEO_TRANSCODE_TIMEOUT = config("VIDEO_TRANSCODE_TIMEOUT", default=300, cast=int)  # seconds
VIDEO_STALE_MINUTES = config("VIDEO_STALE_MINUTES", default=15, cast=int)  # a worker that died mid-way
# A processing worker renews its claim on a video while it works; a claim not renewed for this
# long is a dead worker's, and the redelivered message takes it over.
VIDEO_LEASE_SECONDS = config("VIDEO_LEASE_SECONDS", default=120, cast=int)
VIDEO_VIEW_MIN_MS = 1000  # watched this long before a view counts
FFMPEG_BINARY = config("FFMPEG_BINARY", default="ffmpeg")
FFPROBE_BINARY = config("FFPROBE_BINARY", default="ffprobe")

# Notifications: hours a group ("Ana and 3 others liked …") stays open to new actors while
# unread; Web Push keys (`manage.py generate_vapid_keys` makes a pair; push is off without
# them) and the contact push services may reach; the text-message backend (a class with
# send(to, text); the default writes to the log).
NOTIFICATION_GROUP_HOURS = config("NOTIFICATION_GROUP_HOURS", default=24, cast=int)
VAPID_PUBLIC_KEY = config("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = config("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = config("VAPID_SUBJECT", default="mailto:admin@localhost")
# The push services devices may subscribe at (host names; "*.example.com" for its subdomains). A
# self-hosted push service is added by name, with WEB_PUSH_CA_BUNDLE if a private CA signed it.
WEB_PUSH_SERVICES = config(
    "WEB_PUSH_SERVICES",
    default="fcm.googleapis.com,updates.push.services.mozilla.com,web.push.apple.com,*.notify.windows.com",
    cast=Csv(),
)
WEB_PUSH_CA_BUNDLE = config("WEB_PUSH_CA_BUNDLE", default="")
# Hosts exempt from every endpoint check (plain HTTP, local addresses): a local test push service only.
WEB_PUSH_TEST_HOSTS = config("WEB_PUSH_TEST_HOSTS", default="", cast=Csv())
SMS_BACKEND = config("SMS_BACKEND", default="notifications.integrations.sms.ConsoleSmsBackend")

# Rate limits, "<count>/<seconds>". Login/sign-up per client address, email sends per address.
RATE_LIMITS = {
    "login": config("RATE_LIMIT_LOGIN", default="25/300"),
    "signup": config("RATE_LIMIT_SIGNUP", default="5/1800"),
    "email": config("RATE_LIMIT_EMAIL", default="5/1800"),
    # Asks for and checks of emailed codes (sign-up, password reset) per client address, and
    # checks per email address: whether or not the address has an account, so it tells nothing.
    "code_client": config("RATE_LIMIT_CODE_CLIENT", default="20/900"),
    "code_check": config("RATE_LIMIT_CODE_CHECK", default="10/900"),
    "second_factor": config("RATE_LIMIT_SECOND_FACTOR", default="10/300"),
    "post": config("RATE_LIMIT_POST", default="30/300"),
    "comment": config("RATE_LIMIT_COMMENT", default="60/300"),
    # Notification emails and texts per recipient; past it they wait in the app (and the digest).
    "notification_email": config("RATE_LIMIT_NOTIFICATION_EMAIL", default="20/3600"),
    "sms": config("RATE_LIMIT_SMS", default="5/3600"),
    # Videos started per person (each costs a transcode) and upload chunks per person.
    "video": config("RATE_LIMIT_VIDEO", default="20/3600"),
    "video_chunk": config("RATE_LIMIT_VIDEO_CHUNK", default="600/300"),
    # Downloads of one's data asked for per person (each zips all their files).
    "data_export": config("RATE_LIMIT_DATA_EXPORT", default="3/86400"),
    # Content-Security-Policy violation reports per client address (a busy page may send a few).
    "csp_report": config("RATE_LIMIT_CSP_REPORT", default="60/300"),
    "api_anon": config("RATE_LIMIT_API_ANON", default="300/300"),
    "api_user": config("RATE_LIMIT_API_USER", default="1500/300"),
}

# --- REST framework, JWT, OpenAPI -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.RevocableJWTAuthentication",  # simplejwt's, with revocation
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.ApiRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [  # bounded size and nesting: core/parsers.py
        "core.parsers.BoundedJSONParser",
        "core.parsers.BoundedFormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=config("JWT_ACCESS_MINUTES", default=120, cast=int)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=config("JWT_REFRESH_DAYS", default=7, cast=int)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": config("JWT_SIGNING_KEY", default="") or SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Short Media API",
    "DESCRIPTION": "JSON API of Short Media. Errors share one body: {code, message, fields}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation's error answers (401/429 everywhere, 400/404/409/... where they can
    # occur) with the one error body, so clients and tests/security's fuzzing can rely on them.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.schema.declare_errors"],
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = config("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = config("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = config("EMAIL_HOST", default="localhost")
EMAIL_PORT = config("EMAIL_PORT", default=25, cast=int)
EMAIL_HOST_USER = config("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = config("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = config("EMAIL_USE_TLS", default=False, cast=bool)
DEFAULT_FROM_EMAIL = config("DEFAULT_FROM_EMAIL", default="Short Media <noreply@localhost>")

# --- Static and media files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(config("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Files of posts and videos are served only by signed, expiring URLs (core.media), checked by
# nginx's secure_link in production. Like SECRET_KEY: required in production, a fake in DEBUG.
MEDIA_SIGNING_KEY = config("MEDIA_SIGNING_KEY", default="") or ("dev-only-insecure-media-key" if DEBUG else "")
if not MEDIA_SIGNING_KEY:
    raise RuntimeError("MEDIA_SIGNING_KEY must be set in the environment when DEBUG is False.")
# Seconds a signed media URL works (up to a quarter more: expiries are rounded up so pages stay
# cacheable). Also the longest a file stays reachable after its post turns private or is deleted.
MEDIA_URL_LIFETIME = config("MEDIA_URL_LIFETIME", default=4 * 3600, cast=int)
# Media on S3-compatible storage (AWS, MinIO, Ceph, …) when a bucket is named, else on disk.
# The bucket stays private: the app redirects a signed media URL to a presigned one.
S3_BUCKET = config("S3_BUCKET", default="")
DEFAULT_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": config("S3_ENDPOINT_URL", default="") or None,
            "region_name": config("S3_REGION", default="") or None,
            "access_key": config("S3_ACCESS_KEY", default="") or None,
            "secret_key": config("S3_SECRET_KEY", default="") or None,
            "custom_domain": config("S3_CUSTOM_DOMAIN", default="") or None,
            "default_acl": config("S3_DEFAULT_ACL", default="") or None,
            "querystring_auth": True,
            "file_overwrite": True,
        },
    }
    if S3_BUCKET
    # Video files are rewritten under the same names when processing runs again (videos.integrations.storage).
    else {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"allow_overwrite": True}}
)
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# A JSON body of the API may be this large (413 past it); its inputs are small.
API_JSON_MAX_BYTES = config("API_JSON_MAX_BYTES", default=1024 * 1024, cast=int)

LANGUAGE_CODE = "en-us"
TIME_ZONE = config("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Security (production mode) --------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Production is served over TLS (terminated at nginx or a load balancer in front of it).
# HTTPS=False is only for trying the production stack on a plain-HTTP machine.
HTTPS = flag("HTTPS", default=not DEBUG)
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    # Probes and the Prometheus scraper talk plain HTTP to the servers inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = config("SECURE_HSTS_SECONDS", default=31536000, cast=int)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Content-Security-Policy (django-csp, through core.csp.CSPMiddleware): scripts only from this
# site or carrying the response's nonce, no inline styles, nothing framed. Pages get this policy;
# JSON answers get core.csp.DATA_POLICY. Violations are logged by core.csp.report.
# CSP_REPORT_ONLY sends it as Content-Security-Policy-Report-Only, to try it without enforcing.
# MEDIA_ORIGINS: other origins media files may come from (an S3 bucket or CDN that signed media
# URLs redirect to), e.g. https://media.example.org.
CSP_REPORT_ONLY = flag("CSP_REPORT_ONLY", default=False)
MEDIA_ORIGINS = config("MEDIA_ORIGINS", default="", cast=Csv())
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *MEDIA_ORIGINS],
        "media-src": ["'self'", "blob:", *MEDIA_ORIGINS],
        # The same host's ws:/wss: are added per request (core.csp.CSPMiddleware).
        "connect-src": ["'self'", *MEDIA_ORIGINS],
        "worker-src": ["'self'", "blob:"],  # hls.js may run its demuxer in a blob: worker
        "font-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": ["/csp-report"],
    }
}
CONTENT_SECURITY_POLICY = None if CSP_REPORT_ONLY else _CSP
CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP if CSP_REPORT_ONLY else None

# --- Operations: logs, metrics, error tracking -------------------------------------------------
# Every log line, ours and the libraries', is formatted by structlog (core.logs) and carries the
# request id: JSON lines for a log collector in production, readable lines in development.
LOG_FORMAT = config("LOG_FORMAT", default="") or ("console" if DEBUG else "json")
if LOG_FORMAT not in ("json", "console"):
    raise RuntimeError("LOG_FORMAT is json or console.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"structlog": {"()": "core.logs.formatter", "log_format": LOG_FORMAT}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structlog"}},
    "root": {"handlers": ["console"], "level": config("LOG_LEVEL", default="INFO")},
    # A line per finished task is noise (workers log failures and retries at WARNING).
    "loggers": {"django.db.backends": {"level": "WARNING"}, "celery.app.trace": {"level": "WARNING"}},
}

# /metrics (core.metrics) answers staff sessions and `Authorization: Bearer <METRICS_TOKEN>`;
# without a token only staff can read it. With several processes (gunicorn workers), each writes
# its samples to files in PROMETHEUS_MULTIPROC_DIR (prometheus_client reads the variable itself
# at import) and /metrics adds them up.
METRICS_TOKEN = config("METRICS_TOKEN", default="")
PROMETHEUS_MULTIPROC_DIR = config("PROMETHEUS_MULTIPROC_DIR", default="")
if PROMETHEUS_MULTIPROC_DIR:
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", PROMETHEUS_MULTIPROC_DIR)  # when set in .env only
# A Celery worker has no web server: with a port, its main process serves its own /metrics there
# (bearer token only), adding up its pool's processes. 0: off.
METRICS_WORKER_PORT = config("METRICS_WORKER_PORT", default=0, cast=int)

# Errors and their traces go to Sentry (or a Sentry-compatible tracker) only when a DSN is set.
SENTRY_DSN = config("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    from core.logs import tag_request_id

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=config("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=config("SENTRY_TRACES_SAMPLE_RATE", default=0.0, cast=float),
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=tag_request_id,
    )
