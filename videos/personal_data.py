"""The videos app's section of 'Your data' (core.personal_data): one's videos with the MP4
that plays and the file as it was uploaded, and what one watched."""

from __future__ import annotations

from core.personal_data import DataSection, Folder

from .models import Video, WatchEvent
from .services.publishing import erase_videos_of


def export(user, folder: Folder) -> None:
    videos = Video.objects.filter(owner=user).order_by("created_at", "id")
    folder.json(
        "videos.json",
        [
            {
                "id": video.pk,
                "post": video.post_id,
                "caption": video.caption,
                "visibility": video.visibility,
                "state": video.state,
                "created_at": video.created_at,
                "duration": video.duration,
                "width": video.width,
                "height": video.height,
                "mp4": folder.file(video.mp4),
                "source": folder.file(video.source),
            }
            for video in videos
        ],
    )
    watched = WatchEvent.objects.filter(user=user).order_by("created_at", "id")
    folder.json(
        "watched.json",
        [
            {"post": post, "watched_ms": watched_ms, "completed": completed, "at": at}
            for post, watched_ms, completed, at in watched.values_list(
                "post_id", "watched_ms", "completed", "created_at"
            )
        ],
    )


SECTION = DataSection("videos", "videos", export, erase_videos_of, order=40)
