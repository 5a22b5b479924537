"""Watch events: one viewing of a video, what the recommender learns from."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from core.exceptions import ValidationFailed
from posts.models import Post
from posts.repositories import ensure_can_view
from users.models import User

from ..models import Video, WatchEvent


def record_watch(
    *,
    video: Video,
    user: User | AnonymousUser | None,
    viewer_key: str,
    watched_ms: int,
    duration_ms: int,
    completed: bool,
    skipped: bool,
    replays: int,
) -> WatchEvent:
    """Keep one viewing of a published video whose post the viewer may see."""
    post = video.post
    if post is None:
        raise ValidationFailed.on("video", "This video is not published yet.", code="not_published")
    ensure_can_view(user, post)
    if post.kind != Post.Kind.VIDEO:
        raise ValidationFailed.on("post", "Only videos have watch events.", code="not_video")
    return WatchEvent.objects.create(
        post=post,
        user=user if isinstance(user, User) else None,
        viewer_key=viewer_key[:64],
        watched_ms=watched_ms,
        duration_ms=duration_ms,
        completed=completed,
        skipped=skipped,
        replays=replays,
    )
