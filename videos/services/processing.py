"""Processing a video through its lifecycle (videos.states): making its renditions once, with
live progress, retrying what may pass, failing what will not with the reason, and the upkeep
that finds abandoned uploads and videos whose worker died."""

from __future__ import annotations

import logging
import tempfile
import time
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from core.exceptions import Conflict, PermissionDenied
from core.jobs import enqueue
from core.metrics import VIDEO_TRANSCODE_FAILURES, VIDEO_TRANSCODE_SECONDS
from core.transactions import after_commit
from notifications.services.inbox import notify
from users.models import User

from .. import notices, states, streams
from ..integrations import storage, transcoding
from ..integrations.probe import SourceInfo
from ..models import Upload, Video
from .publishing import make_and_publish
from .uploads import cancel_upload

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5  # seconds between progress writes while encoding


class TransientError(Exception):
    """Processing stopped for a reason that may pass (storage or database unavailable)."""


class Busy(Exception):
    """Another worker holds the video and renewed its claim within the lease: ask again after it."""


def _progress_reporter(video: Video) -> transcoding.Progress:
    last = 0.0

    def report(done: float) -> None:
        nonlocal last
        now = time.monotonic()
        percent = min(99, int(done * 100))
        # Each write also renews the worker's claim (updated_at), so a stalled percentage still
        # writes once per quarter lease: only a dead worker's claim goes stale.
        due = percent > video.progress or now - last >= settings.VIDEO_LEASE_SECONDS / 4
        if now - last < PROGRESS_EVERY or not due:
            return
        last = now
        video.progress = percent
        try:
            Video.objects.filter(pk=video.pk, state=states.PROCESSING).update(
                progress=percent, updated_at=timezone.now()
            )
        except DatabaseError as error:
            # Progress is only shown; a busy database must not stop the transcode (the next
            # report, or the end, writes again).
            logger.info("Progress of video %s not saved: %s", video.pk, error)
            return
        after_commit(streams.push_status, video)

    return report


def process_video(*, video_id: int) -> None:
    """Make the renditions of a video and publish it. Safe to call any number of times: only
    a call that claims the video (moves it from uploaded to processing, or takes over a claim
    its worker stopped renewing for VIDEO_LEASE_SECONDS: a worker killed mid-way) does the
    work, so a duplicate or redelivered message does nothing twice; a message that finds the
    video held by a live worker raises Busy for the task to ask again after the lease. Files
    are written under fixed names, so a retry replaces its earlier attempt's files rather than
    adding a second set. A problem with the file fails the video with the reason; a passing
    one (storage, database) puts it back to uploaded and raises TransientError for the task
    to retry."""
    video = Video.objects.filter(pk=video_id).select_related("owner").first()
    if video is None or not _claim(video):
        return
    after_commit(streams.push_status, video)
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="video-") as workdir, storage.local_path(video.source) as source:
            make_and_publish(
                video=video,
                info=SourceInfo(**video.source_info),
                source=source,
                workdir=Path(workdir),
                on_progress=_progress_reporter(video),
            )
    except transcoding.TranscodeFailed as error:
        VIDEO_TRANSCODE_FAILURES.labels(reason="transcode").inc()
        _fail(video, str(error))
    except Conflict:
        _clean_if_gone(video)  # deleted (or moved by an admin) while it was being made
    except (OSError, DatabaseError) as error:
        VIDEO_TRANSCODE_FAILURES.labels(reason="database" if isinstance(error, DatabaseError) else "storage").inc()
        logger.warning("Processing video %s stopped: %s", video.pk, error)
        with suppress(Conflict):
            states.VIDEO.transition(video, states.UPLOADED, expected=states.PROCESSING)
        raise TransientError(str(error)) from error
    finally:
        VIDEO_TRANSCODE_SECONDS.observe(time.monotonic() - started)


def _claim(video: Video) -> bool:
    """Take the video for this worker: True when this call won it, False when there is nothing
    to do. Both ways are conditional updates, so of two workers only one wins."""
    now = timezone.now()
    claim: dict[str, Any] = {"progress": 0, "attempts": video.attempts + 1, "processing_started_at": now}
    if video.state == states.PROCESSING:
        lapsed = Video.objects.filter(
            pk=video.pk,
            state=states.PROCESSING,
            updated_at__lt=now - timedelta(seconds=settings.VIDEO_LEASE_SECONDS),
        ).update(updated_at=now, **claim)
        if not lapsed:
            raise Busy(f"Video {video.pk} is being processed by another worker.")
        logger.warning("Video %s: its worker stopped mid-way; this one takes over", video.pk)
        video.refresh_from_db()
        return True
    if video.state != states.UPLOADED:
        return False
    try:
        states.VIDEO.transition(video, states.PROCESSING, **claim)
    except Conflict:
        return False
    return True


def _fail(video: Video, reason: str) -> None:
    with transaction.atomic():
        try:
            states.VIDEO.transition(
                video, states.FAILED, expected=states.PROCESSING, failure_reason=reason[:300], progress=0
            )
        except Conflict:
            # Published already (the fast path's smaller rungs failed): it keeps what it has.
            logger.warning("Video %s: %s (it stays %s)", video.pk, reason, video.state)
            _clean_if_gone(video)
            return
        notify(
            recipient=video.owner,
            kind=notices.FAILED.name,
            target=video,
            data={"url": reverse("videos:studio"), "excerpt": reason[:140]},
        )
        after_commit(streams.push_status, video)
    # Keep the upload (an admin may run it again); drop whatever was made from it.
    storage.delete(name for name in storage.list_files(video.folder) if name != video.source)


def _clean_if_gone(video: Video) -> None:
    if not Video.objects.filter(pk=video.pk).exists():
        storage.delete_folder(video.folder)


def give_up(*, video_id: int, reason: str) -> None:
    """Fail a video whose processing kept stopping for passing reasons (the task's last retry)."""
    video = Video.objects.filter(pk=video_id).select_related("owner").first()
    if video is None or video.state not in (states.UPLOADED, states.PROCESSING):
        return
    if video.state == states.UPLOADED:
        states.VIDEO.transition(video, states.PROCESSING)
    _fail(video, reason)


def rerun_video(*, video: Video, by: User) -> None:
    """Process a video again from its upload (moderators, from the admin): a failed one, or
    one whose worker died while processing."""
    if not by.is_staff:
        raise PermissionDenied("Only moderators can run processing again.")
    stale = timezone.now() - timedelta(minutes=settings.VIDEO_STALE_MINUTES)
    if video.state == states.PROCESSING and video.processing_started_at and video.processing_started_at > stale:
        raise Conflict(
            f"This video is being processed; if it still is after {settings.VIDEO_STALE_MINUTES} minutes, "
            "its worker has stopped and it can be run again.",
            code="still_processing",
        )
    with transaction.atomic():
        if video.state in (states.FAILED, states.PROCESSING):
            states.VIDEO.transition(video, states.UPLOADED, failure_reason="", progress=0)
        elif video.state != states.UPLOADED:
            raise Conflict("This video is ready already.", code="bad_transition")
        enqueue("videos.tasks.process_video", video.pk)
        after_commit(streams.push_status, video)


def upkeep() -> dict[str, int]:
    """Delete abandoned uploads, and queue again the videos whose worker died mid-way."""
    stale_uploads = Upload.objects.filter(updated_at__lt=timezone.now() - settings.VIDEO_UPLOAD_TTL)
    removed = 0
    for upload in stale_uploads:
        cancel_upload(upload=upload)
        removed += 1
    stuck_since = timezone.now() - timedelta(minutes=settings.VIDEO_STALE_MINUTES)
    requeued = 0
    for video in Video.objects.filter(state=states.PROCESSING, processing_started_at__lt=stuck_since):
        try:
            states.VIDEO.transition(video, states.UPLOADED, expected=states.PROCESSING)
        except Conflict:
            continue
        enqueue("videos.tasks.process_video", video.pk)
        requeued += 1
    return {"uploads_removed": removed, "videos_requeued": requeued}
