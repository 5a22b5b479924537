"""Live updates of posts over the one socket, end to end: writes through the services, frames
read from config.asgi.application as a browser tab would get them."""

import pytest
from channels.db import database_sync_to_async
from django.db import transaction

from posts.models import Post
from posts.repositories import COUNTERS
from posts.services import add_comment, create_post, edit_post, like_post, set_hidden
from tests.posts.factories import PostFactory
from tests.sockets import exchange, open_socket, refused, run, subscribe
from tests.users.factories import BlockFactory, FollowFactory, UserFactory
from users.services.relations import block_user, unfollow_user

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async
PUBLIC, FOLLOWERS, PRIVATE = Post.Visibility.PUBLIC, Post.Visibility.FOLLOWERS, Post.Visibility.PRIVATE


def counters(post: Post, **changed: int) -> dict:
    data = {"id": post.pk, **dict.fromkeys(COUNTERS, 0), **changed}
    return {"op": "event", "stream": f"post:{post.pk}", "event": "counters", "data": data}


def new_post(post: Post) -> dict:
    data = {"id": post.pk, "author": post.author.username}
    return {"op": "event", "stream": "feed:following", "event": "new_post", "data": data}


def test_a_like_pushes_the_posts_counters_to_its_subscribers():
    # given a viewer's socket following a post
    viewer, fan = UserFactory(), UserFactory()
    post = PostFactory()

    async def scenario():
        socket = await open_socket(viewer)
        await subscribe(socket, f"post:{post.pk}")
        # when someone likes it
        await db(like_post)(post=post, user=fan)
        frame = await socket.receive_json_from()
        await socket.disconnect()
        return frame

    # then
    assert run(scenario) == counters(post, likes_count=1)


def test_a_comment_pushes_the_new_comments_count():
    # given a viewer's socket following a post
    viewer, fan = UserFactory(), UserFactory()
    post = PostFactory()

    async def scenario():
        socket = await open_socket(viewer)
        await subscribe(socket, f"post:{post.pk}")
        # when someone comments on it
        await db(add_comment)(post=post, by=fan, body="Nice one")
        frame = await socket.receive_json_from()
        await socket.disconnect()
        return frame

    # then
    assert run(scenario) == counters(post, comments_count=1)


def _private(author, viewer):
    return PostFactory(author=author, visibility=PRIVATE)


def _followers_only(author, viewer):
    return PostFactory(author=author, visibility=FOLLOWERS)


def _blocked_by_author(author, viewer):
    BlockFactory(blocker=author, blocked=viewer)
    return PostFactory(author=author)


def _blocking_the_author(author, viewer):
    BlockFactory(blocker=viewer, blocked=author)
    return PostFactory(author=author)


@pytest.mark.parametrize("hidden_post", [_private, _followers_only, _blocked_by_author, _blocking_the_author])
def test_a_post_the_viewer_may_not_see_is_refused_and_sends_nothing(hidden_post):
    # given a post hidden from the viewer, and one they may see
    author, viewer, fan = UserFactory(), UserFactory(), UserFactory()
    hidden, shown = hidden_post(author, viewer), PostFactory()

    async def scenario():
        socket = await open_socket(viewer)
        # when the viewer asks for both, and both are liked
        answer = await exchange(socket, {"op": "subscribe", "stream": f"post:{hidden.pk}"})
        await subscribe(socket, f"post:{shown.pk}")
        await db(like_post)(post=hidden, user=author)
        await db(like_post)(post=shown, user=fan)
        # (the channel layer keeps order: a relayed first like would come before the second)
        frame = await socket.receive_json_from()
        await socket.disconnect()
        return answer, frame

    # then the hidden one is refused like one that does not exist, and sends nothing
    assert run(scenario) == (refused(f"post:{hidden.pk}"), counters(shown, likes_count=1))


def test_a_post_that_does_not_exist_is_refused():
    # given a socket
    viewer = UserFactory()
    missing = PostFactory().pk + 1

    async def scenario():
        socket = await open_socket(viewer)
        # when it asks for a post that is not there, or a malformed post stream
        answers = [
            await exchange(socket, {"op": "subscribe", "stream": name}) for name in (f"post:{missing}", "post:x")
        ]
        await socket.disconnect()
        return answers

    # then
    assert run(scenario) == [refused(f"post:{missing}"), refused("post:x")]


ACCESS_TAKEN_AWAY = {
    "the author blocks the viewer": lambda author, viewer, post: block_user(blocker=author, blocked=viewer),
    "the viewer blocks the author": lambda author, viewer, post: block_user(blocker=viewer, blocked=author),
    "the viewer unfollows": lambda author, viewer, post: unfollow_user(follower=viewer, followee=author),
    "the post is made private": lambda author, viewer, post: edit_post(post=post, by=author, visibility=PRIVATE),
    "the post is hidden": lambda author, viewer, post: set_hidden(post=post, hidden=True),
}


@pytest.mark.parametrize("take_away", ACCESS_TAKEN_AWAY.values(), ids=ACCESS_TAKEN_AWAY.keys())
def test_a_followed_post_stops_when_the_viewer_may_no_longer_see_it(take_away):
    # given a viewer following live a followers-only post of someone they follow, and another post
    author, viewer, fan = UserFactory(), UserFactory(), UserFactory()
    FollowFactory(follower=viewer, followee=author)
    post, other = PostFactory(author=author, visibility=FOLLOWERS), PostFactory()

    async def scenario():
        socket = await open_socket(viewer)
        await subscribe(socket, f"post:{post.pk}")
        await subscribe(socket, f"post:{other.pk}")
        # when access is taken away, and both posts are liked
        await db(take_away)(author, viewer, post)
        dropped = await socket.receive_json_from()
        await db(like_post)(post=post, user=author)
        await db(like_post)(post=other, user=fan)
        frame = await socket.receive_json_from()
        await socket.disconnect()
        return dropped, frame

    # then the stream is dropped with an error frame and only the other post's like arrives
    assert run(scenario) == (refused(f"post:{post.pk}"), counters(other, likes_count=1))


def test_the_following_feed_hears_of_new_posts_its_user_may_see():
    # given a follower's socket on the Following feed
    follower, followee, stranger = UserFactory(), UserFactory(), UserFactory()
    FollowFactory(follower=follower, followee=followee)

    def write(author, visibility):
        return create_post(author=author, kind=Post.Kind.TEXT, body="Hello", visibility=visibility)

    async def scenario():
        socket = await open_socket(follower)
        await subscribe(socket, "feed:following")
        # when a stranger posts, then the followee privately, then to followers
        await db(write)(stranger, PUBLIC)
        await db(write)(followee, PRIVATE)
        posted = await db(write)(followee, FOLLOWERS)
        frame = await socket.receive_json_from()
        await socket.disconnect()
        return posted, frame

    # then only the post the follower may see is announced
    posted, frame = run(scenario)
    assert frame == new_post(posted)


def test_a_rolled_back_like_announces_nothing():
    # given a viewer's socket following a post
    viewer, fan, other_fan = UserFactory(), UserFactory(), UserFactory()
    post = PostFactory()

    def like_then_fail():
        with transaction.atomic():
            like_post(post=post, user=fan)
            raise RuntimeError("the rest of the request failed")

    async def scenario():
        socket = await open_socket(viewer)
        await subscribe(socket, f"post:{post.pk}")
        # when a like is rolled back, then another one commits
        with pytest.raises(RuntimeError):
            await db(like_then_fail)()
        await db(like_post)(post=post, user=other_fan)
        frame = await socket.receive_json_from()
        await socket.disconnect()
        return frame

    # then the first frame is the committed like's, counting one like
    assert run(scenario) == counters(post, likes_count=1)
