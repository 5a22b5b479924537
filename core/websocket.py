"""WebSocket authentication. The web app authenticates with its session cookie, so such a
handshake must come from one of our own origins (a foreign page could otherwise ride the
cookie). API clients send `Authorization: Bearer <access JWT>`; a browser cannot set that
header on a WebSocket, so those handshakes need no origin check."""

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

from .authentication import RevocableJWTAuthentication


@database_sync_to_async
def user_from_bearer(header: bytes):
    """The user an access token names, or AnonymousUser if it is bad, expired, revoked or its
    account inactive: the same check as the HTTP API's."""
    parts = header.decode("latin-1").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return AnonymousUser()
    auth = RevocableJWTAuthentication()
    try:
        return auth.get_user(auth.get_validated_token(parts[1].encode()))
    except (InvalidToken, AuthenticationFailed):
        return AnonymousUser()


class BearerAuthMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        header = dict(scope["headers"])[b"authorization"]
        return await self.inner(dict(scope, user=await user_from_bearer(header)), receive, send)


class _ByCredential:
    def __init__(self, *, bearer, cookie):
        self.bearer, self.cookie = bearer, cookie

    async def __call__(self, scope, receive, send):
        handler = self.bearer if b"authorization" in dict(scope["headers"]) else self.cookie
        return await handler(scope, receive, send)


def websocket_auth_stack(inner):
    """Wrap the WebSocket router: scope["user"] is set from a bearer token or the session."""
    return _ByCredential(
        bearer=BearerAuthMiddleware(inner),
        cookie=AllowedHostsOriginValidator(AuthMiddlewareStack(inner)),
    )
