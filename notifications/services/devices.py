"""People's Web Push devices: subscribing one, removing it, and what the push services said
about it (used, or gone for good)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from core.exceptions import ValidationFailed

from ..models import PushSubscription


def _base64url_bytes(value: str, field: str, length: int) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != length:
        raise ValidationFailed.on(field, f"This is not a push subscription's {field} key.", code="bad_key")
    return raw


def _check_endpoint(endpoint: str) -> None:
    """Push services are public HTTPS servers; anything else would make this server send
    requests into its own network on a client's word."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    allowed_plain = host in settings.WEB_PUSH_TEST_HOSTS
    try:
        private = not ipaddress.ip_address(host).is_global
    except ValueError:
        private = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    if len(endpoint) > 1000 or not host or (not allowed_plain and (parts.scheme != "https" or private)):
        raise ValidationFailed.on(
            "endpoint", "The endpoint must be an HTTPS address of a public push service.", code="bad_endpoint"
        )


def add_push_subscription(*, user, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Remember a device's push subscription for the user. Sending it again refreshes it; a
    device that changed hands moves to its new user."""
    _check_endpoint(endpoint)
    raw_key = _base64url_bytes(p256dh, "p256dh", 65)
    if raw_key[0] != 4:  # an uncompressed P-256 point
        raise ValidationFailed.on("p256dh", "This is not a push subscription's p256dh key.", code="bad_key")
    _base64url_bytes(auth, "auth", 16)
    subscription, _ = PushSubscription.objects.update_or_create(
        endpoint_hash=hashlib.sha256(endpoint.encode()).hexdigest(),
        defaults={"user": user, "endpoint": endpoint, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:200]},
    )
    return subscription


def remove_push_subscription(*, user, endpoint: str) -> bool:
    """Forget one of the user's devices. Idempotent: False if it was not theirs or not known."""
    digest = hashlib.sha256(endpoint.encode()).hexdigest()
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint_hash=digest).delete()
    return bool(deleted)


def drop_push_subscription(*, subscription_id: int) -> None:
    """The push service said the subscription is gone (404/410): never use it again."""
    PushSubscription.objects.filter(pk=subscription_id).delete()


def touch_push_subscription(*, subscription_id: int) -> None:
    """A push reached the device: the settings page shows when it was last used."""
    PushSubscription.objects.filter(pk=subscription_id).update(last_used_at=timezone.now())
