"""Nobody learns whether an address has an account from the code endpoints: asking for a code
and checking one answer alike (status and body) for a pending sign-up, a confirmed account, a
deactivated one and an unknown address, on the API and the pages; and both are rate-limited per
client address and per email address, whatever the address. Before, resend and confirm said
unknown_email or already_confirmed, reset confirm said code_missing or code_wrong, and 40 of 40
tries from one address went through."""

import re

import pytest
from django.urls import reverse

from tests.users.factories import PASSWORD, UserFactory
from users.models import EmailCode, User
from users.services.accounts import sign_up
from users.services.codes import CODE_REFUSED

pytestmark = pytest.mark.django_db

ADDRESSES = ["pending@example.com", "confirmed@example.com", "inactive@example.com", "ghost@example.com"]
NEW_PASSWORD = "a brand new long passphrase"


@pytest.fixture(autouse=True)
def people(django_capture_on_commit_callbacks):
    """A sign-up waiting for its code, a confirmed account, a deactivated one; no ghost."""
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(username="pending", email="pending@example.com", password=PASSWORD, ip="10.9.9.9")
    UserFactory(username="confirmed")
    UserFactory(username="inactive", is_active=False)
    EmailCode.objects.update(code_hash="0" * 64)  # no six digits match: every code below is wrong


def _answer(response) -> tuple[int, bytes]:
    return response.status_code, response.content


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/api/auth/signup/resend/", {}),
        ("/api/auth/signup/confirm/", {"code": "123456"}),
        ("/api/auth/password/reset/", {}),
        ("/api/auth/password/reset/confirm/", {"code": "123456", "new_password": NEW_PASSWORD}),
    ],
)
def test_the_api_answers_alike_for_every_kind_of_address(api_client, url, data):
    # when each address is tried, each from its own client address
    answers = {
        email: _answer(api_client.post(url, {"email": email, **data}, REMOTE_ADDR=f"10.0.0.{n}"))
        for n, email in enumerate(ADDRESSES)
    }
    # then all four answers are one
    assert len(set(answers.values())) == 1, answers
    assert next(iter(answers.values()))[0] in (202, 400)


def test_a_weak_new_password_is_refused_alike_for_every_kind_of_address(api_client):
    # when
    answers = {
        _answer(
            api_client.post(
                "/api/auth/password/reset/confirm/", {"email": email, "code": "123456", "new_password": "1"}
            )
        )
        for email in ADDRESSES
    }
    # then the password is refused first, for each
    assert len(answers) == 1
    assert next(iter(answers))[0] == 400


@pytest.mark.parametrize(
    ("page", "data"),
    [
        ("users:signup_confirm", {"code": "123456"}),
        ("users:password_reset_confirm", {"code": "123456", "new_password": NEW_PASSWORD}),
    ],
)
def test_the_pages_answer_alike_for_every_kind_of_address(client, page, data):
    # when
    pages = {}
    for email in ADDRESSES:
        response = client.post(reverse(page), {"email": email, **data})
        pages[email] = (
            response.status_code,
            tuple(re.findall(r'class="invalid-feedback[^>]*>([^<]*)<', response.content.decode())),
        )
    # then each page says the one thing, by the code field
    assert set(pages.values()) == {(200, (CODE_REFUSED,))}


def test_one_client_address_gets_20_code_requests_in_15_minutes(api_client):
    # when the probe's 40 requests come from one address, to any addresses
    statuses = [
        api_client.post("/api/auth/signup/confirm/", {"email": f"{n}@example.com", "code": "123456"}).status_code
        for n in range(40)
    ]
    # then 20 are answered and the rest refused
    assert statuses == [400] * 20 + [429] * 20


@pytest.mark.parametrize("email", ADDRESSES)
def test_one_email_address_gets_10_code_checks_from_anywhere(api_client, email):
    # when codes for one address come from 11 client addresses
    statuses = [
        api_client.post(
            "/api/auth/signup/confirm/", {"email": email, "code": "123456"}, REMOTE_ADDR=f"10.1.0.{n}"
        ).status_code
        for n in range(11)
    ]
    # then the 11th is refused, whatever the address
    assert statuses == [400] * 10 + [429]
    assert User.objects.filter(email_verified=False, is_active=True).count() == 1
