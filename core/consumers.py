"""The one WebSocket a browser tab opens (/ws/). It authenticates, says hello, answers
heartbeats and reports malformed frames without dropping the connection. Apps add their
streams to it (see ARCHITECTURE.md, "Real time")."""

import json

from channels.generic.websocket import AsyncWebsocketConsumer

CLOSE_UNAUTHENTICATED = 4401


class StreamConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.accept()
        await self.send_frame({"op": "hello", "user": user.pk})

    async def receive(self, text_data=None, bytes_data=None):
        try:
            frame = json.loads(text_data or "")
        except ValueError:
            frame = None
        if not isinstance(frame, dict) or not isinstance(frame.get("op"), str):
            await self.send_error("bad_frame", 'Frames are JSON objects with an "op".')
        elif frame["op"] == "ping":
            await self.send_frame({"op": "pong"})
        else:
            await self.send_error("unknown_op", f"Unknown op {frame['op'][:40]!r}.")

    async def send_frame(self, frame: dict):
        await self.send(text_data=json.dumps(frame))

    async def send_error(self, code: str, message: str):
        await self.send_frame({"op": "error", "code": code, "message": message})
