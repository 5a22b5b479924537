"""The project's Prometheus metrics, and /metrics that exposes them with django-prometheus's
(requests, responses, latencies, database queries).

Apps import the metric objects from here (core is the floor every app stands on). Under
gunicorn each worker process counts for itself; with PROMETHEUS_MULTIPROC_DIR set (read by
prometheus_client when it is imported) every process writes its samples to files there and
/metrics adds them up. The queue depth is read from the broker when /metrics is scraped."""

from __future__ import annotations

import hmac
import logging
import os
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

import redis
from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

VIDEO_TRANSCODE_SECONDS = Histogram(
    "shortmedia_video_transcode_seconds",
    "Time to make a video's renditions (ffmpeg and storage), successful or not.",
    buckets=(1, 2, 5, 10, 20, 30, 60, 120, 300, float("inf")),
)
VIDEO_TRANSCODE_FAILURES = Counter(
    "shortmedia_video_transcode_failures",
    "Video processing that stopped, by reason: the file (failed for good) or a passing outage (retried).",
    ["reason"],
)
WEBSOCKET_CONNECTIONS = Gauge(
    "shortmedia_websocket_connections",
    "WebSocket connections open (accepted and not yet closed).",
    multiprocess_mode="livesum",
)
NOTIFICATIONS_SENT = Counter(
    "shortmedia_notifications_sent",
    "Notification messages that left, by channel (email, digest, push: one per device, sms).",
    ["channel"],
)

# Kombu's Redis transport keeps a queue's messages in a list named after it, and those sent with a
# priority in lists named queue + "\x06\x16" + step (its default steps).
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (0, 3, 6, 9)


class QueueDepthCollector:
    """shortmedia_celery_queue_depth: messages waiting in the project's Celery queue, read from
    the broker at scrape time. Absent when tasks run in-process (no broker) or the broker is not
    Redis or cannot be reached."""

    def __init__(self) -> None:
        self._client: redis.Redis | None = None

    def _broker(self) -> redis.Redis | None:
        url = settings.CELERY_BROKER_URL
        if settings.CELERY_TASK_ALWAYS_EAGER or not url.startswith(("redis://", "rediss://")):
            return None
        if self._client is None:
            self._client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        return self._client

    def collect(self):
        client = self._broker()
        if client is None:
            return
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        pipeline = client.pipeline(transaction=False)
        for step in _PRIORITY_STEPS:
            pipeline.llen(f"{queue}{_PRIORITY_SEPARATOR}{step}" if step else queue)
        try:
            depth = sum(pipeline.execute())
        except redis.RedisError as error:
            logger.warning("Celery queue depth not read from the broker: %s", error)
            return
        family = GaugeMetricFamily(
            "shortmedia_celery_queue_depth", "Celery messages waiting in the queue.", labels=["queue"]
        )
        family.add_metric([queue], depth)
        yield family


_scrape_time = CollectorRegistry(auto_describe=False)
_scrape_time.register(QueueDepthCollector())


def scrape() -> bytes:
    """Every metric of this process, or of every process writing to the multiprocess directory."""
    # prometheus_client's own switch, which a Celery worker sets after reading the settings.
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    registry = REGISTRY
    if folder:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=folder)
    return generate_latest(registry) + generate_latest(_scrape_time)


def bearer_allowed(authorization: str) -> bool:
    """`Bearer <METRICS_TOKEN>`, compared in constant time; never true without a token set."""
    token = settings.METRICS_TOKEN
    scheme, _, given = authorization.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())


@never_cache
def metrics(request):
    """Prometheus's scrape: staff sessions or `Authorization: Bearer <METRICS_TOKEN>`; everyone
    else is answered as if there were no such page."""
    staff = request.user.is_authenticated and request.user.is_staff
    if not (staff or bearer_allowed(request.headers.get("Authorization", ""))):
        raise Http404
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)


# --- A Celery worker's metrics ------------------------------------------------------------------
# A worker has no web server: with METRICS_WORKER_PORT set, its main process serves /metrics
# itself (bearer token only). A prefork pool's processes are added up when the worker runs with
# PROMETHEUS_MULTIPROC_DIR in its environment (an empty directory, like gunicorn's): it must be
# set before Django starts, since the apps' metrics are made when they are imported.


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # scrapes every few seconds are not worth a line
        pass


def _worker_app(environ, start_response):
    if environ.get("PATH_INFO") != "/metrics" or not bearer_allowed(environ.get("HTTP_AUTHORIZATION", "")):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not found.\n"]
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
    return [scrape()]


def serve_worker_metrics() -> None:
    """worker_ready: serve /metrics on METRICS_WORKER_PORT from a thread of the worker's main process."""
    if settings.METRICS_WORKER_PORT:
        server = make_server("0.0.0.0", settings.METRICS_WORKER_PORT, _worker_app, handler_class=_QuietHandler)  # noqa: S104
        threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
