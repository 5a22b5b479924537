"""Web pages of videos: the swipe feed, the upload page and the creator's studio. The pages
render the first items; their scripts go on through the JSON API and the "video:<id>" streams."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from core.exceptions import NotFound
from posts.factories import kind_of
from posts.models import Post
from posts.repositories import decorate, get_post_for

from . import repositories

TABS = {"for-you": "For you", "following": "Following"}
FEED_PAGE_SIZE = 6  # slides rendered with the page; the script fetches more as the viewer nears the end
ACCEPT = ".mp4,.webm,.mov,video/mp4,video/webm,video/quicktime"


def _api_page_url(name: str, args: list, cursor: str | None, size: int) -> str | None:
    if not cursor:
        return None
    return f"{reverse(name, args=args)}?{urlencode({'cursor': cursor, 'size': size})}"


def _item(request, post: Post, followed: set[int]) -> dict:
    media = kind_of(post).media(post, request) or {}
    video = media.get("video") or {}
    return {
        "following": post.author_id in followed,
        "post": post,
        "video": post.video,
        "playlist_url": video.get("playlist_url"),
        "mp4_url": video.get("mp4_url"),
        "poster_url": video.get("poster_url"),
    }


def _start_post(request) -> Post | None:
    """The video post named by ?start=, if the viewer may see it."""
    try:
        post_id = int(request.GET.get("start", ""))
    except ValueError:
        return None
    try:
        post = get_post_for(request.user, post_id)
    except NotFound:
        return None
    return post if post.kind == Post.Kind.VIDEO else None


def index(request):
    return redirect("videos:feed", "for-you")


def feed(request, tab: str):
    if tab not in TABS:
        raise NotFound("No such feed.")
    if tab == "following" and not request.user.is_authenticated:
        return render(request, "videos/feed.html", _feed_context(request, tab, posts=[], next_url=None), status=200)
    page = repositories.video_feed(request.user, tab, size=FEED_PAGE_SIZE)
    posts = page.items
    start = _start_post(request)
    if start is not None:
        posts = decorate([start], request.user) + [post for post in posts if post.pk != start.pk]
    next_url = _api_page_url("api-video-feed", [tab], page.next_cursor, FEED_PAGE_SIZE)
    return render(request, "videos/feed.html", _feed_context(request, tab, posts=posts, next_url=next_url, start=start))


def _feed_context(request, tab: str, *, posts: list[Post], next_url: str | None, start: Post | None = None) -> dict:
    followed = repositories.followed_authors(request.user, posts)
    return {
        "tab": tab,
        "tabs": TABS,
        "ranking": {"name": tab, "label": repositories.FEED_LABELS[tab]},
        "items": [_item(request, post, followed) for post in posts],
        "next_url": next_url,
        "feed_api_url": reverse("api-video-feed", args=[tab]),
        "start": start.pk if start is not None else None,
        "needs_login": tab == "following" and not request.user.is_authenticated,
    }


@login_required
def upload(request):
    return render(
        request,
        "videos/upload.html",
        {
            "max_seconds": settings.VIDEO_MAX_SECONDS,
            "duration_tolerance": settings.VIDEO_DURATION_TOLERANCE,
            "caption_max_length": settings.POST_MAX_LENGTH,
            "max_bytes": settings.VIDEO_MAX_BYTES,
            "chunk_size": settings.VIDEO_CHUNK_BYTES,
            "visibility_choices": Post.Visibility.choices,
            "accept": ACCEPT,
        },
    )


@login_required
def studio(request):
    page = repositories.list_own_videos(request.user, size=20)
    next_url = _api_page_url("api-my-videos", [], page.next_cursor, 20)
    return render(request, "videos/studio.html", {"videos": page.items, "next_url": next_url})
