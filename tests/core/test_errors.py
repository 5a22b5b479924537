"""The one error body {"code", "message", "fields"} for every kind of failure, and the HTML page elsewhere."""

from datetime import timedelta

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from tests.users.factories import BlockFactory, UserFactory
from users.models import User


def test_validation_error_names_every_missing_field(api_client, db):
    # given an empty sign-up
    # when it is posted
    response = api_client.post("/api/auth/signup/", {}, format="json")
    # then each required field is named, and the message quotes the first one
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "username: This field is required.",
        "fields": {
            "username": ["This field is required."],
            "email": ["This field is required."],
            "password": ["This field is required."],
        },
    }
    assert User.objects.count() == 0


def test_domain_validation_error_has_its_own_code_and_field(api_client, db):
    # given a username that is reserved
    # when someone signs up with it
    response = api_client.post(
        "/api/auth/signup/", {"username": "admin", "email": "a@example.com", "password": "correct horse battery"}
    )
    # then the service's error comes out in the same body
    assert response.status_code == 400
    assert response.json() == {
        "code": "taken",
        "message": "This username is reserved.",
        "fields": {"username": ["This username is reserved."]},
    }


def test_not_found_domain_error_is_404(api_client, db):
    # given no such user
    # when their profile is requested
    response = api_client.get("/api/users/nobody/")
    # then
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No such user.", "fields": {}}


def test_conflict_domain_error_is_409(auth_client):
    # given the client blocked someone
    other = UserFactory()
    BlockFactory(blocker=auth_client.user, blocked=other)
    # when it tries to follow them
    response = auth_client.post(f"/api/users/{other.username}/follow/")
    # then
    assert response.status_code == 409
    assert response.json() == {
        "code": "blocking",
        "message": "You blocked this user. Unblock them first.",
        "fields": {},
    }


def test_rate_limited_domain_error_is_429_with_retry_after(api_client, db, settings):
    # given one ask for a code per client address an hour, used up
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "code_client": "1/3600"}
    api_client.post("/api/auth/signup/resend/", {"email": "ana@example.com"})
    # when a new code is asked for at once
    response = api_client.post("/api/auth/signup/resend/", {"email": "ana@example.com"})
    # then
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "rate_limited"
    assert body["fields"] == {}
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 3600
    assert body["message"] == f"Too many requests. Try again in {retry_after} seconds."


def test_malformed_json_is_a_400_parse_error(api_client, db):
    # given a body that is not JSON
    # when it is posted as JSON
    response = api_client.generic("POST", "/api/auth/token/", '{"identifier": "a', content_type="application/json")
    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "parse_error"
    assert body["message"].startswith("JSON parse error")
    assert body["fields"] == {}


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_api_path_answers_json_404(client, db, settings, debug):
    # given DEBUG on or off
    settings.DEBUG = debug
    # when an unknown API path is requested
    response = client.get("/api/no/such/thing/")
    # then it is the JSON error, not Django's debug page
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "message": "Not found.", "fields": {}}


def test_method_not_allowed_has_the_same_shape(api_client, db):
    # when a POST-only endpoint is read
    response = api_client.get("/api/auth/signup/")
    # then
    assert response.status_code == 405
    assert response.json() == {"code": "method_not_allowed", "message": 'Method "GET" not allowed.', "fields": {}}


def test_missing_credentials_are_401(api_client, db):
    # when an anonymous client asks for its profile
    response = api_client.get("/api/me/")
    # then
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "fields": {},
    }


def test_garbage_jwt_is_401(api_client, db):
    # given a token that is not a JWT
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    # when it is used
    response = api_client.get("/api/me/")
    # then
    assert response.status_code == 401
    assert response.json() == {
        "code": "token_not_valid",
        "message": "Given token not valid for any token type",
        "fields": {},
    }


def test_expired_jwt_is_401(api_client, user):
    # given an access token that expired a minute ago
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(minutes=1))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    # when it is used
    response = api_client.get("/api/me/")
    # then
    assert response.status_code == 401
    assert response.json() == {
        "code": "token_not_valid",
        "message": "Given token not valid for any token type",
        "fields": {},
    }


def test_valid_jwt_still_works(api_client, user):
    # given a fresh token (the control for the two tests above)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    # when it is used
    response = api_client.get("/api/me/")
    # then
    assert response.status_code == 200
    assert response.json()["username"] == user.username


def test_html_404_for_pages_outside_the_api(client, db):
    # when a page that does not exist is requested
    response = client.get("/no/such/page/")
    # then it is an HTML page, not JSON
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "error.html" in [template.name for template in response.templates]
    assert b"Not found." in response.content
