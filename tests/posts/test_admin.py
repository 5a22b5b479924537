"""Moderation in the admin: hiding goes through services.set_hidden, deleting through the
delete services, so counters, reposts and files stay right."""

import pytest
from django.urls import reverse

from core.media import signed_url
from posts import repositories, services
from posts.models import Comment, Post
from tests.posts.factories import PostFactory, picture
from tests.posts.helpers import stored_files
from tests.users.factories import UserFactory

CHANGELIST = reverse("admin:posts_post_changelist")


@pytest.fixture
def moderator(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _latest_ids(viewer) -> list[int]:
    return [post.pk for post in repositories.latest_feed(viewer).items]


def test_hide_and_unhide_actions(moderator, ana, bob):
    # given
    hidden, kept = PostFactory(author=ana), PostFactory(author=ana)
    # when
    response = moderator.post(CHANGELIST, {"action": "hide", "_selected_action": [hidden.pk]}, follow=True)
    # then others no longer see it, its author still does
    assert response.status_code == 200
    assert "Hid 1 posts." in [str(message) for message in response.context["messages"]]
    assert _latest_ids(bob) == [kept.pk]
    assert _latest_ids(ana) == [kept.pk, hidden.pk]
    # and showing it again brings it back
    moderator.post(CHANGELIST, {"action": "unhide", "_selected_action": [hidden.pk]})
    assert _latest_ids(bob) == [kept.pk, hidden.pk]


def test_hiding_from_the_change_page(moderator, ana, bob):
    # given
    post = PostFactory(author=ana, body="Original")
    # when the moderator ticks "hidden" and saves
    form = {"is_hidden": "on", "images-TOTAL_FORMS": 0, "images-INITIAL_FORMS": 0}  # with the pictures inline's
    response = moderator.post(reverse("admin:posts_post_change", args=[post.pk]), form)
    # then only the flag changed
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.is_hidden, post.body, post.visibility) == (True, "Original", "public")
    assert _latest_ids(bob) == []


def test_the_moderator_sees_a_posts_pictures_by_signed_addresses(moderator, ana):
    # given a followers-only picture post
    post = PostFactory(author=ana, kind="image", visibility="followers", images=[picture()])
    row = post.images.get()
    # when a moderator opens it in the admin
    page = moderator.get(reverse("admin:posts_post_change", args=[post.pk])).content.decode()
    # then the picture and its tile are linked by addresses that open them
    for name in (row.image.name, row.thumbnail.name):
        assert f'<a href="{signed_url(name)}">{name}</a>' in page
        assert moderator.get(signed_url(name)).status_code == 200


def test_deleting_a_post_goes_through_the_service(moderator, ana, bob, django_capture_on_commit_callbacks):
    # given a picture post with a plain repost and a quote
    post = PostFactory(author=ana, kind="image", body="", images=[picture()])
    services.repost(post=post, by=bob)
    quote = services.repost(post=post, by=bob, body="Quote")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = moderator.post(reverse("admin:posts_post_delete", args=[post.pk]), {"post": "yes"})
    # then the plain repost and the files went with it, the quote stays
    assert response.status_code == 302
    assert list(Post.objects.all()) == [quote]
    assert stored_files() == []


def test_bulk_delete_of_a_post_with_its_repost_keeps_counts_right(moderator, ana, bob):
    # given a quote and a plain repost of one post, and another post
    original = PostFactory(author=ana)
    plain = services.repost(post=original, by=bob)
    quote = services.repost(post=original, by=bob, body="Quote")
    other = PostFactory(author=ana)
    # when the moderator deletes the quote, the plain repost and the other post at once
    selected = [quote.pk, plain.pk, other.pk]
    response = moderator.post(CHANGELIST, {"action": "delete_selected", "_selected_action": selected, "post": "yes"})
    # then
    assert response.status_code == 302
    assert list(Post.objects.all()) == [original]
    original.refresh_from_db()
    assert original.reposts_count == 0


def test_deleting_a_comment_goes_through_the_service(moderator, ana, bob):
    # given a thread of a comment and a reply
    post = PostFactory(author=ana)
    root = services.add_comment(post=post, by=bob, body="Root")
    services.add_comment(post=post, by=ana, body="Reply", parent=root)
    # when
    response = moderator.post(reverse("admin:posts_comment_delete", args=[root.pk]), {"post": "yes"})
    # then
    assert response.status_code == 302
    assert Comment.objects.count() == 0
    post.refresh_from_db()
    assert post.comments_count == 0


def test_bulk_delete_of_a_comment_with_its_reply(moderator, ana, bob):
    # given
    post = PostFactory(author=ana)
    root = services.add_comment(post=post, by=bob, body="Root")
    reply = services.add_comment(post=post, by=ana, body="Reply", parent=root)
    services.add_comment(post=post, by=ana, body="Stays")
    # when both the comment and its reply are selected
    response = moderator.post(
        reverse("admin:posts_comment_changelist"),
        {"action": "delete_selected", "_selected_action": [root.pk, reply.pk], "post": "yes"},
    )
    # then
    assert response.status_code == 302
    assert list(Comment.objects.values_list("body", flat=True)) == ["Stays"]
    post.refresh_from_db()
    assert post.comments_count == 1
