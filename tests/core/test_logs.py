"""Structured logs: a request id per request, in the X-Request-ID header and on every line the
request and the tasks it queued wrote; one access line per request but for probes."""

import logging

import pytest
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from config.asgi import application
from core.logs import formatter
from notifications.services.preferences import set_preferences
from tests.posts.factories import PostFactory
from tests.sockets import run


def _lines_of(lines: list[dict], request_id: str) -> list[dict]:
    return [line for line in lines if line.get("request_id") == request_id]


@pytest.mark.django_db
def test_a_request_gets_an_id_in_its_header_and_in_its_json_access_line(client, json_log, user):
    # given a signed-in person
    client.force_login(user)
    # when
    response = client.get("/notifications/")
    # then
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    [access] = [line for line in json_log() if line["logger"] == "core.access"]
    assert {key: access[key] for key in ("event", "level", "method", "path", "status", "user_id", "request_id")} == {
        "event": "request",
        "level": "info",
        "method": "GET",
        "path": "/notifications/",
        "status": 200,
        "user_id": user.pk,
        "request_id": request_id,
    }
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] > 0
    assert access["timestamp"].endswith("Z")


def test_an_anonymous_request_is_logged_without_a_user(client, json_log):
    # when
    response = client.get("/no/such/page/")
    # then
    [access] = [line for line in json_log() if line["logger"] == "core.access"]
    assert (access["status"], access["user_id"], access["request_id"]) == (404, None, response["X-Request-ID"])


def test_the_proxys_request_id_is_kept_when_it_is_a_plain_token(client, json_log):
    # when nginx passes its $request_id
    response = client.get("/healthz", headers={"X-Request-ID": "3f2a9c1e-77b0-4d1e-9b7a-0c5d2e6f8a41"})
    # then the same id answers
    assert response["X-Request-ID"] == "3f2a9c1e-77b0-4d1e-9b7a-0c5d2e6f8a41"


@pytest.mark.parametrize(
    "hostile",
    ['abc"\n{"level": "critical"}', "a" * 65, "id with spaces", "id;drop", "ünïcode"],
)
def test_a_hostile_request_id_is_replaced_by_a_new_one(client, hostile):
    # when
    response = client.get("/healthz", headers={"X-Request-ID": hostile})
    # then
    request_id = response["X-Request-ID"]
    assert request_id != hostile
    assert len(request_id) == 32 and int(request_id, 16) >= 0


def test_probes_and_metrics_write_no_access_line(client, json_log):
    # when
    client.get("/healthz")
    client.get("/metrics")
    # then
    assert [line for line in json_log() if line["logger"] == "core.access"] == []


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_by_a_request_logs_with_that_requests_id(client, json_log, ana, bob):
    # given ana has her likes texted (the console backend writes each text to the log)
    set_preferences(user=ana, choices={"like": {"sms": True}}, phone="+4915112345678")
    post = PostFactory(author=ana)
    client.force_login(bob)
    # when bob likes her post: the like commits, the notification's text is a Celery task
    # (run in-process here; tests/services/test_observability.py has the real worker)
    response = client.post(f"/api/posts/{post.pk}/like/")
    # then the task's line carries the request's id, the task's name and its own id
    request_id = response["X-Request-ID"]
    [text] = [line for line in json_log() if line["logger"] == "notifications.integrations.sms"]
    assert text["event"].startswith("SMS to +4915112345678: ")
    assert (text["request_id"], text["task"]) == (request_id, "notifications.tasks.send_sms")
    assert len(text["task_id"]) == 36
    # and the request's access line comes after, with the same id and nothing of the task's
    access = _lines_of(json_log(), request_id)[-1]
    assert (access["logger"], access["status"], "task" in access) == ("core.access", response.status_code, False)


def test_console_format_is_one_readable_line():
    # given the development format
    record = logging.LogRecord("videos", logging.WARNING, __file__, 1, "Video %s stopped", (7,), None)
    # when
    line = formatter("console").format(record)
    # then
    assert "[warning  ] Video 7 stopped" in line and "[videos]" in line and "\n" not in line


@pytest.mark.django_db(transaction=True)
def test_a_sockets_lines_carry_its_connection_id_and_the_id_of_its_upgrade_request(json_log, user):
    # given the proxy's id on the socket's HTTP upgrade
    headers = [
        (b"authorization", f"Bearer {AccessToken.for_user(user)}".encode()),
        (b"x-request-id", b"nginx-upgrade-42"),
    ]

    async def scenario():
        socket = WebsocketCommunicator(application, "/ws/", headers=headers)
        await socket.connect()
        await socket.receive_json_from()
        await socket.disconnect()

    # when it opens and closes
    run(scenario)
    # then both lines name the upgrade request and one connection
    opened, closed = [line for line in json_log() if line["logger"] == "core.consumers"]
    assert (opened["event"], opened["user_id"], closed["event"], closed["code"]) == (
        "socket opened",
        user.pk,
        "socket closed",
        1000,
    )
    assert opened["request_id"] == closed["request_id"] == "nginx-upgrade-42"
    assert opened["connection_id"] == closed["connection_id"] and len(opened["connection_id"]) == 12
