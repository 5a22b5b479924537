"""Engagement counters under concurrent writers on a real server database: no lost updates."""

import pytest
from django.db import connection

from posts import services
from posts.models import Comment, Like, Post
from tests.posts.factories import PostFactory
from tests.services.test_races import run_together
from tests.users.factories import UserFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; needs MariaDB/MySQL"),
]


@pytest.mark.django_db(transaction=True)
def test_likes_arriving_together_are_all_counted():
    # given a post and eight readers
    post = PostFactory()
    readers = UserFactory.create_batch(8)

    # when all of them like it at the same instant
    outcomes = run_together(*(lambda reader=reader: services.like_post(post=post, user=reader) for reader in readers))

    # then every like counts once
    assert outcomes == [True] * 8
    post.refresh_from_db()
    assert post.likes_count == 8 == Like.objects.filter(post=post).count()


@pytest.mark.django_db(transaction=True)
def test_a_like_clicked_many_times_at_once_counts_once():
    # given a post and one reader
    post, reader = PostFactory(), UserFactory()

    # when the reader's like arrives six times at once
    outcomes = run_together(*(lambda: services.like_post(post=post, user=reader) for _ in range(6)))

    # then one like exists, one call made it, and none failed
    assert sorted(outcomes, key=str) == [False] * 5 + [True]
    post.refresh_from_db()
    assert post.likes_count == 1 == Like.objects.filter(post=post).count()


@pytest.mark.django_db(transaction=True)
def test_likes_and_unlikes_racing_leave_the_counter_equal_to_the_likes():
    # given a post four people like
    post = PostFactory()
    likers = UserFactory.create_batch(4)
    for liker in likers:
        services.like_post(post=post, user=liker)
    newcomers = UserFactory.create_batch(4)

    # when the four take their likes back while four others like, all at once
    calls = [lambda u=u: services.unlike_post(post=post, user=u) for u in likers]
    calls += [lambda u=u: services.like_post(post=post, user=u) for u in newcomers]
    outcomes = run_together(*calls)

    # then the counter is exactly the likes that remain
    assert outcomes == [True] * 8
    post.refresh_from_db()
    assert post.likes_count == 4 == Like.objects.filter(post=post).count()


@pytest.mark.django_db(transaction=True)
def test_comments_and_plain_reposts_racing_keep_their_counters():
    # given a post and six readers
    post = PostFactory()
    readers = UserFactory.create_batch(6)

    # when each comments and double-clicks "repost" at the same time
    calls = [lambda u=u: services.add_comment(post=post, by=u, body="first!") for u in readers]
    calls += [lambda u=u: services.repost(post=post, by=u) for u in readers for _ in range(2)]
    outcomes = run_together(*calls)

    # then six comments and six reposts, counted exactly
    assert not [o for o in outcomes if isinstance(o, Exception)]
    post.refresh_from_db()
    assert post.comments_count == 6 == Comment.objects.filter(post=post).count()
    assert post.reposts_count == 6 == Post.objects.filter(repost_of=post).count()
