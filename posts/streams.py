"""The live streams of posts (see core.streams) and what is pushed on them: "post:<id>" carries
a post's counters to the pages showing it, "feed:following" tells a user's Following feed that
people they follow posted. Pushes are called after commit; the fan-out to followers runs in a
Celery task."""

from __future__ import annotations

import re

from channels.db import database_sync_to_async

from core.streams import publish, recheck

from .models import Post
from .repositories import ensure_can_view, get_counters

POST_STREAM = re.compile(r"post:([1-9][0-9]{0,17})")  # fits a BIGINT key


def post_group(post_id: int) -> str:
    return f"post.{post_id}"


def following_group(user_id: int) -> str:
    return f"feed.following.{user_id}"


# --- Who may follow a stream, and in which channel-layer group -----------------------------------


async def post_stream(user, stream: str) -> str | None:
    match = POST_STREAM.fullmatch(stream)
    if match is None:
        return None
    post_id = int(match[1])
    # ensure_can_view reads only the key, so no need to load the post.
    await database_sync_to_async(ensure_can_view)(user, Post(pk=post_id))
    return post_group(post_id)


async def following_stream(user, stream: str) -> str:
    return following_group(user.pk)


STREAMS = {"post:": post_stream, "feed:following": following_stream}


# --- Pushes ----------------------------------------------------------------------------------------


def push_counters(post_id: int) -> None:
    counters = get_counters(post_id)
    if counters is not None:
        publish(post_group(post_id), stream=f"post:{post_id}", event="counters", data={"id": post_id, **counters})


def push_new_post(post: Post, follower_ids: list[int]) -> None:
    """Tell each follower's Following feed that `post` arrived."""
    data = {"id": post.pk, "author": post.author.username}
    groups = [following_group(user_id) for user_id in follower_ids]
    publish(*groups, stream="feed:following", event="new_post", data=data)


def push_access_changed(post_id: int) -> None:
    """The post's audience may have shrunk (made private, hidden): sockets following it live
    ask again whether they still may."""
    recheck(post_group(post_id))
