"""Login, JWT refresh/rotation/logout, password change and reset, TOTP two-factor."""

import re
import time

import pyotp
import pytest
from django.core import mail
from rest_framework.test import APIClient

from tests.users.factories import PASSWORD, UserFactory, enable_two_factor
from users.models import EmailCode, RecoveryCode, TwoFactor

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


def _code_from(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


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
    assert reused.status_code == 400
    assert reused.json()["code"] == "code_used"


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
    assert response.status_code == 400
    assert response.json()["code"] == "code_wrong"
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
    assert response.status_code == 400
    assert response.json() == {
        "code": "code_wrong",
        "message": "That code is wrong.",
        "fields": {"code": ["That code is wrong."]},
    }


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
