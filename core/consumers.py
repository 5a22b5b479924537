"""The one WebSocket a browser tab opens (/ws/). It authenticates, says hello, answers
heartbeats, subscribes the socket to the streams apps register in core.streams and relays
their events. Malformed or refused frames get an error frame; the connection stays open.

Frames from the client: {"op": "ping"}, {"op": "subscribe", "stream": S},
{"op": "unsubscribe", "stream": S}. From the server: hello, pong, {"op": "subscribed" or
"unsubscribed", "stream": S}, {"op": "event", "stream": S, "event": E, "data": {...}} and
{"op": "error", "code": C, "message": M} (with "stream" when it concerns one: the socket then
does not hold that stream, whether it was refused or taken away later)."""

import json
import uuid

import structlog
from channels.generic.websocket import AsyncWebsocketConsumer
from structlog.contextvars import bind_contextvars

from . import parsers, streams
from .logs import request_id_from
from .metrics import WEBSOCKET_CONNECTIONS

logger = structlog.get_logger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_REVOKED = 4001  # credentials revoked (core.streams.close_sockets): connect again to re-check
CLOSE_RESYNC = 1012  # "service restart": the client reconnects, subscribes again and catches up
MAX_STREAMS = 200  # a long infinite-scroll session subscribes one stream per post it shows
MAX_STREAM_NAME = 100


class StreamConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        # The socket's lines carry its own id and the id of its HTTP upgrade request (set by
        # the proxy); the connection runs in its own task, so they stay with it.
        upgrade = dict(self.scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        bind_contextvars(connection_id=uuid.uuid4().hex[:12], request_id=request_id_from(upgrade))
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.own_group = streams.user_group(user.pk)
        self.streams: dict[str, str] = {}  # stream name -> channel-layer group
        await self.channel_layer.group_add(self.own_group, self.channel_name)
        await self.accept()
        WEBSOCKET_CONNECTIONS.inc()
        self.counted = True
        logger.info("socket opened", user_id=user.pk)
        await self.send_frame({"op": "hello", "user": user.pk})

    async def stream_resync(self, event):
        """The channel layer was cut off from Redis (core.layers): events may have been missed."""
        await self.close(code=CLOSE_RESYNC)

    async def disconnect(self, code):
        if getattr(self, "counted", False):
            WEBSOCKET_CONNECTIONS.dec()
            logger.info("socket closed", code=code, streams=len(self.streams))
        if hasattr(self, "own_group"):
            for group in {self.own_group, *self.streams.values()}:
                await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        try:
            frame = parsers.loads(text_data or "")  # bounded nesting: "[" * 50000 is a bad frame
        except ValueError:
            frame = None
        if not isinstance(frame, dict) or not isinstance(frame.get("op"), str):
            await self.send_error("bad_frame", 'Frames are JSON objects with an "op".')
        elif frame["op"] == "ping":
            await self.send_frame({"op": "pong"})
        elif frame["op"] in ("subscribe", "unsubscribe"):
            stream = frame.get("stream")
            if not isinstance(stream, str) or not 0 < len(stream) <= MAX_STREAM_NAME:
                await self.send_error("bad_frame", f'{frame["op"].capitalize()} frames name a "stream".')
            elif frame["op"] == "subscribe":
                await self.subscribe(stream)
            else:
                await self.unsubscribe(stream)
        else:
            await self.send_error("unknown_op", f"Unknown op {frame['op'][:40]!r}.")

    async def subscribe(self, stream: str):
        if stream not in self.streams:
            if len(self.streams) >= MAX_STREAMS:
                message = f"A socket follows at most {MAX_STREAMS} streams; unsubscribe some first."
                return await self.send_error("too_many_streams", message, stream=stream)
            try:
                group = await streams.resolve(self.scope["user"], stream)
            except streams.UnknownStream:
                return await self.send_error("unknown_stream", "There is no such stream.", stream=stream)
            if group is None:
                return await self.refuse(stream)
            await self.channel_layer.group_add(group, self.channel_name)
            self.streams[stream] = group
        await self.send_frame({"op": "subscribed", "stream": stream})

    async def unsubscribe(self, stream: str):
        await self.drop(stream)
        await self.send_frame({"op": "unsubscribed", "stream": stream})

    async def drop(self, stream: str):
        group = self.streams.pop(stream, None)
        # Two streams may share a group; the socket leaves it only with the last of them.
        if group is not None and group != self.own_group and group not in self.streams.values():
            await self.channel_layer.group_discard(group, self.channel_name)

    async def refuse(self, stream: str):
        # The same answer whether the thing does not exist or may not be seen.
        await self.send_error("not_found", "No such stream, or you may not follow it.", stream=stream)

    async def dispatch(self, message):
        # Channels hops into its one shared thread before every handler to close stale database
        # connections (channels.db.aclose_old_connections). Relaying an event uses no database
        # (handlers that do go through database_sync_to_async, which closes them itself), and
        # with 1,000 sockets that hop per event was half of a broadcast's cost (docs/BENCHMARKS.md).
        if message["type"] == "stream.event":
            await self.stream_event(message)
        else:
            await super().dispatch(message)

    async def stream_event(self, message: dict):
        # An event already on its way when the socket unsubscribed is not relayed.
        if message["stream"] in self.streams:
            frame = {key: message[key] for key in ("stream", "event", "data")}
            await self.send_frame({"op": "event", **frame})

    async def socket_revoked(self, message: dict):
        await self.close(code=CLOSE_REVOKED)

    async def stream_recheck(self, message: dict):
        held = [stream for stream, group in self.streams.items() if message["group"] in (group, self.own_group)]
        for stream in held:
            if await streams.resolve(self.scope["user"], stream) != self.streams[stream]:
                await self.drop(stream)
                await self.refuse(stream)

    async def send_frame(self, frame: dict):
        await self.send(text_data=json.dumps(frame))

    async def send_error(self, code: str, message: str, *, stream: str | None = None):
        await self.send_frame(
            {"op": "error", "code": code, "message": message, **({"stream": stream} if stream else {})}
        )
