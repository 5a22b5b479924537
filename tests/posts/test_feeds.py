"""Feeds and detail reads: who sees what (visibility, blocks both ways, moderation), in which
order, pages that stay stable while posts arrive, and a constant number of queries a page."""

from contextlib import suppress
from datetime import timedelta

import pytest
from django.utils import timezone

from core.exceptions import NotFound
from posts import repositories, services
from posts.models import Post
from tests.posts.factories import PostFactory, picture
from tests.posts.helpers import ALL, AUDIENCE, client_for, viewer_of_kind
from tests.users.factories import BlockFactory, FollowFactory, UserFactory
from users.models import Interest

# What each kind of viewer (helpers.AUDIENCE) gets of the author's posts in their own Following feed.
FOLLOWING_FEED = {
    "stranger": set(),
    "follower": {"public", "followers"},
    "author": ALL,
    "blocked": set(),
    "blocker": set(),
}


def _ids(page) -> list[int]:
    return [post.pk for post in page.items]


def _visibilities(page) -> set[str]:
    return {post.visibility for post in page.items}


def _detail_visibilities(viewer, posts) -> set[str]:
    seen = set()
    for post in posts:
        with suppress(NotFound):
            seen.add(repositories.get_post_for(viewer, post.pk).visibility)
    return seen


# --- who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(AUDIENCE))
def test_every_feed_and_the_detail_apply_visibility_and_blocks(ana, kind):
    # given Ana's post of each visibility, all tagged
    posts = [PostFactory(author=ana, body=f"#topic {visibility}", visibility=visibility) for visibility in ALL]
    viewer = viewer_of_kind(kind, ana)
    # when
    seen = {
        "detail": _detail_visibilities(viewer, posts),
        "profile": _visibilities(repositories.profile_feed(viewer, ana)),
        "hashtag": _visibilities(repositories.hashtag_feed(viewer, "#TOPIC")),
        "latest": _visibilities(repositories.latest_feed(viewer)),
        "trending": _visibilities(repositories.trending_feed(viewer)),
        "for_you": _visibilities(repositories.for_you_feed(viewer)),
    }
    if kind != "anonymous":
        seen["following"] = _visibilities(repositories.following_feed(viewer))
    # then the public feeds hold public posts only, the others what the viewer's audience allows
    audience = AUDIENCE[kind]
    expected = {
        "detail": audience,
        "profile": audience,
        "hashtag": audience,
        "latest": audience & {"public"},
        "trending": audience & {"public"},
        "for_you": audience & {"public"},
    }
    if kind != "anonymous":
        expected["following"] = FOLLOWING_FEED[kind]
    assert seen == expected


@pytest.mark.parametrize("direction", ["ana blocks bob", "bob blocks ana"])
def test_a_block_hides_posts_both_ways_in_every_feed(ana, bob, direction):
    # given both post publicly and have saved each other's post
    posts = {user: PostFactory(author=user, body="#topic") for user in (ana, bob)}
    for user, other in ((ana, bob), (bob, ana)):
        services.save_post(post=posts[other], user=user)
    # when
    blocker, blocked = (ana, bob) if direction == "ana blocks bob" else (bob, ana)
    BlockFactory(blocker=blocker, blocked=blocked)
    # then each sees only their own post, everywhere
    for viewer, other in ((ana, bob), (bob, ana)):
        mine = [posts[viewer].pk]
        assert _ids(repositories.latest_feed(viewer)) == mine
        assert _ids(repositories.trending_feed(viewer)) == mine
        assert _ids(repositories.for_you_feed(viewer)) == mine
        assert _ids(repositories.hashtag_feed(viewer, "topic")) == mine
        assert _ids(repositories.profile_feed(viewer, other)) == []
        assert _ids(repositories.saved_posts(viewer)) == []
        with pytest.raises(NotFound):
            repositories.get_post_for(viewer, posts[other].pk)


def test_a_block_hides_posts_from_the_following_feed_even_with_a_follow_left(ana, bob):
    # given follows both ways that a block (made outside the service) did not end
    FollowFactory(follower=ana, followee=bob)
    FollowFactory(follower=bob, followee=ana)
    own = {user: PostFactory(author=user) for user in (ana, bob)}
    BlockFactory(blocker=ana, blocked=bob)
    # then
    assert _ids(repositories.following_feed(ana)) == [own[ana].pk]
    assert _ids(repositories.following_feed(bob)) == [own[bob].pk]


def test_a_block_hides_comments_and_replies_both_ways(ana, bob, carol):
    # given comments by Ana and Bob on Carol's post, and replies in each other's threads
    post = PostFactory(author=carol)
    by_ana = services.add_comment(post=post, by=ana, body="Ana")
    by_bob = services.add_comment(post=post, by=bob, body="Bob")
    bob_reply = services.add_comment(post=post, by=bob, body="Bob replies", parent=by_ana)
    carol_reply = services.add_comment(post=post, by=carol, body="Carol replies", parent=by_ana)
    # when
    BlockFactory(blocker=ana, blocked=bob)

    # then
    def threads(viewer):
        return [(c.pk, [r.pk for r in c.shown_replies]) for c in repositories.list_comments(viewer, post).items]

    assert threads(carol) == [(by_bob.pk, []), (by_ana.pk, [bob_reply.pk, carol_reply.pk])]
    assert threads(ana) == [(by_ana.pk, [carol_reply.pk])]
    assert threads(bob) == [(by_bob.pk, [])]
    assert [r.pk for r in repositories.list_replies(ana, by_ana).items] == [carol_reply.pk]
    with pytest.raises(NotFound):
        repositories.get_comment_for(bob, post, by_ana.pk)
    with pytest.raises(NotFound):
        repositories.get_comment_for(ana, post, bob_reply.pk)


def test_comments_of_a_post_one_cannot_see_are_not_found(ana, bob):
    # given
    post = PostFactory(author=ana, visibility="private")
    services.add_comment(post=post, by=ana, body="Note to self")
    # when / then
    with pytest.raises(NotFound):
        repositories.list_comments(bob, post)
    assert [c.body for c in repositories.list_comments(ana, post).items] == ["Note to self"]


def test_reposts_of_what_one_cannot_see(ana, bob, carol):
    # given Carol shares Ana's post plainly and with a quote, then Ana blocks Bob
    original = PostFactory(author=ana)
    services.repost(post=original, by=carol)
    quote = services.repost(post=original, by=carol, body="Quoting")
    BlockFactory(blocker=ana, blocked=bob)
    # when
    page = repositories.latest_feed(bob)
    # then the plain repost is left out, and the quote stands without its original
    assert _ids(page) == [quote.pk]
    assert page.items[0].original is None
    # while Carol sees everything, each repost with its original
    assert [(post.body, post.original) for post in repositories.latest_feed(carol).items] == [
        ("Quoting", original),
        ("", original),
        (original.body, None),
    ]


def test_moderation_hides_a_post_from_others_but_not_from_its_author(ana, bob):
    # given
    FollowFactory(follower=bob, followee=ana)
    hidden, shown = PostFactory(author=ana, body="#topic hidden"), PostFactory(author=ana, body="#topic shown")
    quote = services.repost(post=hidden, by=bob, body="Quote")
    services.set_hidden(post=hidden, hidden=True)
    # then Bob sees neither the post nor it inside his quote
    assert _ids(repositories.following_feed(bob)) == [quote.pk, shown.pk]
    assert repositories.following_feed(bob).items[0].original is None
    assert _ids(repositories.hashtag_feed(bob, "topic")) == [shown.pk]
    assert _ids(repositories.latest_feed(None)) == [quote.pk, shown.pk]
    with pytest.raises(NotFound):
        repositories.get_post_for(bob, hidden.pk)
    # and Ana still sees it
    assert _ids(repositories.profile_feed(ana, ana)) == [shown.pk, hidden.pk]
    assert repositories.get_post_for(ana, hidden.pk) == hidden


@pytest.mark.parametrize("change", [{"is_active": False}, {"email_verified": False}])
def test_posts_of_closed_or_unconfirmed_accounts_are_hidden(ana, bob, change):
    # given
    post = PostFactory(author=ana)
    type(ana).objects.filter(pk=ana.pk).update(**change)
    # then
    assert _ids(repositories.latest_feed(bob)) == []
    with pytest.raises(NotFound):
        repositories.get_post_for(bob, post.pk)


def test_saved_posts_drop_what_became_invisible(ana, bob):
    # given Bob saved two of Ana's posts, then she made one private
    kept, gone = PostFactory(author=ana), PostFactory(author=ana)
    for post in (gone, kept):
        services.save_post(post=post, user=bob)
    services.edit_post(post=gone, by=ana, visibility="private")
    # then
    assert _ids(repositories.saved_posts(bob)) == [kept.pk]


def test_viewer_flags_on_posts_and_their_originals(ana, bob):
    # given Bob likes Ana's post, saves it and reposts it
    original = PostFactory(author=ana)
    services.like_post(post=original, user=bob)
    services.save_post(post=original, user=bob)
    plain = services.repost(post=original, by=bob)
    # when
    mine = repositories.latest_feed(bob).items
    theirs = repositories.latest_feed(ana).items
    # then
    assert [(p.pk, p.is_liked, p.is_saved, p.is_reposted) for p in mine] == [
        (plain.pk, False, False, False),
        (original.pk, True, True, True),
    ]
    assert (mine[0].original.is_liked, mine[0].original.is_saved, mine[0].original.is_reposted) == (True, True, True)
    assert [(p.is_liked, p.is_saved, p.is_reposted) for p in theirs] == [(False, False, False)] * 2


# --- order -------------------------------------------------------------------------------------


def test_trending_orders_by_engagement_within_the_window(ana, bob, carol, settings):
    # given an older post with likes, a newer one without, and a popular one from long ago
    liked, quiet, old = (PostFactory(author=ana) for _ in range(3))
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=settings.TRENDING_WINDOW_DAYS + 1))
    for post in (liked, old):
        for user in (bob, carol):
            services.like_post(post=post, user=user)
    # then
    assert _ids(repositories.trending_feed(bob)) == [liked.pk, quiet.pk]
    assert _ids(repositories.latest_feed(bob)) == [quiet.pk, liked.pk, old.pk]


def test_for_you_lifts_people_followed_and_interests(ana, bob, carol):
    # given a viewer who follows Carol and likes #django, and a stranger's post with engagement
    viewer = UserFactory()
    FollowFactory(follower=viewer, followee=carol)
    viewer.profile.interests.add(Interest.objects.create(name="django"))
    popular = PostFactory(author=ana, body="Popular")
    for user in (bob, carol):
        services.like_post(post=popular, user=user)
    followed = PostFactory(author=carol, body="From Carol")
    tagged = PostFactory(author=bob, body="About #Django")
    plain = PostFactory(author=bob, body="Plain")
    # then the followed author comes first, then the interest, then engagement, then the rest
    assert _ids(repositories.for_you_feed(viewer)) == [followed.pk, tagged.pk, popular.pk, plain.pk]
    # and without a viewer it is the trending order
    assert _ids(repositories.for_you_feed(None)) == [popular.pk, plain.pk, tagged.pk, followed.pk]


# --- pages -------------------------------------------------------------------------------------

PAGED_FEEDS = {
    "following": lambda viewer, author, **page: repositories.following_feed(viewer, **page),
    "latest": lambda viewer, author, **page: repositories.latest_feed(viewer, **page),
    "trending": lambda viewer, author, **page: repositories.trending_feed(viewer, **page),
    "for_you": lambda viewer, author, **page: repositories.for_you_feed(viewer, **page),
    "hashtag": lambda viewer, author, **page: repositories.hashtag_feed(viewer, "topic", **page),
    "profile": lambda viewer, author, **page: repositories.profile_feed(viewer, author, **page),
}


@pytest.mark.parametrize("feed", list(PAGED_FEEDS))
def test_pages_continue_without_duplicates_or_gaps_while_posts_arrive(ana, bob, feed):
    # given Bob follows Ana, who wrote seven posts
    FollowFactory(follower=bob, followee=ana)
    posts = [PostFactory(author=ana, body=f"#topic {n}") for n in range(7)]
    newest_first = [post.pk for post in reversed(posts)]
    fetch = PAGED_FEEDS[feed]
    first = fetch(bob, ana, size=3)
    # when two more arrive before the next pages are read
    PostFactory.create_batch(2, author=ana, body="#topic late")
    second = fetch(bob, ana, size=3, cursor=first.next_cursor)
    third = fetch(bob, ana, size=3, cursor=second.next_cursor)
    # then the pages go on where they stopped
    assert [_ids(first), _ids(second), _ids(third)] == [newest_first[:3], newest_first[3:6], newest_first[6:]]
    assert third.next_cursor is None


def test_saved_pages_follow_the_order_of_saving(ana, bob):
    # given Bob saved five posts, not in the order they were written
    posts = PostFactory.create_batch(5, author=ana)
    order = [posts[n] for n in (2, 0, 4, 1, 3)]
    for post in order:
        services.save_post(post=post, user=bob)
    # when
    first = repositories.saved_posts(bob, size=2)
    services.save_post(post=PostFactory(author=ana), user=bob)
    rest = repositories.saved_posts(bob, size=5, cursor=first.next_cursor)
    # then most recently saved first, without repeats after a new save
    assert _ids(first) + _ids(rest) == [post.pk for post in reversed(order)]


# --- cost --------------------------------------------------------------------------------------

# Queries of one API feed page, whatever its length (measured, then pinned): the page (authors
# and originals joined), its pictures, the originals' pictures, which originals the reader may
# see, and a signed-in reader's likes, saves and reposts. Ana's profile has no reposts, so no
# originals to look at, but the profile itself is looked up first.
FEEDS = {
    # name: (url, signed in, queries, results with 5 posts, with 25)
    "following": ("/api/feeds/following/", True, 7, 5, 25),
    "latest": ("/api/feeds/latest/", True, 7, 5, 25),
    "latest, anonymous": ("/api/feeds/latest/", False, 4, 5, 25),
    "trending": ("/api/feeds/trending/", True, 7, 5, 25),
    "for-you": ("/api/feeds/for-you/", True, 7, 5, 25),
    "for-you, anonymous": ("/api/feeds/for-you/", False, 4, 5, 25),
    "hashtag": ("/api/tags/topic/posts/", True, 7, 4, 19),  # plain reposts have no text, so no tag
    "profile": ("/api/users/ana/posts/", True, 7, 3, 13),  # Ana's own posts only
    "saved": ("/api/me/saved/", True, 7, 5, 25),
}


def _add_posts(made: list, count: int, *, ana, bob, reader) -> None:
    """Ana's text and picture posts and Bob's quotes and plain reposts of them, in turn, each
    liked and saved by the reader."""
    for n in range(len(made), len(made) + count):
        if n % 4 == 0:
            post = PostFactory(author=ana, body=f"#topic {n}")
        elif n % 4 == 1:
            post = PostFactory(author=ana, body=f"#topic {n}", kind="image", images=[picture(size=(16, 16))])
        elif n % 4 == 2:
            post = services.repost(post=made[-1], by=bob, body=f"#topic quote {n}")
        else:
            post = services.repost(post=made[-3], by=bob)
        services.like_post(post=post, user=reader)
        services.save_post(post=post, user=reader)
        made.append(post)


@pytest.mark.parametrize("feed", list(FEEDS))
def test_a_feed_page_costs_the_same_queries_for_5_and_25_posts(ana, bob, api_client, feed, django_assert_num_queries):
    # given a reader who follows Ana and Bob
    url, signed_in, queries, *expected = FEEDS[feed]
    reader = UserFactory()
    for author in (ana, bob):
        FollowFactory(follower=reader, followee=author)
    client = client_for(reader) if signed_in else api_client
    made, results = [], []
    for count in (5, 20):
        _add_posts(made, count, ana=ana, bob=bob, reader=reader)
        # when
        with django_assert_num_queries(queries):
            response = client.get(url, {"size": 100})
        # then
        assert response.status_code == 200
        results.append(len(response.json()["results"]))
    # the page grew and its cost did not
    assert results == expected
