"""What open pages learn about posts without reloading: counters of a post they show
(stream "post:<id>") and, on the Following feed, that people they follow posted
("feed:following"). Called after commit; the fan-out to followers runs in a Celery task."""

from __future__ import annotations

from core.streams import publish, recheck

from .models import Post
from .repositories import get_counters


def post_group(post_id: int) -> str:
    return f"post.{post_id}"


def following_group(user_id: int) -> str:
    return f"feed.following.{user_id}"


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
