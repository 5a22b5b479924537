"""Across real processes: a task run by a real Celery worker logs with the id of the request that
queued it, and /metrics reads the queue's depth from the broker."""

import json
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from notifications.services.preferences import set_preferences
from tests.posts.factories import PostFactory
from tests.services.processes import start_worker, stop
from tests.users.factories import UserFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL or connection.vendor != "mysql",
        reason="needs a broker and a server database the worker can share (make test-services)",
    ),
]

TOKEN = "scrape-token-services"


@pytest.fixture
def own_queue():
    """Tasks go to a queue of the test's own on the real broker instead of running in-process."""
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


def _json_lines(log, logger: str, timeout: float = 30.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = []
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("logger") == logger:
                    found.append(entry)
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"the worker logged nothing from {logger} within {timeout} s")


@pytest.mark.django_db(transaction=True)
def test_the_workers_line_carries_the_id_of_the_request_that_queued_the_task(client, own_queue, tmp_path):
    # given a worker writing JSON lines, and ana has her likes texted (the console backend logs each text)
    log = tmp_path / "worker.log"
    worker = start_worker(own_queue, log, LOG_FORMAT="json", LOG_LEVEL="INFO")
    try:
        ana, bob = UserFactory(username="ana"), UserFactory(username="bob")
        set_preferences(user=ana, choices={"like": {"sms": True}}, phone="+4915112345678")
        post = PostFactory(author=ana)
        client.force_login(bob)
        # when bob likes her post through the API, with the proxy's request id
        response = client.post(f"/api/posts/{post.pk}/like/", headers={"X-Request-ID": "nginx-0f1e2d3c"})
        # then the worker, not this process, texts her, and its line names that request
        [text] = _json_lines(log, "notifications.integrations.sms")
    finally:
        stop(worker)
        print(log.read_text(errors="replace"))  # shown by pytest only when the test fails
    assert response["X-Request-ID"] == "nginx-0f1e2d3c"
    assert text["event"].startswith("SMS to +4915112345678: ")
    assert (text["request_id"], text["task"]) == ("nginx-0f1e2d3c", "notifications.tasks.send_sms")


@pytest.mark.django_db
def test_metrics_read_the_queue_depth_from_the_broker(client, own_queue, settings):
    # given three messages waiting in the queue (no worker reads it)
    settings.METRICS_TOKEN = TOKEN
    settings.CELERY_TASK_DEFAULT_QUEUE = own_queue
    for _ in range(3):
        celery_app.send_task("users.tasks.purge_stale_signups", queue=own_queue)
    # when Prometheus scrapes
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    # then
    assert f'shortmedia_celery_queue_depth{{queue="{own_queue}"}} 3.0' in response.content.decode()
