"""The /ws/ socket end to end through config.asgi.application: who gets in, and the frames."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken

from config.asgi import application
from core.consumers import CLOSE_UNAUTHENTICATED, MAX_STREAMS
from core.exceptions import NotFound
from core.streams import STREAMS, publish, recheck, user_group
from tests.sockets import exchange, open_socket, refused, run, subscribe
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SAME_ORIGIN = (b"origin", b"http://127.0.0.1")


def _session_cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


def _bearer(token) -> tuple[bytes, bytes]:
    return (b"authorization", f"Bearer {token}".encode())


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
        deep = "[" * 50_000 + "]" * 50_000  # json.loads raised RecursionError: the socket died
        for text in ['{"op": "ping"}', "not json", "[1, 2]", '{"op": 5}', deep, '{"op": "dance"}', '{"op": "ping"}']:
            await communicator.send_to(text_data=text)
            frames.append(await communicator.receive_json_from())
        await communicator.disconnect()
        return frames

    # when a ping, malformed frames (one nested 50,000 deep), an unknown op and another ping are sent
    frames = run(scenario)
    # then each gets its answer and the last ping is still answered
    bad_frame = {"op": "error", "code": "bad_frame", "message": 'Frames are JSON objects with an "op".'}
    assert frames == [
        {"op": "pong"},
        bad_frame,
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


# A stream family of these tests only: "test:<name>" travels in group "test.<name>"; names
# in CLOSED are refused, "test:denied" raises like a repository refusing a read.
CLOSED: set[str] = set()


async def _test_stream(user, stream):
    name = stream.removeprefix("test:")
    if name == "denied":
        raise NotFound()
    return None if name in CLOSED else f"test.{name}"


STREAMS.register(_test_stream, name="test:")


@pytest.fixture(autouse=True)
def _all_test_streams_open():
    yield
    CLOSED.clear()


async def _publish(name: str, n: int):
    await sync_to_async(publish)(f"test.{name}", stream=f"test:{name}", event="tick", data={"n": n})


def _tick(name: str, n: int) -> dict:
    return {"op": "event", "stream": f"test:{name}", "event": "tick", "data": {"n": n}}


def test_a_subscribed_stream_relays_its_events_until_unsubscribed():
    # given a socket
    user = UserFactory()

    async def scenario():
        socket = await open_socket(user)
        # when it subscribes, gets an event, unsubscribes, misses one, and takes another stream
        subscribed = await exchange(socket, {"op": "subscribe", "stream": "test:a"})
        await _publish("a", 1)
        first = await socket.receive_json_from()
        unsubscribed = await exchange(socket, {"op": "unsubscribe", "stream": "test:a"})
        await _publish("a", 2)
        await subscribe(socket, "test:b")
        await _publish("b", 3)
        # the channel layer keeps order, so a relayed tick 2 would come before tick 3
        last = await socket.receive_json_from()
        await socket.disconnect()
        return subscribed, first, unsubscribed, last

    # then
    assert run(scenario) == (
        {"op": "subscribed", "stream": "test:a"},
        _tick("a", 1),
        {"op": "unsubscribed", "stream": "test:a"},
        _tick("b", 3),
    )


def test_refused_unknown_and_malformed_subscriptions_get_error_frames_and_keep_the_connection():
    # given a socket
    user = UserFactory()
    frames = [
        {"op": "subscribe", "stream": "test:closed"},
        {"op": "subscribe", "stream": "test:denied"},
        {"op": "subscribe", "stream": "nope:1"},
        {"op": "subscribe", "stream": "test"},
        {"op": "subscribe", "stream": "test:"},
        {"op": "subscribe"},
        {"op": "subscribe", "stream": 5},
        {"op": "subscribe", "stream": ""},
        {"op": "subscribe", "stream": "test:" + "x" * 96},
        {"op": "unsubscribe", "stream": ["test:a"]},
        {"op": "ping"},
    ]
    CLOSED.add("closed")

    async def scenario():
        socket = await open_socket(user)
        answers = [await exchange(socket, frame) for frame in frames]
        await socket.disconnect()
        return answers

    # when each frame is sent
    answers = run(scenario)
    # then each is answered, and the last ping still is
    unknown = {"op": "error", "code": "unknown_stream", "message": "There is no such stream."}
    no_stream = {"op": "error", "code": "bad_frame", "message": 'Subscribe frames name a "stream".'}
    assert answers == [
        refused("test:closed"),
        refused("test:denied"),
        {**unknown, "stream": "nope:1"},
        {**unknown, "stream": "test"},
        {**unknown, "stream": "test:"},
        no_stream,
        no_stream,
        no_stream,
        no_stream,
        {"op": "error", "code": "bad_frame", "message": 'Unsubscribe frames name a "stream".'},
        {"op": "pong"},
    ]


def test_subscribing_twice_is_idempotent():
    # given a socket that subscribed to the same stream twice
    user = UserFactory()

    async def scenario():
        socket = await open_socket(user)
        await subscribe(socket, "test:a")
        await subscribe(socket, "test:a")
        await subscribe(socket, "test:b")
        # when an event is published, then the stream is unsubscribed once
        await _publish("a", 1)
        once = await socket.receive_json_from()
        await exchange(socket, {"op": "unsubscribe", "stream": "test:a"})
        await _publish("a", 2)
        await _publish("b", 3)
        last = await socket.receive_json_from()
        await socket.disconnect()
        return once, last

    # then the event came once, and one unsubscribe was enough
    assert run(scenario) == (_tick("a", 1), _tick("b", 3))


def test_a_socket_follows_at_most_max_streams():
    # given a socket following as many streams as it may
    user = UserFactory()

    async def scenario():
        socket = await open_socket(user)
        for n in range(MAX_STREAMS):
            await subscribe(socket, f"test:{n}")
        # when it asks for one more, for one it holds, and for the new one after dropping one
        one_more = await exchange(socket, {"op": "subscribe", "stream": "test:extra"})
        held = await exchange(socket, {"op": "subscribe", "stream": "test:0"})
        await exchange(socket, {"op": "unsubscribe", "stream": "test:0"})
        after_dropping = await exchange(socket, {"op": "subscribe", "stream": "test:extra"})
        await socket.disconnect()
        return one_more, held, after_dropping

    # then only the one past the limit is refused
    message = f"A socket follows at most {MAX_STREAMS} streams; unsubscribe some first."
    assert run(scenario) == (
        {"op": "error", "code": "too_many_streams", "message": message, "stream": "test:extra"},
        {"op": "subscribed", "stream": "test:0"},
        {"op": "subscribed", "stream": "test:extra"},
    )


@pytest.mark.parametrize("to_user", [False, True], ids=["the stream's group", "the user's group"])
def test_a_recheck_drops_the_streams_now_refused(to_user):
    # given a socket following two streams
    user = UserFactory()

    async def scenario():
        socket = await open_socket(user)
        await subscribe(socket, "test:a")
        await subscribe(socket, "test:b")
        # when access to one is taken away and the sockets are asked to check again
        CLOSED.add("a")
        await sync_to_async(recheck)(user_group(user.pk) if to_user else "test.a")
        dropped = await socket.receive_json_from()
        await _publish("a", 1)
        await _publish("b", 2)
        last = await socket.receive_json_from()
        await socket.disconnect()
        return dropped, last

    # then that stream is dropped with an error frame, and only the other one still relays
    assert run(scenario) == (refused("test:a"), _tick("b", 2))
