"""The Following feed from per-person timelines in Redis: fan-out on write, as large social
networks serve it.

A timeline is a Redis sorted set of the newest TIMELINE_LENGTH candidates for one person's
Following feed: the ids of posts by the people they follow and by themselves, scored by creation
time in microseconds (the pull query's order). Members are zero-padded ids, so posts of the same
microsecond order by id as well. After a post is committed, a Celery task pushes it into its
author's and followers' timelines (start_push). A page (page_ids) is the next stretch of ids from
the timeline; repositories.following_feed loads just those rows with the pull query's own filters
and keyset, so the page is the pull feed's page: the timeline only tells it where to look.

Timelines are a cache, kept for the people who read their feed: built on the first read, built
again when the people one follows change (a timeline remembers a fingerprint of that list, in a
marker member scored -1), forgotten after TIMELINE_DAYS unread. Authors with more than
TIMELINE_FAN_OUT_LIMIT followers are not pushed (one post would cost a million writes): they go
into a set of "pulled" authors whose posts every page also takes straight from the database.
Without Redis (the embedded default) or with FEED_TIMELINES off, when Redis fails, and past the
end of a full timeline, the feed is the pull query alone."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.db.models import Count, Max

from users.models import Follow, User

from ..models import Post

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MARKER_SCORE = -1  # below every post's score: the marker is always rank 0
BUILDING = "~building"
PULLED = "sm:tl:pulled"  # authors whose posts are not pushed

# Adds the post to each timeline that exists (nobody reads the others), then trims it to the
# newest ARGV[3] posts; rank 0, the marker, stays.
_PUSH = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('ZADD', key, ARGV[1], ARGV[2])
    redis.call('ZREMRANGEBYRANK', key, 1, -(tonumber(ARGV[3]) + 1))
  end
end
"""


@functools.cache
def _connect(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=2, socket_timeout=2)


def _client() -> redis.Redis | None:
    return _connect(settings.REDIS_URL) if settings.REDIS_URL and settings.FEED_TIMELINES else None


def _key(user_id: int) -> str:
    return f"sm:tl:{user_id}"


def score(created_at: datetime) -> int:
    """Microseconds since 1970, exact (a float of seconds is not): Redis keeps scores as
    doubles, exact for integers up to 2**53, that is until the year 2255."""
    return (created_at - EPOCH) // timedelta(microseconds=1)


def member(post_id: int) -> str:
    return f"{post_id:020d}"


def start_push(post: Post) -> Callable[[list[int]], None] | None:
    """Put `post` into its author's timeline and answer how to put it into followers' (a
    batch of their ids at a time), or None when it goes into no one else's: no Redis, or the
    author has too many followers to push to (readers then pull the author's posts). Called
    by the fan-out task after commit; every post goes in, whatever its visibility, since
    readers filter as the pull query does (a post's audience can change)."""
    client = _client()
    if client is None:
        return None
    entry = (score(post.created_at), member(post.pk), settings.TIMELINE_LENGTH)
    push = client.register_script(_PUSH)
    push(keys=[_key(post.author_id)], args=entry)
    follows = Follow.objects.filter(followee_id=post.author_id)
    if follows[: settings.TIMELINE_FAN_OUT_LIMIT + 1].count() > settings.TIMELINE_FAN_OUT_LIMIT:
        client.sadd(PULLED, post.author_id)
        return None
    return lambda follower_ids: push(keys=[_key(user_id) for user_id in follower_ids], args=entry)


def forget(user_ids: Iterable[int]) -> None:
    """Drop these people's timelines, to be built again on their next read: for writes that
    bypass the fan-out, such as the demo seeder moving posts back in time."""
    client = _client()
    if client is not None and (keys := [_key(user_id) for user_id in user_ids]):
        client.delete(*keys)


def _fingerprint(viewer: User) -> str:
    """Changes whenever `viewer` follows or unfollows anyone: a follow gets a higher id than
    every earlier one, an unfollow lowers the count."""
    follows = Follow.objects.filter(follower=viewer).aggregate(count=Count("pk"), last=Max("pk"))
    return f"~{follows['count']}:{follows['last'] or 0}"


def _rebuild(client: redis.Redis, viewer: User, fingerprint: str) -> None:
    """Fill `viewer`'s timeline from the database. Marked as building first, so pushes that
    land meanwhile are kept and readers use the pull query until it is done."""
    start = client.pipeline()
    start.delete(_key(viewer.pk))
    start.zadd(_key(viewer.pk), {BUILDING: MARKER_SCORE})
    start.expire(_key(viewer.pk), settings.TIMELINE_DAYS * 86400)
    start.execute()
    followees = list(Follow.objects.filter(follower=viewer).values_list("followee_id", flat=True))
    newest = (
        Post.objects.filter(author_id__in=[*followees, viewer.pk])
        .order_by("-created_at", "-id")
        .values_list("pk", "created_at")[: settings.TIMELINE_LENGTH]
    )
    entries = {member(pk): score(created_at) for pk, created_at in newest}
    finish = client.pipeline()  # one MULTI: readers see the old marker or the whole timeline
    finish.zremrangebyscore(_key(viewer.pk), MARKER_SCORE, MARKER_SCORE)
    finish.zadd(_key(viewer.pk), {**entries, fingerprint: MARKER_SCORE})
    finish.zremrangebyrank(_key(viewer.pk), 1, -(settings.TIMELINE_LENGTH + 1))
    finish.expire(_key(viewer.pk), settings.TIMELINE_DAYS * 86400)
    finish.execute()


@dataclass(frozen=True)
class Stretch:
    """The next ids of a timeline after a position, newest first, and what lies past them."""

    ids: list[int]
    pulled_authors: list[int]  # followees whose posts the page takes from the database
    last: tuple[int, int] | None  # (score, id) of the last id read, None if none was
    complete: bool  # True if nothing older than `last` is missing: the timeline's end was read


def page_ids(viewer: User, *, before: datetime | None, count: int, rebuilt: bool = False) -> Stretch | None:
    """Up to `count` timeline ids of posts made at or before `before`, newest first; None when
    the pull query must answer (no Redis, Redis failing, the timeline being built)."""
    client = _client()
    if client is None:
        return None
    key = _key(viewer.pk)
    top = score(before) if before else "+inf"
    try:
        read = client.pipeline(transaction=False)
        read.zrange(key, 0, 0)
        read.zcard(key)
        read.smembers(PULLED)
        read.expire(key, settings.TIMELINE_DAYS * 86400)
        read.zrevrangebyscore(key, top, f"({MARKER_SCORE}", start=0, num=count, withscores=True)
        marker, size, pulled, _, entries = read.execute()
        fingerprint = _fingerprint(viewer)
        if marker != [fingerprint]:
            if marker == [BUILDING] or rebuilt:
                return None
            _rebuild(client, viewer, fingerprint)
            return page_ids(viewer, before=before, count=count, rebuilt=True)
    except redis.RedisError:
        logger.warning("Timeline of user %s unavailable; using the pull query.", viewer.pk, exc_info=True)
        return None
    posts = [(int(value), int(name)) for name, value in entries]
    return Stretch(
        ids=[post_id for _, post_id in posts],
        pulled_authors=_followed(viewer, pulled),
        last=posts[-1] if posts else None,
        # Fewer than asked: the rest of the timeline was read. It misses nothing older if it
        # was never trimmed, i.e. holds fewer than TIMELINE_LENGTH posts.
        complete=len(entries) < count and size - 1 < settings.TIMELINE_LENGTH,
    )


def _followed(viewer: User, authors: Iterable[str]) -> list[int]:
    ids = [int(author) for author in authors]
    if not ids:
        return []
    return list(Follow.objects.filter(follower=viewer, followee_id__in=ids).values_list("followee_id", flat=True))
