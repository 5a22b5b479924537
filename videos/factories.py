"""The video kind of post (posts.factories): a video post is made around a processed video,
only by videos.services.publishing when the video becomes playable, never from a bare request.
Building the post writes nothing: the publishing service links the video to its post."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist

from core.exceptions import ValidationFailed
from posts.factories import BaseKind, Draft, clean_body
from posts.models import Post

from .integrations import storage
from .models import Video


def video_of(post: Post) -> Video | None:
    try:
        return post.video
    except ObjectDoesNotExist:
        return None


class VideoKind(BaseKind):
    kind: str = Post.Kind.VIDEO
    template = "videos/includes/post_video.html"
    script = "js/videos/video-player.js"
    stylesheet = "css/videos/player.css"
    related = ("video",)

    def draft(self, *, body, images, alt_texts, attachment):
        if not isinstance(attachment, Video):
            raise ValidationFailed.on(
                "kind",
                "Videos are published by uploading a clip (the upload page, or POST /api/videos/).",
                code="upload",
            )
        if images:
            raise ValidationFailed.on("images", "A video post has no pictures.")
        return Draft(Post(kind=self.kind, body=clean_body(body, required=False)))

    def media(self, post, request):
        video = video_of(post)
        if video is None:
            return None
        return {
            "video": {
                "id": video.pk,
                "playlist_url": storage.url(video.playlist, request),
                "mp4_url": storage.url(video.mp4, request),
                "poster_url": storage.url(video.poster, request),
                "width": video.width,
                "height": video.height,
                "duration": video.duration,
            }
        }

    def cover(self, post):
        video = video_of(post)
        return storage.url(video.poster) if video is not None else None

    def files(self, post):
        video = video_of(post)
        return storage.list_files(video.folder) if video is not None else []
