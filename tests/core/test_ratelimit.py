"""Every limit of settings.RATE_LIMITS is enforced exactly at its number, per window and per key."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import RequestFactory

from core import ratelimit
from core.http import client_ip
from tests.users.factories import PASSWORD, UserFactory
from users.models import EmailCode, User

# A moment 100 s into a window of every length used here (300 s and 1,800 s both divide it).
WINDOW_START = 1_800 * 1_000_000
NOW = WINDOW_START + 100


@pytest.fixture
def clock(monkeypatch):
    """core.ratelimit's own clock, frozen at NOW; set clock.now to move it."""
    fake = SimpleNamespace(now=NOW)
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: fake.now))
    return fake


def assert_limited(response, retry_after=200):
    """A 429 in the one error format, saying when to retry (the clock fixture sits mid-window)."""
    assert response.status_code == 429
    assert response["Retry-After"] == str(retry_after)
    assert response.json() == {
        "code": "rate_limited",
        "message": f"Too many requests. Try again in {retry_after} seconds.",
        "fields": {},
    }


def _login(client, identifier="nobody@example.com", password="wrong password", **extra):
    return client.post("/api/auth/token/", {"identifier": identifier, "password": password}, **extra)


def _signup(client, n, **extra):
    data = {"username": f"new{n}", "email": f"new{n}@example.com", "password": "correct horse battery"}
    return client.post("/api/auth/signup/", data, **extra)


def test_default_limits_are_the_required_ones(settings):
    # then the defaults (no environment) are the promised numbers
    assert settings.RATE_LIMITS["login"] == "25/300"
    assert settings.RATE_LIMITS["signup"] == "5/1800"
    assert settings.RATE_LIMITS["email"] == "5/1800"
    assert settings.RATE_LIMITS["api_anon"] == "300/300"
    assert settings.RATE_LIMITS["api_user"] == "1500/300"


# --- login: 25 per 5 minutes per address ------------------------------------------------------


def test_login_allows_25_attempts_then_429(api_client, db, clock):
    # given 25 failed logins from one address
    statuses = [_login(api_client).status_code for _ in range(25)]
    # when the 26th comes in the same window
    response = _login(api_client)
    # then
    assert statuses == [401] * 25
    assert_limited(response)


def test_login_limit_refuses_even_the_right_password(api_client, user, clock):
    # given the login window is used up
    for _ in range(25):
        _login(api_client, user.username)
    # when the right password comes
    response = _login(api_client, user.username, PASSWORD)
    # then no tokens are handed out
    assert response.status_code == 429
    assert "access" not in response.json()


def test_login_limit_resets_in_a_new_window(api_client, user, clock):
    # given the window is used up
    for _ in range(25):
        _login(api_client)
    assert _login(api_client).status_code == 429
    # when the clock reaches the next window
    clock.now = WINDOW_START + 300
    response = _login(api_client, user.username, PASSWORD)
    # then logins work again
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_login_limit_is_per_address(api_client, db, clock):
    # given one address used up its window
    for _ in range(26):
        _login(api_client, REMOTE_ADDR="10.0.0.1")
    # when another address tries
    response = _login(api_client, REMOTE_ADDR="10.0.0.2")
    # then it is not affected
    assert response.status_code == 401
    assert _login(api_client, REMOTE_ADDR="10.0.0.1").status_code == 429


# --- sign-up: 5 per 30 minutes per address ----------------------------------------------------


def test_signup_allows_5_per_address_then_429(api_client, db, clock):
    # given 5 sign-ups from one address
    statuses = [_signup(api_client, n).status_code for n in range(5)]
    # when a 6th comes
    response = _signup(api_client, 5)
    # then it is refused and creates nothing
    assert statuses == [201] * 5
    assert response.status_code == 429
    assert response["Retry-After"] == "1700"
    assert response.json()["code"] == "rate_limited"
    assert User.objects.count() == 5
    assert not User.objects.filter(username="new5").exists()


def test_signup_limit_is_per_address_and_resets(api_client, db, clock):
    # given one address used up its window
    for n in range(6):
        _signup(api_client, n)
    # when another address signs up, and later the first one again
    other = _signup(api_client, 10, REMOTE_ADDR="10.0.0.9")
    clock.now = WINDOW_START + 1_800
    later = _signup(api_client, 11)
    # then both are accepted
    assert other.status_code == 201
    assert later.status_code == 201


# --- emailed codes: 5 per 30 minutes per address ----------------------------------------------


def test_code_emails_limited_to_5_per_address(api_client, db, settings, clock, django_capture_on_commit_callbacks):
    # given no cooldown between codes, and a sign-up (its code is email 1)
    settings.EMAIL_CODE_COOLDOWN = timedelta(0)
    with django_capture_on_commit_callbacks(execute=True):
        assert _signup(api_client, 1).status_code == 201
        # when 4 more codes and then a 5th are asked for
        statuses = [
            api_client.post("/api/auth/signup/resend/", {"email": "new1@example.com"}).status_code for _ in range(4)
        ]
        response = api_client.post("/api/auth/signup/resend/", {"email": "new1@example.com"})
    # then 5 emails left and the 6th was refused
    assert statuses == [202] * 4
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert response["Retry-After"] == "1700"
    assert len(mail.outbox) == 5
    assert EmailCode.objects.filter(user__username="new1").count() == 5


def test_code_email_limit_holds_with_the_cooldown_waited_out(api_client, db, clock):
    # given the real cooldown, waited out each time by making the last code older
    _signup(api_client, 1)
    statuses = []
    for _ in range(5):
        codes = EmailCode.objects.filter(user__username="new1")
        codes.update(created_at=codes.latest("created_at").created_at - timedelta(minutes=2))
        statuses.append(api_client.post("/api/auth/signup/resend/", {"email": "new1@example.com"}).status_code)
    # then the sixth code in the window is refused
    assert statuses == [202, 202, 202, 202, 429]


def test_password_reset_emails_limited_to_5_per_address(
    api_client, user, settings, clock, django_capture_on_commit_callbacks
):
    # given no cooldown between codes
    settings.EMAIL_CODE_COOLDOWN = timedelta(0)
    # when 6 resets are asked for
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [api_client.post("/api/auth/password/reset/", {"email": user.email}).status_code for _ in range(6)]
    # then 5 emails left and the 6th was refused
    assert statuses == [202] * 5 + [429]
    assert len(mail.outbox) == 5


def test_password_reset_for_unknown_address_counts_the_same(api_client, db, clock, django_capture_on_commit_callbacks):
    # when 6 resets are asked for an address without an account
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        statuses = [
            api_client.post("/api/auth/password/reset/", {"email": "ghost@example.com"}).status_code for _ in range(6)
        ]
    # then the answers are those of a real account, and nothing is sent
    assert statuses == [202] * 5 + [429]
    assert callbacks == []
    assert mail.outbox == []


def test_password_reset_known_and_unknown_answer_alike_within_the_cooldown(api_client, user, clock):
    # given the default cooldown (a known address gets one code, later asks are swallowed)
    # when both a known and an unknown address ask 6 times in a row
    known = [api_client.post("/api/auth/password/reset/", {"email": user.email}).status_code for _ in range(6)]
    ghost = {"email": "ghost@example.com"}
    unknown = [api_client.post("/api/auth/password/reset/", ghost).status_code for _ in range(6)]
    # then nobody can tell which address has an account
    assert known == unknown == [202] * 5 + [429]
    assert EmailCode.objects.filter(user=user).count() == 1


# --- the whole API: 300 per 5 minutes anonymous, 1,500 per user -------------------------------


def test_api_anonymous_limit_is_300(api_client, db, clock):
    # given 300 anonymous requests
    statuses = {api_client.get("/api/users/").status_code for _ in range(300)}
    # when the 301st comes
    response = api_client.get("/api/users/")
    # then
    assert statuses == {200}
    assert_limited(response)
    # and another address is not affected
    assert api_client.get("/api/users/", REMOTE_ADDR="10.1.1.1").status_code == 200


def test_api_user_limit_is_1500_per_user(api_client, user, clock):
    # given 1,500 requests of one user (authenticated directly: the token check is not what is measured)
    api_client.force_authenticate(user)
    statuses = {api_client.get("/api/users/", {"q": "zzz"}).status_code for _ in range(1500)}
    # when the 1,501st comes
    response = api_client.get("/api/users/", {"q": "zzz"})
    # then
    assert statuses == {200}
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert response["Retry-After"] == "200"


def test_api_user_limit_is_per_user_not_per_address(auth_client, settings, clock):
    # given a smaller limit (for speed; the default is pinned above) used up by one user
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_user": "3/300"}
    for _ in range(3):
        assert auth_client.get("/api/users/").status_code == 200
    assert auth_client.get("/api/users/").status_code == 429
    # when another user calls from the same address
    from rest_framework.test import APIClient

    from users.services.accounts import issue_tokens

    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user=UserFactory())['access']}")
    # then their requests count for them alone
    assert other.get("/api/users/").status_code == 200
    # and the next window frees the first user
    clock.now = WINDOW_START + 300
    assert auth_client.get("/api/users/").status_code == 200


# --- the counter itself -----------------------------------------------------------------------


def test_hit_counts_exactly_up_to_the_limit(db, settings, clock):
    # given a limit of 2 per minute
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "2/60"}
    ratelimit.hit("login", "k")
    ratelimit.hit("login", "k")
    # when a third hit comes 100 s after the epoch window start (40 s into its minute)
    with pytest.raises(ratelimit.RateLimited) as raised:
        ratelimit.hit("login", "k")
    # then it is refused until the minute ends
    assert raised.value.retry_after == 20
    ratelimit.hit("login", "other key")  # another key is counted separately


# --- the client's address behind proxies ------------------------------------------------------


@pytest.mark.parametrize(
    ("num_proxies", "forwarded", "expected"),
    [
        (0, "1.1.1.1, 2.2.2.2", "9.9.9.9"),  # no proxy trusted: the header is ignored
        (1, "", "9.9.9.9"),  # a trusted proxy that sent nothing: the socket address
        (1, "2.2.2.2", "2.2.2.2"),
        (1, "6.6.6.6, 2.2.2.2", "2.2.2.2"),  # a spoofed first entry is not trusted
        (2, "1.1.1.1, 2.2.2.2", "1.1.1.1"),
        (2, "evil, 1.1.1.1 ,2.2.2.2", "1.1.1.1"),
        (2, "2.2.2.2", "9.9.9.9"),  # fewer entries than proxies: not trusted
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(settings, num_proxies, forwarded, expected):
    # given NUM_PROXIES and a request from 9.9.9.9 with that X-Forwarded-For
    settings.NUM_PROXIES = num_proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="9.9.9.9", **extra)
    # when / then
    assert client_ip(request) == expected


def test_login_limit_counts_the_forwarded_address(api_client, db, settings, clock):
    # given one proxy in front, and 25 logins from 2.2.2.2 with changing spoofed entries
    settings.NUM_PROXIES = 1
    for n in range(25):
        assert _login(api_client, HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 2.2.2.2").status_code == 401
    # when the same client comes again, and another client through the same proxy
    same = _login(api_client, HTTP_X_FORWARDED_FOR="7.7.7.7, 2.2.2.2")
    other = _login(api_client, HTTP_X_FORWARDED_FOR="3.3.3.3")
    # then the spoofing did not help, and the other client is unaffected
    assert same.status_code == 429
    assert other.status_code == 401
