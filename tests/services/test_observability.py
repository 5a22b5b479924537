"""Across real processes: a task run by a real Celery worker logs with the id of the request that
queued it, /metrics reads the queue's depth from the broker and adds up gunicorn's workers, and a
worker serves the metrics of its tasks."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from config.celery import app as celery_app
from notifications.services.preferences import set_preferences
from tests.posts.factories import PostFactory
from tests.services import processes
from tests.services.processes import ROOT, SHARES_A_WORKER, free_port, server_env, start_worker, stop, wait_for_port
from tests.users.factories import UserFactory
from users.services.relations import follow_user

pytestmark = [pytest.mark.services, SHARES_A_WORKER]

TOKEN = "scrape-token-services"


@pytest.fixture
def own_queue():
    with processes.own_queue() as queue:
        yield queue


def _json_lines(log, logger: str, timeout: float = 60.0) -> list[dict]:
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


@pytest.mark.django_db
def test_metrics_add_up_every_gunicorn_worker(tmp_path):
    # given gunicorn with two workers in multiprocess mode (deploy/gunicorn.conf.py)
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "2"]
    folder = tmp_path / "metrics"
    environment = server_env(PROMETHEUS_MULTIPROC_DIR=str(folder), METRICS_TOKEN=TOKEN, LOG_LEVEL="WARNING")
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, server, "gunicorn")
        # when 40 probes arrive on 8 connections at once, spread over the workers
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: _get(port, "/healthz").status, range(40)))
        scrape = _get(port, "/metrics", Authorization=f"Bearer {TOKEN}").read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
        print(log.read_text(errors="replace"))  # shown by pytest only when the test fails
    # then the one scrape, answered by one worker, counts all 40 whichever worker answered them
    assert statuses == [200] * 40
    assert (
        'django_http_responses_total_by_status_view_method_total{method="GET",status="200",view="healthz"} 40.0'
        in scrape
    )
    assert len({path.name for path in folder.glob("counter_*.db")}) > 1  # more than one worker wrote


def _get(port: int, path: str, **headers: str):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    return urllib.request.urlopen(request, timeout=60)  # each worker loads Django on its first request


@pytest.mark.django_db(transaction=True)
def test_a_worker_serves_the_metrics_of_its_tasks(own_queue, tmp_path):
    # given a worker exporting its metrics, and a notification to text
    port = free_port()
    log = tmp_path / "worker.log"
    folder = tmp_path / "metrics"
    folder.mkdir()
    settings = {"METRICS_WORKER_PORT": str(port), "METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    worker = start_worker(own_queue, log, **settings)
    try:
        ana, bob = UserFactory(username="ana"), UserFactory(username="bob")
        set_preferences(user=ana, choices={"follow": {"sms": True, "email": False}}, phone="+4915112345678")
        # when bob follows ana: the worker texts her
        follow_user(follower=bob, followee=ana)
        wait_for_port(port, worker, "the worker's metrics")
        deadline, scrape = time.monotonic() + 60, ""
        while 'shortmedia_notifications_sent_total{channel="sms"} 1.0' not in scrape and time.monotonic() < deadline:
            time.sleep(0.2)
            scrape = _get(port, "/metrics", Authorization=f"Bearer {TOKEN}").read().decode()
        # then its /metrics counts the text, and answers nobody without the token
        with pytest.raises(urllib.error.HTTPError) as refused:
            _get(port, "/metrics", Authorization="Bearer wrong")
    finally:
        stop(worker)
        print(log.read_text(errors="replace"))  # shown by pytest only when the test fails
    assert 'shortmedia_notifications_sent_total{channel="sms"} 1.0' in scrape
    assert refused.value.code == 404
