"""Structured logs: every line, ours (structlog) or a library's (stdlib logging), goes through
one structlog formatter, so it carries the request id of the HTTP request, socket or Celery task
it belongs to. JSON lines in production, readable lines in development (LOG_FORMAT).

The request id lives in structlog's context variables: the request middleware binds it, Celery
carries it in a task's message headers to the worker, and the socket consumer binds the id of
its HTTP upgrade."""

from __future__ import annotations

import logging
import logging.config
import re
import time
import uuid
from typing import TYPE_CHECKING, Any

import structlog
import structlog.tracebacks
from django.utils.functional import SimpleLazyObject, empty
from structlog.contextvars import bind_contextvars, get_contextvars, reset_contextvars

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

REQUEST_ID_HEADER = "request_id"  # the Celery message header that carries it
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")

# Applied to every line, structlog's own and the standard library's, before rendering.
_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
]


def configure() -> None:
    """structlog loggers hand their event to the standard library, whose handlers (Django's
    LOGGING) format it with formatter() below."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def formatter(log_format: str = "json") -> structlog.stdlib.ProcessorFormatter:
    """The formatter of Django's LOGGING handlers ("()" factory): "json" or "console"."""
    if log_format == "json":
        # Tracebacks as data, without the frames' local variables (passwords, tokens, personal data).
        tracebacks = structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
        last: list[Any] = [structlog.processors.ExceptionRenderer(tracebacks), structlog.processors.JSONRenderer()]
    else:
        last = [structlog.dev.ConsoleRenderer(colors=False)]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *last],
    )


def request_id_from(value: str | None) -> str:
    """The proxy's request id when it is a short plain token, else a new one: a header is the
    client's to fill, and a hostile one must not forge or split log lines."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return get_contextvars().get("request_id")


# --- HTTP: one id and one access line per request ------------------------------------------

access_log = structlog.get_logger("core.access")

# Probes and the metrics scraper call every few seconds; a line each would drown the rest.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def _user_id(request) -> int | None:
    user = getattr(request, "user", None)
    # A request that never looked at its user (static files, probes) does not pay a session
    # lookup for its log line.
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """Outermost: gives the request an id (the proxy's X-Request-ID when sane, else a new one)
    that every log line of the request and of the tasks it queues carries, answers it in the
    X-Request-ID header, and writes one access line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        tokens = bind_contextvars(request_id=request_id)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if request.path not in QUIET_PATHS:
                access_log.info(
                    "request",
                    method=request.method,
                    path=request.path,
                    status=response.status_code,
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                    user_id=_user_id(request),
                )
            return response
        finally:
            # A server thread goes on to other requests: none inherits this one's id.
            reset_contextvars(**tokens)


# --- Celery: the request id travels in the task's headers ------------------------------------
# Connected by config/celery.py. Signal receivers take **kwargs (Celery sends more than named).

_task_tokens: dict[str, Any] = {}


def put_request_id_in_headers(headers: dict | None = None, **kwargs) -> None:
    """before_task_publish: a task queued while handling a request (or another task) carries
    that request's id."""
    request_id = current_request_id()
    if headers is not None and request_id and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id


def bind_task(task_id: str | None = None, task=None, **kwargs) -> None:
    """task_prerun: the task's lines carry its name, its id and the id of the request that
    queued it. An eager task runs inside that request and keeps its context."""
    context = {"task": getattr(task, "name", None), "task_id": task_id}
    message = getattr(task, "request", None)
    request_id = getattr(message, REQUEST_ID_HEADER, None) or (getattr(message, "headers", None) or {}).get(
        REQUEST_ID_HEADER
    )
    if request_id:
        context["request_id"] = request_id_from(request_id)
    if task_id:
        _task_tokens[task_id] = bind_contextvars(**context)


def unbind_task(task_id: str | None = None, **kwargs) -> None:
    """task_postrun: back to the context from before the task (nothing, in a worker)."""
    tokens = _task_tokens.pop(task_id, None) if task_id else None
    if tokens:
        reset_contextvars(**tokens)


def keep_django_logging(**kwargs) -> None:
    """setup_logging: a connected receiver stops Celery from replacing the root logger's
    handlers, so the worker logs through Django's LOGGING (structlog's format) too."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def tag_request_id(event: Event, hint: Hint) -> Event:
    """Sentry's before_send: an error report names the request (or task) it happened in."""
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event
