"""The server-rendered pages of the users app: access, the full sign-up-to-block flow,
errors next to their fields, rate limits and query counts of the lists."""

import io
import re

import pyotp
import pytest
from django.core import mail
from django.urls import reverse
from PIL import Image

from tests.users.factories import PASSWORD, BlockFactory, FollowFactory, UserFactory
from users.models import Block, Follow, Profile, TwoFactor, User
from users.profile_sections import PROFILE_SECTIONS, ProfileSection
from users.services.codes import CODE_REFUSED

pytestmark = pytest.mark.django_db


def png_upload(name="me.png", size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def field_error(field: str, message: str) -> str:
    """The HTML of an error shown right under the input it belongs to."""
    return f'<div class="invalid-feedback d-block" id="id_{field}_error">{message}</div>'


@pytest.fixture
def member(client):
    user = UserFactory(username="member")
    client.force_login(user)
    return user


# --- Access -------------------------------------------------------------------------------------

PUBLIC_PAGES = [
    "home",
    "users:signup",
    "users:signup_confirm",
    "users:login",
    "users:password_reset",
    "users:password_reset_confirm",
]
LOGIN_PAGES = ["users:edit_profile", "users:security", "users:blocked"]


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_render_for_anonymous_visitors(client, name):
    # when
    response = client.get(reverse(name))
    # then
    assert response.status_code == 200
    assert b"Short Media" in response.content


@pytest.mark.parametrize("name", LOGIN_PAGES + PUBLIC_PAGES)
def test_pages_render_for_a_logged_in_member(client, member, name):
    # when
    response = client.get(reverse(name))
    # then
    assert response.status_code == 200
    assert b"@member" in response.content  # the account menu


@pytest.mark.parametrize("name", LOGIN_PAGES)
def test_private_pages_send_anonymous_visitors_to_login(client, name):
    # when
    response = client.get(reverse(name))
    # then
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('users:login')}?next={reverse(name)}"


@pytest.mark.parametrize("name", ["users:profile", "users:followers", "users:following"])
def test_people_pages_render_for_anyone(client, name):
    # given
    ana = UserFactory(username="ana")
    # when
    response = client.get(reverse(name, args=[ana.username]))
    # then
    assert response.status_code == 200
    assert b"@ana" in response.content


@pytest.mark.parametrize("name", ["users:follow", "users:unfollow", "users:block", "users:unblock"])
def test_relation_buttons_need_login(client, name):
    # given
    ana = UserFactory(username="ana")
    url = reverse(name, args=[ana.username])
    # when
    response = client.post(url)
    # then
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('users:login')}?next={url}"
    assert Follow.objects.count() == 0
    assert Block.objects.count() == 0


def test_logout_refuses_get_and_ends_the_session_on_post(client, member):
    # when
    refused = client.get(reverse("users:logout"))
    response = client.post(reverse("users:logout"))
    # then
    assert refused.status_code == 405
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("users:edit_profile")).status_code == 302


@pytest.fixture
def greeting_section(settings, tmp_path):
    """A profile section of a test's own, with a script of its own."""
    (tmp_path / "greeting.html").write_text(
        "<p>Hello {{ visitor }}: @{{ profile_user.username }}, me {{ is_me }},"
        " following {{ relationship.following }}</p>"
    )
    (tmp_path / "greeting_scripts.html").write_text('<script src="/greeting.js"></script>')
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}, *settings.TEMPLATES[1:]]
    calls = []

    def context(request, person, relationship, is_me):
        calls.append((person.username, relationship, is_me))
        return {"visitor": request.user.username}

    PROFILE_SECTIONS.register(ProfileSection("greeting", "greeting.html", context, scripts="greeting_scripts.html"))
    yield calls
    PROFILE_SECTIONS.unregister("greeting")


def test_the_profile_shows_the_sections_apps_register(client, greeting_section):
    # given
    ana = UserFactory(username="ana")
    bob = UserFactory(username="bob")
    FollowFactory(follower=ana, followee=bob)
    client.force_login(ana)
    # when
    content = client.get(reverse("users:profile", args=["bob"])).content.decode()
    # then the section gets the person as the page sees them, and adds to the page's context
    assert greeting_section == [("bob", {"following": True, "followed_by": False, "blocking": False}, False)]
    assert "<p>Hello ana: @bob, me False, following True</p>" in content
    assert content.count('<script src="/greeting.js"></script>') == 1


def test_unknown_profile_is_a_themed_404(client):
    # when
    response = client.get(reverse("users:profile", args=["nobody"]))
    # then
    assert response.status_code == 404
    assert b"We can't find that page" in response.content
    assert b"<code>not_found</code>" in response.content


def test_home_greets_a_member_and_suggests_people(client, member):
    # given
    UserFactory(username="popular", profile__display_name="Popular Pat")
    # when
    response = client.get(reverse("home"))
    # then
    content = response.content.decode()
    assert "People to follow" in content
    assert "Popular Pat" in content
    assert f'action="{reverse("users:follow", args=["popular"])}"' in content


def test_home_shows_an_empty_state_when_nobody_is_left_to_follow(client, member):
    # when
    response = client.get(reverse("home"))
    # then
    assert b"You already follow everyone we know about." in response.content


# --- The whole journey ------------------------------------------------------------------------


def test_sign_up_confirm_edit_upload_follow_and_block(client, django_capture_on_commit_callbacks):
    # given another member to follow
    bob = UserFactory(username="bob")
    # when a visitor signs up
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("users:signup"),
            {"username": "Ana", "email": "ana@example.com", "password": "green meadow 2026", "display_name": "Ana"},
        )
    # then a code is emailed and the confirm page waits, the email filled in
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('users:signup_confirm')}?email=ana%40example.com"
    assert len(mail.outbox) == 1
    code = mail.outbox[0].subject.split()[0]
    confirm_page = client.get(response["Location"])
    assert b'value="ana@example.com"' in confirm_page.content

    # when the code is confirmed
    response = client.post(reverse("users:signup_confirm"), {"email": "ana@example.com", "code": code})
    # then Ana is logged in and lands on her profile settings
    assert response.status_code == 302
    assert response["Location"] == reverse("users:edit_profile")
    ana = User.objects.get(username="ana")
    assert ana.email_verified is True
    assert client.get(reverse("home")).context["user"] == ana

    # when she edits her profile
    response = client.post(
        reverse("users:edit_profile"),
        {
            "display_name": "Ana Green",
            "bio": "Likes trees.",
            "location": "Lisbon",
            "birth_date": "1990-05-01",
            "interests": "Hiking, #jazz, ",
        },
    )
    # then it is saved and her profile shows it
    assert response.status_code == 302
    assert response["Location"] == reverse("users:profile", args=["ana"])
    profile = Profile.objects.get(user=ana)
    assert (profile.display_name, profile.bio, profile.location, str(profile.birth_date)) == (
        "Ana Green",
        "Likes trees.",
        "Lisbon",
        "1990-05-01",
    )
    assert sorted(profile.interests.values_list("name", flat=True)) == ["hiking", "jazz"]
    page = client.get(response["Location"]).content.decode()
    assert "Ana Green" in page
    assert '<i class="bi bi-hash" aria-hidden="true"></i>hiking</li>' in page

    # when she uploads an avatar without JavaScript
    response = client.post(reverse("users:avatar_upload"), {"avatar": png_upload()})
    # then the square renditions are stored and shown
    assert response.status_code == 302
    profile.refresh_from_db()
    assert re.fullmatch(r"avatars/[A-Za-z0-9_-]{32}-large\.webp", profile.avatar.name)  # no id
    assert profile.avatar_small.name.endswith("-small.webp")
    assert profile.avatar.url in client.get(reverse("users:profile", args=["ana"])).content.decode()

    # when she follows Bob
    response = client.post(reverse("users:follow", args=["bob"]))
    # then she follows him
    assert response.status_code == 302
    assert response["Location"] == reverse("users:profile", args=["bob"])
    assert list(Follow.objects.values_list("follower__username", "followee__username")) == [("ana", "bob")]
    assert b"Unfollow" in client.get(reverse("users:profile", args=["bob"])).content

    # when she blocks him, after the confirmation page
    confirm = client.get(reverse("users:block", args=["bob"]))
    response = client.post(reverse("users:block", args=["bob"]))
    # then the follow is gone and his profile says so
    assert confirm.status_code == 200
    assert b"Block @bob?" in confirm.content
    assert response.status_code == 302
    assert Follow.objects.count() == 0
    assert list(Block.objects.values_list("blocker__username", "blocked__username")) == [("ana", "bob")]
    assert b"You blocked this user." in client.get(reverse("users:profile", args=["bob"])).content

    # and Bob, blocked, cannot open Ana's profile
    client.force_login(bob)
    assert client.get(reverse("users:profile", args=["ana"])).status_code == 404


def test_a_blocked_user_gets_404_on_the_blockers_pages(client, member):
    # given
    BlockFactory(blocker=UserFactory(username="ana"), blocked=member)
    # when
    responses = [client.get(reverse(name, args=["ana"])) for name in ("users:profile", "users:followers")]
    # then
    assert [response.status_code for response in responses] == [404, 404]


def test_unblock_from_the_blocked_list(client, member):
    # given
    BlockFactory(blocker=member, blocked=UserFactory(username="bob"))
    # when
    page = client.get(reverse("users:blocked"))
    response = client.post(reverse("users:unblock", args=["bob"]), {"next": reverse("users:blocked")})
    # then
    assert b"@bob" in page.content
    assert response["Location"] == reverse("users:blocked")
    assert Block.objects.count() == 0
    assert b"You haven't blocked anyone." in client.get(reverse("users:blocked")).content


def test_follow_comes_back_to_a_safe_next_only(client, member):
    # given
    UserFactory(username="bob")
    UserFactory(username="cy")
    # when
    inside = client.post(reverse("users:follow", args=["bob"]), {"next": "/search/?q=b"})
    outside = client.post(reverse("users:follow", args=["cy"]), {"next": "https://evil.example/"})
    # then
    assert inside["Location"] == "/search/?q=b"
    assert outside["Location"] == reverse("users:profile", args=["cy"])
    assert Follow.objects.filter(follower=member).count() == 2


# --- Errors next to their fields ------------------------------------------------------------


def test_sign_up_with_a_taken_username_shows_the_error_by_the_field(client):
    # given
    UserFactory(username="ana")
    # when
    response = client.post(
        reverse("users:signup"), {"username": "ana", "email": "other@example.com", "password": "green meadow 2026"}
    )
    # then
    assert response.status_code == 200
    assert field_error("username", "This username is taken.") in response.content.decode()
    assert 'class="form-control is-invalid"' in response.content.decode()
    assert User.objects.count() == 1
    assert mail.outbox == []


def test_sign_up_with_a_weak_password_shows_the_error_by_the_password(client):
    # when
    response = client.post(
        reverse("users:signup"), {"username": "ana", "email": "ana@example.com", "password": "password"}
    )
    # then
    message = "This password is too short. It must contain at least 10 characters. This password is too common."
    assert field_error("password", message) in response.content.decode()
    assert User.objects.count() == 0


def test_a_wrong_code_is_shown_by_the_code_field_and_confirms_nothing(client, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("users:signup"), {"username": "ana", "email": "ana@example.com", "password": PASSWORD})
    code = mail.outbox[0].subject.split()[0]
    wrong = "000000" if code != "000000" else "111111"
    # when
    response = client.post(reverse("users:signup_confirm"), {"email": "ana@example.com", "code": wrong})
    # then
    assert response.status_code == 200
    assert field_error("code", CODE_REFUSED) in response.content.decode()
    assert User.objects.get(username="ana").email_verified is False


@pytest.mark.parametrize("email", ["ana@example.com", "ghost@example.com", "member@example.com"])
def test_asking_for_a_new_code_answers_alike_for_any_address(client, django_capture_on_commit_callbacks, email):
    # given a sign-up waits for ana (its code just sent), none for ghost, and member is confirmed
    UserFactory(username="member")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("users:signup"), {"username": "ana", "email": "ana@example.com", "password": PASSWORD})
    # when a new code is asked for at once
    response = client.post(reverse("users:signup_resend"), {"email": email, "code": ""}, follow=True)
    # then the page says the same for each address, and no second code leaves
    assert response.redirect_chain == [(f"{reverse('users:signup_confirm')}?email={email.replace('@', '%40')}", 302)]
    assert "If a sign-up is waiting for this address, we emailed it a new code." in response.content.decode()
    assert len(mail.outbox) == 1


def test_bad_profile_input_changes_nothing(client, member):
    # given
    before = Profile.objects.get(user=member)
    # when
    response = client.post(
        reverse("users:edit_profile"),
        {"display_name": "New", "bio": "", "location": "", "birth_date": "2999-01-01", "interests": ""},
    )
    # then
    assert response.status_code == 200
    assert field_error("birth_date", "The birth date is in the future.") in response.content.decode()
    assert Profile.objects.get(user=member).display_name == before.display_name


def test_a_file_that_is_no_picture_is_refused_by_the_avatar_field(client, member):
    # given
    upload = io.BytesIO(b"not an image at all")
    upload.name = "cat.png"
    # when
    response = client.post(reverse("users:avatar_upload"), {"avatar": upload})
    # then
    assert response.status_code == 200
    assert field_error("avatar", "The file is not a picture we can read.") in response.content.decode()
    assert Profile.objects.get(user=member).avatar.name == ""


def test_remove_avatar(client, member):
    # given
    client.post(reverse("users:avatar_upload"), {"avatar": png_upload()})
    # when
    response = client.post(reverse("users:avatar_remove"))
    # then
    assert response["Location"] == reverse("users:edit_profile")
    assert Profile.objects.get(user=member).avatar.name == ""


# --- Login, second factor, passwords -------------------------------------------------------------


def test_login_by_username_goes_to_a_safe_next(client):
    # given
    UserFactory(username="ana")
    # when
    response = client.post(reverse("users:login"), {"identifier": "ANA", "password": PASSWORD, "next": "/search/"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/search/"
    assert client.get(reverse("home")).context["user"].username == "ana"


def test_login_ignores_a_next_on_another_site(client):
    # given
    UserFactory(username="ana")
    # when
    response = client.post(
        reverse("users:login"), {"identifier": "ana", "password": PASSWORD, "next": "//evil.example/"}
    )
    # then
    assert response["Location"] == reverse("home")


def test_login_with_a_wrong_password_says_so(client):
    # given
    UserFactory(username="ana")
    # when
    response = client.post(reverse("users:login"), {"identifier": "ana", "password": "nope"})
    # then
    assert response.status_code == 200
    assert "Wrong email/username or password." in response.content.decode()
    assert client.get(reverse("home")).context["user"].is_authenticated is False


def test_login_before_confirming_offers_the_confirm_page(client):
    # given
    UserFactory(username="ana", email_verified=False)
    # when
    response = client.post(reverse("users:login"), {"identifier": "ana@example.com", "password": PASSWORD})
    # then
    content = response.content.decode()
    assert "Confirm your email address first" in content
    assert f'href="{reverse("users:signup_confirm")}?email=ana%40example.com"' in content


def test_login_is_rate_limited_after_25_tries(client):
    # given
    UserFactory(username="ana")
    for _ in range(25):
        assert client.post(reverse("users:login"), {"identifier": "ana", "password": "wrong"}).status_code == 200
    # when
    response = client.post(reverse("users:login"), {"identifier": "ana", "password": PASSWORD})
    # then
    assert response.status_code == 429
    assert "Too many requests. Try again in" in response.content.decode()
    assert client.get(reverse("home")).context["user"].is_authenticated is False


def test_login_with_two_factor_asks_for_the_code(client):
    # given
    ana = UserFactory(username="ana")
    secret = pyotp.random_base32()
    TwoFactor.objects.create(user=ana, secret=secret, confirmed_at="2026-01-01T00:00:00Z")
    # when
    first = client.post(reverse("users:login"), {"identifier": "ana", "password": PASSWORD})
    wrong = client.post(reverse("users:login_verify"), {"code": "abcd-abcd-abcd"})
    right = client.post(reverse("users:login_verify"), {"code": pyotp.TOTP(secret).now()})
    # then
    assert first["Location"] == reverse("users:login_verify")
    assert "That authentication code is wrong." in wrong.content.decode()
    assert right["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"] == ana


def test_second_step_without_a_password_step_goes_back_to_login(client):
    # when
    response = client.get(reverse("users:login_verify"))
    # then
    assert response["Location"] == reverse("users:login")


def test_password_reset_by_emailed_code(client, django_capture_on_commit_callbacks):
    # given
    ana = UserFactory(username="ana")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("users:password_reset"), {"email": "ana@example.com"})
    code = mail.outbox[0].subject.split()[0]
    done = client.post(
        reverse("users:password_reset_confirm"),
        {"email": "ana@example.com", "code": code, "new_password": "brand new password 9"},
    )
    # then
    assert response["Location"] == f"{reverse('users:password_reset_confirm')}?email=ana%40example.com"
    assert done["Location"] == reverse("users:login")
    ana.refresh_from_db()
    assert ana.check_password("brand new password 9") is True


def test_password_change_keeps_the_session(client, member):
    # when
    response = client.post(
        reverse("users:password_change"), {"old_password": PASSWORD, "new_password": "another fine password"}
    )
    # then
    assert response["Location"] == reverse("users:security")
    member.refresh_from_db()
    assert member.check_password("another fine password") is True
    assert client.get(reverse("users:security")).status_code == 200


def test_password_change_with_a_wrong_current_password(client, member):
    # when
    response = client.post(reverse("users:password_change"), {"old_password": "nope", "new_password": "x" * 12})
    # then
    assert field_error("old_password", "Your current password is wrong.") in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD) is True


def test_two_factor_setup_confirm_regenerate_and_disable(client, member):
    # when set-up starts
    client.post(reverse("users:two_factor_start"))
    page = client.get(reverse("users:security")).content.decode()
    secret = TwoFactor.objects.get(user=member).secret
    # then the page shows the QR code and the key
    assert '<svg width="' in page
    assert f'<code class="secret-text fs-6" id="totp-secret">{secret}</code>' in page

    # when the first code is confirmed
    response = client.post(reverse("users:two_factor_confirm"), {"code": pyotp.TOTP(secret).now()})
    # then the recovery codes are shown once
    assert response.status_code == 200
    assert len(response.context["recovery_codes"]) == 10
    assert response.context["recovery_codes"][0] in response.content.decode()
    assert response.context["two_factor_on"] is True

    # when new recovery codes are made
    response = client.post(reverse("users:recovery_codes"))
    # then
    assert len(response.context["recovery_codes"]) == 10

    # when it is turned off with a wrong password, then with the right one
    wrong = client.post(reverse("users:two_factor_disable"), {"password": "nope"})
    right = client.post(reverse("users:two_factor_disable"), {"password": PASSWORD})
    # then
    assert field_error("password", "Your password is wrong.") in wrong.content.decode()
    assert right["Location"] == reverse("users:security")
    assert TwoFactor.objects.filter(user=member).count() == 0


# --- Lists ----------------------------------------------------------------------------------------


def test_followers_list_pages_with_a_cursor(client):
    # given
    ana = UserFactory(username="ana")
    followers = [FollowFactory(followee=ana).follower for _ in range(25)]
    # when
    first = client.get(reverse("users:followers", args=["ana"]))
    second = client.get(first.context["next_page_url"])
    # then
    assert [user.pk for user in first.context["page"].items] == [user.pk for user in reversed(followers[5:])]
    assert [user.pk for user in second.context["page"].items] == [user.pk for user in reversed(followers[:5])]
    assert b"Load more" in first.content
    assert b"Load more" not in second.content


def test_empty_lists_show_empty_states(client):
    # given
    UserFactory(username="ana")
    # when
    followers = client.get(reverse("users:followers", args=["ana"]))
    following = client.get(reverse("users:following", args=["ana"]))
    # then
    assert b"No followers yet." in followers.content
    assert b"Not following anyone yet." in following.content


def test_a_bad_cursor_is_a_400_page(client):
    # given
    UserFactory(username="ana")
    # when
    response = client.get(reverse("users:followers", args=["ana"]), {"cursor": "nonsense"})
    # then
    assert response.status_code == 400
    assert b"This cursor is not valid." in response.content


@pytest.mark.parametrize("count", [1, 20])
def test_list_pages_use_a_constant_number_of_queries(client, member, django_assert_max_num_queries, count):
    # given
    for _ in range(count):
        other = UserFactory()
        FollowFactory(follower=other, followee=member)
        FollowFactory(follower=member, followee=other)
        BlockFactory(blocker=member)
    urls = [
        reverse("home"),
        reverse("users:followers", args=[member.username]),
        reverse("users:following", args=[member.username]),
        reverse("users:blocked"),
        reverse("users:profile", args=[member.username]),
    ]
    for url in urls:
        # when / then: session, user, the navbar's profile, the list (and its counts)
        with django_assert_max_num_queries(7):
            assert client.get(url).status_code == 200
