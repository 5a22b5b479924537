"""Publishing videos in tests through the real services and ffmpeg."""

from __future__ import annotations

from pathlib import Path

from django.core.files import File

from videos import services
from videos.models import Video


def upload_video(owner, path: Path, *, caption: str = "", visibility: str = "public", trim_start=None) -> Video:
    """Send the clip at `path` as `owner` (processing runs at once: Celery is eager in tests)."""
    with path.open("rb") as content:
        video = services.create_video(
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
    from tests.videos.clips import make_clip

    video = upload_video(owner, make_clip(tmp_path / name, **clip_options), caption=caption)
    assert video.state == Video.State.READY, video.failure_reason
    return video


def uploaded_video(
    owner, path: Path, *, caption: str = "", visibility: str = "public", trim_start: float = 0.0
) -> Video:
    """A video as create_video leaves it before its task runs: the source stored, state uploaded."""
    from videos import probe, storage

    info = probe.describe(str(path), size=path.stat().st_size)
    video = Video(owner=owner, caption=caption, visibility=visibility, trim_start=trim_start)
    video.source = storage.store(path, f"{video.folder}/source.{info.container}")
    video.source_bytes, video.source_info = info.bytes, info.as_dict()
    video.save()
    return video
