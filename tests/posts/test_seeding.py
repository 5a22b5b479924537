"""Posts' seeders: the demo town's posts, pictures, likes, comments, reposts and saves, made
through the services (so every counter is what its rows say); bulk data at a tiny scale, exact
in its counts and consistent in its counters and scores."""

import math
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.utils import timezone

from core import seeding
from posts import repositories, text
from posts.models import Comment, Hashtag, Like, Post, PostImage, Save
from posts.seeding import COMMENTS, PICTURE_POSTS, REPOSTS, SAVES, TEXT_POSTS, WEEKS
from posts.strategies.ranking import WEIGHTS, initial_hot_score
from users.models import Follow, Profile, User
from users.seeding import BULK_PREFIX, PEOPLE


@pytest.fixture(autouse=True)
def _without_videos():
    # These tests are about posts; the videos app's seeder (real transcodes, tested in
    # tests/videos/test_seeding.py) sits out, so each seed_demo here takes a second, not five.
    videos = seeding.SEEDERS["videos"]
    seeding.SEEDERS.unregister("videos")
    yield
    seeding.SEEDERS.register(videos)


def _counters_match_rows() -> bool:
    rows = Post.objects.annotate(
        like_rows=Count("likes", distinct=True),
        comment_rows=Count("comments", distinct=True),
        save_rows=Count("saves", distinct=True),
        repost_rows=Count("reposts", distinct=True),
    )
    return all(
        (post.likes_count, post.comments_count, post.saves_count, post.reposts_count)
        == (post.like_rows, post.comment_rows, post.save_rows, post.repost_rows)
        for post in rows
    )


def test_the_demo_town_posts_and_engages_through_the_services(db):
    # when
    call_command("seed_demo", force=True)
    # then every demo person, their posts, pictures, comments with replies, reposts and saves
    replies = sum(len(entry[3]) for entry in COMMENTS)
    assert User.objects.count() == len(PEOPLE)
    assert Post.objects.count() == len(TEXT_POSTS) + len(PICTURE_POSTS) + len(REPOSTS)
    assert Post.objects.filter(kind="image").count() == len(PICTURE_POSTS)
    assert PostImage.objects.count() == sum(len(entry[3]) for entry in PICTURE_POSTS)
    assert Comment.objects.count() == len(COMMENTS) + replies
    assert Comment.objects.exclude(parent=None).count() == replies
    assert Post.objects.exclude(repost_of=None).count() == len(REPOSTS)
    assert Save.objects.count() == len(SAVES)
    assert Like.objects.count() > 0
    assert _counters_match_rows()
    # hashtags and mentions are linked from the text
    tagged = sum("#photography" in entry[1] for entry in TEXT_POSTS + PICTURE_POSTS)
    assert Hashtag.objects.get(name="photography").posts.count() == tagged
    assert list(Post.objects.get(body__startswith="Sent my first 7a").mentions.values_list("username", flat=True)) == [
        "kofi"
    ]


def test_demo_posts_are_spread_over_four_days_in_the_feed(db):
    # given
    call_command("seed_demo", force=True)
    demo = User.objects.get(username="demo")
    # when
    feed = repositories.following_feed(demo, size=100).items
    # then newest first, the oldest four days back, scores re-derived from the moved dates
    ages = [timezone.now() - post.created_at for post in feed]
    assert ages == sorted(ages)
    assert timedelta(hours=94) < ages[-1] < timedelta(hours=97)
    assert all(math.isclose(post.hot_score, _hot_score(post), rel_tol=1e-12) for post in Post.objects.all())


def _hot_score(post: Post) -> float:
    engagement = sum(weight * getattr(post, field) for field, weight in WEIGHTS.items())
    return initial_hot_score(post.created_at) + math.log10(max(engagement, 1))


def test_seeding_the_demo_again_adds_nothing(db):
    # given
    call_command("seed_demo", force=True)
    before = (User.objects.count(), Post.objects.count(), Like.objects.count(), Comment.objects.count())
    # when
    call_command("seed_demo", force=True)
    # then
    assert (User.objects.count(), Post.objects.count(), Like.objects.count(), Comment.objects.count()) == before


def test_bulk_data_has_exact_volumes_and_consistent_counters(db):
    # when
    call_command("seed_demo", force=True, users=30, posts=200, follows=5)
    # then 30 accounts with profiles, each following 5 others
    bulk = User.objects.filter(username__startswith=BULK_PREFIX)
    assert bulk.filter(is_active=True, email_verified=True).count() == 30
    assert Profile.objects.filter(user__in=bulk).count() == 30
    following = Counter(Follow.objects.values_list("follower_id", flat=True))
    assert sorted(following) == sorted(bulk.values_list("pk", flat=True))
    assert set(following.values()) == {5}
    assert not Follow.objects.filter(follower=F("followee")).exists()
    # 200 posts over eight weeks, ids in the order of time, counters and scores as the services keep them
    posts = list(Post.objects.order_by("pk"))
    assert len(posts) == 200
    assert [post.created_at for post in posts] == sorted(post.created_at for post in posts)
    assert timedelta(weeks=WEEKS) <= timezone.now() - posts[0].created_at < timedelta(weeks=WEEKS, minutes=1)
    assert {post.visibility for post in posts} <= {"public", "followers", "private"}
    assert _counters_match_rows()
    assert all(math.isclose(post.hot_score, _hot_score(post), rel_tol=1e-12) for post in posts)
    assert Post.hashtags.through.objects.count() == sum(len(text.hashtags_in(post.body)) for post in posts)


def test_bulk_data_goes_into_a_fresh_database_only(db):
    # given
    call_command("seed_demo", force=True, scale=10)
    # when / then
    with pytest.raises(CommandError, match="fresh database"):
        call_command("seed_demo", force=True, scale=10)
    assert (User.objects.count(), Follow.objects.count(), Post.objects.count()) == (10, 90, 100)


def test_a_bulk_account_reads_its_followees_posts(db):
    # given
    call_command("seed_demo", force=True, users=20, posts=300, follows=3)
    reader = User.objects.filter(username__startswith=BULK_PREFIX).first()
    followees = set(Follow.objects.filter(follower=reader).values_list("followee_id", flat=True))
    # when
    feed = repositories.following_feed(reader, size=100).items
    # then only theirs and the reader's own, all the reader may see
    assert {post.author_id for post in feed} <= followees | {reader.pk}
    mine_or_theirs = Post.objects.filter(author__in=followees | {reader.pk}).exclude(visibility="private")
    assert len(feed) == mine_or_theirs.count() + Post.objects.filter(author=reader, visibility="private").count()
