"""The live streams of posts (see core.streams): "post:<id>" carries a post's counters to
the pages showing it, "feed:following" tells a user's Following feed that people they follow
posted."""

from __future__ import annotations

import re

from channels.db import database_sync_to_async

from .models import Post
from .realtime import following_group, post_group
from .repositories import ensure_can_view

POST_STREAM = re.compile(r"post:([1-9][0-9]{0,17})")  # fits a BIGINT key


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
