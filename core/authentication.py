"""API tokens (JWT) that can be revoked before they expire, at no extra database query.

Every token carries the person's token version (claim "ver") from when it was issued; the user
model keeps the current one in `token_version`. simplejwt loads the user row on every request
anyway (is the account still active?), so comparing the two costs nothing more: bumping the
version (password change or reset, deactivation, "log out everywhere") ends every token issued
before. A plain logout ends only the access token it was sent with: its id (jti) stays on a
denylist in the cache (Redis, shared by every process) until the token would expire anyway,
one cache read per request. The HTTP API and the WebSocket handshake use the same class."""

from __future__ import annotations

import time

from django.core.cache import cache
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import Token

VERSION_CLAIM = "ver"


def _denylist_key(token: Token) -> str:
    return f"jwt-denied:{token['jti']}"


def deny_token(token: Token) -> None:
    """Refuse this one token from now until it expires."""
    cache.set(_denylist_key(token), True, timeout=max(1, int(token["exp"] - time.time())))


class RevocableJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token: Token):
        user = super().get_user(validated_token)  # the one query: the user row, is_active checked
        # Tokens issued before versions existed carry none: they count as version 0.
        current = user.token_version  # type: ignore[attr-defined]  # AUTH_USER_MODEL keeps it
        if validated_token.get(VERSION_CLAIM, 0) != current or cache.get(_denylist_key(validated_token)):
            raise AuthenticationFailed("This token was revoked. Log in again.", code="token_revoked")
        return user
