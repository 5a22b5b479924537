"""Receiving a clip: resumable uploads in chunks, or the whole file in one request, probed and
stored before its processing is queued."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import ratelimit
from core.exceptions import Conflict, PermissionDenied, ValidationFailed
from core.jobs import enqueue
from core.transactions import after_commit
from posts.factories import clean_body
from posts.models import Post
from users.models import User

from ..integrations import probe, storage
from ..models import Upload, Video

MAX_OPEN_UPLOADS = 5  # unfinished resumable uploads per person (each holds storage until it ends)
# Refusals answered with the same file and another trim_start: the upload is kept for that.
KEPT_FOR_TRIMMING = {"too_long", "bad_trim"}


def _check_size(size: int, field: str) -> None:
    if size <= 0:
        raise ValidationFailed.on(field, "This file is empty.", code="empty")
    if size > settings.VIDEO_MAX_BYTES:
        limit = settings.VIDEO_MAX_BYTES // (1024 * 1024)
        raise ValidationFailed.on(
            field, f"This file is {size / (1024 * 1024):.0f} MB; videos are at most {limit} MB.", code="too_large"
        )


def start_upload(*, owner: User, filename: str, size: int) -> Upload:
    """Open a resumable upload of `size` bytes; chunks then arrive with receive_chunk().
    Counts against the owner's chunk rate limit."""
    ratelimit.hit("video_chunk", f"user:{owner.pk}")
    _check_size(size, "size")
    if Upload.objects.filter(owner=owner).count() >= MAX_OPEN_UPLOADS:
        raise Conflict(
            f"You have {MAX_OPEN_UPLOADS} unfinished uploads; finish or cancel one first.", code="too_many_uploads"
        )
    name = Path(filename or "video").name[:255] or "video"
    return Upload.objects.create(owner=owner, filename=name, size=size)


@contextmanager
def _dropped_if_refused(upload: Upload | None) -> Iterator[None]:
    """An upload whose bytes are refused is deleted at once, parts and all, freeing its owner's
    slot (unless only its trim is wrong)."""
    try:
        yield
    except ValidationFailed as refused:
        if upload is not None and refused.code not in KEPT_FOR_TRIMMING:
            cancel_upload(upload=upload)
        raise


def receive_chunk(*, upload: Upload, start: int, data: bytes) -> Upload:
    """Store the bytes of `upload` from offset `start` (counted against its owner's chunk rate
    limit). Chunks come in order: a chunk that does not start where the upload stands is
    refused with Conflict (the client asks where it stands and goes on from there), so a
    resent chunk never counts twice. A chunk that is empty, too big or past the announced size
    is refused with ValidationFailed, and the upload is deleted with it."""
    ratelimit.hit("video_chunk", f"user:{upload.owner_id}")
    if upload.is_complete:
        raise Conflict("This upload is complete already.", code="upload_complete")
    if start != upload.received:
        raise Conflict(
            f"The upload has {upload.received} bytes; send the next chunk from there.", code="offset_mismatch"
        )
    with _dropped_if_refused(upload):
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
    whole, and queue its processing; counts against the owner's video rate limit. The file is
    probed before anything is stored: what is not a video, or breaks the limits (length, size,
    frame size), is refused with ValidationFailed naming the reason and leaves nothing behind
    (a refused upload is deleted; one only too long to publish whole is kept to publish cut).
    Its post appears once the video can play."""
    ratelimit.hit("video", f"user:{owner.pk}")
    caption = clean_body(caption, required=False)
    if visibility not in Post.Visibility.values:
        raise ValidationFailed.on("visibility", f"Choose one of: {', '.join(Post.Visibility.values)}.")
    if upload is not None:
        if upload.owner_id != owner.pk:
            raise PermissionDenied("This upload is not yours.")
        if not upload.is_complete:
            message = f"The upload has {upload.received} of {upload.size} bytes; send the rest first."
            raise ValidationFailed.on("upload", message, code="incomplete_upload")
        source = storage.joined(upload.folder)
        size = upload.size
    elif file is not None:
        _check_size(file.size, "file")
        source = _uploaded_file(file)
        size = file.size
    else:
        raise ValidationFailed.on("file", "Choose a video to upload.", code="required")
    with source as path, _dropped_if_refused(upload):
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
            enqueue("videos.tasks.process_video", video.pk)
    except BaseException:
        storage.delete_folder(video.folder)
        raise
    return video
