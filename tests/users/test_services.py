"""The users services, called directly: what each promises whichever interface calls it
(the pages and the JSON API both do), including the policy inside them (rate limits, PATCH
semantics, deactivation)."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from core.exceptions import NotAuthenticated, PermissionDenied, RateLimited, ValidationFailed
from tests.users.factories import PASSWORD, UserFactory, enable_two_factor
from users import streams
from users.models import EmailCode, Follow, Profile, User
from users.services.accounts import authenticate_user, confirm_signup, deactivate_user, issue_tokens, sign_up
from users.services.codes import CODE_REFUSED, consume_code, hash_secret
from users.services.profiles import UNCHANGED, change_profile, update_profile
from users.services.relations import follow_user, unfollow_user
from users.services.two_factor import check_second_factor_if_enabled, verify_second_factor

ANA_PASSWORD = "correct horse battery"
IP = "192.0.2.1"


def _code_from(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


# --- accounts: sign-up ----------------------------------------------------------------------------


def test_sign_up_emails_a_six_digit_code_stored_only_as_a_hash(db, django_capture_on_commit_callbacks):
    # when someone signs up through the service
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        user = sign_up(
            username=" Ana_B ", email=" Ana@Example.COM ", password=ANA_PASSWORD, display_name=" Ana ", ip=IP
        )
    # then one email carries a 6-digit code, and the database holds its keyed hash only
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    code = _code_from(message)
    assert re.fullmatch(r"\d{6}", code)
    assert message.to == ["ana@example.com"]
    assert message.subject == f"{code} is your Short Media code"
    row = EmailCode.objects.get(user=user)
    assert row.purpose == EmailCode.Purpose.SIGNUP
    assert code not in row.code_hash
    assert row.code_hash == hash_secret(user, "signup", code)
    assert row.attempts == 0
    assert row.used_at is None
    assert row.expires_at - row.created_at == timedelta(minutes=10)
    # and the account is stored normalised, not yet confirmed, with its profile
    user.refresh_from_db()
    assert (user.username, user.email, user.email_verified) == ("ana_b", "ana@example.com", False)
    assert user.check_password(ANA_PASSWORD)
    assert Profile.objects.get(user=user).display_name == "Ana"


def test_a_used_code_is_refused_by_the_service(db, django_capture_on_commit_callbacks):
    # given a code consumed once
    with django_capture_on_commit_callbacks(execute=True):
        user = sign_up(username="ana", email="ana@example.com", password=ANA_PASSWORD, ip=IP)
    code = _code_from(mail.outbox[0])
    consume_code(user=user, purpose="signup", code=code)
    # when it is consumed again
    with pytest.raises(ValidationFailed) as raised:
        consume_code(user=user, purpose="signup", code=code)
    # then
    assert raised.value.code == "code_invalid"
    assert raised.value.fields == {"code": [CODE_REFUSED]}


def test_a_rolled_back_sign_up_sends_nothing(db, django_capture_on_commit_callbacks):
    # when a sign-up happens inside a transaction that is then rolled back
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        sign_up(username="ana", email="ana@example.com", password=ANA_PASSWORD, ip=IP)
        raise RuntimeError("something later failed")
    # then no account and no email
    assert callbacks == []
    assert mail.outbox == []
    assert User.objects.count() == 0
    assert EmailCode.objects.count() == 0


def test_confirm_signup_service_refuses_a_locked_code(db, django_capture_on_commit_callbacks):
    # given a code with all its tries used
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(username="ana", email="ana@example.com", password=ANA_PASSWORD, ip=IP)
    EmailCode.objects.update(attempts=5)
    # when / then the right code is refused like a wrong one
    with pytest.raises(ValidationFailed) as raised:
        confirm_signup(email="ana@example.com", code=_code_from(mail.outbox[0]), ip=IP)
    assert raised.value.code == "code_invalid"
    assert EmailCode.objects.get().used_at is None


def test_sign_ups_are_limited_per_address(db, settings):
    # given a limit of two sign-ups per address
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "2/1800"}
    sign_up(username="ana", email="ana@example.com", password=ANA_PASSWORD, ip=IP)
    sign_up(username="bob", email="bob@example.com", password=ANA_PASSWORD, ip=IP)
    # when a third comes from the same address, and one from another
    with pytest.raises(RateLimited):
        sign_up(username="carol", email="carol@example.com", password=ANA_PASSWORD, ip=IP)
    sign_up(username="dan", email="dan@example.com", password=ANA_PASSWORD, ip="192.0.2.2")
    # then the refused one created nothing
    assert sorted(User.objects.values_list("username", flat=True)) == ["ana", "bob", "dan"]


# --- accounts: login --------------------------------------------------------------------------------


def test_login_tries_are_limited_per_address_right_or_wrong(db, settings):
    # given a limit of two login tries per address
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/300"}
    UserFactory(username="ana")
    with pytest.raises(NotAuthenticated):
        authenticate_user(identifier="ana", password="wrong", ip=IP)
    assert authenticate_user(identifier="ana", password=PASSWORD, ip=IP).username == "ana"
    # when / then a third try, even right, is refused; another address may still log in
    with pytest.raises(RateLimited):
        authenticate_user(identifier="ana", password=PASSWORD, ip=IP)
    assert authenticate_user(identifier="ana", password=PASSWORD, ip="192.0.2.2").username == "ana"


def test_the_second_login_step_counts_as_a_login_try_the_one_step_check_does_not(db, settings):
    # given an account with two-factor and a limit of one login try per address
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "1/300"}
    ana = UserFactory(username="ana")
    _secret, recovery_codes = enable_two_factor(ana)
    user = authenticate_user(identifier="ana", password=PASSWORD, ip=IP)
    # when the API's one-step check takes a code: no second login try
    check_second_factor_if_enabled(user=user, code=recovery_codes[0])
    # then the pages' second step from the same address is one try too many
    with pytest.raises(RateLimited):
        verify_second_factor(user=user, code=recovery_codes[1], ip=IP)
    verify_second_factor(user=user, code=recovery_codes[1], ip="192.0.2.2")


# --- accounts: deactivation -----------------------------------------------------------------------


def test_deactivating_revokes_every_refresh_token_and_rechecks_the_sockets(
    api_client, db, django_capture_on_commit_callbacks
):
    # given an account with two API logins, and a moderator
    ana, moderator = UserFactory(username="ana"), UserFactory(is_staff=True)
    refresh_tokens = [issue_tokens(user=ana)["refresh"], issue_tokens(user=ana)["refresh"]]
    # when the moderator deactivates it
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        changed = deactivate_user(user=ana, by=moderator)
    # then it is inactive, its open sockets were closed once and asked to check their streams once
    assert changed is True
    ana.refresh_from_db()
    assert ana.is_active is False
    assert [callback.__wrapped__ for callback in callbacks] == [streams.credentials_revoked, streams.access_changed]
    # and no refresh token refreshes, not even once the account is active again
    User.objects.filter(pk=ana.pk).update(is_active=True)
    for refresh in refresh_tokens:
        response = api_client.post("/api/auth/token/refresh/", {"refresh": refresh})
        assert response.status_code == 401
        assert response.json() == {"code": "token_not_valid", "message": "Token is blacklisted", "fields": {}}


def test_deactivating_twice_changes_nothing_more(db, django_capture_on_commit_callbacks):
    # given an account already deactivated
    ana, moderator = UserFactory(username="ana", is_active=False), UserFactory(is_staff=True)
    # when / then
    assert deactivate_user(user=ana, by=moderator) is False


def test_only_staff_may_deactivate(db):
    # given
    ana, bob = UserFactory(username="ana"), UserFactory(username="bob")
    # when / then
    with pytest.raises(PermissionDenied):
        deactivate_user(user=ana, by=bob)
    ana.refresh_from_db()
    assert ana.is_active is True


def test_a_deactivated_persons_browser_session_ends(client, db):
    # given ana logged in on the site
    ana = UserFactory(username="ana")
    client.force_login(ana, backend="users.backends.EmailOrUsernameBackend")
    assert client.get(reverse("users:security")).status_code == 200
    # when she is deactivated
    deactivate_user(user=ana, by=UserFactory(is_staff=True))
    # then her session no longer counts as logged in
    assert client.get(reverse("users:security")).status_code == 302


# --- profiles -----------------------------------------------------------------------------------------


def test_change_profile_changes_only_the_fields_given(db):
    # given a filled-in profile
    ana = UserFactory(username="ana")
    update_profile(
        user=ana, display_name="Ana", bio="Hi", location="Porto", birth_date=date(1990, 5, 1), interests=["jazz"]
    )
    ana.refresh_from_db()
    # when only the location changes, then only the birth date is cleared
    change_profile(user=ana, location="Lisbon")
    profile = change_profile(user=ana, birth_date=None, bio=UNCHANGED)
    # then the rest kept their values
    profile.refresh_from_db()
    assert (profile.display_name, profile.bio, profile.location, profile.birth_date) == ("Ana", "Hi", "Lisbon", None)
    assert list(profile.interests.values_list("name", flat=True)) == ["jazz"]


# --- relations --------------------------------------------------------------------------------------


def test_follow_and_unfollow_services_report_whether_anything_changed(ana, bob):
    # when / then
    assert follow_user(follower=ana, followee=bob) is True
    assert follow_user(follower=ana, followee=bob) is False
    assert unfollow_user(follower=ana, followee=bob) is True
    assert unfollow_user(follower=ana, followee=bob) is False
    assert Follow.objects.count() == 0
