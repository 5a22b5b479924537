"""Publishing to the streams a browser tab subscribes to over its one WebSocket. Events go
through the channel layer, so they reach sockets held by any server process."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def publish(group: str, *, stream: str, event: str, data: dict) -> None:
    """Send `event` on `stream` to every socket in the channel-layer `group`. Call it after
    commit (transaction.on_commit) so a rolled-back write announces nothing."""
    message = {"type": "stream.event", "stream": stream, "event": event, "data": data}
    async_to_sync(get_channel_layer().group_send)(group, message)
