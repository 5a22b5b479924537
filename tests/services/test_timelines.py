"""Following-feed timelines in Redis (posts.integrations.timelines): pages read through a
timeline are the pull query's pages, whatever happened to the posts and the follow graph since it
was built, and new posts reach them by fan-out, except from authors with too many followers."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from posts import repositories, services
from posts.models import Post
from tests.posts.factories import PostFactory
from tests.users.factories import FollowFactory, UserFactory
from users.services.relations import block_user, follow_user, unfollow_user

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL)"),
]


@pytest.fixture(autouse=True)
def _timelines_on(settings):
    settings.FEED_TIMELINES = True


def _pages(viewer, size: int) -> list[list[int]]:
    """Every page of the viewer's Following feed, as post ids, by following next_cursor."""
    pages, cursor = [], None
    while True:
        page = repositories.following_feed(viewer, cursor=cursor, size=size)
        pages.append([post.pk for post in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def _pull_pages(viewer, size: int, settings) -> list[list[int]]:
    settings.FEED_TIMELINES = False
    try:
        return _pages(viewer, size)
    finally:
        settings.FEED_TIMELINES = True


def _timeline(viewer) -> list[int]:
    """The post ids in the viewer's timeline in Redis, newest first (the marker left out)."""
    client = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    return [int(name) for name in client.zrevrangebyscore(f"sm:tl:{viewer.pk}", "+inf", "(-1")]


def _write(posts: list, author, body: str, **options) -> Post:
    post = PostFactory(author=author, body=body, **options)
    posts.append(post)
    return post


@pytest.fixture
def town(db):
    """A reader who follows Ana and Bob, and 16 posts by them, the reader, and Carol (whom the
    reader does not follow), a minute apart, the last three at the same instant; with what the
    reader may not see in the Following feed: Ana's private post, a hidden one, a deleted one,
    Carol's. `expected` is the feed, newest first; `unseen` what the timeline holds beside it."""
    reader, ana, bob, carol = (UserFactory(username=name) for name in ("reader", "ana", "bob", "carol"))
    FollowFactory(follower=reader, followee=ana)
    FollowFactory(follower=reader, followee=bob)
    posts: list[Post] = []
    shown = [
        _write(posts, ana, "ana one"),
        _write(posts, bob, "bob one"),
        _write(posts, ana, "ana for followers", visibility="followers"),
        _write(posts, reader, "mine, private", visibility="private"),
    ]
    unseen = [
        _write(posts, ana, "ana private", visibility="private"),
        _write(posts, bob, "bob hidden"),
    ]
    _write(posts, carol, "carol one")
    deleted = _write(posts, bob, "bob deleted")
    shown += [_write(posts, bob, f"bob {n}") for n in range(5)] + [_write(posts, ana, f"ana {n}") for n in range(3)]
    start = timezone.now() - timedelta(hours=3)
    for minute, post in enumerate(posts):
        Post.objects.filter(pk=post.pk).update(created_at=start + timedelta(minutes=minute))
    Post.objects.filter(pk__in=[post.pk for post in posts[-3:]]).update(created_at=start + timedelta(minutes=99))
    services.set_hidden(post=unseen[1], hidden=True)
    services.delete_post(post=deleted, by=bob)
    expected = [post.pk for post in reversed(shown)]
    return SimpleNamespace(
        reader=reader, ana=ana, bob=bob, carol=carol, expected=expected, unseen={post.pk for post in unseen}
    )


def _flat(pages: list[list[int]]) -> list[int]:
    return [post_id for page in pages for post_id in page]


@pytest.mark.parametrize("size", [1, 3, 20])
def test_timeline_pages_are_the_pull_pages(town, settings, size):
    # given the reader's town; the timeline is built on the first read
    # when
    pages = _pages(town.reader, size)
    # then newest first, ties by id, each post once, only what the reader may see: as pulled
    assert _flat(pages) == town.expected
    assert pages == _pull_pages(town.reader, size, settings)
    assert set(_timeline(town.reader)) == set(town.expected) | town.unseen


def test_new_posts_are_pushed_into_the_followers_timelines(town, django_capture_on_commit_callbacks):
    # given a reader whose timeline is built
    _pages(town.reader, 20)
    # when Ana, the reader and Carol post, and the fan-out runs after commit
    with django_capture_on_commit_callbacks(execute=True):
        from_ana = PostFactory(author=town.ana, body="fresh from ana")
        mine = PostFactory(author=town.reader, body="fresh from me")
        PostFactory(author=town.carol, body="fresh from carol")
    # then Ana's and the reader's are in the timeline (pushed: the marker is unchanged, so
    # it was not built again) and head the feed; Carol's is in neither
    assert _timeline(town.reader)[:3] == [mine.pk, from_ana.pk, town.expected[0]]
    assert _flat(_pages(town.reader, 5)) == [mine.pk, from_ana.pk, *town.expected]


def test_a_post_reaches_every_follower_in_batches(db, monkeypatch, django_capture_on_commit_callbacks):
    # given an author with 5 followers who have read their feeds, pushed 2 timelines at a time
    monkeypatch.setattr(services, "FAN_OUT_BATCH", 2)
    author = UserFactory()
    readers = [FollowFactory(followee=author).follower for _ in range(5)]
    for reader in readers:
        _pages(reader, 20)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        post = PostFactory(author=author, body="to all five")
    # then
    assert [_timeline(reader) for reader in readers] == [[post.pk]] * 5


def test_following_and_unfollowing_rebuild_the_timeline(town, settings):
    # given a reader whose timeline is built
    _pages(town.reader, 20)
    # when the reader follows Carol, whose post is older, and stops following Ana
    follow_user(follower=town.reader, followee=town.carol)
    unfollow_user(follower=town.reader, followee=town.ana)
    # then Carol's post is in and Ana's posts are out, as pulled
    pages = _pages(town.reader, 4)
    anas = set(Post.objects.filter(author=town.ana).values_list("pk", flat=True))
    carols = list(Post.objects.filter(author=town.carol).values_list("pk", flat=True))
    assert sorted(set(_flat(pages)) - set(town.expected)) == carols
    assert set(_flat(pages)) & anas == set()
    assert pages == _pull_pages(town.reader, 4, settings)


def test_a_block_hides_the_blocked_authors_posts_at_once(town, settings):
    # given a reader whose timeline is built
    _pages(town.reader, 20)
    # when Bob blocks the reader
    block_user(blocker=town.bob, blocked=town.reader)
    # then none of Bob's posts are left, as pulled
    bobs = set(Post.objects.filter(author=town.bob).values_list("pk", flat=True))
    assert _flat(_pages(town.reader, 4)) == [post_id for post_id in town.expected if post_id not in bobs]
    assert _pages(town.reader, 4) == _pull_pages(town.reader, 4, settings)


def test_pages_past_a_full_timeline_come_from_the_database(town, settings, django_capture_on_commit_callbacks):
    # given timelines of 3 posts
    settings.TIMELINE_LENGTH = 3
    # when the reader pages through the feed, and then Ana posts once more
    pages, pulled = _pages(town.reader, 2), _pull_pages(town.reader, 2, settings)
    with django_capture_on_commit_callbacks(execute=True):
        newest = PostFactory(author=town.ana, body="one more")
    # then every page is the pull page, and the timeline keeps the newest 3
    assert _flat(pages) == town.expected
    assert pages == pulled
    assert _timeline(town.reader) == [newest.pk, *town.expected[:2]]


def test_authors_with_too_many_followers_are_read_from_the_database(town, settings, django_capture_on_commit_callbacks):
    # given Ana with 2 followers, over a limit of 1, and the reader's timeline built
    settings.TIMELINE_FAN_OUT_LIMIT = 1
    FollowFactory(followee=town.ana)
    _pages(town.reader, 20)
    # when Ana posts
    with django_capture_on_commit_callbacks(execute=True):
        post = PostFactory(author=town.ana, body="to the many")
    # then it is not pushed, yet it heads the reader's feed, and every page is the pull page
    assert post.pk not in _timeline(town.reader)
    assert _flat(_pages(town.reader, 3)) == [post.pk, *town.expected]
    assert _pages(town.reader, 3) == _pull_pages(town.reader, 3, settings)


def test_without_a_working_redis_the_feed_is_the_pull_query(town, settings):
    # given Redis that does not answer (nothing listens on the discard port)
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    # when / then
    assert _flat(_pages(town.reader, 4)) == town.expected


def test_a_timeline_page_costs_the_same_queries_for_5_and_15_posts(town, django_assert_num_queries):
    # given a reader whose timeline is built
    _pages(town.reader, 20)
    for size in (5, 15):
        # when
        with django_assert_num_queries(TIMELINE_PAGE_QUERIES):
            page = repositories.following_feed(town.reader, size=size)
        # then
        assert [post.pk for post in page.items] == town.expected[:size]


# The follow-list fingerprint, then what the pull page costs: the page, its pictures, and the
# reader's likes, saves and reposts (no reposts in the town: no originals to look at).
TIMELINE_PAGE_QUERIES = 6
