"""Who may do what to posts and comments, for tests/security/test_access.py (the format:
tests/security/matrix.py). A post is seen as its visibility says, never by someone its author
blocked; one hidden by a moderator only by its author; a deleted one by nobody."""

from posts import services
from posts.models import Post
from tests.posts.factories import PostFactory
from tests.security.matrix import ACT, EVERYONE, FOLLOWERS, MODERATE, NOBODY, OWN, OWNER, READ, Kind, Route

SEEN_BY = {"public": EVERYONE, "followers": FOLLOWERS, "private": OWNER, "hidden": OWNER, "deleted": NOBODY}


def _post(owner, visibility: str) -> Post:
    post = PostFactory(author=owner, visibility=visibility if visibility in Post.Visibility.values else "public")
    if visibility == "hidden":
        Post.objects.filter(pk=post.pk).update(is_hidden=True)
    return post


def _made_post(owner, visibility: str) -> dict[str, object]:
    post = _post(owner, visibility)
    if visibility == "deleted":
        Post.objects.filter(pk=post.pk).delete()
    return {"post_id": post.pk}


def _made_comment(owner, visibility: str) -> dict[str, object]:
    post = _post(owner, visibility)
    comment = services.add_comment(post=post, by=owner, body="A comment")
    if visibility == "deleted":
        Post.objects.filter(pk=post.pk).delete()
    return {"post_id": post.pk, "comment_id": comment.pk}


KINDS = [Kind("post", _made_post, SEEN_BY), Kind("comment", _made_comment, SEEN_BY)]
COMMENT = {"body": "Nice"}
ROUTES = {
    "api-post": Route("post", data={"body": "Edited"}, GET=READ, PATCH=OWN, DELETE=MODERATE),
    "api-post-like": Route("post", POST=ACT, DELETE=ACT),
    "api-post-save": Route("post", POST=ACT, DELETE=ACT),
    "api-post-repost": Route("post", POST=ACT, DELETE=ACT),
    "api-post-view": Route("post", POST=READ),
    "api-post-comments": Route("post", data=COMMENT, GET=READ, POST=ACT),
    "api-comment": Route("comment", DELETE=MODERATE),
    "api-comment-replies": Route("comment", GET=READ),
    "posts:detail": Route("post", GET=READ),
    "posts:edit": Route("post", data={"body": "Edited", "visibility": "public"}, GET=OWN, POST=OWN),
    "posts:delete": Route("post", GET=MODERATE, POST=MODERATE),
    "posts:like": Route("post", POST=ACT),
    "posts:save": Route("post", POST=ACT),
    "posts:repost": Route("post", POST=ACT),
    "posts:comment": Route("post", data=COMMENT, POST=ACT),
    "posts:replies": Route("comment", GET=READ),
    "posts:delete_comment": Route("comment", POST=MODERATE),
    # A person's posts: the list is the person's (what is in it is the feeds' tests).
    "api-profile-feed": Route("person", GET=READ),
    "posts:profile_posts": Route("person", GET=READ),
}
OPEN = {
    "feed": "the name of a feed (latest, following, ...), the same for everyone",
    "tag": "a hashtag: its page lists only posts the viewer may see",
}
