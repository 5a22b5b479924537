"""The streams a browser tab subscribes to over its one WebSocket, and publishing to them.

Apps register their streams in STREAMS (from their AppConfig.ready(), so core imports no app):
a name such as "feed:following", or a family ending in ":" such as "post:" for "post:42", with
an async resolver. The resolver gets (user, stream name) and answers the channel-layer group
that carries the stream, or None (or raises a core.exceptions.DomainError) when the user may
not follow it.

Events go through the channel layer, so they reach sockets held by any server process.
Access is checked when a socket subscribes, not on every event (that would cost a query per
event per socket); a write that can take access away calls recheck() after commit instead."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from .exceptions import DomainError
from .registry import Registry

Resolver = Callable[[Any, str], Awaitable[str | None]]

# Stream name (or family, ending in ":") -> its resolver: STREAMS.register(resolver, name="post:").
STREAMS: Registry[Resolver] = Registry("socket stream", key=lambda resolver: resolver.__name__)


class UnknownStream(LookupError):
    pass


async def resolve(user, stream: str) -> str | None:
    """The group carrying `stream` if `user` may follow it, else None. UnknownStream if no
    app serves such a stream."""
    family = stream.rpartition(":")[0] + ":"
    resolver = STREAMS.get(stream) or STREAMS.get(family)
    if resolver is None or stream == family:  # "post:" names no post
        raise UnknownStream(stream)
    try:
        return await resolver(user, stream)
    except DomainError:
        return None


def user_group(user_id: int) -> str:
    """The group every socket of one user is in."""
    return f"user.{user_id}"


_loop: asyncio.AbstractEventLoop | None = None
_loop_pid = 0
_loop_lock = threading.Lock()
PUBLISH_TIMEOUT = 10  # seconds; a Redis that does not answer must not hold a request forever


def _publishing_loop() -> asyncio.AbstractEventLoop:
    """This process's event loop for publishing from plain code, running in a thread of its
    own, so the channel layer's Redis connections stay open from one publish to the next."""
    global _loop, _loop_pid
    with _loop_lock:
        # A forked child (gunicorn, Celery prefork) inherits the loop but not its thread.
        if _loop is None or _loop_pid != os.getpid():
            _loop, _loop_pid = asyncio.new_event_loop(), os.getpid()
            threading.Thread(target=_loop.run_forever, name="channel-layer-publisher", daemon=True).start()
        return _loop


def _send(groups: Iterable[str], message: dict) -> None:
    layer = get_channel_layer()

    async def send_all():
        for group in groups:
            await layer.group_send(group, message)

    if isinstance(layer, InMemoryChannelLayer):
        # Its queues belong to the event loop of this process's sockets: publish from there.
        async_to_sync(send_all)()
    else:
        # async_to_sync from plain code (a request, a Celery task) would make a thread, an event
        # loop and a Redis connection for every publish: 3.5 ms, against 0.4 ms on a loop that
        # stays (docs/BENCHMARKS.md).
        asyncio.run_coroutine_threadsafe(send_all(), _publishing_loop()).result(timeout=PUBLISH_TIMEOUT)


def publish(*groups: str, stream: str, event: str, data: dict) -> None:
    """Send `event` on `stream` to every socket in the channel-layer `groups`. Call it after
    commit (core.transactions.after_commit) so a rolled-back write announces nothing."""
    _send(groups, {"type": "stream.event", "stream": stream, "event": event, "data": data})


def recheck(group: str) -> None:
    """Make every socket in `group` ask the resolvers again about the streams it follows
    through that group (all its streams, for a user_group), dropping those now refused. Call
    it after commit of a write that can take access away: a block, an unfollow, a post made
    private or hidden."""
    _send([group], {"type": "stream.recheck", "group": group})


def close_sockets(group: str) -> None:
    """Close every socket in `group` (a user_group: the person's credentials were revoked).
    They close with CLOSE_REVOKED, on which clients connect again: a browser whose session
    still holds is back at once, a revoked token is refused at the handshake."""
    _send([group], {"type": "socket.revoked"})
