"""The log lines a test caused, as production writes them: JSON objects from core.logs' formatter."""

import functools
import io
import json
import logging

import pytest

from config.celery import app as celery_app
from core.logs import formatter


@functools.cache
def _import_tasks_once() -> None:
    # The first task queued by name makes Celery import every tasks module, and its Django fixup
    # runs django.setup() again, which applies LOGGING afresh (dropping a handler added before).
    celery_app.loader.import_default_modules()


@pytest.fixture
def json_log():
    """A function returning the JSON lines logged since the fixture began, as dicts."""
    _import_tasks_once()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter("json"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
