"""The /ws/ socket end to end through config.asgi.application: who gets in, and the frames."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken

from config.asgi import application
from core.consumers import CLOSE_UNAUTHENTICATED
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SAME_ORIGIN = (b"origin", b"http://127.0.0.1")


def _session_cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


def _bearer(token) -> tuple[bytes, bytes]:
    return (b"authorization", f"Bearer {token}".encode())


def run(scenario):
    """Drive one async scenario from a plain test (no event-loop plugin needed)."""
    return async_to_sync(scenario)()


def _connect_only(headers):
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        connected, code = await communicator.connect()
        if connected:
            await communicator.disconnect()
        return connected, code

    return run(scenario)


def _connect_and_greet(headers):
    """Connect, read the first frame, disconnect: (connected, first frame)."""

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        connected, _ = await communicator.connect()
        hello = await communicator.receive_json_from()
        await communicator.disconnect()
        return connected, hello

    return run(scenario)


def test_session_cookie_from_our_origin_is_accepted_and_greeted():
    # given a logged-in browser on our own origin
    user = UserFactory()
    headers = [_session_cookie(user), SAME_ORIGIN]
    # when it connects
    connected, hello = _connect_and_greet(headers)
    # then
    assert connected is True
    assert hello == {"op": "hello", "user": user.pk}


def test_ping_pong_and_bad_frames_keep_the_connection_open():
    # given a connected socket
    headers = [_session_cookie(UserFactory()), SAME_ORIGIN]

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        await communicator.connect()
        await communicator.receive_json_from()  # hello
        frames = []
        for text in ['{"op": "ping"}', "not json", "[1, 2]", '{"op": 5}', '{"op": "dance"}', '{"op": "ping"}']:
            await communicator.send_to(text_data=text)
            frames.append(await communicator.receive_json_from())
        await communicator.disconnect()
        return frames

    # when a ping, malformed frames, an unknown op and another ping are sent
    frames = run(scenario)
    # then each gets its answer and the last ping is still answered
    bad_frame = {"op": "error", "code": "bad_frame", "message": 'Frames are JSON objects with an "op".'}
    assert frames == [
        {"op": "pong"},
        bad_frame,
        bad_frame,
        bad_frame,
        {"op": "error", "code": "unknown_op", "message": "Unknown op 'dance'."},
        {"op": "pong"},
    ]


def test_session_cookie_from_a_foreign_origin_is_refused():
    # given a foreign page riding the user's cookie
    headers = [_session_cookie(UserFactory()), (b"origin", b"https://evil.example")]
    # when / then it is denied before authentication (the origin validator closes normally)
    assert _connect_only(headers) == (False, 1000)


def test_session_cookie_without_origin_is_refused():
    # given the cookie but no Origin header
    headers = [_session_cookie(UserFactory())]
    # when / then it is denied before authentication (the origin validator closes normally)
    assert _connect_only(headers) == (False, 1000)


def test_bearer_jwt_without_origin_is_accepted():
    # given an API client with an access token and no Origin
    user = UserFactory()
    headers = [_bearer(AccessToken.for_user(user))]
    # when / then
    connected, hello = _connect_and_greet(headers)
    assert connected is True
    assert hello == {"op": "hello", "user": user.pk}


def test_garbage_bearer_token_is_refused_with_4401():
    # when / then
    assert _connect_only([_bearer("not.a.token")]) == (False, CLOSE_UNAUTHENTICATED)


def test_expired_bearer_token_is_refused_with_4401():
    # given a token that expired a minute ago
    token = AccessToken.for_user(UserFactory())
    token.set_exp(lifetime=-timedelta(minutes=1))
    # when / then
    assert _connect_only([_bearer(token)]) == (False, CLOSE_UNAUTHENTICATED)


def test_bearer_token_of_a_deactivated_account_is_refused_with_4401():
    # given a token of an account that was deactivated since
    user = UserFactory()
    token = AccessToken.for_user(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    # when / then
    assert _connect_only([_bearer(token)]) == (False, CLOSE_UNAUTHENTICATED)


def test_authorization_header_that_is_not_bearer_is_refused_with_4401():
    # when / then
    assert _connect_only([(b"authorization", b"Basic dXNlcjpwYXNz")]) == (False, CLOSE_UNAUTHENTICATED)


def test_anonymous_from_our_origin_is_refused_with_4401():
    # when / then
    assert _connect_only([SAME_ORIGIN]) == (False, CLOSE_UNAUTHENTICATED)


def test_forged_session_cookie_is_refused_with_4401():
    # when / then
    assert _connect_only([(b"cookie", b"sessionid=forged"), SAME_ORIGIN]) == (False, CLOSE_UNAUTHENTICATED)
