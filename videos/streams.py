"""The "video:<id>" stream (core.streams): a creator's pages follow the processing of their
video (state and progress) live. Only the owner may subscribe."""

from __future__ import annotations

import re

from channels.db import database_sync_to_async

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
