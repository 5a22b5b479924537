"""Writes of posts, engagement and comments: one function per use case, one transaction each,
authorisation and rate limits inside. Counters move with F() updates (never read-modify-write),
and live pushes leave after commit.

What people send through the pages and the API counts against their rate limit
(settings.RATE_LIMITS): those callers pass `rate_limited=True`. Seeding, and the apps above that
limit their own writes (a video post counts as a video), leave it off."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import media, ratelimit
from core.exceptions import NotFound, PermissionDenied, ValidationFailed
from core.jobs import enqueue
from core.transactions import after_commit
from notifications.services.inbox import forget
from users.models import User
from users.repositories import follower_id_batches

from . import notices, streams, text
from .factories import clean_body, clean_text, draft_post, kind_of
from .integrations import timelines
from .models import Comment, Hashtag, Like, Post, Save
from .repositories import ensure_can_view, people_mentioned
from .strategies.ranking import hot_score, initial_hot_score


def _lock(post: Post) -> None:
    """Take the post's row lock before touching its likes, saves or comments. Inserting a row
    that points at the post takes a shared lock on it (InnoDB's foreign-key check), so two
    writers that then both update the counters would deadlock; locking first queues them.
    A post deleted meanwhile is gone for the caller too."""
    if not Post.objects.select_for_update().filter(pk=post.pk).exists():
        raise NotFound("No such post.")


def _bump(post: Post, **deltas: int) -> None:
    """Move counters by `deltas` and re-derive the hot score, then tell open pages."""
    Post.objects.filter(pk=post.pk).update(**{name: F(name) + delta for name, delta in deltas.items()})
    Post.objects.filter(pk=post.pk).update(hot_score=hot_score(post.created_at))
    after_commit(streams.push_counters, post.pk)


def _link_text(post: Post) -> None:
    """(Re)link the post's #hashtags and @mentions to what its text now says."""
    names = text.hashtags_in(post.body)
    Hashtag.objects.bulk_create([Hashtag(name=name) for name in names], ignore_conflicts=True)
    post.hashtags.set(Hashtag.objects.filter(name__in=names))
    mentioned = people_mentioned(post.body, by=post.author)
    before = set(post.mentions.values_list("pk", flat=True))
    post.mentions.set(mentioned)
    notices.mentioned(post, [user for user in mentioned if user.pk not in before], by=post.author)


def _check_visibility(visibility: str) -> str:
    if visibility not in Post.Visibility.values:
        choices = ", ".join(Post.Visibility.values)
        raise ValidationFailed.on("visibility", f"Choose one of: {choices}.", code="bad_visibility")
    return visibility


def create_post(
    *,
    author: User,
    kind: str,
    body: str = "",
    visibility: str = Post.Visibility.PUBLIC,
    images: Sequence = (),
    alt_texts: Sequence[str] = (),
    attachment: object = None,
    rate_limited: bool = False,
) -> Post:
    """Publish a post of `kind`. Everything is validated (and pictures re-encoded) before the
    first write; if the write fails, the files it stored are removed again."""
    if rate_limited:
        ratelimit.hit("post", f"user:{author.pk}")
    draft = draft_post(kind=kind, body=body, images=images, alt_texts=alt_texts, attachment=attachment)
    post = draft.post
    post.author = author
    post.visibility = _check_visibility(visibility)
    written: list[str] = []
    try:
        with transaction.atomic():
            post.hot_score = initial_hot_score(timezone.now())
            post.save()
            written = draft.attach(post)
            _link_text(post)
            enqueue("posts.tasks.fan_out_new_post", post.pk)
    except BaseException:
        media.delete_files(written)
        raise
    return post


def ensure_author(post: Post, user: User, *, to: str = "change") -> None:
    """PermissionDenied unless `user` wrote `post` (pages check it before showing a form)."""
    if post.author_id != user.pk:
        raise PermissionDenied(f"Only the author can {to} this post.", code="not_author")


def edit_post(*, post: Post, by: User, body: str | None = None, visibility: str | None = None) -> Post:
    """Change the text or audience of one's own post; it is marked edited."""
    ensure_author(post, by, to="edit")
    with transaction.atomic():
        if body is not None:
            post.body = clean_body(body, required=post.kind == Post.Kind.TEXT and post.repost_of_id is None)
        if visibility is not None:
            post.visibility = _check_visibility(visibility)
            after_commit(streams.push_access_changed, post.pk)
        post.edited_at = timezone.now()
        post.save(update_fields=["body", "visibility", "edited_at", "updated_at"])
        _link_text(post)
    return post


def delete_post(*, post: Post, by: User) -> None:
    """Delete one's own post with its pictures, likes, comments and plain reposts of it.
    Quotes of it stay, without the original."""
    if not by.is_staff:
        ensure_author(post, by, to="delete")
    with transaction.atomic():
        forget(model=Post, ids=[post.pk])
        forget(model=Comment, ids=Comment.objects.filter(post=post).values_list("pk", flat=True))
        files = kind_of(post).files(post)
        Post.objects.plain_reposts().filter(repost_of=post).delete()
        if post.repost_of_id is not None:
            original = Post.objects.filter(pk=post.repost_of_id).first()
            if original is not None:
                _bump(original, reposts_count=-1)
                if post.is_plain_repost:
                    notices.unreposted(original, post.author)
        post.delete()
        after_commit(media.delete_files, files)


def _mark(model, counter: str, *, post: Post, user: User, on: bool) -> bool:
    """Add (on) or remove the user's like or save of a post they can see, moving its counter.
    Idempotent: False if there was nothing to change."""
    ensure_can_view(user, post)
    with transaction.atomic():
        _lock(post)
        if on:
            changed = model.objects.get_or_create(post=post, user=user)[1]
        else:
            changed = model.objects.filter(post=post, user=user).delete()[0] > 0
        if changed:
            _bump(post, **{counter: 1 if on else -1})
    return changed


def like_post(*, post: Post, user: User) -> bool:
    """Like a post the user can see; its author is told. Idempotent: False if it was already liked."""
    with transaction.atomic():
        liked = _mark(Like, "likes_count", post=post, user=user, on=True)
        if liked:
            notices.liked(post, user)
    return liked


def unlike_post(*, post: Post, user: User) -> bool:
    """Take a like back (and the author's notification of it). Idempotent: False if there was none."""
    with transaction.atomic():
        unliked = _mark(Like, "likes_count", post=post, user=user, on=False)
        if unliked:
            notices.unliked(post, user)
    return unliked


def save_post(*, post: Post, user: User) -> bool:
    """Bookmark a post for later (only its saver sees the bookmark). Idempotent."""
    return _mark(Save, "saves_count", post=post, user=user, on=True)


def unsave_post(*, post: Post, user: User) -> bool:
    """Remove a bookmark. Idempotent: False if there was none."""
    return _mark(Save, "saves_count", post=post, user=user, on=False)


def _shared(post: Post) -> Post:
    # Reposting a plain repost shares what it shares.
    return post.repost_of if post.is_plain_repost and post.repost_of is not None else post


def repost(
    *, post: Post, by: User, body: str = "", visibility: str = Post.Visibility.PUBLIC, rate_limited: bool = False
) -> Post:
    """Share a public post, with `body` as a quote. A plain repost happens once per person
    (again returns the existing one); quotes are posts of their own and may be many. Either
    counts as a post against the rate limit when `rate_limited`."""
    if rate_limited:
        ratelimit.hit("post", f"user:{by.pk}")
    ensure_can_view(by, post)
    original = _shared(post)
    if original.visibility != Post.Visibility.PUBLIC:
        raise PermissionDenied("Only public posts can be reposted.", code="not_public")
    body = clean_body(body, required=False)
    with transaction.atomic():
        _lock(original)  # also makes "one plain repost per person" hold under double clicks
        if not body:
            existing = Post.objects.plain_reposts().filter(author=by, repost_of=original).first()
            if existing is not None:
                return existing
        shared = Post(
            author=by, kind=Post.Kind.TEXT, body=body, visibility=_check_visibility(visibility), repost_of=original
        )
        shared.hot_score = initial_hot_score(timezone.now())
        shared.save()
        _link_text(shared)
        _bump(original, reposts_count=1)
        notices.reposted(original, shared)
        enqueue("posts.tasks.fan_out_new_post", shared.pk)
    return shared


def undo_repost(*, post: Post, by: User) -> bool:
    """Remove one's plain repost of `post`. Idempotent: False if there was none."""
    original = _shared(post)
    with transaction.atomic():
        _lock(original)
        deleted, _ = Post.objects.plain_reposts().filter(author=by, repost_of=original).delete()
        if deleted:
            _bump(original, reposts_count=-1)
            notices.unreposted(original, by)
    return bool(deleted)


def add_comment(
    *, post: Post, by: User, body: str, parent: Comment | None = None, rate_limited: bool = False
) -> Comment:
    """Comment on a post the user can see, or reply to a comment on it. A reply to a reply
    joins the thread of the comment it answers."""
    if rate_limited:
        ratelimit.hit("comment", f"user:{by.pk}")
    ensure_can_view(by, post)
    body = clean_text(body, limit=settings.COMMENT_MAX_LENGTH, noun="Comments", empty="Write a comment first.")
    if parent is not None:
        if parent.post_id != post.pk:
            raise NotFound("No such comment on this post.")
        parent = parent.parent or parent
    with transaction.atomic():
        _lock(post)
        comment = Comment.objects.create(post=post, author=by, parent=parent, body=body)
        if parent is not None:
            Comment.objects.filter(pk=parent.pk).update(replies_count=F("replies_count") + 1)
        _bump(post, comments_count=1)
        notices.commented(comment)
    return comment


def delete_comment(*, comment: Comment, by: User) -> None:
    """Delete a comment (and its replies). Its author or the post's author may."""
    post = comment.post
    if by.pk not in (comment.author_id, post.author_id) and not by.is_staff:
        raise PermissionDenied("Only the comment's author or the post's author can delete it.", code="not_author")
    with transaction.atomic():
        _lock(post)
        gone = [comment.pk, *Comment.objects.filter(parent=comment).values_list("pk", flat=True)]
        removed = len(gone)
        forget(model=Comment, ids=gone)
        if comment.parent_id is not None:
            Comment.objects.filter(pk=comment.parent_id).update(replies_count=F("replies_count") - 1)
        comment.delete()
        _bump(post, comments_count=-removed)


FAN_OUT_BATCH = 1000  # followers per Redis script call and per round of live announcements


def fan_out_new_post(*, post_id: int) -> None:
    """Put a new post into the Following-feed timelines, and tell the author's followers' open
    Following feeds about it if they may see it. The followers are read once for both. Runs in
    a Celery task (queued by create_post and repost after commit); a deleted post is skipped."""
    post = Post.objects.select_related("author").filter(pk=post_id).first()
    if post is None:
        return
    push = timelines.start_push(post)  # whatever its audience: readers filter, and an audience can change
    announce = post.visibility != Post.Visibility.PRIVATE and not post.is_hidden
    if push is None and not announce:
        return
    for follower_ids in follower_id_batches(post.author_id, size=FAN_OUT_BATCH):
        if push is not None:
            push(follower_ids)
        if announce:
            streams.push_new_post(post, follower_ids)


def record_view(*, post: Post, viewer_key: str) -> bool:
    """Count a view once per viewer (a user id or a client address) per hour. A counted view
    shows at once on the `post` given, so the page or answer showing it includes it."""
    if not cache.add(f"post-view:{post.pk}:{viewer_key}", 1, timeout=settings.POST_VIEW_WINDOW):
        return False
    with transaction.atomic():
        _bump(post, views_count=1)
    post.views_count += 1
    return True


def set_hidden(*, post: Post, hidden: bool) -> None:
    """Hide a post from everyone but its author, or show it again (moderators, via the admin)."""
    Post.objects.filter(pk=post.pk).update(is_hidden=hidden)
    if hidden:
        after_commit(streams.push_access_changed, post.pk)


def erase_posts_of(*, user: User) -> None:
    """The posts app's part of erasing an account (users.services.deletion): the person's posts
    with their pictures, plain reposts and the repost counts they added (delete_post); their
    comments and replies, with the comment and reply counts on other people's posts and threads;
    their likes and saves, with those counters; their mentions. Nothing here checks visibility:
    the person may no longer see a post they once liked."""
    for post_id in list(Post.objects.filter(author=user).order_by("-id").values_list("pk", flat=True)):
        post = Post.objects.filter(pk=post_id).first()  # a plain repost of their own post went with it
        if post is not None:
            delete_post(post=post, by=user)
    comments = Comment.objects.filter(author=user).select_related("post")
    # Replies first: a comment deleted after its replies counts only what is left under it.
    for comment in [*comments.filter(parent__isnull=False), *comments.filter(parent__isnull=True)]:
        delete_comment(comment=comment, by=user)
    for model, counter in ((Like, "likes_count"), (Save, "saves_count")):
        for post in Post.objects.filter(pk__in=list(model.objects.filter(user=user).values_list("post_id", flat=True))):
            with transaction.atomic():
                _lock(post)
                if model.objects.filter(post=post, user=user).delete()[0]:
                    _bump(post, **{counter: -1})
    Post.mentions.through.objects.filter(user=user).delete()
