"""notify() and its neighbours: who is told what, grouping, withdrawing, reading, preferences,
and that nothing leaves before the caller's transaction commits. Inboxes are written after
commit, so these tests commit for real."""

import pytest
from django.db import transaction

from core.exceptions import NotFound, ValidationFailed
from notifications import repositories
from notifications.models import Notification, NotificationActor, Preference
from notifications.services.inbox import mark_all_read, mark_read, notify
from notifications.services.preferences import set_preferences
from posts.models import Comment
from posts.services import (
    add_comment,
    create_post,
    delete_comment,
    delete_post,
    like_post,
    repost,
    undo_repost,
    unlike_post,
)
from tests.posts.factories import PostFactory
from tests.users.factories import UserFactory
from users.services.relations import block_user, follow_user, unfollow_user

pytestmark = pytest.mark.django_db(transaction=True)


def inbox(user) -> list[tuple[str, str, int]]:
    """(kind, text, actors) of the user's notifications, newest first."""
    return [(n.kind, n.text, n.actors_count) for n in repositories.inbox_of(user)]


def test_a_like_tells_the_author_with_a_link_and_an_excerpt(ana, bob):
    # given
    post = PostFactory(author=ana, body="Sunrise over the bay")
    # when
    like_post(post=post, user=bob)
    # then
    notification = Notification.objects.get(recipient=ana)
    assert (notification.kind, notification.text, notification.actor) == ("like", "Bob liked your post", bob)
    assert notification.data == {"url": f"/p/{post.pk}/", "excerpt": "Sunrise over the bay"}
    assert notification.read_at is None
    assert repositories.unread_count(ana.pk) == 1


def test_likes_of_one_post_are_grouped_with_each_person_counted_once(ana, bob, carol):
    # given
    post = PostFactory(author=ana)
    dave = UserFactory(profile__display_name="Dave")
    like_post(post=post, user=bob)
    first = Notification.objects.get(recipient=ana)
    # when carol and dave like it, and bob takes his like back and likes again
    like_post(post=post, user=carol)
    like_post(post=post, user=dave)
    unlike_post(post=post, user=bob)
    like_post(post=post, user=bob)
    # then one notification, re-issued under a new id, names the latest and counts three
    assert inbox(ana) == [("like", "Bob and 2 others liked your post", 3)]
    assert Notification.objects.get(recipient=ana).pk > first.pk
    assert NotificationActor.objects.filter(notification__recipient=ana).count() == 3


def test_two_people_read_as_one_other(ana, bob, carol):
    # given
    post = PostFactory(author=ana)
    # when
    like_post(post=post, user=bob)
    like_post(post=post, user=carol)
    # then
    assert inbox(ana) == [("like", "Carol and 1 other liked your post", 2)]


def test_a_read_group_is_closed_and_the_next_like_opens_a_new_one(ana, bob, carol):
    # given
    post = PostFactory(author=ana)
    like_post(post=post, user=bob)
    mark_all_read(user=ana)
    # when
    like_post(post=post, user=carol)
    # then
    assert inbox(ana) == [("like", "Carol liked your post", 1), ("like", "Bob liked your post", 1)]
    assert repositories.unread_count(ana.pk) == 1


def test_likes_of_different_posts_are_not_grouped(ana, bob):
    # given
    first, second = PostFactory(author=ana), PostFactory(author=ana)
    # when
    like_post(post=first, user=bob)
    like_post(post=second, user=bob)
    # then
    assert inbox(ana) == [("like", "Bob liked your post", 1), ("like", "Bob liked your post", 1)]


def test_an_unlike_by_the_only_liker_removes_the_notification(ana, bob):
    # given
    post = PostFactory(author=ana)
    like_post(post=post, user=bob)
    # when
    unlike_post(post=post, user=bob)
    # then
    assert inbox(ana) == []


def test_an_unlike_names_the_latest_remaining_liker(ana, bob, carol):
    # given
    post = PostFactory(author=ana)
    like_post(post=post, user=bob)
    like_post(post=post, user=carol)
    # when
    unlike_post(post=post, user=carol)
    # then
    assert inbox(ana) == [("like", "Bob liked your post", 1)]


def test_nobody_is_told_about_their_own_actions(ana):
    # given
    post = PostFactory(author=ana)
    # when
    like_post(post=post, user=ana)
    add_comment(post=post, by=ana, body="Me again")
    # then
    assert inbox(ana) == []


def test_nobody_hears_from_someone_on_either_side_of_a_block(ana, bob, carol):
    # given ana blocked bob, and carol was blocked by ana
    block_user(blocker=ana, blocked=bob)
    block_user(blocker=carol, blocked=ana)
    # when each would notify the other
    notify(recipient=ana, kind="follow", actor=bob)
    notify(recipient=bob, kind="follow", actor=ana)
    notify(recipient=ana, kind="follow", actor=carol)
    # then
    assert Notification.objects.count() == 0


def test_a_block_removes_what_the_blocked_person_did(ana, bob, carol):
    # given bob and carol liked ana's post, and bob followed her
    post = PostFactory(author=ana)
    like_post(post=post, user=carol)
    like_post(post=post, user=bob)
    follow_user(follower=bob, followee=ana)
    # when ana blocks bob
    block_user(blocker=ana, blocked=bob)
    # then only carol's like is left
    assert inbox(ana) == [("like", "Carol liked your post", 1)]


def test_follows_are_grouped_and_an_unfollow_withdraws(ana, bob, carol):
    # given
    follow_user(follower=bob, followee=ana)
    follow_user(follower=carol, followee=ana)
    assert inbox(ana) == [("follow", "Carol and 1 other started following you", 2)]
    # when
    unfollow_user(follower=carol, followee=ana)
    # then
    assert inbox(ana) == [("follow", "Bob started following you", 1)]
    assert Notification.objects.get(recipient=ana).data == {"url": "/u/ana/followers/"}


def test_comments_tell_the_author_and_replies_tell_the_replied_to(ana, bob, carol):
    # given ana's post, commented by bob
    post = PostFactory(author=ana)
    comment = add_comment(post=post, by=bob, body="Lovely")
    # when carol replies to bob
    reply = add_comment(post=post, by=carol, body="Agreed!", parent=comment)
    # then bob hears of the reply; ana of both comments, grouped
    assert inbox(bob) == [("reply", "Carol replied to your comment", 1)]
    assert inbox(ana) == [("comment", "Carol and 1 other commented on your post", 2)]
    assert Notification.objects.get(recipient=bob).data == {
        "url": f"/p/{post.pk}/#comment-{comment.pk}",
        "excerpt": "Agreed!",
    }
    # and deleting the reply takes its notification away
    delete_comment(comment=reply, by=carol)
    assert inbox(bob) == []


def test_a_reply_to_the_posts_author_is_told_once(ana, bob):
    # given
    post = PostFactory(author=ana)
    comment = add_comment(post=post, by=ana, body="First!")
    # when
    add_comment(post=post, by=bob, body="Second", parent=comment)
    # then
    assert inbox(ana) == [("reply", "Bob replied to your comment", 1)]


def test_mentions_tell_those_who_may_see_the_post(ana, bob, carol):
    # given bob follows ana; carol does not
    follow_user(follower=bob, followee=ana)
    # when ana mentions both in a followers-only post, and then in a public one
    create_post(author=ana, kind="text", body="Hi @bob and @carol", visibility="followers")
    create_post(author=ana, kind="text", body="Again @bob @carol @ana")
    # then bob hears twice, carol only of the public one, ana not of herself
    assert inbox(bob) == [("mention", "Ana mentioned you", 1), ("mention", "Ana mentioned you", 1)]
    assert inbox(carol) == [("mention", "Ana mentioned you", 1)]


def test_a_mention_in_a_comment_tells_the_mentioned(ana, bob, carol):
    # given
    post = PostFactory(author=ana)
    # when
    add_comment(post=post, by=bob, body="@carol look at this")
    # then
    assert inbox(carol) == [("mention", "Bob mentioned you", 1)]


def test_reposts_are_grouped_and_quotes_stand_alone(ana, bob, carol):
    # given
    post = PostFactory(author=ana)
    # when
    repost(post=post, by=bob)
    repost(post=post, by=carol)
    repost(post=post, by=carol, body="So true")
    # then
    assert inbox(ana) == [
        ("quote", "Carol quoted your post", 1),
        ("repost", "Carol and 1 other reposted your post", 2),
    ]
    # and undoing a repost withdraws it
    undo_repost(post=post, by=carol)
    assert inbox(ana)[1] == ("repost", "Bob reposted your post", 1)


def test_deleting_a_post_forgets_every_notification_about_it_and_its_comments(ana, bob, carol):
    # given
    post = PostFactory(author=carol)
    like_post(post=post, user=ana)
    comment = add_comment(post=post, by=ana, body="Hey")
    add_comment(post=post, by=bob, body="Ho", parent=comment)
    # when
    delete_post(post=post, by=carol)
    # then
    assert Notification.objects.count() == 0
    assert Comment.objects.count() == 0


def test_nothing_is_delivered_before_commit_and_a_rollback_leaves_nothing(ana, bob, django_capture_on_commit_callbacks):
    # given
    post = PostFactory(author=ana)

    class Abort(Exception):
        pass

    # when the like's transaction rolls back
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(Abort), transaction.atomic():
        like_post(post=post, user=bob)
        raise Abort
    # then
    assert Notification.objects.count() == 0
    assert callbacks == []


def test_mark_read_only_reaches_ones_own_notifications(ana, bob):
    # given
    post = PostFactory(author=ana)
    like_post(post=post, user=bob)
    notification = Notification.objects.get()
    # when / then
    with pytest.raises(NotFound):
        mark_read(user=bob, notification_id=notification.pk)
    assert Notification.objects.get().read_at is None
    mark_read(user=ana, notification_id=notification.pk)
    assert Notification.objects.get().read_at is not None
    assert repositories.unread_count(ana.pk) == 0


def test_mark_all_read_up_to_leaves_newer_ones_unread(ana, bob, carol):
    # given
    first, second = PostFactory(author=ana), PostFactory(author=ana)
    like_post(post=first, user=bob)
    seen = Notification.objects.get()
    like_post(post=second, user=carol)
    # when
    changed = mark_all_read(user=ana, up_to=seen.pk)
    # then
    assert changed == 1
    assert repositories.unread_count(ana.pk) == 1


def test_turning_every_channel_off_stores_nothing(ana, bob):
    # given
    set_preferences(user=ana, choices={"like": {"in_app": False, "push": False, "email": False, "sms": False}})
    # when
    like_post(post=PostFactory(author=ana), user=bob)
    # then
    assert Notification.objects.count() == 0


def test_without_in_app_a_notification_is_kept_read_and_never_rings_the_bell(ana, bob):
    # given
    set_preferences(user=ana, choices={"follow": {"in_app": False}})
    # when
    follow_user(follower=bob, followee=ana)
    # then
    assert Notification.objects.get(recipient=ana).read_at is not None
    assert repositories.unread_count(ana.pk) == 0


def test_preferences_start_from_the_kinds_defaults(ana):
    # given
    set_preferences(
        user=ana, choices={"like": {"email": True, "push": False}}, email_digest=True, phone="+49 151 1234 5678"
    )
    # when
    chosen = dict((kind.name, switches) for kind, switches in repositories.preferences_of(ana))
    # then
    assert chosen["like"] == {"in_app": True, "email": True, "push": False, "sms": False}
    assert chosen["mention"] == {"in_app": True, "email": True, "push": True, "sms": False}
    settings = repositories.delivery_settings_of(ana.pk)
    assert (settings.email_digest, settings.phone) == (True, "+4915112345678")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"choices": {"nonsense": {"email": True}}}, "preferences"),
        ({"choices": {"like": {"pigeon": True}}}, "preferences"),
        ({"phone": "call me maybe"}, "phone"),
        ({"phone": "+12"}, "phone"),
        ({"phone": "+٤٩١٥١١٢٣٤٥٦٧٨"}, "phone"),  # Arabic-Indic digits pass str.isdigit()
        ({"phone": "+４９１５１１２３４５６７８"}, "phone"),
    ],
)
def test_bad_preferences_are_refused_and_change_nothing(ana, changes, field):
    # when
    with pytest.raises(ValidationFailed) as refused:
        set_preferences(user=ana, email_digest=True, **changes)
    # then
    assert list(refused.value.fields) == [field]
    assert Preference.objects.count() == 0
    assert repositories.delivery_settings_of(ana.pk).email_digest is False


def test_an_inactive_recipient_is_not_notified(ana, bob):
    # given
    ana.is_active = False
    ana.save()
    # when
    notify(recipient=ana, kind="follow", actor=bob)
    # then
    assert Notification.objects.count() == 0
