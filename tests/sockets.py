"""Driving the /ws/ socket from plain (synchronous) tests through config.asgi.application."""

from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from config.asgi import application


def run(scenario):
    """Drive one async scenario from a plain test (no event-loop plugin needed)."""
    return async_to_sync(scenario)()


async def open_socket(user) -> WebsocketCommunicator:
    """A socket of `user` (JWT bearer), past its hello frame."""
    headers = [(b"authorization", f"Bearer {AccessToken.for_user(user)}".encode())]
    socket = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await socket.connect()
    assert connected
    assert await socket.receive_json_from() == {"op": "hello", "user": user.pk}
    return socket


async def exchange(socket: WebsocketCommunicator, frame: dict) -> dict:
    """Send `frame` and return the answer."""
    await socket.send_json_to(frame)
    return await socket.receive_json_from()


async def subscribe(socket: WebsocketCommunicator, stream: str) -> None:
    assert await exchange(socket, {"op": "subscribe", "stream": stream}) == {"op": "subscribed", "stream": stream}


def refused(stream: str) -> dict:
    """The error frame for a stream the socket may not (or no longer) follow."""
    return {
        "op": "error",
        "code": "not_found",
        "message": "No such stream, or you may not follow it.",
        "stream": stream,
    }
