"""Writes of videos: resumable uploads, accepting a clip, processing it through the lifecycle
in videos.states, publishing its post when it can play, and deleting it with all its files.

Authorisation is checked here; interfaces only parse and render. Files are never left
behind: a refused upload stores nothing, a failed write removes what it stored, and a video
deleted while a worker is still making its files has them removed by that worker."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.exceptions import Conflict, PermissionDenied, ValidationFailed
from core.streams import publish
from core.transactions import after_commit
from notifications.services import forget, notify
from posts import services as posts
from posts.factories import clean_body
from posts.models import Post
from posts.repositories import ensure_can_view
from users.models import User

from . import notices, probe, states, storage, tasks, transcoding
from .models import Upload, Video, WatchEvent
from .probe import SourceInfo
from .streams import video_group

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5  # seconds between progress writes while encoding
MAX_OPEN_UPLOADS = 5  # unfinished resumable uploads per person (each holds storage until it ends)


class TransientError(Exception):
    """Processing stopped for a reason that may pass (storage or database unavailable)."""


# --- Resumable uploads ---------------------------------------------------------------------------


def _check_size(size: int, field: str) -> None:
    if size <= 0:
        raise ValidationFailed.on(field, "This file is empty.", code="empty")
    if size > settings.VIDEO_MAX_BYTES:
        limit = settings.VIDEO_MAX_BYTES // (1024 * 1024)
        raise ValidationFailed.on(
            field, f"This file is {size / (1024 * 1024):.0f} MB; videos are at most {limit} MB.", code="too_large"
        )


def start_upload(*, owner: User, filename: str, size: int) -> Upload:
    """Open a resumable upload of `size` bytes; chunks then arrive with receive_chunk()."""
    _check_size(size, "size")
    if Upload.objects.filter(owner=owner).count() >= MAX_OPEN_UPLOADS:
        raise Conflict(
            f"You have {MAX_OPEN_UPLOADS} unfinished uploads; finish or cancel one first.", code="too_many_uploads"
        )
    name = Path(filename or "video").name[:255] or "video"
    return Upload.objects.create(owner=owner, filename=name, size=size)


def receive_chunk(*, upload: Upload, start: int, data: bytes) -> Upload:
    """Store the bytes of `upload` from offset `start`. Chunks come in order: a chunk that
    does not start where the upload stands is refused with Conflict (the client asks where it
    stands and goes on from there), so a resent chunk never counts twice."""
    if upload.is_complete:
        raise Conflict("This upload is complete already.", code="upload_complete")
    if start != upload.received:
        raise Conflict(
            f"The upload has {upload.received} bytes; send the next chunk from there.", code="offset_mismatch"
        )
    if not data or len(data) > settings.VIDEO_CHUNK_BYTES:
        raise ValidationFailed.on(
            "chunk", f"Send between 1 and {settings.VIDEO_CHUNK_BYTES} bytes per chunk.", code="bad_chunk"
        )
    if start + len(data) > upload.size:
        raise ValidationFailed.on("chunk", "This chunk goes past the size the upload announced.", code="bad_chunk")
    storage.store_bytes(data, f"{upload.folder}/{start:012d}.part")
    moved = Upload.objects.filter(pk=upload.pk, received=start).update(
        received=start + len(data), parts=F("parts") + 1, updated_at=timezone.now()
    )
    if not moved:  # another request stored the same chunk (the same bytes) first
        raise Conflict("This chunk arrived twice; ask where the upload stands.", code="offset_mismatch")
    upload.refresh_from_db()
    return upload


def cancel_upload(*, upload: Upload) -> None:
    """Give up an upload and delete what it stored."""
    folder = upload.folder
    upload.delete()
    storage.delete_folder(folder)


@contextmanager
def _assembled(upload: Upload) -> Iterator[Path]:
    """The upload's chunks joined into one local file."""
    with tempfile.NamedTemporaryFile(suffix=".upload") as joined:
        for name in sorted(storage.list_files(upload.folder)):
            with default_storage.open(name, "rb") as part:
                while block := part.read(1024 * 1024):
                    joined.write(block)
        joined.flush()
        yield Path(joined.name)


@contextmanager
def _uploaded_file(file) -> Iterator[Path]:
    """A path holding an uploaded file (Django keeps big ones on disk already)."""
    if hasattr(file, "temporary_file_path"):
        yield Path(file.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as copy:
        for block in file.chunks():
            copy.write(block)
        copy.flush()
        yield Path(copy.name)


# --- Accepting a clip ----------------------------------------------------------------------------


def create_video(
    *,
    owner: User,
    caption: str = "",
    visibility: str = Post.Visibility.PUBLIC,
    trim_start: float | None = None,
    upload: Upload | None = None,
    file=None,
) -> Video:
    """Accept a clip from a finished resumable `upload` (one of the owner's) or a `file` sent
    whole, and queue its processing. The file is probed before anything is stored: what is not
    a video, or breaks the limits (length, size, frame size), is refused with ValidationFailed
    naming the reason and leaves nothing behind. Its post appears once the video can play."""
    caption = clean_body(caption, required=False)
    if visibility not in Post.Visibility.values:
        raise ValidationFailed.on("visibility", f"Choose one of: {', '.join(Post.Visibility.values)}.")
    if upload is not None:
        if upload.owner_id != owner.pk:
            raise PermissionDenied("This upload is not yours.")
        if not upload.is_complete:
            message = f"The upload has {upload.received} of {upload.size} bytes; send the rest first."
            raise ValidationFailed.on("upload", message, code="incomplete_upload")
        source = _assembled(upload)
        size = upload.size
    elif file is not None:
        _check_size(file.size, "file")
        source = _uploaded_file(file)
        size = file.size
    else:
        raise ValidationFailed.on("file", "Choose a video to upload.", code="required")
    with source as path:
        info = probe.describe(str(path), size=size)
        start = probe.check_limits(info, trim_start=trim_start)
        video = Video(owner=owner, caption=caption, visibility=visibility, trim_start=start)
        video.source = storage.store(path, f"{video.folder}/source.{info.container}")
    try:
        with transaction.atomic():
            video.source_bytes, video.source_info = size, info.as_dict()
            video.save()
            if upload is not None:
                folder = upload.folder
                upload.delete()
                after_commit(storage.delete_folder, folder)
            after_commit(tasks.process_video.delay, video.pk)
    except BaseException:
        storage.delete_folder(video.folder)
        raise
    return video


# --- Processing ----------------------------------------------------------------------------------


def status(video: Video) -> dict:
    """What the creator's pages show of a video in progress (also the stream's events)."""
    return {
        "id": video.pk,
        "state": video.state,
        "progress": video.progress,
        "failure_reason": video.failure_reason,
        "post_id": video.post_id,
        "post_url": reverse("posts:detail", args=[video.post_id]) if video.post_id else None,
    }


def _announce(video: Video) -> None:
    publish(video_group(video.pk), stream=f"video:{video.pk}", event="progress", data=status(video))


def _progress_reporter(video: Video):
    last = 0.0

    def report(done: float) -> None:
        nonlocal last
        now = time.monotonic()
        percent = min(99, int(done * 100))
        if now - last < PROGRESS_EVERY or percent <= video.progress:
            return
        last = now
        video.progress = percent
        try:
            Video.objects.filter(pk=video.pk, state=states.PROCESSING).update(progress=percent)
        except DatabaseError as error:
            # Progress is only shown; a busy database must not stop the transcode (the next
            # report, or the end, writes again).
            logger.info("Progress of video %s not saved: %s", video.pk, error)
            return
        _announce(video)

    return report


def process_video(*, video_id: int) -> None:
    """Make the renditions of a video and publish it. Safe to call any number of times: only
    a call that moves the video from uploaded to processing does the work, so a duplicate or
    late message does nothing, and files are written under fixed names, so a retry replaces
    its earlier attempt's files rather than adding a second set. A problem with the file
    fails the video with the reason; a passing one (storage, database) puts it back to
    uploaded and raises TransientError for the task to retry."""
    video = Video.objects.filter(pk=video_id).select_related("owner").first()
    if video is None or video.state != states.UPLOADED:
        return
    try:
        states.transition(
            video, states.PROCESSING, progress=0, attempts=video.attempts + 1, processing_started_at=timezone.now()
        )
    except Conflict:
        return
    _announce(video)
    try:
        with tempfile.TemporaryDirectory(prefix="video-") as workdir, storage.local_path(video.source) as source:
            _make(video, SourceInfo(**video.source_info), source, Path(workdir))
    except transcoding.TranscodeFailed as error:
        _fail(video, str(error))
    except Conflict:
        _clean_if_gone(video)  # deleted (or moved by an admin) while it was being made
    except (OSError, DatabaseError) as error:
        logger.warning("Processing video %s stopped: %s", video.pk, error)
        with suppress(Conflict):
            states.transition(video, states.UPLOADED, expected=states.PROCESSING)
        raise TransientError(str(error)) from error


def _make(video: Video, info: SourceInfo, source: str, workdir: Path) -> None:
    rungs = transcoding.ladder(info)
    copyable = transcoding.copyable_rung(info, rungs, trimmed=transcoding.trimmed(info, video.trim_start))
    if copyable is None:
        made = transcoding.encode(
            source, info, workdir, rungs=rungs, trim_start=video.trim_start, on_progress=_progress_reporter(video)
        )
        _store(video, workdir, made.files)
        _publish(video, info, made)
        return
    # Fast path: playable as soon as the source is repackaged; the smaller rungs follow.
    made = transcoding.repackage(source, info, workdir, rung=copyable)
    _store(video, workdir, made.files)
    _publish(video, info, made)
    rest = [rung for rung in rungs if rung != copyable]
    more = transcoding.encode(source, info, workdir, rungs=rest, extras=False) if rest else transcoding.Made()
    thumbnails = transcoding.thumbnails_only(source, info, workdir)
    _store(video, workdir, more.files + thumbnails)
    _add_renditions(video, info, more, thumbnails)


def _store(video: Video, workdir: Path, names: list[str]) -> None:
    for name in names:
        storage.store(workdir / name, f"{video.folder}/{name}")
    if not Video.objects.filter(pk=video.pk).exists():
        raise Conflict("The video was deleted while it was being made.", code="gone")


def _fields(video: Video, info: SourceInfo, renditions: list[transcoding.Rendition], thumbnails: list[str]) -> dict:
    """The row's fields describing what is stored now, with the master playlist rewritten."""
    fps = transcoding.output_fps(info)
    storage.store_bytes(transcoding.master_playlist(renditions, fps).encode(), f"{video.folder}/{transcoding.MASTER}")
    kept = set(storage.list_files(video.folder))
    # Whatever an earlier attempt left under other names (more segments, say) goes.
    wanted = {f"{video.folder}/{name}" for r in renditions for name in (r.playlist, *r.segments)}
    extras = {f"{video.folder}/{name}" for name in (transcoding.MASTER, transcoding.MP4, transcoding.POSTER)}
    wanted |= extras | {f"{video.folder}/{name}" for name in thumbnails} | {video.source}
    storage.delete(kept - wanted)
    top = max(renditions, key=lambda r: r.width * r.height)
    return {
        "renditions": [r.as_dict() for r in renditions],
        "thumbnails": [f"{video.folder}/{name}" for name in thumbnails],
        "width": top.width,
        "height": top.height,
        "fps": fps,
        "bytes": sum(default_storage.size(name) for name in (wanted & kept) - {video.source}),
    }


def _publish(video: Video, info: SourceInfo, made: transcoding.Made) -> None:
    thumbnails = [name for name in made.files if name.startswith("thumb_")]
    fields = _fields(video, info, made.renditions, thumbnails)
    with transaction.atomic():
        states.transition(
            video,
            states.READY,
            progress=100,
            ready_at=timezone.now(),
            failure_reason="",
            duration=round(made.duration, 3),
            video_codec="h264",
            audio_codec="aac" if info.audio_codec else "",
            playlist=f"{video.folder}/{transcoding.MASTER}",
            mp4=f"{video.folder}/{transcoding.MP4}",
            poster=f"{video.folder}/{transcoding.POSTER}",
            **fields,
        )
        post = posts.create_post(
            author=video.owner, kind=Post.Kind.VIDEO, body=video.caption, visibility=video.visibility, attachment=video
        )
        notify(
            recipient=video.owner,
            kind=notices.READY.name,
            target=post,
            data={"url": reverse("posts:detail", args=[post.pk]), "excerpt": video.caption[:140]},
        )
        after_commit(_announce, video)


def _add_renditions(video: Video, info: SourceInfo, more: transcoding.Made, thumbnails: list[str]) -> None:
    renditions = [transcoding.Rendition(**r) for r in video.renditions] + more.renditions
    fields = _fields(video, info, renditions, thumbnails)
    Video.objects.filter(pk=video.pk).update(**fields, updated_at=timezone.now())


def _fail(video: Video, reason: str) -> None:
    with transaction.atomic():
        try:
            states.transition(video, states.FAILED, expected=states.PROCESSING, failure_reason=reason[:300], progress=0)
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
        after_commit(_announce, video)
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
        states.transition(video, states.PROCESSING)
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
            states.transition(video, states.UPLOADED, failure_reason="", progress=0)
        elif video.state != states.UPLOADED:
            raise Conflict("This video is ready already.", code="bad_transition")
        after_commit(tasks.process_video.delay, video.pk)
        after_commit(_announce, video)


def delete_video(*, video: Video, by: User) -> None:
    """Delete a video with its post and every file made from it (its owner or a moderator)."""
    if video.owner_id != by.pk and not by.is_staff:
        raise PermissionDenied("Only the video's owner can delete it.", code="not_owner")
    with transaction.atomic():
        forget(Video, [video.pk])
        if video.post_id is not None:
            posts.delete_post(post=Post.objects.get(pk=video.post_id), by=by if by.is_staff else video.owner)
        Video.objects.filter(pk=video.pk).delete()
        after_commit(storage.delete_folder, video.folder)


# --- Upkeep and watching -------------------------------------------------------------------------


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
            states.transition(video, states.UPLOADED, expected=states.PROCESSING)
        except Conflict:
            continue
        tasks.process_video.delay(video.pk)
        requeued += 1
    return {"uploads_removed": removed, "videos_requeued": requeued}


def record_watch(
    *,
    post: Post,
    user,
    viewer_key: str,
    watched_ms: int,
    duration_ms: int,
    completed: bool,
    skipped: bool,
    replays: int,
) -> WatchEvent:
    """Keep one viewing of a video post the viewer may see (what the recommender learns from)."""
    ensure_can_view(user, post)
    if post.kind != Post.Kind.VIDEO:
        raise ValidationFailed.on("post", "Only videos have watch events.", code="not_video")
    return WatchEvent.objects.create(
        post=post,
        user=user if user is not None and user.is_authenticated else None,
        viewer_key=viewer_key[:64],
        watched_ms=watched_ms,
        duration_ms=duration_ms,
        completed=completed,
        skipped=skipped,
        replays=replays,
    )
