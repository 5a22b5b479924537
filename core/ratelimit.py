"""Fixed-window rate limits kept in the cache (Redis in production, so every process shares
them). A limit is "<count>/<seconds>" under settings.RATE_LIMITS[scope]."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from .exceptions import RateLimited


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        count, seconds = text.split("/")
        return cls(int(count), int(seconds))


def rate_for(scope: str) -> Rate:
    return Rate.parse(settings.RATE_LIMITS[scope])


def hit(scope: str, key: str) -> None:
    """Count one attempt for `key` in `scope`; raise RateLimited once the window is full."""
    rate = rate_for(scope)
    now = time.time()
    window = int(now // rate.seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"rl:{scope}:{digest}:{window}"
    # add() only creates the counter if it is missing; incr() is atomic on Redis.
    cache.add(cache_key, 0, timeout=rate.seconds + 1)
    try:
        used = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=rate.seconds + 1)
        used = 1
    if used > rate.count:
        raise RateLimited(retry_after=(window + 1) * rate.seconds - now)
