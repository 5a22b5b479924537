"""Grouped notifications under concurrent writers on a real server database: people who act
at the same instant end up in one group, each counted once, and nothing fails."""

import pytest
from django.db import connection

from notifications.models import Notification, NotificationActor
from posts.services import like_post, unlike_post
from tests.posts.factories import PostFactory
from tests.services.test_races import run_together
from tests.users.factories import UserFactory
from users.services.relations import follow_user

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; needs MariaDB/MySQL"),
]


@pytest.mark.django_db(transaction=True)
def test_people_following_at_the_same_instant_form_one_group():
    # given someone and eight newcomers
    star = UserFactory()
    fans = UserFactory.create_batch(8)

    # when all eight follow at once
    outcomes = run_together(*(lambda fan=fan: follow_user(follower=fan, followee=star) for fan in fans))

    # then every follow made it, and one unread notification counts all eight
    assert outcomes == [True] * 8
    notification = Notification.objects.get(recipient=star)
    assert (notification.kind, notification.actors_count, notification.read_at) == ("follow", 8, None)
    assert NotificationActor.objects.filter(notification=notification).count() == 8


@pytest.mark.django_db(transaction=True)
def test_likes_and_unlikes_racing_leave_one_group_of_the_likers_left():
    # given a post four people like
    post = PostFactory()
    likers, newcomers = UserFactory.create_batch(4), UserFactory.create_batch(4)
    for liker in likers:
        like_post(post=post, user=liker)

    # when the four take their likes back while four others like, all at once
    calls = [lambda u=u: unlike_post(post=post, user=u) for u in likers]
    calls += [lambda u=u: like_post(post=post, user=u) for u in newcomers]
    outcomes = run_together(*calls)

    # then the author's one like notification counts exactly the four newcomers
    assert outcomes == [True] * 8
    notification = Notification.objects.get(recipient=post.author)
    actors = set(NotificationActor.objects.filter(notification=notification).values_list("actor_id", flat=True))
    assert (notification.actors_count, actors) == (4, {user.pk for user in newcomers})
