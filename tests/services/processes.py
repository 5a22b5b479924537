"""Real server processes for the services suite: daphne, Celery workers and a Redis server of a
test's own, all on the test database, started and stopped by the test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client

from config.celery import app as celery_app
from tests.browser import VIEWPORT

ROOT = Path(__file__).resolve().parents[2]
STARTUP = 30.0  # seconds a process may take to start listening


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + STARTUP
    while process.poll() is None and time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{what} did not listen on port {port} within {STARTUP} s")


def database_url() -> str:
    db = connection.settings_dict
    return f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a server process sharing the test database, media and Redis."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra,
    }


@contextmanager
def daphne(log: Path, **env: str):
    """A daphne process serving config.asgi, writing its log to `log`; yields its port."""
    port = free_port()
    # Tasks (the new-post fan-out) run inside the server unless the test gives it a worker.
    environment = server_env(CELERY_TASK_ALWAYS_EAGER="True", **env)
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, "daphne")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)
        print(log.read_text(errors="replace"))  # shown by pytest only when the test fails


SHARES_A_WORKER = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL or connection.vendor != "mysql",
    reason="needs a broker and a server database the worker can share (make test-services)",
)


@contextmanager
def own_queue() -> Iterator[str]:
    """The test process sends its tasks to a queue of its own on the real broker instead of
    running them in-process (a worker started on that queue runs them); emptied afterwards."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_default_queue
    conf.task_always_eager, conf.task_default_queue = False, queue
    try:
        yield queue
    finally:
        conf.task_always_eager, conf.task_default_queue = saved
        with celery_app.connection_for_write() as conn:
            conn.default_channel.client.delete(queue)


@contextmanager
def worker(log: Path, **env: str) -> Iterator[Path]:
    """A worker on a queue of the test's own (own_queue) with `env`; its log is printed after
    the test (pytest shows it when the test fails)."""
    with own_queue() as queue:
        process = start_worker(queue, log, **env)
        try:
            yield log
        finally:
            stop(process)
            print(log.read_text(errors="replace"))


def start_worker(queue: str, log: Path, **env: str) -> subprocess.Popen:
    """A `celery worker` process (solo pool) reading `queue`, in a process group of its own so a
    test can kill it whole."""
    environment = server_env(CELERY_QUEUE=queue, CELERY_TASK_ALWAYS_EAGER="False", **env)
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", queue, "-l", "WARNING"]
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen, how: signal.Signals = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, how)
    process.wait(timeout=30)


def start_redis(port: int, folder: Path) -> subprocess.Popen:
    """A redis-server of the test's own on `port`, keeping nothing on disk (the machine's
    server stays untouched when the test stops this one)."""
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with (folder / f"redis-{port}.log").open("ab") as output:
        process = subprocess.Popen(command, cwd=folder, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    wait_for_port(port, process, "redis-server")
    return process


def in_a_thread(function, *args, **kwargs):
    """Run Django code beside Playwright, whose event loop runs in the main thread (the ORM
    and async_to_sync refuse to run there)."""

    def call():
        try:
            return function(*args, **kwargs)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as executor:
        return executor.submit(call).result()


def signed_in(browser, user, base: str):
    """A browser page with `user`'s session on the site at `base`."""
    client = Client()
    in_a_thread(client.force_login, user)
    context = browser.new_context(viewport=VIEWPORT)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page
