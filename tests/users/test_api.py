"""The JSON API of users, by its modules: accounts (sign-up with an emailed code, login, JWT
refresh/rotation/logout, passwords), two-factor (TOTP), profiles (own profile, public
profiles, avatars, constant-query lists) and relations (follow and block: idempotent,
self-refusing, and a block hides the blocker from the blocked)."""

import io
import re
import time
from datetime import date, timedelta

import pyotp
import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import ExifTags, Image
from rest_framework.test import APIClient

from core.exceptions import Conflict, NotFound, ValidationFailed
from tests.users.factories import PASSWORD, BlockFactory, FollowFactory, UserFactory, enable_two_factor
from users.models import Block, EmailCode, Follow, Interest, Profile, RecoveryCode, TwoFactor, User
from users.services.codes import CODE_REFUSED
from users.services.profiles import update_profile
from users.services.relations import block_user, follow_user, unblock_user

CODE_REFUSED_BODY = {"code": "code_invalid", "message": CODE_REFUSED, "fields": {"code": [CODE_REFUSED]}}


def _code_from(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


# ==== Accounts: sign-up with an emailed code ======================================================


ANA_PASSWORD = "correct horse battery"
ANA = {"username": "Ana_B", "email": "Ana@Example.com", "password": ANA_PASSWORD}


@pytest.fixture
def signed_up(api_client, db, django_capture_on_commit_callbacks):
    """Ana signed up through the API; returns the emailed code."""
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post("/api/auth/signup/", ANA).status_code == 201
    return _code_from(mail.outbox[-1])


def _confirm(api_client, code, email="ana@example.com"):
    return api_client.post("/api/auth/signup/confirm/", {"email": email, "code": code})


def _latest_code():
    return EmailCode.objects.filter(user__username="ana_b").latest("created_at")


def test_api_sign_up_answers_201_with_the_account(api_client, db, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post("/api/auth/signup/", ANA)
    # then exactly one email per sign-up
    assert response.status_code == 201
    user = User.objects.get()
    assert response.json() == {"id": user.pk, "username": "ana_b", "email": "ana@example.com", "email_verified": False}
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


def test_login_is_refused_before_confirmation(api_client, signed_up):
    # when Ana tries to log in with the right password before confirming
    response = api_client.post("/api/auth/token/", {"identifier": "ana_b", "password": ANA_PASSWORD})
    # then
    assert response.status_code == 403
    assert response.json() == {
        "code": "email_not_confirmed",
        "message": "Confirm your email address first: enter the code we sent you.",
        "fields": {},
    }


def test_confirming_the_code_verifies_the_account_and_logs_in(api_client, signed_up):
    # when
    response = _confirm(api_client, f" {signed_up} ")
    # then
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert User.objects.get(username="ana_b").email_verified is True
    assert _latest_code().used_at is not None
    login = api_client.post("/api/auth/token/", {"identifier": "ANA@example.com", "password": ANA_PASSWORD})
    assert login.status_code == 200


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_wrong_code_is_a_400_and_the_attempt_is_persisted(api_client, signed_up):
    # when a wrong code is sent
    response = _confirm(api_client, _wrong(signed_up))
    # then the one refusal answers, and the try stays counted
    assert response.status_code == 400
    assert response.json() == CODE_REFUSED_BODY
    assert _latest_code().attempts == 1
    assert User.objects.get(username="ana_b").email_verified is False


def test_five_wrong_tries_lock_the_code_even_for_the_right_one(api_client, signed_up):
    # given 5 wrong tries
    answers = [_confirm(api_client, _wrong(signed_up)).json() for _ in range(5)]
    # when the right code comes
    response = _confirm(api_client, signed_up)
    # then it is refused too, with the same answer as a wrong code (a lock would reveal the account)
    assert answers == [CODE_REFUSED_BODY] * 5
    assert (response.status_code, response.json()) == (400, CODE_REFUSED_BODY)
    assert _latest_code().attempts == 6
    assert User.objects.get(username="ana_b").email_verified is False


def test_expired_code_is_refused(api_client, signed_up):
    # given the code expired a second ago
    past = timezone.now() - timedelta(minutes=10, seconds=1)
    EmailCode.objects.filter(user__username="ana_b").update(created_at=past, expires_at=past + timedelta(minutes=10))
    # when
    response = _confirm(api_client, signed_up)
    # then
    assert response.status_code == 400
    assert response.json() == CODE_REFUSED_BODY
    assert User.objects.get(username="ana_b").email_verified is False


def test_confirming_twice_is_refused(api_client, signed_up):
    # given the code was used
    assert _confirm(api_client, signed_up).status_code == 200
    # when it is sent again
    response = _confirm(api_client, signed_up)
    # then it is refused like any other code (saying "confirmed" would reveal the account)
    assert (response.status_code, response.json()) == (400, CODE_REFUSED_BODY)


def test_confirm_for_unknown_email_is_a_400_like_a_wrong_code(api_client, db):
    # when
    response = _confirm(api_client, "123456", email="ghost@example.com")
    # then
    assert (response.status_code, response.json()) == (400, CODE_REFUSED_BODY)


def test_resend_before_the_cooldown_answers_202_and_sends_nothing(
    api_client, signed_up, django_capture_on_commit_callbacks
):
    # when a new code is asked for at once
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post("/api/auth/signup/resend/", {"email": "ana@example.com"})
    # then the answer is an unknown address's (a 429 would say a sign-up waits), and no code leaves
    assert response.status_code == 202
    assert callbacks == []
    assert EmailCode.objects.count() == 1


def test_resend_after_the_cooldown_sends_a_new_code_and_the_old_stops_working(
    api_client, signed_up, django_capture_on_commit_callbacks
):
    # given the first code is older than the cooldown (but not expired)
    EmailCode.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    # when a new code is asked for
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post("/api/auth/signup/resend/", {"email": "ANA@example.com"})
    new_code = _code_from(mail.outbox[-1])
    # then one new email leaves, and only the new code counts
    assert response.status_code == 202
    assert len(callbacks) == 1
    assert len(mail.outbox) == 2
    assert EmailCode.objects.count() == 2
    if new_code != signed_up:  # one chance in a million they are the same
        assert _confirm(api_client, signed_up).json() == CODE_REFUSED_BODY
    assert _confirm(api_client, new_code).status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "ANA_b", "email": "other@example.com"}, "username"),
        ({"username": "other", "email": "ANA@EXAMPLE.COM"}, "email"),
        ({"username": "other", "email": "  ana@example.com "}, "email"),
    ],
)
def test_duplicate_username_or_email_in_any_case_is_a_400_and_creates_nothing(
    api_client, signed_up, django_capture_on_commit_callbacks, data, field
):
    # when someone signs up with a taken name or address, in another case
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post("/api/auth/signup/", {**data, "password": ANA_PASSWORD})
    # then the field is named and nothing is created or sent
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "taken"
    assert list(body["fields"]) == [field]
    assert User.objects.count() == 1
    assert Profile.objects.count() == 1
    assert EmailCode.objects.count() == 1
    assert callbacks == []


@pytest.mark.parametrize(
    "password",
    ["short1", "password123", "12345678901234", "ana@example.com"],
    ids=["too-short", "common", "numeric", "like-email"],
)
def test_weak_password_is_a_400_on_field_password(api_client, db, django_capture_on_commit_callbacks, password):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post("/api/auth/signup/", {**ANA, "password": password})
    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "weak_password"
    assert list(body["fields"]) == ["password"]
    assert body["message"] == body["fields"]["password"][0]
    assert User.objects.count() == 0
    assert callbacks == []


@pytest.mark.parametrize("email", ["not-an-email", "ana@", "@example.com", "ana@exa mple.com", ""])
def test_invalid_email_is_a_400(api_client, db, email):
    # when
    response = api_client.post("/api/auth/signup/", {**ANA, "email": email})
    # then
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["email"]
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("username", "code"),
    [("ab", "invalid"), ("has space", "invalid"), ("émile", "invalid"), ("a" * 31, "invalid"), ("Admin", "taken")],
)
def test_invalid_or_reserved_username_is_a_400(api_client, db, username, code):
    # when
    response = api_client.post("/api/auth/signup/", {**ANA, "username": username})
    # then
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert list(response.json()["fields"]) == ["username"]
    assert User.objects.count() == 0


def test_existing_confirmed_user_factory_is_not_pending(api_client, db):
    # given an already confirmed account
    UserFactory(username="bob", email="bob@example.com")
    # when a code is asked for it
    response = api_client.post("/api/auth/signup/resend/", {"email": "bob@example.com"})
    # then the answer is a pending sign-up's, and no code is made
    assert (response.status_code, response.content) == (202, b"")
    assert EmailCode.objects.count() == 0


# ==== Accounts: login, tokens, passwords; two-factor ==============================================


NEW_PASSWORD = "a brand new long passphrase"
INVALID_CREDENTIALS = {"code": "invalid_credentials", "message": "Wrong email/username or password.", "fields": {}}


def _login(client, identifier, password=PASSWORD, **extra):
    return client.post("/api/auth/token/", {"identifier": identifier, "password": password, **extra})


def _refresh(client, refresh):
    return client.post("/api/auth/token/refresh/", {"refresh": refresh})


def _bearer(access) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


# --- login ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["ana", "ANA", " Ana ", "ana@example.com", "ANA@Example.COM"])
def test_login_by_username_or_email_in_any_case(api_client, db, identifier):
    # given
    user = UserFactory(username="ana", email="ana@example.com")
    # when
    response = _login(api_client, identifier)
    # then the tokens belong to Ana
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert _bearer(response.json()["access"]).get("/api/me/").json()["id"] == user.pk


@pytest.mark.parametrize(
    ("identifier", "password"),
    [("ana", "wrong password"), ("ana", PASSWORD.upper()), ("nobody", PASSWORD), ("nobody@example.com", PASSWORD)],
)
def test_wrong_credentials_are_401_with_one_answer(api_client, db, identifier, password):
    # given
    UserFactory(username="ana", email="ana@example.com")
    # when
    response = _login(api_client, identifier, password)
    # then an unknown account and a wrong password look the same
    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS


def test_deactivated_account_cannot_log_in(api_client, db):
    # given
    UserFactory(username="ana", is_active=False)
    # when / then
    response = _login(api_client, "ana")
    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS


# --- refresh, rotation, logout ---------------------------------------------------------------------


def test_refresh_rotates_and_the_old_refresh_token_is_refused(api_client, user):
    # given tokens from a login
    first = _login(api_client, user.username).json()
    # when the refresh token is used
    rotated = _refresh(api_client, first["refresh"])
    # then new tokens come, and the used refresh token is blacklisted
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != first["refresh"]
    again = _refresh(api_client, first["refresh"])
    assert again.status_code == 401
    assert again.json() == {"code": "token_not_valid", "message": "Token is blacklisted", "fields": {}}
    # and the new one works
    assert _refresh(api_client, rotated.json()["refresh"]).status_code == 200


def test_logout_blacklists_the_refresh_token(api_client, user):
    # given tokens from a login
    tokens = _login(api_client, user.username).json()
    # when the client logs out with its refresh token
    response = _bearer(tokens["access"]).post("/api/auth/logout/", {"refresh": tokens["refresh"]})
    # then
    assert response.status_code == 204
    refused = _refresh(api_client, tokens["refresh"])
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_not_valid"


def test_logout_with_a_garbage_refresh_token_is_401(api_client, db):
    # when
    response = api_client.post("/api/auth/logout/", {"refresh": "garbage"})
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


# --- password change -----------------------------------------------------------------------------


def test_password_change_revokes_refresh_tokens_and_the_old_password(api_client, user):
    # given two logins (two refresh tokens)
    first, second = _login(api_client, user.username).json(), _login(api_client, user.username).json()
    # when the password is changed
    response = _bearer(first["access"]).post(
        "/api/auth/password/change/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    # then every refresh token is refused, and only the new password logs in
    assert response.status_code == 204
    assert _refresh(api_client, first["refresh"]).status_code == 401
    assert _refresh(api_client, second["refresh"]).status_code == 401
    assert _login(api_client, user.username).json() == INVALID_CREDENTIALS
    assert _login(api_client, user.username, NEW_PASSWORD).status_code == 200


def test_password_change_with_a_wrong_current_password_is_400(auth_client):
    # when
    response = auth_client.post("/api/auth/password/change/", {"old_password": "nope", "new_password": NEW_PASSWORD})
    # then nothing changes
    assert response.status_code == 400
    assert response.json() == {
        "code": "wrong_password",
        "message": "Your current password is wrong.",
        "fields": {"old_password": ["Your current password is wrong."]},
    }
    auth_client.user.refresh_from_db()
    assert auth_client.user.check_password(PASSWORD)


def test_password_change_to_a_weak_password_is_400_on_new_password(auth_client):
    # when
    response = auth_client.post("/api/auth/password/change/", {"old_password": PASSWORD, "new_password": "123"})
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "weak_password"
    assert list(response.json()["fields"]) == ["new_password"]
    auth_client.user.refresh_from_db()
    assert auth_client.user.check_password(PASSWORD)


def test_password_change_needs_authentication(api_client, db):
    # when / then
    response = api_client.post("/api/auth/password/change/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 401


# --- password reset by emailed code ----------------------------------------------------------------


def _ask_reset(client, email, capture):
    with capture(execute=True) as callbacks:
        response = client.post("/api/auth/password/reset/", {"email": email})
    return response, callbacks


def test_password_reset_by_code(api_client, user, django_capture_on_commit_callbacks):
    # given a login from before, and a reset code asked for
    old_tokens = _login(api_client, user.username).json()
    response, callbacks = _ask_reset(api_client, user.email.upper(), django_capture_on_commit_callbacks)
    assert response.status_code == 202
    assert len(callbacks) == 1
    assert mail.outbox[0].to == [user.email]
    code = _code_from(mail.outbox[0])
    assert EmailCode.objects.get(user=user).purpose == EmailCode.Purpose.PASSWORD_RESET
    # when the code and a new password are sent
    data = {"email": user.email, "code": code, "new_password": NEW_PASSWORD}
    confirmed = api_client.post("/api/auth/password/reset/confirm/", data)
    # then the new password works, the old one and the old tokens do not, and the code is spent
    assert confirmed.status_code == 204
    assert _login(api_client, user.username).json() == INVALID_CREDENTIALS
    assert _login(api_client, user.username, NEW_PASSWORD).status_code == 200
    assert _refresh(api_client, old_tokens["refresh"]).status_code == 401
    reused = api_client.post("/api/auth/password/reset/confirm/", {**data, "new_password": "yet another passphrase"})
    assert (reused.status_code, reused.json()) == (400, CODE_REFUSED_BODY)


def test_password_reset_for_an_unknown_email_answers_the_same_and_sends_nothing(
    api_client, db, django_capture_on_commit_callbacks
):
    # when
    response, callbacks = _ask_reset(api_client, "ghost@example.com", django_capture_on_commit_callbacks)
    # then
    assert response.status_code == 202
    assert response.content == b""
    assert callbacks == []
    assert mail.outbox == []


def test_password_reset_during_the_cooldown_answers_202_and_sends_nothing_more(
    api_client, user, django_capture_on_commit_callbacks
):
    # given a code was just sent
    _ask_reset(api_client, user.email, django_capture_on_commit_callbacks)
    # when another is asked for at once
    response, callbacks = _ask_reset(api_client, user.email, django_capture_on_commit_callbacks)
    # then the answer does not reveal the account
    assert response.status_code == 202
    assert callbacks == []
    assert len(mail.outbox) == 1


def test_password_reset_with_a_wrong_code_is_400_and_changes_nothing(
    api_client, user, django_capture_on_commit_callbacks
):
    # given a code was sent
    _ask_reset(api_client, user.email, django_capture_on_commit_callbacks)
    wrong = f"{(int(_code_from(mail.outbox[0])) + 1) % 1_000_000:06d}"
    # when a wrong one is used
    data = {"email": user.email, "code": wrong, "new_password": NEW_PASSWORD}
    response = api_client.post("/api/auth/password/reset/confirm/", data)
    # then
    assert (response.status_code, response.json()) == (400, CODE_REFUSED_BODY)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_with_a_weak_password_keeps_the_code(api_client, user, django_capture_on_commit_callbacks):
    # given a code was sent
    _ask_reset(api_client, user.email, django_capture_on_commit_callbacks)
    code = _code_from(mail.outbox[0])
    # when a weak password comes with it
    weak = api_client.post(
        "/api/auth/password/reset/confirm/", {"email": user.email, "code": code, "new_password": "1"}
    )
    # then it is refused without spending the code
    assert weak.status_code == 400
    assert list(weak.json()["fields"]) == ["new_password"]
    data = {"email": user.email, "code": code, "new_password": NEW_PASSWORD}
    assert api_client.post("/api/auth/password/reset/confirm/", data).status_code == 204


def test_password_reset_confirm_for_an_unknown_email_looks_like_a_wrong_code(api_client, db):
    # when
    data = {"email": "ghost@example.com", "code": "123456", "new_password": NEW_PASSWORD}
    response = api_client.post("/api/auth/password/reset/confirm/", data)
    # then
    assert (response.status_code, response.json()) == (400, CODE_REFUSED_BODY)


# --- two-factor (TOTP) ------------------------------------------------------------------------------


def _other_code(totp: pyotp.TOTP) -> str:
    """A 6-digit code that is not valid now, nor one step either side."""
    now = time.time()
    valid = {totp.at(now + drift * 30) for drift in (-1, 0, 1)}
    return next(code for code in (f"{n:06d}" for n in range(0, 1_000_000, 7919)) if code not in valid)


def test_two_factor_setup_confirm_and_recovery_codes(auth_client):
    # when set-up starts
    setup = auth_client.post("/api/auth/2fa/setup/")
    # then a secret to scan comes, not yet active
    assert setup.status_code == 200
    secret = setup.json()["secret"]
    assert setup.json()["otpauth_uri"] == pyotp.TOTP(secret).provisioning_uri(
        name=auth_client.user.email, issuer_name="Short Media"
    )
    assert auth_client.get("/api/me/").json()["two_factor_enabled"] is False
    # when a wrong code and then a real one are confirmed
    wrong = auth_client.post("/api/auth/2fa/confirm/", {"code": _other_code(pyotp.TOTP(secret))})
    confirmed = auth_client.post("/api/auth/2fa/confirm/", {"code": pyotp.TOTP(secret).now()})
    # then the wrong one is refused, and the right one turns 2FA on with 10 recovery codes
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "otp_invalid"
    assert confirmed.status_code == 200
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}", code) for code in codes)
    assert RecoveryCode.objects.filter(user=auth_client.user, used_at__isnull=True).count() == 10
    assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()  # stored hashed
    assert auth_client.get("/api/me/").json()["two_factor_enabled"] is True
    # and set-up cannot start again while it is on
    again = auth_client.post("/api/auth/2fa/setup/")
    assert again.status_code == 409
    assert again.json()["code"] == "two_factor_enabled"


def test_confirm_without_setup_is_409(auth_client):
    # when / then
    response = auth_client.post("/api/auth/2fa/confirm/", {"code": "123456"})
    assert response.status_code == 409
    assert response.json()["code"] == "two_factor_not_started"


def test_api_login_with_two_factor_needs_a_fresh_code(api_client, user):
    # given 2FA is on (the set-up used the current step)
    secret, _ = enable_two_factor(user)
    totp = pyotp.TOTP(secret)
    # when logging in without a code, with a wrong code, and with the next step's code twice
    missing = _login(api_client, user.username)
    wrong = _login(api_client, user.username, otp=_other_code(totp))
    code = totp.at(time.time() + 30)
    first = _login(api_client, user.username, otp=code)
    replay = _login(api_client, user.username, otp=code)
    # then
    assert missing.status_code == 401
    assert missing.json() == {
        "code": "otp_required",
        "message": "Enter the code from your authenticator app.",
        "fields": {},
    }
    assert wrong.status_code == 401
    assert wrong.json() == {"code": "otp_invalid", "message": "That authentication code is wrong.", "fields": {}}
    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh"}
    assert replay.status_code == 401
    assert replay.json()["code"] == "otp_invalid"


def test_the_setup_code_cannot_be_replayed_at_login(api_client, user):
    # given 2FA was just confirmed with a code, whose step is recorded
    secret, _ = enable_two_factor(user)
    used_step = TwoFactor.objects.get(user=user).last_step
    assert used_step == int(time.time() // 30) or used_step == int(time.time() // 30) - 1
    # when that same code is sent at login
    response = _login(api_client, user.username, otp=pyotp.TOTP(secret).at(used_step * 30))
    # then it is refused
    assert response.status_code == 401
    assert response.json()["code"] == "otp_invalid"


def test_wrong_password_with_two_factor_says_nothing_about_the_second_factor(api_client, user):
    # given
    enable_two_factor(user)
    # when / then
    assert _login(api_client, user.username, "wrong password").json() == INVALID_CREDENTIALS


def test_recovery_code_works_once(api_client, user):
    # given 2FA is on
    _, codes = enable_two_factor(user)
    # when a recovery code is used twice (the second time in capitals)
    first = _login(api_client, user.username, otp=codes[0])
    second = _login(api_client, user.username, otp=codes[0].upper())
    # then
    assert first.status_code == 200
    assert second.status_code == 401
    assert second.json()["code"] == "otp_invalid"
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1
    assert _login(api_client, user.username, otp=f"  {codes[1].upper()} ").status_code == 200


def test_regenerating_recovery_codes_voids_the_old_ones(api_client, user):
    # given 2FA is on
    _, old_codes = enable_two_factor(user)
    client = _bearer(_login(api_client, user.username, otp=old_codes[0]).json()["access"])
    # when new codes are made
    response = client.post("/api/auth/2fa/recovery-codes/")
    # then
    assert response.status_code == 200
    new_codes = response.json()["recovery_codes"]
    assert len(new_codes) == 10
    assert _login(api_client, user.username, otp=old_codes[1]).status_code == 401
    assert _login(api_client, user.username, otp=new_codes[0]).status_code == 200


def test_second_factor_guesses_are_limited_per_account(api_client, user):
    # given 2FA is on and 10 wrong codes were tried
    secret, codes = enable_two_factor(user)
    wrong = _other_code(pyotp.TOTP(secret))
    statuses = [_login(api_client, user.username, otp=wrong).status_code for _ in range(10)]
    # when even a right recovery code comes from another address
    response = _login(api_client, user.username, otp=codes[0], REMOTE_ADDR="10.9.9.9")
    # then
    assert statuses == [401] * 10
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 0


def test_disabling_two_factor_requires_the_password(api_client, user):
    # given 2FA is on
    _, codes = enable_two_factor(user)
    client = _bearer(_login(api_client, user.username, otp=codes[0]).json()["access"])
    # when disabling with a wrong password
    wrong = client.post("/api/auth/2fa/disable/", {"password": "wrong password"})
    # then it stays on
    assert wrong.status_code == 400
    assert wrong.json() == {
        "code": "wrong_password",
        "message": "Your password is wrong.",
        "fields": {"password": ["Your password is wrong."]},
    }
    assert TwoFactor.objects.filter(user=user).exists()
    # when disabling with the right one
    right = client.post("/api/auth/2fa/disable/", {"password": PASSWORD})
    # then it is off, recovery codes are gone, and login needs no code
    assert right.status_code == 204
    assert not TwoFactor.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert _login(api_client, user.username).status_code == 200
    off = client.post("/api/auth/2fa/recovery-codes/")
    assert off.status_code == 409
    assert off.json()["code"] == "two_factor_disabled"


# ==== Profiles ====================================================================================


RED, BLUE = (255, 0, 0), (0, 0, 255)


def _years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


def _files_under(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


# --- own profile ---------------------------------------------------------------------------------


def test_me_shows_the_own_profile(auth_client):
    # given
    user = auth_client.user
    # when
    response = auth_client.get("/api/me/")
    # then private fields are included
    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "username": user.username,
        "display_name": user.profile.display_name,
        "bio": user.profile.bio,
        "location": "",
        "avatar_url": None,
        "avatar_small_url": None,
        "followers_count": 0,
        "following_count": 0,
        "is_followed": False,
        "date_joined": response.json()["date_joined"],
        "interests": [],
        "relationship": {"following": False, "followed_by": False, "blocking": False},
        "email": user.email,
        "birth_date": None,
        "two_factor_enabled": False,
    }


def test_public_profile_hides_private_fields(api_client, user):
    # when
    body = api_client.get(f"/api/users/{user.username.upper()}/").json()
    # then
    assert body["username"] == user.username
    assert "email" not in body
    assert "birth_date" not in body


@pytest.mark.parametrize("change", [{"email_verified": False}, {"is_active": False}])
def test_unconfirmed_or_deactivated_profiles_are_404(api_client, db, change):
    # given
    user = UserFactory(**change)
    # when / then
    assert api_client.get(f"/api/users/{user.username}/").status_code == 404


def test_patch_changes_only_the_fields_sent(auth_client):
    # given
    auth_client.patch("/api/me/", {"display_name": "Ana", "bio": "Hi", "location": "Oslo"}, format="json")
    # when only the bio changes
    response = auth_client.patch("/api/me/", {"bio": "  New bio  "}, format="json")
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["display_name"], body["bio"], body["location"]) == ("Ana", "New bio", "Oslo")
    profile = Profile.objects.get(user=auth_client.user)
    assert (profile.display_name, profile.bio, profile.location) == ("Ana", "New bio", "Oslo")


def test_birth_date_exactly_min_age_is_accepted(auth_client):
    # when
    response = auth_client.patch("/api/me/", {"birth_date": _years_ago(13).isoformat()}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["birth_date"] == _years_ago(13).isoformat()


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        (lambda: timezone.localdate() + timedelta(days=1), "The birth date is in the future."),
        (lambda: _years_ago(13, days=-1), "You must be at least 13 to use Short Media."),
        (lambda: _years_ago(5), "You must be at least 13 to use Short Media."),
        (lambda: _years_ago(121), "Check the year of the birth date."),
    ],
    ids=["future", "a-day-short-of-13", "five", "too-old"],
)
def test_bad_birth_date_is_400_and_changes_nothing(auth_client, birth_date, message):
    # when
    response = auth_client.patch(
        "/api/me/", {"birth_date": birth_date().isoformat(), "display_name": "Changed"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": message, "fields": {"birth_date": [message]}}
    profile = Profile.objects.get(user=auth_client.user)
    assert profile.birth_date is None
    assert profile.display_name != "Changed"


def test_min_age_comes_from_settings(auth_client, settings):
    # given a site for adults
    settings.MIN_AGE = 18
    # when
    response = auth_client.patch("/api/me/", {"birth_date": _years_ago(17).isoformat()}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["fields"] == {"birth_date": ["You must be at least 18 to use Short Media."]}


def test_interests_are_normalised(auth_client):
    # when
    names = [" #Music ", "music", "Cooking", "#cooking", "Hiking"]
    response = auth_client.patch("/api/me/", {"interests": names}, format="json")
    # then lower-case, without '#', without duplicates
    assert response.status_code == 200
    assert response.json()["interests"] == ["cooking", "hiking", "music"]
    assert sorted(Interest.objects.values_list("name", flat=True)) == ["cooking", "hiking", "music"]
    # and replacing them keeps the shared Interest rows
    auth_client.patch("/api/me/", {"interests": ["music"]}, format="json")
    assert list(Profile.objects.get(user=auth_client.user).interests.values_list("name", flat=True)) == ["music"]


def test_blank_interests_are_dropped_alike_by_the_api_and_the_service(auth_client):
    # when the API gets a blank entry
    response = auth_client.patch("/api/me/", {"interests": ["music", "  "]}, format="json")
    # then the blank is dropped, as the service does for free text from the form
    assert response.status_code == 200
    assert response.json()["interests"] == ["music"]
    profile = update_profile(
        user=auth_client.user, display_name="", bio="", location="", birth_date=None, interests=["music", "  ", ""]
    )
    assert list(profile.interests.values_list("name", flat=True)) == ["music"]


def test_ten_interests_are_allowed_eleven_are_not(auth_client):
    # when
    ten = auth_client.patch("/api/me/", {"interests": [f"topic{n}" for n in range(10)]}, format="json")
    eleven = auth_client.patch("/api/me/", {"interests": [f"other{n}" for n in range(11)]}, format="json")
    # then
    assert ten.status_code == 200
    assert len(ten.json()["interests"]) == 10
    assert eleven.status_code == 400
    assert eleven.json() == {
        "code": "invalid",
        "message": "Pick at most 10 interests.",
        "fields": {"interests": ["Pick at most 10 interests."]},
    }
    assert sorted(auth_client.get("/api/me/").json()["interests"]) == [f"topic{n}" for n in range(10)]
    assert not Interest.objects.filter(name__startswith="other").exists()


def test_one_letter_interest_is_400(auth_client):
    # when
    response = auth_client.patch("/api/me/", {"interests": ["x"]}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["interests"]


# --- avatars ---------------------------------------------------------------------------------------


def _jpeg_on_its_side() -> bytes:
    """A 600×400 JPEG stored sideways (EXIF orientation 6: shown rotated 90° clockwise), with
    camera and GPS metadata. Its top half is red and its bottom half blue, so shown upright the
    left half is blue and the right half red."""
    image = Image.new("RGB", (600, 400), RED)
    image.paste(BLUE, (0, 200, 600, 400))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Camera Maker"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (52.0, 22.0, 1.5)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def _png(size=(300, 300), mode="RGB", color="green") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, "PNG")
    return buffer.getvalue()


def _upload(client, content: bytes, name="avatar.jpg", content_type="image/jpeg"):
    return client.put(
        "/api/me/avatar/", {"avatar": SimpleUploadedFile(name, content, content_type)}, format="multipart"
    )


def _close(pixel, expected, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def test_avatar_is_upright_square_webp_without_metadata(auth_client, settings, django_capture_on_commit_callbacks):
    # given a sideways JPEG with EXIF and GPS
    assert Image.open(io.BytesIO(_jpeg_on_its_side())).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    # when it is uploaded
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(auth_client, _jpeg_on_its_side())
    # then two square WebP renditions are stored, upright, with no metadata left
    assert response.status_code == 200
    profile = Profile.objects.get(user=auth_client.user)
    assert response.json()["avatar_url"] == f"http://testserver/media/{profile.avatar.name}"
    assert response.json()["avatar_small_url"] == f"http://testserver/media/{profile.avatar_small.name}"
    for field, side in ((profile.avatar, 400), (profile.avatar_small, 96)):
        assert re.fullmatch(r"avatars/[A-Za-z0-9_-]{32}-(large|small)\.webp", field.name)  # no id
        with default_storage.open(field.name) as stored:
            image = Image.open(stored)
            image.load()
        assert image.format == "WEBP"
        assert image.size == (side, side)
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
        rgb = image.convert("RGB")
        quarter = side // 4
        assert _close(rgb.getpixel((quarter, quarter)), BLUE)
        assert _close(rgb.getpixel((quarter, side - quarter)), BLUE)
        assert _close(rgb.getpixel((side - quarter, quarter)), RED)
        assert _close(rgb.getpixel((side - quarter, side - quarter)), RED)
    assert len(_files_under(settings.MEDIA_ROOT)) == 2


def test_small_picture_is_not_upscaled(auth_client):
    # when a 50×80 PNG with transparency is uploaded
    response = _upload(auth_client, _png((50, 80), "RGBA", (0, 0, 0, 0)), "a.png", "image/png")
    # then the square is 50 px (not blown up to 400), on white
    assert response.status_code == 200
    profile = Profile.objects.get(user=auth_client.user)
    with default_storage.open(profile.avatar.name) as stored:
        image = Image.open(stored).convert("RGB")
    assert image.size == (50, 50)
    assert _close(image.getpixel((25, 25)), (255, 255, 255))


def _assert_refused(response, code, settings):
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert list(body["fields"]) == ["avatar"]
    assert body["message"] == body["fields"]["avatar"][0]
    assert _files_under(settings.MEDIA_ROOT) == []


def test_text_file_named_png_is_not_an_image(auth_client, settings):
    # when
    response = _upload(auth_client, b"just some text, not a picture\n" * 10, "avatar.png", "image/png")
    # then
    _assert_refused(response, "not_an_image", settings)
    assert response.json()["message"] == "The file is not a picture we can read."
    assert Profile.objects.get(user=auth_client.user).avatar.name == ""


def test_truncated_image_is_not_an_image(auth_client, settings):
    # when half a JPEG is uploaded
    content = _jpeg_on_its_side()
    response = _upload(auth_client, content[: len(content) // 2])
    # then
    _assert_refused(response, "not_an_image", settings)


def test_oversized_file_is_too_large(auth_client, settings):
    # given a 1 KB limit
    settings.AVATAR_MAX_BYTES = 1024
    # when a bigger picture is uploaded
    response = _upload(auth_client, _jpeg_on_its_side())
    # then it is refused, and the message gives the limit in a readable unit
    _assert_refused(response, "too_large", settings)
    assert response.json()["message"] == "The file is too large; the limit is 1.0\xa0KB."


def test_empty_file_is_400(auth_client, settings):
    # when
    response = _upload(auth_client, b"")
    # then DRF's own check refuses it before the service
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["avatar"]
    assert _files_under(settings.MEDIA_ROOT) == []


def test_other_formats_are_refused(auth_client, settings):
    # given a real picture in a format we do not take (BMP)
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "BMP")
    # when
    response = _upload(auth_client, buffer.getvalue(), "a.bmp", "image/bmp")
    # then
    _assert_refused(response, "bad_format", settings)


def test_too_many_pixels_are_refused_before_decoding(auth_client, settings):
    # given a lowered pixel limit
    settings.IMAGE_MAX_PIXELS = 50_000
    # when a 300×300 picture comes
    response = _upload(auth_client, _png((300, 300)), "a.png", "image/png")
    # then
    _assert_refused(response, "too_many_pixels", settings)


def test_decompression_bomb_is_refused(auth_client, settings):
    # given a small file whose header declares 10000×10000 pixels (default limits)
    bomb = _png((10_000, 10_000), mode="1", color=1)
    assert len(bomb) < settings.AVATAR_MAX_BYTES
    # when
    response = _upload(auth_client, bomb, "bomb.png", "image/png")
    # then
    _assert_refused(response, "too_many_pixels", settings)


def test_replacing_an_avatar_deletes_the_old_files_after_commit(auth_client, django_capture_on_commit_callbacks):
    # given an avatar
    with django_capture_on_commit_callbacks(execute=True):
        _upload(auth_client, _jpeg_on_its_side())
    old = Profile.objects.get(user=auth_client.user)
    old_names = [old.avatar.name, old.avatar_small.name]
    # when a new one is uploaded, before the transaction commits
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _upload(auth_client, _png(), "new.png", "image/png")
    new = Profile.objects.get(user=auth_client.user)
    new_names = [new.avatar.name, new.avatar_small.name]
    # then the old files are still there until the commit
    assert response.status_code == 200
    assert len(callbacks) == 1
    assert all(default_storage.exists(name) for name in old_names + new_names)
    # when it commits
    callbacks[0]()
    # then only the new files remain
    assert not any(default_storage.exists(name) for name in old_names)
    assert all(default_storage.exists(name) for name in new_names)


def test_removing_the_avatar(auth_client, settings, django_capture_on_commit_callbacks):
    # given an avatar
    with django_capture_on_commit_callbacks(execute=True):
        _upload(auth_client, _jpeg_on_its_side())
    # when it is removed
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = auth_client.delete("/api/me/avatar/")
    # then
    assert response.status_code == 200
    assert (response.json()["avatar_url"], response.json()["avatar_small_url"]) == (None, None)
    assert len(callbacks) == 1
    assert _files_under(settings.MEDIA_ROOT) == []


# --- lists are constant in queries -----------------------------------------------------------------


def _queries_for(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {"size": 100})
    assert response.status_code == 200
    return len(context.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("kind", ["followers", "following", "search"])
def test_lists_use_the_same_number_of_queries_for_3_and_30_people(db, django_assert_max_num_queries, kind):
    # given a viewer, and a star who will have 3 then 30 people in the list
    viewer, star = UserFactory(username="viewer"), UserFactory(username="star")
    client = APIClient()
    client.force_authenticate(viewer)
    url = "/api/users/" if kind == "search" else f"/api/users/star/{kind}/"

    def add_people(count):
        for person in UserFactory.create_batch(count):
            if kind == "followers":
                FollowFactory(follower=person, followee=star)
            elif kind == "following":
                FollowFactory(follower=star, followee=person)
            FollowFactory(follower=viewer, followee=person)  # so is_followed varies nothing per row

    add_people(3)
    few_queries, few_rows = _queries_for(client, url)
    add_people(27)
    # when the list is read with 30 people
    with django_assert_max_num_queries(few_queries):
        _, many_rows = _queries_for(client, url)
    # then the count did not grow with the rows
    extra = 2 if kind == "search" else 0  # the viewer and the star are found by the search too
    assert (few_rows, many_rows) == (3 + extra, 30 + extra)
    assert few_queries <= 3


# ==== Relations ===================================================================================


NOTHING = {"following": False, "followed_by": False, "blocking": False}


def _client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _usernames(response) -> list[str]:
    return [item["username"] for item in response.json()["results"]]


@pytest.fixture
def ana(db):
    return UserFactory(username="ana")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


def test_follow_is_idempotent(ana, bob):
    # when Ana follows Bob twice
    first = _client_for(ana).post("/api/users/bob/follow/")
    second = _client_for(ana).post("/api/users/bob/follow/")
    # then one follow exists and both answers say so
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {**NOTHING, "following": True}
    assert Follow.objects.filter(follower=ana, followee=bob).count() == 1
    # and Bob sees Ana following him
    assert _client_for(bob).get("/api/users/ana/").json()["relationship"] == {**NOTHING, "followed_by": True}


def test_unfollow_is_idempotent(ana, bob):
    # given
    FollowFactory(follower=ana, followee=bob)
    # when Ana unfollows twice
    first = _client_for(ana).delete("/api/users/bob/follow/")
    second = _client_for(ana).delete("/api/users/bob/follow/")
    # then
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == NOTHING
    assert Follow.objects.count() == 0


def test_self_follow_is_400(ana):
    # when
    response = _client_for(ana).post("/api/users/ana/follow/")
    # then
    assert response.status_code == 400
    assert response.json() == {"code": "self_follow", "message": "You cannot follow yourself.", "fields": {}}
    assert Follow.objects.count() == 0


def test_self_block_is_400(ana):
    # when
    response = _client_for(ana).post("/api/users/ana/block/")
    # then
    assert response.status_code == 400
    assert response.json() == {"code": "self_block", "message": "You cannot block yourself.", "fields": {}}
    assert Block.objects.count() == 0
    with pytest.raises(ValidationFailed):
        block_user(blocker=ana, blocked=ana)


def test_following_someone_who_blocked_you_is_404(ana, bob):
    # given Bob blocked Ana
    BlockFactory(blocker=bob, blocked=ana)
    # when Ana tries to follow Bob
    response = _client_for(ana).post("/api/users/bob/follow/")
    # then for her, Bob does not exist
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No such user.", "fields": {}}
    assert Follow.objects.count() == 0
    with pytest.raises(NotFound):
        follow_user(follower=ana, followee=bob)


def test_following_someone_you_blocked_is_409(ana, bob):
    # given Ana blocked Bob
    BlockFactory(blocker=ana, blocked=bob)
    # when Ana tries to follow Bob
    response = _client_for(ana).post("/api/users/bob/follow/")
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "blocking"
    assert Follow.objects.count() == 0
    with pytest.raises(Conflict):
        follow_user(follower=ana, followee=bob)


def test_block_removes_follows_both_ways_and_is_idempotent(ana, bob):
    # given they follow each other, and each follows a third person
    carol = UserFactory()
    FollowFactory(follower=ana, followee=bob)
    FollowFactory(follower=bob, followee=ana)
    FollowFactory(follower=ana, followee=carol)
    FollowFactory(follower=bob, followee=carol)
    # when Ana blocks Bob, twice
    first = _client_for(ana).post("/api/users/bob/block/")
    second = _client_for(ana).post("/api/users/bob/block/")
    # then both follows between them are gone, the others stay
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {**NOTHING, "blocking": True}
    assert Block.objects.filter(blocker=ana, blocked=bob).count() == 1
    assert set(Follow.objects.values_list("follower__username", "followee__username")) == {
        ("ana", carol.username),
        ("bob", carol.username),
    }


def test_the_blocked_user_cannot_see_the_blocker_anywhere(ana, bob):
    # given Ana blocked Bob, and both follow Carol and are followed by Dan
    carol, dan = UserFactory(username="carol"), UserFactory(username="dan")
    for person in (ana, bob):
        FollowFactory(follower=person, followee=carol)
        FollowFactory(follower=dan, followee=person)
    block_user(blocker=ana, blocked=bob)
    as_bob = _client_for(bob)
    # when Bob looks
    profile = as_bob.get("/api/users/ana/")
    her_followers = as_bob.get("/api/users/ana/followers/")
    search = as_bob.get("/api/users/", {"q": "a"})
    carols_followers = as_bob.get("/api/users/carol/followers/")
    dans_following = as_bob.get("/api/users/dan/following/")
    # then Ana does not exist for him
    assert profile.status_code == 404
    assert her_followers.status_code == 404
    assert "ana" not in _usernames(search)
    assert "carol" in _usernames(search)
    assert _usernames(carols_followers) == ["bob"]
    assert _usernames(dans_following) == ["bob"]
    # and Ana's profile is not followable for him
    assert as_bob.post("/api/users/ana/follow/").status_code == 404


def test_the_blocker_still_sees_the_blocked_profile(ana, bob):
    # given
    block_user(blocker=ana, blocked=bob)
    as_ana = _client_for(ana)
    # when Ana looks
    profile = as_ana.get("/api/users/bob/")
    blocks = as_ana.get("/api/me/blocks/")
    # then she sees him (to unblock him), marked as blocked, but not in lists
    assert profile.status_code == 200
    assert profile.json()["username"] == "bob"
    assert profile.json()["relationship"] == {**NOTHING, "blocking": True}
    assert blocks.json() == {
        "results": [{"id": bob.pk, "username": "bob", "display_name": bob.profile.display_name}],
        "next_cursor": None,
    }
    assert "bob" not in _usernames(as_ana.get("/api/users/", {"q": "bob"}))


def test_unblock_lets_them_see_each_other_again_without_restoring_follows(ana, bob):
    # given they followed each other and Ana blocked Bob
    FollowFactory(follower=bob, followee=ana)
    block_user(blocker=ana, blocked=bob)
    # when Ana unblocks him, twice
    first = _client_for(ana).delete("/api/users/bob/block/")
    second = _client_for(ana).delete("/api/users/bob/block/")
    # then
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == NOTHING
    assert Block.objects.count() == 0
    assert Follow.objects.count() == 0
    assert _client_for(bob).get("/api/users/ana/").status_code == 200
    assert "ana" in _usernames(_client_for(bob).get("/api/users/", {"q": "ana"}))
    assert unblock_user(blocker=ana, blocked=bob) is False


def test_anonymous_cannot_follow_or_block(api_client, bob):
    # when / then
    assert api_client.post("/api/users/bob/follow/").status_code == 401
    assert api_client.post("/api/users/bob/block/").status_code == 401
    assert Follow.objects.count() == Block.objects.count() == 0


def test_anonymous_may_read_profiles_and_lists(api_client, ana, bob):
    # given
    FollowFactory(follower=bob, followee=ana)
    # when
    profile = api_client.get("/api/users/ana/")
    followers = api_client.get("/api/users/ana/followers/")
    # then
    assert profile.status_code == 200
    assert profile.json()["relationship"] == NOTHING
    assert profile.json()["followers_count"] == 1
    assert _usernames(followers) == ["bob"]
    assert followers.json()["results"][0]["is_followed"] is False


def test_counts_and_is_followed_in_lists(ana, bob):
    # given Ana follows Bob, Bob and Carol follow Ana
    carol = UserFactory(username="carol")
    FollowFactory(follower=ana, followee=bob)
    FollowFactory(follower=bob, followee=ana)
    FollowFactory(follower=carol, followee=ana)
    # when Ana reads her followers
    response = _client_for(ana).get("/api/users/ana/followers/")
    # then newest first, with counts and whether she follows each back
    cards = {item["username"]: item for item in response.json()["results"]}
    assert _usernames(response) == ["carol", "bob"]
    assert (cards["bob"]["is_followed"], cards["carol"]["is_followed"]) == (True, False)
    assert (cards["bob"]["followers_count"], cards["bob"]["following_count"]) == (1, 1)
    assert (cards["carol"]["followers_count"], cards["carol"]["following_count"]) == (0, 1)
