"""Sign-up with an emailed 6-digit code, through the services and the JSON API."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from core.exceptions import RateLimited, ValidationFailed
from tests.users.factories import UserFactory
from users.models import EmailCode, Profile, User
from users.services.accounts import confirm_signup, sign_up
from users.services.codes import consume_code, hash_secret

PASSWORD = "correct horse battery"
ANA = {"username": "Ana_B", "email": "Ana@Example.com", "password": PASSWORD}


def _code_from(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


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


def test_sign_up_emails_a_six_digit_code_stored_only_as_a_hash(db, django_capture_on_commit_callbacks):
    # when someone signs up through the service
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        user = sign_up(username=" Ana_B ", email=" Ana@Example.COM ", password=PASSWORD, display_name=" Ana ")
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
    assert user.check_password(PASSWORD)
    assert Profile.objects.get(user=user).display_name == "Ana"


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
    response = api_client.post("/api/auth/token/", {"identifier": "ana_b", "password": PASSWORD})
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
    login = api_client.post("/api/auth/token/", {"identifier": "ANA@example.com", "password": PASSWORD})
    assert login.status_code == 200


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_wrong_code_is_a_400_and_the_attempt_is_persisted(api_client, signed_up):
    # when a wrong code is sent
    response = _confirm(api_client, _wrong(signed_up))
    # then the error says how many tries are left, and the try stays counted
    assert response.status_code == 400
    assert response.json() == {
        "code": "code_wrong",
        "message": "That code is wrong. 4 tries left.",
        "fields": {"code": ["That code is wrong. 4 tries left."]},
    }
    assert _latest_code().attempts == 1
    assert User.objects.get(username="ana_b").email_verified is False


def test_five_wrong_tries_lock_the_code_even_for_the_right_one(api_client, signed_up):
    # given 5 wrong tries
    messages = [_confirm(api_client, _wrong(signed_up)).json()["message"] for _ in range(5)]
    # when the right code comes
    response = _confirm(api_client, signed_up)
    # then it is refused too
    assert messages == [f"That code is wrong. {n} {'try' if n == 1 else 'tries'} left." for n in (4, 3, 2, 1, 0)]
    assert response.status_code == 429
    assert response.json() == {
        "code": "too_many_attempts",
        "message": "Too many wrong tries for this code. Ask for a new one.",
        "fields": {},
    }
    assert 1 <= int(response["Retry-After"]) <= 60
    assert _latest_code().attempts == 5
    assert User.objects.get(username="ana_b").email_verified is False


def test_expired_code_is_refused(api_client, signed_up):
    # given the code expired a second ago
    past = timezone.now() - timedelta(minutes=10, seconds=1)
    EmailCode.objects.filter(user__username="ana_b").update(created_at=past, expires_at=past + timedelta(minutes=10))
    # when
    response = _confirm(api_client, signed_up)
    # then
    assert response.status_code == 400
    assert response.json() == {
        "code": "code_expired",
        "message": "This code has expired. Ask for a new one.",
        "fields": {"code": ["This code has expired. Ask for a new one."]},
    }
    assert User.objects.get(username="ana_b").email_verified is False


def test_confirming_twice_is_refused(api_client, signed_up):
    # given the code was used
    assert _confirm(api_client, signed_up).status_code == 200
    # when it is sent again
    response = _confirm(api_client, signed_up)
    # then the account is already confirmed
    assert response.status_code == 400
    assert response.json()["code"] == "already_confirmed"
    assert response.json()["fields"] == {"email": ["This account is already confirmed. Log in instead."]}


def test_a_used_code_is_refused_by_the_service(db, django_capture_on_commit_callbacks):
    # given a code consumed once
    with django_capture_on_commit_callbacks(execute=True):
        user = sign_up(username="ana", email="ana@example.com", password=PASSWORD)
    code = _code_from(mail.outbox[0])
    consume_code(user=user, purpose="signup", code=code)
    # when it is consumed again
    with pytest.raises(ValidationFailed) as raised:
        consume_code(user=user, purpose="signup", code=code)
    # then
    assert raised.value.code == "code_used"
    assert raised.value.fields == {"code": ["This code was already used. Ask for a new one."]}


def test_confirm_for_unknown_email_is_a_400(api_client, db):
    # when
    response = _confirm(api_client, "123456", email="ghost@example.com")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_email"
    assert list(response.json()["fields"]) == ["email"]


def test_resend_before_the_cooldown_is_429(api_client, signed_up, django_capture_on_commit_callbacks):
    # when a new code is asked for at once
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post("/api/auth/signup/resend/", {"email": "ana@example.com"})
    # then
    assert response.status_code == 429
    assert response.json()["code"] == "code_cooldown"
    assert 1 <= int(response["Retry-After"]) <= 60
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
        assert _confirm(api_client, signed_up).json()["code"] == "code_wrong"
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
        response = api_client.post("/api/auth/signup/", {**data, "password": PASSWORD})
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


def test_a_rolled_back_sign_up_sends_nothing(db, django_capture_on_commit_callbacks):
    # when a sign-up happens inside a transaction that is then rolled back
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        sign_up(username="ana", email="ana@example.com", password=PASSWORD)
        raise RuntimeError("something later failed")
    # then no account and no email
    assert callbacks == []
    assert mail.outbox == []
    assert User.objects.count() == 0
    assert EmailCode.objects.count() == 0


def test_confirm_signup_service_refuses_a_locked_code(db, django_capture_on_commit_callbacks):
    # given a code with all its tries used
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(username="ana", email="ana@example.com", password=PASSWORD)
    EmailCode.objects.update(attempts=5)
    # when / then
    with pytest.raises(RateLimited) as raised:
        confirm_signup(email="ana@example.com", code=_code_from(mail.outbox[0]))
    assert raised.value.code == "too_many_attempts"


def test_existing_confirmed_user_factory_is_not_pending(api_client, db):
    # given an already confirmed account
    UserFactory(username="bob", email="bob@example.com")
    # when a code is asked for it
    response = api_client.post("/api/auth/signup/resend/", {"email": "bob@example.com"})
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "already_confirmed"
    assert EmailCode.objects.count() == 0
