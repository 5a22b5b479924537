"""What the posts app tells people through the notifications app: its kinds, and the
notify() calls the services make inside their transactions."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import Truncator

from notifications.kinds import Kind
from notifications.services.inbox import notify, withdraw

from .models import Comment, Post
from .repositories import can_view, people_mentioned

EVERYWHERE = frozenset({"in_app", "push", "email"})
LIKE = Kind("like", "Likes of your posts", "liked your post", grouped=True, order=20)
COMMENT = Kind("comment", "Comments on your posts", "commented on your post", grouped=True, order=30)
REPLY = Kind("reply", "Replies to your comments", "replied to your comment", channels=EVERYWHERE, order=40)
MENTION = Kind("mention", "Mentions of you", "mentioned you", channels=EVERYWHERE, order=50)
REPOST = Kind("repost", "Reposts of your posts", "reposted your post", grouped=True, order=60)
QUOTE = Kind("quote", "Quotes of your posts", "quoted your post", order=70)
KINDS = (LIKE, COMMENT, REPLY, MENTION, REPOST, QUOTE)

# A post naming more people than this notifies only the first ones: mentions must not be a
# way to ping a crowd.
MAX_MENTIONS_NOTIFIED = 10


def _about(post: Post, *, comment: Comment | None = None, quote: str = "") -> dict:
    url = reverse("posts:detail", args=[post.pk])
    if comment is not None:
        url += f"#comment-{comment.parent_id or comment.pk}"
    return {"url": url, "excerpt": Truncator(quote or post.body).chars(100)}


def liked(post: Post, by) -> None:
    notify(recipient=post.author, kind=LIKE.name, actor=by, target=post, data=_about(post))


def unliked(post: Post, by) -> None:
    withdraw(recipient=post.author, kind=LIKE.name, actor=by, target=post)


def reposted(original: Post, shared: Post) -> None:
    if shared.body:
        notify(recipient=original.author, kind=QUOTE.name, actor=shared.author, target=shared, data=_about(shared))
    else:
        notify(recipient=original.author, kind=REPOST.name, actor=shared.author, target=original, data=_about(original))


def unreposted(original: Post, by) -> None:
    withdraw(recipient=original.author, kind=REPOST.name, actor=by, target=original)


def commented(comment: Comment) -> None:
    """The post's author hears of comments, the replied-to author of replies (once, if both)."""
    post, parent = comment.post, comment.parent
    data = _about(post, comment=comment, quote=comment.body)
    if parent is not None:
        notify(recipient=parent.author, kind=REPLY.name, actor=comment.author, target=comment, data=data)
    if parent is None or parent.author_id != post.author_id:
        notify(recipient=post.author, kind=COMMENT.name, actor=comment.author, target=post, data=data)
    named = people_mentioned(comment.body, by=comment.author)
    mentioned(post, named, by=comment.author, target=comment, data=data)


def mentioned(post: Post, users, *, by, target=None, data: dict | None = None) -> None:
    """Tell people newly mentioned in `post` (or in a comment on it: `target`) who may see it."""
    for user in list(users)[:MAX_MENTIONS_NOTIFIED]:
        if can_view(user, post):
            notify(recipient=user, kind=MENTION.name, actor=by, target=target or post, data=data or _about(post))
