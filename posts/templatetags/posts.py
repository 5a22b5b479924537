"""Template pieces for posts: linked text, and what a card shows of a post."""

from django import template
from django.conf import settings
from django.template.loader import get_template

from posts import text
from posts.factories import kind_of, kind_scripts, kind_stylesheets
from posts.models import Post

register = template.Library()

VISIBILITY_ICONS = {
    Post.Visibility.PUBLIC: "globe2",
    Post.Visibility.FOLLOWERS: "people-fill",
    Post.Visibility.PRIVATE: "lock-fill",
}


@register.filter
def linkify(value: str):
    """The text escaped, with #tags and @mentions linked (posts.text.linkify)."""
    return text.linkify(value or "")


@register.filter
def shown(post: Post) -> Post:
    """The post whose content and counters a card shows: a plain repost shows its original."""
    return post.original if post.is_plain_repost and getattr(post, "original", None) else post


@register.filter
def visibility_icon(post: Post) -> str:
    return VISIBILITY_ICONS.get(post.visibility, "globe2")


@register.simple_tag
def max_length(kind: str) -> int:
    """The longest text a "post" or "comment" may have, for the browser's maxlength."""
    return {"post": settings.POST_MAX_LENGTH, "comment": settings.COMMENT_MAX_LENGTH}[kind]


@register.simple_tag(takes_context=True)
def post_media(context, post: Post, small: bool = False) -> str:
    """The media of a post as its kind shows it (pictures, a video player), or nothing."""
    name = kind_of(post).template
    if not name:
        return ""
    return get_template(name).render({"shared": post, "small": small, "user": context.get("user")}, context.request)


@register.filter
def media_cover(post: Post) -> str | None:
    """The picture standing for a post's media in a grid (a video's poster), if any."""
    return kind_of(post).cover(post)


@register.simple_tag
def post_kind_scripts() -> list[str]:
    """Static paths of the modules the post kinds need on a page that shows posts."""
    return kind_scripts()


@register.simple_tag
def post_kind_stylesheets() -> list[str]:
    """The stylesheets post kinds need (the video player's), for the head of pages with cards."""
    return kind_stylesheets()
