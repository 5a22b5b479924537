"""Reads of videos, uploads and the swipe feed. A video is seen by its owner in any state;
anyone else sees it only through its post, once published, as the post's visibility allows."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from core.exceptions import NotFound
from core.pagination import Page, paginate
from posts import repositories as posts
from posts.models import Post
from users.models import Follow

from .models import Upload, Video

FEED_TABS = {"for-you": "for_you", "following": "following"}  # the swipe feed's tabs → posts' feeds
FEED_LABELS = {  # what the page and the API say each tab shows
    "for-you": "Trending videos: most liked, watched and shared lately. Personal picks arrive with the recommender.",
    "following": "Videos of the people you follow, newest first.",
}


def _visible(viewer) -> QuerySet:
    published = Video.objects.filter(post__in=Post.objects.visible_to(viewer).values("pk"))
    if viewer is not None and viewer.is_authenticated:
        return published | Video.objects.filter(owner=viewer)
    return published


def get_video_for(viewer, video_id: int) -> Video:
    """A video `viewer` may see, else NotFound (its existence is not revealed)."""
    video = _visible(viewer).filter(pk=video_id).select_related("post").first()
    if video is None:
        raise NotFound("No such video.")
    return video


def get_own_video(owner, video_id: int) -> Video:
    video = Video.objects.filter(pk=video_id, owner=owner).select_related("post").first()
    if video is None:
        raise NotFound("No such video.")
    return video


def get_upload_for(owner, upload_id) -> Upload:
    """One of `owner`'s uploads in progress, else NotFound."""
    try:
        key = uuid.UUID(str(upload_id))
    except ValueError:
        raise NotFound("No such upload.") from None
    upload = Upload.objects.filter(pk=key, owner=owner).first()
    if upload is None:
        raise NotFound("No such upload.")
    return upload


def list_own_videos(owner, *, cursor: str | None = None, size: int = 20) -> Page:
    """The creator's videos in every state, newest first (the studio)."""
    return paginate(Video.objects.filter(owner=owner).select_related("post"), cursor=cursor, size=size)


def video_feed(viewer, tab: str, *, cursor: str | None = None, size: int = 10) -> Page:
    """Video posts for the swipe feed: "for-you" (trending videos until the recommender
    exists) or "following"."""
    if tab not in FEED_TABS:
        raise NotFound("No such feed.")
    return posts.kind_feed(viewer, kind=Post.Kind.VIDEO, feed=FEED_TABS[tab], cursor=cursor, size=size)


def followed_authors(viewer, posts: list[Post]) -> set[int]:
    """Which of the posts' authors `viewer` follows (one query; none when signed out)."""
    if viewer is None or not viewer.is_authenticated or not posts:
        return set()
    authors = {post.author_id for post in posts}
    return set(Follow.objects.filter(follower=viewer, followee_id__in=authors).values_list("followee_id", flat=True))
