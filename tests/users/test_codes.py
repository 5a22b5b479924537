"""One-time codes are ASCII only, on every way in: sign-up and reset codes, authenticator codes
and recovery codes, through the API, the pages and the services. Unicode digits
("１２３４５６", "٣٣٣٣٣٣") and other non-ASCII text are a 400 on the field that counts nothing;
before, they reached hmac.compare_digest (TypeError, a 500) or passed str.isdigit()."""

import time

import pyotp
import pytest
from django.core import mail
from django.urls import reverse

from core.exceptions import ValidationFailed
from tests.users.factories import PASSWORD, UserFactory, enable_two_factor
from users.models import EmailCode, RecoveryCode, TwoFactor
from users.services import accounts, two_factor
from users.validators import CODE_MESSAGE, SECOND_FACTOR_MESSAGE

pytestmark = pytest.mark.django_db

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
MALFORMED = ["12345é", "１２３４５６", "٣٣٣٣٣٣", "²³⁴⁵⁶⁷", "12345", "1234567", "12 345"]


def _code_error(field: str, message: str = CODE_MESSAGE) -> dict:
    return {"code": "invalid", "message": f"{field}: {message}", "fields": {field: [message]}}


@pytest.fixture
def pending_signup(api_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            api_client.post(
                "/api/auth/signup/", {"username": "ana", "email": "ana@example.com", "password": PASSWORD}
            ).status_code
            == 201
        )
    return mail.outbox[-1]


@pytest.mark.parametrize("code", MALFORMED)
def test_signup_confirm_refuses_a_code_that_is_not_six_ascii_digits(api_client, pending_signup, code):
    # when
    response = api_client.post("/api/auth/signup/confirm/", {"email": "ana@example.com", "code": code})
    # then
    assert response.status_code == 400
    assert response.json() == _code_error("code")
    assert EmailCode.objects.get().attempts == 0


@pytest.mark.parametrize("translation", [FULLWIDTH, ARABIC_INDIC])
def test_the_right_signup_code_in_other_digits_is_refused_by_the_service(pending_signup, translation):
    # given the emailed code written in Unicode digits that str.isdigit() accepts
    code = next(word for word in pending_signup.body.split() if len(word) == 6 and word.isdigit())
    # when / then
    with pytest.raises(ValidationFailed) as error:
        accounts.confirm_signup(email="ana@example.com", code=code.translate(translation), ip="10.0.0.1")
    assert error.value.fields == {"code": [CODE_MESSAGE]}
    assert EmailCode.objects.get().used_at is None


def test_password_reset_confirm_refuses_a_non_ascii_code(api_client, user):
    # when
    response = api_client.post(
        "/api/auth/password/reset/confirm/",
        {"email": user.email, "code": "１２３４５６", "new_password": "a brand new long passphrase"},
    )
    # then
    assert response.status_code == 400
    assert response.json() == _code_error("code")


@pytest.mark.parametrize("code", ["12345é", "１２３４５６", "٣٣٣٣٣٣"])
def test_two_factor_confirm_api_refuses_non_ascii_codes(auth_client, code):
    # given
    assert auth_client.post("/api/auth/2fa/setup/").status_code == 200
    # when
    response = auth_client.post("/api/auth/2fa/confirm/", {"code": code})
    # then
    assert response.status_code == 400
    assert response.json() == _code_error("code")
    assert TwoFactor.objects.get(user=auth_client.user).confirmed_at is None


def test_two_factor_confirm_service_refuses_the_right_code_in_fullwidth_digits(user):
    # given
    secret = two_factor.start_two_factor_setup(user=user).secret
    # when / then
    with pytest.raises(ValidationFailed) as error:
        two_factor.confirm_two_factor_setup(user=user, code=pyotp.TOTP(secret).now().translate(FULLWIDTH))
    assert error.value.fields == {"code": [CODE_MESSAGE]}


@pytest.mark.parametrize("translation", [FULLWIDTH, ARABIC_INDIC])
def test_api_login_refuses_the_right_totp_in_other_digits(api_client, user, translation):
    # given 2FA is on and the next step's code is written in Unicode digits
    secret, _ = enable_two_factor(user)
    code = pyotp.TOTP(secret).at(time.time() + 30)
    # when
    response = api_client.post(
        "/api/auth/token/", {"identifier": user.username, "password": PASSWORD, "otp": code.translate(translation)}
    )
    # then
    assert response.status_code == 400
    assert response.json() == _code_error("otp", SECOND_FACTOR_MESSAGE)
    # and the same code in ASCII still works
    ascii_login = api_client.post("/api/auth/token/", {"identifier": user.username, "password": PASSWORD, "otp": code})
    assert ascii_login.status_code == 200


def test_api_login_refuses_a_recovery_code_with_non_ascii_letters(api_client, user):
    # given
    _, codes = enable_two_factor(user)
    lookalike = codes[0].replace("-", "‐")  # U+2010 HYPHEN
    # when
    response = api_client.post(
        "/api/auth/token/", {"identifier": user.username, "password": PASSWORD, "otp": lookalike}
    )
    # then
    assert response.status_code == 400
    assert response.json() == _code_error("otp", SECOND_FACTOR_MESSAGE)
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 0


def test_login_verify_page_refuses_the_right_totp_in_fullwidth_digits(client):
    # given a password step passed for an account with 2FA
    ana = UserFactory(username="ana")
    secret = pyotp.random_base32()
    TwoFactor.objects.create(user=ana, secret=secret, confirmed_at="2026-01-01T00:00:00Z")
    client.post(reverse("users:login"), {"identifier": "ana", "password": PASSWORD})
    # when
    response = client.post(reverse("users:login_verify"), {"code": pyotp.TOTP(secret).now().translate(FULLWIDTH)})
    # then the code field says why, and nobody is logged in
    assert response.status_code == 200
    assert f'<div class="invalid-feedback d-block" id="id_code_error">{SECOND_FACTOR_MESSAGE}</div>' in (
        response.content.decode()
    )
    assert client.get(reverse("home")).context["user"].is_authenticated is False


def test_two_factor_confirm_page_refuses_a_non_ascii_code(client, user):
    # given
    client.force_login(user)
    two_factor.start_two_factor_setup(user=user)
    # when
    response = client.post(reverse("users:two_factor_confirm"), {"code": "12345é"})
    # then
    assert response.status_code == 200
    assert f'<div class="invalid-feedback d-block" id="id_code_error">{CODE_MESSAGE}</div>' in (
        response.content.decode()
    )
    assert TwoFactor.objects.get(user=user).confirmed_at is None
