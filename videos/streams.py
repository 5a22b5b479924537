"""The "video:<id>" stream (core.streams): a creator's pages follow the processing of their
video (state and progress) live. Only the owner may subscribe. The services push to it through
push_status(), always via core.transactions.after_commit, so a rolled-back change of state
announces nothing."""

from __future__ import annotations

import re

from channels.db import database_sync_to_async
from django.urls import reverse

from core.streams import publish

from .models import Video

VIDEO_STREAM = re.compile(r"video:([1-9][0-9]{0,17})")


def video_group(video_id: int) -> str:
    return f"video.{video_id}"


async def video_stream(user, stream: str) -> str | None:
    match = VIDEO_STREAM.fullmatch(stream)
    if match is None or not user.is_authenticated:
        return None
    video_id = int(match[1])
    owned = await database_sync_to_async(Video.objects.filter(pk=video_id, owner=user).exists)()
    return video_group(video_id) if owned else None


STREAMS = {"video:": video_stream}


def video_status(video: Video) -> dict:
    """What the creator's pages show of a video in progress (the stream's events)."""
    return {
        "id": video.pk,
        "state": video.state,
        "progress": video.progress,
        "failure_reason": video.failure_reason,
        "post_id": video.post_id,
        "post_url": reverse("posts:detail", args=[video.post_id]) if video.post_id else None,
    }


def push_status(video: Video) -> None:
    """Tell the owner's pages where the video stands (read when the push is sent, after commit)."""
    publish(video_group(video.pk), stream=f"video:{video.pk}", event="progress", data=video_status(video))
