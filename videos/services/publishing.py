"""A video's post: published as soon as the video can play (a source that needs no
re-encoding first, its smaller renditions after), and deleted with the video and its files."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.exceptions import Conflict, PermissionDenied
from core.transactions import after_commit
from notifications.services.inbox import forget, notify
from posts import services as posts
from posts.models import Post
from users.models import User

from .. import notices, states, streams
from ..integrations import storage, transcoding
from ..integrations.probe import SourceInfo
from ..models import Upload, Video, WatchEvent


def make_and_publish(
    *, video: Video, info: SourceInfo, source: str, workdir: Path, on_progress: transcoding.Progress
) -> None:
    """Make the renditions of a video in processing, store them and publish its post. A source
    that is already H.264/AAC at a rung's size is published once repackaged (the fast path),
    and its smaller renditions are added after. Raises transcoding.TranscodeFailed for a file
    ffmpeg refuses, and Conflict if the video was deleted or moved meanwhile."""
    rungs = transcoding.ladder(info)
    copyable = transcoding.copyable_rung(info, rungs, trimmed=transcoding.trimmed(info, video.trim_start))
    if copyable is None:
        made = transcoding.encode(
            source, info, workdir, rungs=rungs, trim_start=video.trim_start, on_progress=on_progress
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
        "bytes": storage.total_size((wanted & kept) - {video.source}),
    }


def _publish(video: Video, info: SourceInfo, made: transcoding.Made) -> None:
    """One transaction: the video becomes ready, its post is created and linked to it, and
    the owner is told."""
    thumbnails = [name for name in made.files if name.startswith("thumb_")]
    fields = _fields(video, info, made.renditions, thumbnails)
    with transaction.atomic():
        states.VIDEO.transition(
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
        Video.objects.filter(pk=video.pk).update(post=post)
        video.post = post
        notify(
            recipient=video.owner,
            kind=notices.READY.name,
            target=post,
            data={"url": reverse("posts:detail", args=[post.pk]), "excerpt": video.caption[:140]},
        )
        after_commit(streams.push_status, video)


def _add_renditions(video: Video, info: SourceInfo, more: transcoding.Made, thumbnails: list[str]) -> None:
    renditions = [transcoding.Rendition(**r) for r in video.renditions] + more.renditions
    fields = _fields(video, info, renditions, thumbnails)
    Video.objects.filter(pk=video.pk).update(**fields, updated_at=timezone.now())


def delete_video(*, video: Video, by: User) -> None:
    """Delete a video with its post and every file made from it (its owner or a moderator)."""
    if video.owner_id != by.pk and not by.is_staff:
        raise PermissionDenied("Only the video's owner can delete it.", code="not_owner")
    with transaction.atomic():
        forget(model=Video, ids=[video.pk])
        if video.post_id is not None:
            posts.delete_post(post=Post.objects.get(pk=video.post_id), by=by if by.is_staff else video.owner)
        Video.objects.filter(pk=video.pk).delete()
        after_commit(storage.delete_folder, video.folder)


def erase_videos_of(*, user: User) -> None:
    """The videos app's part of erasing an account (users.services.deletion): every video with
    its post and files, the upload as received wherever it is stored among them; unfinished
    uploads with their chunks; what the person watched."""
    for video in Video.objects.filter(owner=user):
        delete_video(video=video, by=user)
        after_commit(storage.delete, [video.source])
    uploads = list(Upload.objects.filter(owner=user))
    with transaction.atomic():
        Upload.objects.filter(owner=user).delete()
        WatchEvent.objects.filter(user=user).delete()
        for upload in uploads:
            after_commit(storage.delete_folder, upload.folder)
