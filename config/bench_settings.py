"""Settings for the benchmarks (scripts/bench_feed.sh, scripts/bench_ws.py) only: the production
settings with the benchmark's URLs, and for the WebSocket benchmark a choice of channel layer
and a benchmark-only stream and notification kind. Never deployed."""

from importlib import import_module

from decouple import config
from django.apps import AppConfig

from .settings import *  # noqa: F403
from .settings import REDIS_URL

ROOT_URLCONF = "config.bench_urls"

# scripts/bench_ws.py compares channels_redis's two layers: "core" (a sorted set per process
# in Redis, read with BZPOPMIN) or "pubsub" (Redis PUBLISH/SUBSCRIBE). Empty: as settings.py.
BENCH_CHANNEL_LAYER = config("BENCH_CHANNEL_LAYER", default="")
# The Redis connection pool's size per event loop (redis-py's own default, 100, when 0).
BENCH_REDIS_MAX_CONNECTIONS = config("BENCH_REDIS_MAX_CONNECTIONS", default=0, cast=int)
# A module imported once the apps are ready (say, one replacing a consumer method), to measure
# a change before making it. Empty: none.
BENCH_PATCH = config("BENCH_PATCH", default="")
if BENCH_CHANNEL_LAYER:
    _host = {"address": REDIS_URL, "socket_timeout": 15}
    if BENCH_REDIS_MAX_CONNECTIONS:
        _host["max_connections"] = BENCH_REDIS_MAX_CONNECTIONS
    _layer_config = {"hosts": [_host], "prefix": config("CHANNELS_PREFIX", default="sm")}
    CHANNEL_LAYERS = {
        "default": {
            "core": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {**_layer_config, "capacity": 500, "expiry": 60},  # as settings.py had them
            },
            # The pub/sub layer has no capacity or expiry: it would ignore them.
            "pubsub": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": _layer_config},
        }[BENCH_CHANNEL_LAYER]
    }


class BenchConfig(AppConfig):
    """Registers what only the WebSocket benchmark uses: stream "bench:ws" on the user's own
    group (the shape of the "notifications" stream, for measuring without the notifications
    app) and the notification kind "bench_ws" (in-app only, so nothing queues email or push)."""

    name = "config"
    label = "bench"

    def ready(self):
        from core.streams import STREAMS, user_group

        async def own_group(user, stream: str) -> str:
            return user_group(user.pk)

        STREAMS.register(own_group, name="bench:ws")
        if BENCH_PATCH:
            import_module(BENCH_PATCH)
        try:
            from notifications.kinds import KINDS, Kind
        except ImportError:
            return
        KINDS.register(
            Kind(name="bench_ws", label="Benchmark pings", verb="pinged you", channels=frozenset({"in_app"}))
        )


INSTALLED_APPS = [*INSTALLED_APPS, "config.bench_settings.BenchConfig"]  # noqa: F405
