"""'Delete my account': scheduling it (password and 2FA code again), hiding the account at once,
cancelling it by logging in during the grace period, and the erasure after it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.exceptions import Conflict, NotFound, ValidationFailed
from posts.models import Comment, Post
from posts.repositories import get_post_for
from tests.posts.factories import PostFactory, picture
from tests.users.factories import PASSWORD, enable_two_factor
from tests.users.people import media_files, person_with_everything
from tests.videos.clips import needs_ffmpeg
from users.models import User
from users.repositories import get_profile_for, with_card_data
from users.services.deletion import (
    cancel_account_deletion,
    erase_account,
    erase_due_accounts,
    schedule_account_deletion,
)
from users.services.profiles import set_avatar
from users.services.your_data import request_data_export

pytestmark = pytest.mark.django_db


def _rows_of(user) -> dict[str, int]:
    """How many rows of every model (join tables included) point at `user` through a foreign
    key or one-to-one field, by model and field; only those that have any."""
    counts = {}
    user_model = apps.get_model(django_settings.AUTH_USER_MODEL)
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model is user_model:
                count = model._default_manager.filter(**{field.name: user.pk}).count()
                if count:
                    counts[f"{model._meta.label}.{field.name}"] = count
    return counts


# --- Scheduling ---------------------------------------------------------------------------------


def test_scheduling_hides_the_account_and_its_posts_at_once(ana, bob):
    # given
    post = PostFactory(author=ana)
    # when
    due = schedule_account_deletion(user=ana, password=PASSWORD)
    # then
    ana.refresh_from_db()
    assert (ana.is_active, ana.deletion_due_at) == (False, due)
    assert timedelta(days=13, hours=23) < due - timezone.now() <= timedelta(days=14)
    with pytest.raises(NotFound):
        get_profile_for(bob, "ana")
    with pytest.raises(NotFound):
        get_post_for(bob, post.pk)
    assert Post.objects.visible_to(None).count() == 0


def test_a_wrong_password_changes_nothing(ana):
    # when
    with pytest.raises(ValidationFailed) as wrong:
        schedule_account_deletion(user=ana, password="not it at all")
    # then
    ana.refresh_from_db()
    assert (wrong.value.code, wrong.value.fields) == ("wrong_password", {"password": ["Your password is wrong."]})
    assert (ana.is_active, ana.deletion_due_at) == (True, None)


def test_with_two_factor_the_code_is_needed_too(ana):
    # given
    enable_two_factor(ana)
    # when
    with pytest.raises(ValidationFailed) as missing:
        schedule_account_deletion(user=ana, password=PASSWORD)
    # then
    ana.refresh_from_db()
    assert (missing.value.code, list(missing.value.fields)) == ("otp_required", ["code"])
    assert ana.is_active is True


def test_the_page_logs_out_everywhere(client, ana):
    # given
    elsewhere = client.__class__()
    elsewhere.force_login(ana)
    client.force_login(ana)
    # when
    response = client.post(reverse("users:delete_account"), {"password": PASSWORD})
    # then
    assert response.status_code == 302
    assert client.get(reverse("users:your_data")).status_code == 302  # to the login page
    assert elsewhere.get(reverse("users:your_data")).status_code == 302
    assert User.objects.get(pk=ana.pk).deletion_due_at is not None


def test_the_page_shows_a_wrong_password_on_the_form(client, ana):
    # given
    client.force_login(ana)
    # when
    response = client.post(reverse("users:delete_account"), {"password": "nope"})
    # then
    assert response.status_code == 200
    assert b"Your password is wrong." in response.content
    assert User.objects.get(pk=ana.pk).is_active is True


# --- Cancelling by logging in --------------------------------------------------------------------


def test_logging_in_during_the_grace_period_offers_to_cancel_and_restores_everything(client, ana, bob):
    # given
    post = PostFactory(author=ana)
    due = schedule_account_deletion(user=ana, password=PASSWORD)
    # when
    login = client.post(reverse("users:login"), {"identifier": "ana", "password": PASSWORD})
    offer = client.get(reverse("users:restore_account"))
    restored = client.post(reverse("users:restore_account"))
    # then
    assert (login.status_code, login["Location"]) == (302, reverse("users:restore_account"))
    assert f"It will be erased on {due:%-d %B %Y}".encode() in offer.content
    assert b"Cancel the deletion and log in" in offer.content
    assert restored.status_code == 302
    ana.refresh_from_db()
    assert (ana.is_active, ana.deletion_due_at) == (True, None)
    assert get_post_for(bob, post.pk) == post
    assert client.get(reverse("users:your_data")).status_code == 200  # logged in


def test_a_wrong_password_during_the_grace_period_offers_nothing(client, ana):
    # given
    schedule_account_deletion(user=ana, password=PASSWORD)
    # when
    login = client.post(reverse("users:login"), {"identifier": "ana", "password": "wrong password"})
    offer = client.get(reverse("users:restore_account"))
    # then
    assert login.status_code == 200
    assert b"Wrong email/username or password." in login.content
    assert offer["Location"] == reverse("users:login")


def test_cancelling_with_two_factor_needs_the_code(ana):
    # given
    enable_two_factor(ana)
    due = timezone.now() + timedelta(days=3)
    User.objects.filter(pk=ana.pk).update(is_active=False, deletion_due_at=due)
    # when
    with pytest.raises(ValidationFailed) as wrong:
        cancel_account_deletion(user=ana, code="000000")
    # then
    ana.refresh_from_db()
    assert wrong.value.code == "otp_invalid"
    assert (ana.is_active, ana.deletion_due_at) == (False, due)


def test_a_deactivated_account_cannot_be_restored(ana):
    # given: moderation, not a deletion
    User.objects.filter(pk=ana.pk).update(is_active=False)
    # when
    with pytest.raises(Conflict):
        cancel_account_deletion(user=ana)
    # then
    assert User.objects.get(pk=ana.pk).is_active is False


def test_the_api_tells_a_client_the_account_is_scheduled(api_client, ana):
    # given
    schedule_account_deletion(user=ana, password=PASSWORD)
    # when
    response = api_client.post("/api/auth/token/", {"identifier": "ana", "password": PASSWORD})
    # then
    assert response.status_code == 403
    assert response.json()["code"] == "deletion_scheduled"


def test_once_the_time_is_up_it_is_too_late_to_cancel(ana):
    # given an account whose grace period ended (the erasure may be running)
    User.objects.filter(pk=ana.pk).update(is_active=False, deletion_due_at=timezone.now() - timedelta(seconds=1))
    # when
    with pytest.raises(Conflict) as late:
        cancel_account_deletion(user=ana)
    # then
    assert late.value.code == "not_scheduled"
    assert User.objects.get(pk=ana.pk).is_active is False


def test_api_cancels_the_deletion_and_logs_in(api_client, ana):
    # given
    schedule_account_deletion(user=ana, password=PASSWORD)
    # when
    response = api_client.post("/api/auth/restore/", {"identifier": "ana", "password": PASSWORD}, format="json")
    # then
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    ana.refresh_from_db()
    assert (ana.is_active, ana.deletion_due_at) == (True, None)


@pytest.mark.parametrize(
    ("scheduled", "body", "status", "code"),
    [
        (True, {"identifier": "ana", "password": "wrong password"}, 401, "invalid_credentials"),
        (True, {"identifier": "ana"}, 400, "invalid"),
        (True, {"identifier": "nobody", "password": PASSWORD}, 401, "invalid_credentials"),
        (False, {"identifier": "ana", "password": PASSWORD}, 409, "not_scheduled"),
    ],
)
def test_api_restore_refuses_and_changes_nothing(api_client, ana, scheduled, body, status, code):
    # given
    if scheduled:
        schedule_account_deletion(user=ana, password=PASSWORD)
    before = User.objects.filter(pk=ana.pk).values_list("is_active", "deletion_due_at").get()
    # when
    response = api_client.post("/api/auth/restore/", body, format="json")
    # then
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert set(response.json()) == {"code", "message", "fields"}
    assert User.objects.filter(pk=ana.pk).values_list("is_active", "deletion_due_at").get() == before


# --- API ----------------------------------------------------------------------------------------


def test_api_schedules_the_deletion(auth_client):
    # when
    response = auth_client.post("/api/me/deletion/", {"password": PASSWORD}, format="json")
    # then
    user = User.objects.get(pk=auth_client.user.pk)
    assert response.status_code == 202
    assert response.json()["deletion_due_at"] == user.deletion_due_at.isoformat().replace("+00:00", "Z")
    assert user.is_active is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "password"),
        ({"password": ""}, "password"),
        ({"password": ["x"]}, "password"),
        ({"password": "no"}, "password"),
    ],
)
def test_api_refuses_bad_input_and_changes_nothing(auth_client, body, field):
    # when
    response = auth_client.post("/api/me/deletion/", body, format="json")
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "fields"}
    assert list(response.json()["fields"]) == [field]
    assert User.objects.get(pk=auth_client.user.pk).is_active is True


# --- Erasure ------------------------------------------------------------------------------------


def test_only_accounts_past_their_grace_period_are_erased(ana, bob, carol):
    # given
    User.objects.filter(pk=ana.pk).update(is_active=False, deletion_due_at=timezone.now() - timedelta(seconds=1))
    User.objects.filter(pk=bob.pk).update(is_active=False, deletion_due_at=timezone.now() + timedelta(days=1))
    User.objects.filter(pk=carol.pk).update(is_active=False)  # deactivated by a moderator
    # when
    erased = erase_due_accounts()
    # then
    assert erased == 1
    assert set(User.objects.values_list("username", flat=True)) == {"bob", "carol"}


@needs_ffmpeg
def test_erasing_leaves_no_row_and_no_file_of_theirs_and_puts_counters_right(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    # given
    them = person_with_everything(tmp_path)
    ana, bob = them.person, them.bob
    set_avatar(user=bob, upload=picture("bob.jpg"))
    bobs_pictures = PostFactory(author=bob, kind=Post.Kind.IMAGE, body="Mine", images=[picture("c.jpg")])
    with django_capture_on_commit_callbacks(execute=True):
        request_data_export(user=ana)
    bob.profile.refresh_from_db()
    others_files = {bob.profile.avatar.name, bob.profile.avatar_small.name}
    others_files |= {name for image in bobs_pictures.images.all() for name in (image.image.name, image.thumbnail.name)}
    before = media_files(settings.MEDIA_ROOT)
    rows_before = _rows_of(ana)
    assert others_files < before and len(before - others_files) >= 10
    assert set(rows_before) >= {
        "users.Profile.user", "users.Follow.follower", "users.Follow.followee", "users.Block.blocker",
        "users.DataExport.user", "posts.Post.author", "posts.Like.user", "posts.Save.user", "posts.Comment.author",
        "posts.Post_mentions.user", "videos.Video.owner", "videos.Upload.owner", "videos.WatchEvent.user",
        "notifications.Notification.recipient", "notifications.Notification.actor",
        "notifications.NotificationActor.actor", "notifications.Preference.user",
        "notifications.DeliverySettings.user", "notifications.PushSubscription.user",
    }  # fmt: skip
    # when
    with django_capture_on_commit_callbacks(execute=True):
        erase_account(user=ana)
    # then
    assert _rows_of(ana) == {}
    assert not User.objects.filter(pk=ana.pk).exists()
    assert media_files(settings.MEDIA_ROOT) == others_files
    counts = {
        post.pk: (post.likes_count, post.saves_count, post.reposts_count, post.comments_count)
        for post in Post.objects.all()
    }
    assert counts == {
        them.bobs_post.pk: (0, 0, 0, 0),
        them.carols_post.pk: (0, 0, 0, 1),
        bobs_pictures.pk: (0, 0, 0, 0),
    }
    assert Comment.objects.get(post=them.carols_post).replies_count == 0
    cards = {
        user.username: (user.followers_count, user.following_count) for user in with_card_data(User.objects.all(), None)
    }
    assert cards == {"bob": (0, 0), "carol": (0, 0), "dave": (0, 0)}
    assert bob.notifications.count() == 0  # the like only Ana was in went with her
