"""Reads of posts, feeds and comments. Every feed applies the same filters (visibility,
blocks both ways, moderation) through Post.objects.visible_to, pages by keyset, and costs
the same few queries whatever its length: the page, its pictures, then one query each for
which of them the viewer liked, saved and reposted."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from core.exceptions import NotFound, ValidationFailed
from core.pagination import Page, cursor_values, paginate
from users.models import Follow, User, blocked_either_way

from . import text
from .factories import related_paths
from .integrations import timelines
from .models import Comment, Hashtag, Like, Post, PostQuerySet, Save
from .strategies.ranking import Ranking, ranking_for

REPLIES_SHOWN = 3  # replies shown under each comment before "more replies"
TIMELINE_SLACK = 10  # timeline ids read beyond a page, for posts the viewer may no longer see


def can_view(viewer, post: Post) -> bool:
    return Post.objects.visible_to(viewer).filter(pk=post.pk).exists()


def ensure_can_view(viewer, post: Post) -> None:
    """NotFound unless `viewer` may see `post` (its existence is not revealed)."""
    if not can_view(viewer, post):
        raise NotFound("No such post.")


def people_mentioned(body: str, *, by: User) -> list[User]:
    """The active people `body` @mentions, its writer `by` aside."""
    return list(User.objects.active().filter(username__in=text.mentions_in(body)).exclude(pk=by.pk))


def with_post_data(posts: QuerySet) -> QuerySet:
    return posts.select_related("author__profile", "repost_of__author__profile", *related_paths()).prefetch_related(
        "images", "repost_of__images"
    )


def _ids(queryset: QuerySet, field: str) -> set[int]:
    return set(queryset.values_list(field, flat=True))


def decorate(posts: list[Post], viewer) -> list[Post]:
    """Give each post `original` (what a repost shares, if the viewer may see it) and the
    viewer's flags is_liked / is_saved / is_reposted, on the posts and their originals.
    Plain reposts of something the viewer may not see are left out."""
    original_ids = {post.repost_of_id for post in posts if post.repost_of_id}
    visible = _ids(Post.objects.visible_to(viewer).filter(pk__in=original_ids), "pk") if original_ids else set()
    shown = [post for post in posts if not post.is_plain_repost or post.repost_of_id in visible]
    for post in shown:
        post.original = post.repost_of if post.repost_of_id in visible else None
    everything = shown + [post.original for post in shown if post.original is not None]
    ids = {post.pk for post in everything}
    liked = saved = reposted = set()
    if viewer is not None and viewer.is_authenticated and ids:
        liked = _ids(Like.objects.filter(user=viewer, post_id__in=ids), "post_id")
        saved = _ids(Save.objects.filter(user=viewer, post_id__in=ids), "post_id")
        reposted = _ids(Post.objects.plain_reposts().filter(author=viewer, repost_of_id__in=ids), "repost_of_id")
    for post in everything:
        post.is_liked, post.is_saved, post.is_reposted = post.pk in liked, post.pk in saved, post.pk in reposted
    return shown


COUNTERS = ("likes_count", "comments_count", "reposts_count", "saves_count", "views_count")


def get_counters(post_id: int) -> dict[str, int] | None:
    """A post's counters by name (for live pushes, which have checked access already)."""
    return Post.objects.filter(pk=post_id).values(*COUNTERS).first()


def get_post_for(viewer, post_id: int) -> Post:
    """A post `viewer` may see, with everything a page shows of it; else NotFound."""
    posts = decorate(list(with_post_data(Post.objects.visible_to(viewer)).filter(pk=post_id)), viewer)
    if not posts:
        raise NotFound("No such post.")
    return posts[0]


def _feed(posts: PostQuerySet, viewer, ranking: Ranking, *, cursor: str | None, size: int) -> Page:
    ranked, fields = ranking.rank(posts.visible_to(viewer), viewer)
    page = paginate(with_post_data(ranked), cursor=cursor, size=size, fields=fields)
    return Page(decorate(page.items, viewer), page.next_cursor)


def _followed_posts(viewer: User) -> PostQuerySet:
    """Posts by the people `viewer` follows, and by `viewer`."""
    followees = Follow.objects.filter(follower=viewer).values("followee_id")
    return Post.objects.filter(Q(author_id__in=followees) | Q(author=viewer))


def following_feed(viewer: User, *, cursor: str | None = None, size: int = 20) -> Page:
    """Posts of the people `viewer` follows, and their own. Newest first, it is read through
    the viewer's timeline when Redis keeps one (posts.integrations.timelines): the same page, found by
    primary key among a few dozen posts instead of among all that the followees ever wrote."""
    posts = _followed_posts(viewer)
    ranking = ranking_for("following")
    if ranking.name == "recency":  # the order timelines keep
        page = _timeline_page(posts, viewer, cursor=cursor, size=size)
        if page is not None:
            return page
    return _feed(posts, viewer, ranking, cursor=cursor, size=size)


def _timeline_page(posts: PostQuerySet, viewer: User, *, cursor: str | None, size: int) -> Page | None:
    """The recency page of `posts` after `cursor`, looked for only among the next ids of the
    viewer's timeline (and the posts of pulled authors); None if the pull query must answer.
    Correct when the page ends inside the stretch of the timeline read, or the stretch
    reached the timeline's end and nothing older is missing; else a longer stretch is read."""
    try:
        before = datetime.fromisoformat(cursor_values(cursor)[0]) if cursor else None
    except (ValidationFailed, TypeError, ValueError):
        return None  # the pull query reports the bad cursor
    count = size + 1 + TIMELINE_SLACK
    while True:
        stretch = timelines.page_ids(viewer, before=before, count=count)
        if stretch is None:
            return None
        candidates = Q(pk__in=stretch.ids) | Q(author_id__in=stretch.pulled_authors)
        page = _feed(posts.filter(candidates), viewer, ranking_for("following"), cursor=cursor, size=size)
        if stretch.complete:
            return page
        if page.next_cursor is not None and stretch.last is not None:
            created_at, post_id = cursor_values(page.next_cursor)
            if (timelines.score(datetime.fromisoformat(created_at)), post_id) >= stretch.last:
                return page
        if count > settings.TIMELINE_LENGTH:
            return None  # the whole timeline was read and older posts are not in it
        count *= 4


def latest_feed(viewer, *, cursor: str | None = None, size: int = 20) -> Page:
    """Every public post, newest first."""
    posts = Post.objects.filter(visibility=Post.Visibility.PUBLIC)
    return _feed(posts, viewer, ranking_for("latest"), cursor=cursor, size=size)


def trending_feed(viewer, *, cursor: str | None = None, size: int = 20) -> Page:
    posts = Post.objects.filter(visibility=Post.Visibility.PUBLIC)
    return _feed(posts, viewer, ranking_for("trending"), cursor=cursor, size=size)


def for_you_feed(viewer, *, cursor: str | None = None, size: int = 20) -> Page:
    posts = Post.objects.filter(visibility=Post.Visibility.PUBLIC)
    return _feed(posts, viewer, ranking_for("for_you"), cursor=cursor, size=size)


def hashtag_feed(viewer, tag: str, *, cursor: str | None = None, size: int = 20) -> Page:
    posts = Post.objects.filter(hashtags__name=tag.lower().lstrip("#"))
    return _feed(posts, viewer, ranking_for("hashtag"), cursor=cursor, size=size)


def profile_feed(viewer, author: User, *, cursor: str | None = None, size: int = 20) -> Page:
    """`author`'s posts as `viewer` may see them (get the author with users' get_profile_for)."""
    return _feed(Post.objects.filter(author=author), viewer, ranking_for("profile"), cursor=cursor, size=size)


def saved_posts(viewer: User, *, cursor: str | None = None, size: int = 20) -> Page:
    """What `viewer` saved and may still see, most recently saved first."""
    posts = Post.objects.visible_to(viewer).filter(saves__user=viewer).annotate(saved_at=F("saves__created_at"))
    page = paginate(with_post_data(posts), cursor=cursor, size=size, fields=("saved_at", "id"))
    return Page(decorate(page.items, viewer), page.next_cursor)


def kind_feed(viewer, *, kind: str, feed: str, cursor: str | None = None, size: int = 20) -> Page:
    """Posts of one `kind` (the videos app's swipe feed): "following" is the people `viewer`
    follows and their own, newest first; otherwise public posts in the Trending order."""
    if feed == "following":
        return _feed(
            _followed_posts(viewer).filter(kind=kind), viewer, ranking_for("following"), cursor=cursor, size=size
        )
    posts = Post.objects.filter(visibility=Post.Visibility.PUBLIC, kind=kind)
    return _feed(posts, viewer, ranking_for("trending"), cursor=cursor, size=size)


FEEDS = {
    "following": following_feed,
    "latest": latest_feed,
    "trending": trending_feed,
    "for_you": for_you_feed,
}


# --- Comments ------------------------------------------------------------------------------------


def _visible_comments(viewer) -> QuerySet:
    comments = Comment.objects.filter(author__is_active=True).select_related("author__profile")
    if viewer is None or not viewer.is_authenticated:
        return comments
    return comments.exclude(blocked_either_way(viewer, OuterRef("author_id")))


def list_comments(viewer, post: Post, *, cursor: str | None = None, size: int = 20) -> Page:
    """Top-level comments on a post the viewer may see, newest first, each with its first
    replies (oldest first) in `shown_replies`."""
    ensure_can_view(viewer, post)
    replies = _visible_comments(viewer).order_by("created_at", "id")
    comments = _visible_comments(viewer).filter(post=post, parent=None)
    comments = comments.prefetch_related(Prefetch("replies", replies[:REPLIES_SHOWN], to_attr="shown_replies"))
    return paginate(comments, cursor=cursor, size=size)


def list_replies(viewer, comment: Comment, *, cursor: str | None = None, size: int = 20) -> Page:
    """Replies in a thread, oldest first."""
    replies = _visible_comments(viewer).filter(parent=comment)
    return paginate(replies, cursor=cursor, size=size, ascending=True)


def get_comment_for(viewer, post: Post, comment_id: int) -> Comment:
    """A comment on `post` that `viewer` may see (the post too), else NotFound."""
    ensure_can_view(viewer, post)
    comment = _visible_comments(viewer).filter(post=post, pk=comment_id).select_related("post").first()
    if comment is None:
        raise NotFound("No such comment.")
    return comment


# --- Hashtags ------------------------------------------------------------------------------------


def trending_hashtags(*, limit: int = 10) -> list[Any]:
    """The tags on the most public posts of the trending window, counted every few minutes."""

    def count() -> list[Any]:
        since = timezone.now() - timedelta(days=settings.TRENDING_WINDOW_DAYS)
        recent = Q(posts__created_at__gte=since, posts__visibility=Post.Visibility.PUBLIC, posts__is_hidden=False)
        tags = Hashtag.objects.annotate(uses=Count("posts", filter=recent)).filter(uses__gt=0)
        return list(tags.order_by("-uses", "name").values("name", "uses")[:limit])

    return cache.get_or_set(f"trending-hashtags:{limit}", count, timeout=300) or []
