"""Publishing videos in tests through the real services and ffmpeg."""

from __future__ import annotations

from pathlib import Path

from django.core.files import File

from tests.videos.clips import make_clip
from videos.models import Video
from videos.services.uploads import create_video


def upload_video(owner, path: Path, *, caption: str = "", visibility: str = "public", trim_start=None) -> Video:
    """Send the clip at `path` as `owner` (processing runs at once: Celery is eager in tests)."""
    with path.open("rb") as content:
        video = create_video(
            owner=owner,
            caption=caption,
            visibility=visibility,
            trim_start=trim_start,
            file=File(content, name=path.name),
        )
    video.refresh_from_db()
    return video


def published_video(owner, tmp_path: Path, *, caption: str = "", name: str = "clip.mp4", **clip_options) -> Video:
    """A ready video with its post, from a fresh test clip (2 s, 360x640 unless told)."""
    video = upload_video(owner, make_clip(tmp_path / name, **clip_options), caption=caption)
    assert video.state == Video.State.READY, video.failure_reason
    return video
