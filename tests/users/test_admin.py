"""Every model in the admin opens for a superuser: list, search, add (or a clean refusal), change, delete."""

import base64

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from notifications.services.devices import add_push_subscription
from notifications.services.preferences import set_preferences
from posts.services import add_comment
from tests.posts.factories import PostFactory
from tests.users.factories import BlockFactory, FollowFactory, UserFactory, enable_two_factor
from users.models import Block, EmailCode, Follow, Interest, Profile, RecoveryCode, TwoFactor, User
from users.services.accounts import issue_tokens, revoke_tokens
from users.services.profiles import update_profile
from videos.models import Upload, Video, WatchEvent

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.fixture
def one_of_everything(db, django_capture_on_commit_callbacks):
    """At least one row of every model the admin shows."""
    ana, bob = UserFactory(username="ana"), UserFactory(username="bob")
    update_profile(user=ana, display_name="Ana", bio="", location="", birth_date=None, interests=["music"])
    FollowFactory(follower=ana, followee=bob)
    BlockFactory(blocker=bob, blocked=UserFactory())
    now = timezone.now()
    EmailCode.objects.create(user=ana, purpose="signup", code_hash="x" * 64, expires_at=now)
    enable_two_factor(ana)
    issue_tokens(user=bob)
    issue_tokens(user=bob)
    revoke_tokens(user=bob)
    Group.objects.create(name="moderators")
    post = PostFactory(author=ana, body="Admin tour #tag")
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(post=post, by=bob, body="a comment")
    set_preferences(user=ana, choices={"like": {"email": True}}, phone="+4915112345678")
    add_push_subscription(
        user=ana,
        endpoint="https://fcm.googleapis.com/fcm/send/abc",
        p256dh=base64.urlsafe_b64encode(b"\x04" + b"k" * 64).decode().rstrip("="),
        auth=base64.urlsafe_b64encode(b"a" * 16).decode().rstrip("="),
    )
    Video.objects.create(
        owner=ana, caption="a clip", source="videos/x/source.mp4", state="failed", failure_reason="bad"
    )
    Upload.objects.create(owner=ana, filename="a.mp4", size=10)
    WatchEvent.objects.create(post=post, user=bob, viewer_key=f"user:{bob.pk}", watched_ms=1200, duration_ms=5000)


@pytest.fixture
def admin_client_(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_users_models_are_registered():
    # then
    for model in (User, Profile, Follow, Block, EmailCode, TwoFactor, RecoveryCode, Interest):
        assert admin.site.is_registered(model), model


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=[model._meta.label for model, _ in REGISTERED])
def test_every_registered_model_opens_in_the_admin(admin_client_, one_of_everything, model, model_admin):
    # given a row of the model
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"add a {model._meta.label} to the one_of_everything fixture"
    info = (model._meta.app_label, model._meta.model_name)
    # when the admin pages are opened
    changelist = admin_client_.get(reverse("admin:{}_{}_changelist".format(*info)))
    searched = admin_client_.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "a"})
    change = admin_client_.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    delete = admin_client_.get(reverse("admin:{}_{}_delete".format(*info), args=[obj.pk]))
    add = admin_client_.get(reverse("admin:{}_{}_add".format(*info)))
    # then each works (adding or deleting may be refused on purpose, never crash)
    assert changelist.status_code == 200
    assert searched.status_code == 200
    assert change.status_code == 200
    request = changelist.wsgi_request
    assert delete.status_code == (200 if model_admin.has_delete_permission(request, obj) else 403)
    assert add.status_code == (200 if model_admin.has_add_permission(request) else 403)


@pytest.mark.parametrize("model", [EmailCode, TwoFactor, RecoveryCode])
def test_secrets_are_not_shown_in_the_admin(admin_client_, one_of_everything, model):
    # given a row holding a hash or secret
    obj = model._default_manager.first()
    secret = getattr(obj, "secret", None) or obj.code_hash
    # when its page is opened
    response = admin_client_.get(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    )
    # then the secret is not on it
    assert response.status_code == 200
    assert secret.encode() not in response.content


def test_staff_without_superuser_cannot_open_the_admin_models(client, one_of_everything):
    # given a staff account with no permissions
    client.force_login(UserFactory(is_staff=True))
    # when / then
    assert client.get(reverse("admin:users_user_changelist")).status_code == 403


def test_the_deactivate_action_goes_through_the_service(admin_client_, api_client, db):
    # given two accounts, one with an API login
    ana, bob = UserFactory(username="ana"), UserFactory(username="bob")
    refresh = issue_tokens(user=ana)["refresh"]
    # when an admin deactivates both from the list
    response = admin_client_.post(
        reverse("admin:users_user_changelist"),
        {"action": "deactivate", "_selected_action": [ana.pk, bob.pk]},
        follow=True,
    )
    # then both are inactive, the message counts them, and ana's refresh token is revoked
    assert response.status_code == 200
    assert [str(message) for message in response.context["messages"]] == ["Deactivated 2 account(s)."]
    assert set(User.objects.filter(is_active=False).values_list("username", flat=True)) == {"ana", "bob"}
    assert OutstandingToken.objects.filter(user=ana, blacklistedtoken__isnull=True).count() == 0
    assert api_client.post("/api/auth/token/refresh/", {"refresh": refresh}).status_code == 401
