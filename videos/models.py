from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from core.models import TimeStampedModel
from posts.models import Post

from . import states


class Video(TimeStampedModel):
    """A clip and everything made from it. Its files live under videos/<key>/ in the default
    storage. The post that shows it is created when the video first becomes playable, so no
    feed, search or profile ever lists a video that cannot play."""

    class State(models.TextChoices):
        UPLOADED = states.UPLOADED, "Uploaded"
        PROCESSING = states.PROCESSING, "Processing"
        READY = states.READY, "Ready"
        FAILED = states.FAILED, "Failed"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="videos")
    post = models.OneToOneField(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="video")
    caption = models.TextField(blank=True)
    visibility = models.CharField(max_length=10, choices=Post.Visibility.choices, default=Post.Visibility.PUBLIC)

    state = models.CharField(max_length=12, choices=State.choices, default=State.UPLOADED)
    failure_reason = models.CharField(max_length=300, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent of the processing done.")
    attempts = models.PositiveSmallIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    # The upload as received, and the window of it to keep.
    source = models.CharField(max_length=300)
    source_bytes = models.PositiveBigIntegerField(default=0)
    source_info = models.JSONField(default=dict, blank=True, help_text="What ffprobe found in the upload.")
    trim_start = models.FloatField(default=0.0)

    # What was made (display orientation, after rotation).
    duration = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    fps = models.FloatField(null=True, blank=True)
    video_codec = models.CharField(max_length=40, blank=True)
    audio_codec = models.CharField(max_length=40, blank=True, help_text="Empty when the clip has no sound.")
    bytes = models.PositiveBigIntegerField(default=0, help_text="Size of everything made from the upload.")
    renditions = models.JSONField(default=list, blank=True)
    playlist = models.CharField(max_length=300, blank=True, help_text="The HLS master playlist.")
    mp4 = models.CharField(max_length=300, blank=True, help_text="The MP4 fallback.")
    poster = models.CharField(max_length=300, blank=True)
    thumbnails = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "-created_at", "-id"], name="video_owner_recent"),
            models.Index(fields=["state", "updated_at"], name="video_state"),
        ]

    def __str__(self) -> str:
        return f"Video {self.pk} by {self.owner_id} ({self.state})"

    @property
    def folder(self) -> str:
        return f"videos/{self.key}"

    @property
    def is_playable(self) -> bool:
        return self.state == states.READY and bool(self.playlist)


class Upload(models.Model):
    """A resumable upload in progress: chunks arrive in order, each stored as its own file
    under uploads/<id>/ (so any server process, and S3, can take the next one)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="video_uploads")
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    received = models.PositiveBigIntegerField(default=0)
    parts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Upload {self.id} ({self.received}/{self.size} bytes)"

    @property
    def folder(self) -> str:
        return f"uploads/{self.id}"

    @property
    def is_complete(self) -> bool:
        return self.received == self.size


class WatchEvent(models.Model):
    """One viewing of a video, sent by the player when the viewer moves on: what the
    recommendations app learns from."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="watch_events")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="watch_events"
    )
    viewer_key = models.CharField(max_length=64, help_text="The user, or a hash of a signed-out viewer's address.")
    watched_ms = models.PositiveIntegerField()
    duration_ms = models.PositiveIntegerField()
    completed = models.BooleanField(default=False)
    skipped = models.BooleanField(default=False, help_text="Left within the first second.")
    replays = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="watch_user_recent")]

    def __str__(self) -> str:
        return f"{self.viewer_key} watched {self.post_id} for {self.watched_ms} ms"
