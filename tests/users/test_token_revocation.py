"""API access tokens end when the account says so, not only when they expire (2 hours): a
password change or reset, a deactivation and "log out everywhere" end every token of the
account, a plain logout ends the device's own; the WebSocket handshake applies the same check.
The check costs no extra database query: the version in the token is compared with the user
row simplejwt loads anyway."""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from core.consumers import CLOSE_REVOKED, CLOSE_UNAUTHENTICATED
from tests.sockets import run
from tests.users.factories import PASSWORD, UserFactory
from users.models import User
from users.services.accounts import deactivate_user, issue_tokens, log_out_everywhere

NEW_PASSWORD = "a brand new long passphrase"
REVOKED = {"code": "token_revoked", "message": "This token was revoked. Log in again.", "fields": {}}


def _device(user) -> tuple[APIClient, dict]:
    """An API client logged in as `user` with its own pair of tokens."""
    tokens = issue_tokens(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client, tokens


def _me(client) -> tuple[int, dict]:
    response = client.get("/api/me/")
    return response.status_code, response.json()


@pytest.fixture
def ana(db):
    return UserFactory(username="ana")


def test_a_password_change_ends_every_access_token(ana):
    # given Ana is logged in on two devices
    phone, _ = _device(ana)
    laptop, _ = _device(ana)
    # when she changes her password from the phone
    changed = phone.post("/api/auth/password/change/", {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    # then both access tokens are refused at once
    assert changed.status_code == 204
    assert _me(phone) == (401, REVOKED)
    assert _me(laptop) == (401, REVOKED)
    # and a new login works
    assert _me(_device(User.objects.get(pk=ana.pk))[0])[0] == 200


def test_a_password_reset_ends_every_access_token(ana, api_client, django_capture_on_commit_callbacks):
    # given Ana is logged in on a device and asked for a reset code
    phone, _ = _device(ana)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/auth/password/reset/", {"email": ana.email})
    code = next(word for word in mail.outbox[-1].body.split() if len(word) == 6 and word.isascii() and word.isdigit())
    # when she sets a new password with it
    reset = api_client.post(
        "/api/auth/password/reset/confirm/", {"email": ana.email, "code": code, "new_password": NEW_PASSWORD}
    )
    # then
    assert reset.status_code == 204
    assert _me(phone) == (401, REVOKED)


def test_deactivation_ends_every_access_token_and_refresh_token(ana, api_client):
    # given
    phone, tokens = _device(ana)
    moderator = UserFactory(is_staff=True)
    # when
    deactivate_user(user=ana, by=moderator)
    # then
    assert _me(phone)[0] == 401
    refreshed = api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 401


def test_log_out_everywhere_ends_every_device(ana, api_client):
    # given Ana is logged in on two devices
    phone, phone_tokens = _device(ana)
    laptop, _ = _device(ana)
    # when she logs out everywhere from the phone
    response = phone.post("/api/auth/logout/everywhere/")
    # then access and refresh tokens of both are refused
    assert response.status_code == 204
    assert _me(phone) == (401, REVOKED)
    assert _me(laptop) == (401, REVOKED)
    assert api_client.post("/api/auth/token/refresh/", {"refresh": phone_tokens["refresh"]}).status_code == 401


def test_a_plain_logout_ends_this_devices_access_token_only(ana, api_client):
    # given Ana is logged in on two devices
    phone, phone_tokens = _device(ana)
    laptop, _ = _device(ana)
    # when she logs out on the phone
    response = phone.post("/api/auth/logout/", {"refresh": phone_tokens["refresh"]})
    # then the phone's tokens are refused, the laptop's still work
    assert response.status_code == 204
    assert _me(phone) == (401, REVOKED)
    assert api_client.post("/api/auth/token/refresh/", {"refresh": phone_tokens["refresh"]}).status_code == 401
    assert _me(laptop)[0] == 200


def test_a_refreshed_access_token_carries_the_version_and_is_revoked_alike(ana, api_client):
    # given an access token got by refreshing
    _, tokens = _device(ana)
    access = api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}).json()["access"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert _me(client)[0] == 200
    # when every token is revoked
    ana.refresh_from_db()
    deactivate_user(user=ana, by=UserFactory(is_staff=True))
    User.objects.filter(pk=ana.pk).update(is_active=True)  # active again: only the version refuses it
    # then
    assert _me(client) == (401, REVOKED)


def test_an_authenticated_request_costs_the_same_queries_as_before(ana, django_assert_num_queries):
    # given (before revocation this request made the same 2 queries: the user row and the count)
    phone, _ = _device(ana)
    # when / then: the user row (simplejwt loads it anyway) and the count; the check adds none
    with django_assert_num_queries(2):
        response = phone.get("/api/notifications/unread-count/")
    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_websocket_handshake_refuses_a_revoked_access_token():
    # given a device's access token, and the account logs out everywhere
    ana = UserFactory(username="ana")
    phone, tokens = _device(ana)
    assert phone.post("/api/auth/logout/everywhere/").status_code == 204

    # when the device opens a socket with its old token
    async def scenario():
        from channels.testing import WebsocketCommunicator

        from config.asgi import application

        headers = [(b"authorization", f"Bearer {tokens['access']}".encode())]
        communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
        return await communicator.connect()

    # then it is closed as unauthenticated
    assert run(scenario) == (False, CLOSE_UNAUTHENTICATED)


@pytest.mark.django_db(transaction=True)
def test_open_sockets_close_when_the_tokens_are_revoked():
    # given a device with an open socket
    ana = UserFactory(username="ana")
    _, tokens = _device(ana)
    headers = [(b"authorization", f"Bearer {tokens['access']}".encode())]

    async def scenario():
        from asgiref.sync import sync_to_async
        from channels.testing import WebsocketCommunicator

        from config.asgi import application

        socket = WebsocketCommunicator(application, "/ws/", headers=headers)
        assert (await socket.connect())[0]
        await socket.receive_json_from()  # hello
        # when the account logs out everywhere (the service commits, then the sockets are told)
        await sync_to_async(log_out_everywhere)(user=ana)
        closed = await socket.receive_output()
        # and the device connects again with its token
        again = await WebsocketCommunicator(application, "/ws/", headers=headers).connect()
        return closed, again

    # then the socket was closed for revocation, and the token is refused at the new handshake
    assert run(scenario) == ({"type": "websocket.close", "code": CLOSE_REVOKED}, (False, CLOSE_UNAUTHENTICATED))
