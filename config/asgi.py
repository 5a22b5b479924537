"""ASGI entry point: daphne serves WebSockets under /ws/ (and, in `make run`, HTTP too)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

# Imported after Django is set up: consumers import models.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from core.routing import websocket_urlpatterns  # noqa: E402
from core.websocket import websocket_auth_stack  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": websocket_auth_stack(URLRouter(websocket_urlpatterns)),
    }
)

# A socket server makes a few hundred short-lived objects per event it relays. At Python's
# default threshold (700) the collector ran every few deliveries, and a full collection of the
# ~280,000 objects of a server holding 1,000 sockets stopped every socket for 100-160 ms (the
# broadcast p99, docs/BENCHMARKS.md). Collect young objects less often, and leave what start-up
# built out of full collections.
gc.set_threshold(10_000, 10, 10)
gc.freeze()
