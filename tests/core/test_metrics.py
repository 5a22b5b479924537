"""/metrics: who may read it (staff, or the bearer token; 404 for everyone else), what it shows,
and the socket gauge moving with real connections."""

import pytest
from channels.testing import WebsocketCommunicator
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from config.asgi import application
from tests.metrics import sample
from tests.sockets import run
from tests.users.factories import UserFactory

TOKEN = "scrape-token-7f3c9a1d"


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer ", TOKEN],
)
def test_metrics_are_not_found_without_the_token(client, authorization):
    # when
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    # then the site's page for what does not exist
    assert response.status_code == 404
    assert b"<title>Not found." in response.content


@pytest.mark.django_db
def test_metrics_are_not_found_for_a_signed_in_person_who_is_not_staff(client, user):
    # given
    client.force_login(user)
    # when / then
    assert client.get("/metrics").status_code == 404


@pytest.mark.django_db
def test_without_a_token_set_an_empty_bearer_is_not_found(client, settings):
    # given no token configured
    settings.METRICS_TOKEN = ""
    # when / then
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


@pytest.mark.django_db
def test_the_token_reads_the_metrics(client, settings):
    # given a request counted by django-prometheus, and a query by its database wrapper
    client.get("/healthz")
    connection.cursor().execute("SELECT 1")
    # when
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    body = response.content.decode()
    assert 'django_http_responses_total_by_status_view_method_total{method="GET",status="200",view="healthz"}' in body
    assert f'django_db_execute_total{{alias="default",vendor="{connection.vendor}"}}' in body
    assert "# TYPE shortmedia_video_transcode_seconds histogram" in body
    assert "# TYPE shortmedia_websocket_connections gauge" in body
    # the queue's depth where there is a broker; with tasks run in-process there is no queue
    assert ("shortmedia_celery_queue_depth{" in body) is not settings.CELERY_TASK_ALWAYS_EAGER


@pytest.mark.django_db
def test_staff_read_the_metrics_in_their_session(client, admin_user):
    # given
    client.force_login(admin_user)
    # when
    response = client.get("/metrics")
    # then
    assert response.status_code == 200
    assert b'django_http_requests_total_by_method_total{method="GET"}' in response.content


@pytest.mark.django_db(transaction=True)
def test_the_socket_gauge_counts_open_connections():
    # given
    user = UserFactory()
    before = sample("shortmedia_websocket_connections")

    async def scenario():
        socket = WebsocketCommunicator(
            application, "/ws/", headers=[(b"authorization", f"Bearer {AccessToken.for_user(user)}".encode())]
        )
        connected, _ = await socket.connect()
        await socket.receive_json_from()
        opened = sample("shortmedia_websocket_connections")
        await socket.disconnect()
        return connected, opened

    # when a socket opens and closes
    connected, opened = run(scenario)
    # then it counted while it was open, and not after
    assert (connected, opened - before, sample("shortmedia_websocket_connections") - before) == (True, 1, 0)


@pytest.mark.django_db(transaction=True)
def test_a_refused_socket_is_not_counted():
    # given
    before = sample("shortmedia_websocket_connections")

    async def scenario():
        socket = WebsocketCommunicator(application, "/ws/")
        connected, _ = await socket.connect()
        return connected

    # when an anonymous socket is refused
    # then
    assert (run(scenario), sample("shortmedia_websocket_connections")) == (False, before)
