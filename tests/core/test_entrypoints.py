"""The processes production starts: gunicorn's WSGI app, daphne's ASGI app, and the settings checks."""

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator

BASE_DIR = Path(__file__).resolve().parents[2]


def _production_env(**overrides) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "PYTEST_"))}
    env.update(DEBUG="False", ALLOWED_HOSTS="example.com", DJANGO_SETTINGS_MODULE="config.settings")
    env.update(MEDIA_SIGNING_KEY=secrets.token_urlsafe(32))
    env.update(overrides)
    return env


def test_wsgi_application_answers_healthz(db):  # db: request_started checks the connection
    # given the WSGI app gunicorn serves, and a bare WSGI request
    from config.wsgi import application

    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/healthz", "wsgi.input": io.BytesIO(b"")}
    setup_testing_defaults(environ)
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = status, dict(headers)

    # when it is called
    body = b"".join(application(environ, start_response))
    # then
    assert started["status"] == "200 OK"
    assert started["headers"]["Content-Type"] == "application/json"
    assert body == b'{"status": "ok"}'


def test_asgi_application_answers_http_healthz(db):
    # given the ASGI app daphne serves
    from config.asgi import application

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/healthz",
        "raw_path": b"/healthz",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }

    async def scenario():
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await communicator.receive_output(timeout=10)
        body = await communicator.receive_output(timeout=10)
        await communicator.wait(timeout=10)
        return start, body

    # when an HTTP GET comes in
    start, body = async_to_sync(scenario)()
    # then
    assert start["type"] == "http.response.start"
    assert start["status"] == 200
    assert (b"Content-Type", b"application/json") in start["headers"]
    assert body["type"] == "http.response.body"
    assert body["body"] == b'{"status": "ok"}'


def test_check_deploy_reports_no_issues_in_production_mode():
    # given production settings: DEBUG off, a long random secret, a real host name
    env = _production_env(SECRET_KEY=secrets.token_urlsafe(64))
    # when Django's deployment checklist runs
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("secret", [None, ""])
@pytest.mark.parametrize("name", ["SECRET_KEY", "MEDIA_SIGNING_KEY"])
def test_production_settings_refuse_to_load_without_a_secret_key(name, secret):
    # given DEBUG off and no (or an empty) SECRET_KEY, or signing key of media URLs
    env = _production_env(SECRET_KEY=secrets.token_urlsafe(64))
    env.pop(name, None)
    if secret is not None:
        env[name] = secret
    # when the settings are imported
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then the process fails, saying why
    assert result.returncode != 0
    assert f"RuntimeError: {name} must be set in the environment when DEBUG is False." in result.stderr
