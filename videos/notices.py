"""What the videos app tells creators through the notifications app."""

from __future__ import annotations

from notifications.kinds import Kind

READY = Kind("video_ready", "Your videos when they are ready", "your video is ready to watch", order=80)
FAILED = Kind(
    "video_failed",
    "Your videos that could not be processed",
    "your video could not be processed",
    channels=frozenset({"in_app", "push", "email"}),
    order=81,
)
KINDS = (READY, FAILED)
