"""The error tracker (Sentry) is on only with SENTRY_DSN, with its Django and Celery integrations,
and its reports name the request they happened in."""

import os
import subprocess
import sys
from pathlib import Path

import sentry_sdk
from structlog.contextvars import bound_contextvars

from core.logs import tag_request_id

ROOT = Path(__file__).resolve().parents[2]
REPORT = (
    "import django; django.setup(); import sentry_sdk; client = sentry_sdk.get_client(); "
    "print(client.is_active(), sorted(name for name in client.integrations if name in ('celery', 'django')))"
)


def _started_with(**env: str) -> str:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SENTRY_")}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    done = subprocess.run(
        [sys.executable, "-c", REPORT], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_nothing_is_initialised_without_a_dsn():
    # when a process starts without SENTRY_DSN / then
    assert _started_with() == "False []"
    assert sentry_sdk.get_client().is_active() is False  # this test process too


def test_a_dsn_turns_on_the_django_and_celery_integrations():
    # when (nothing is sent: no error happens)
    # then
    assert _started_with(SENTRY_DSN="http://public@127.0.0.1:9/1") == "True ['celery', 'django']"


def test_a_report_is_tagged_with_the_request_id():
    # given an error while a request is handled
    with bound_contextvars(request_id="nginx-5e6f7a8b"):
        # when the report is about to be sent
        event = tag_request_id({"tags": {"app": "web"}}, {})
    # then
    assert event["tags"] == {"app": "web", "request_id": "nginx-5e6f7a8b"}
