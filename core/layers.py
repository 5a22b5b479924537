"""The Redis PUBLISH/SUBSCRIBE channel layer (channels_redis), made to notice its own outages.

channels_redis's layer reconnects by itself after Redis restarts, and redis-py subscribes it
again to its groups, but what was published meanwhile is gone and no socket is told: a tab
would show a stale bell until the next event. This layer sends every socket of the process a
`stream.resync` message once the connection is back; the consumer then closes the socket, and
the client reconnects, subscribes again and fetches what it missed (static/js/lib/socket.js)."""

from __future__ import annotations

import asyncio
import logging

from channels_redis import pubsub

logger = logging.getLogger(__name__)

RESYNC = {"type": "stream.resync"}


class _Shard(pubsub.RedisSingleShardConnection):
    async def _do_receiving(self):
        # channels_redis's loop, plus remembering that it failed and saying so once it reads again.
        broken = False
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
                    if broken:
                        broken = False
                        logger.warning("Channel layer reconnected to %s; sockets catch up", self.host.get("address"))
                        self._resync()
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
            except (TimeoutError, asyncio.CancelledError, GeneratorExit):
                raise
            except Exception as error:
                if not broken:
                    logger.warning("Channel layer lost Redis (%s): events are missed until it is back", error)
                broken = True
                await asyncio.sleep(1)

    def _resync(self) -> None:
        layer = self.channel_layer
        message = layer.channel_layer.serialize(RESYNC)
        for queue in layer.channels.values():
            queue.put_nowait(message)


class _LoopLayer(pubsub.RedisPubSubLoopLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._shards: list[pubsub.RedisSingleShardConnection] = [_Shard(shard.host, self) for shard in self._shards]


class RedisPubSubChannelLayer(pubsub.RedisPubSubChannelLayer):
    def _get_layer(self):
        loop = asyncio.get_running_loop()
        if loop not in self._layers:
            self._layers[loop] = _LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            pubsub._wrap_close(self, loop)
        return self._layers[loop]
