"""People's Web Push devices: subscribing one, removing it, and what the push services said
about it (used, or gone for good)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
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


# A host as push services name theirs: ASCII labels, the last one starting with a letter, so no
# spelling of an IP address (2130706433, 0x7f000001, 127.1, 0177.0.0.1, [::1]) and no trailing
# dot passes; no user name, no brackets, an optional port.
_NETLOC = re.compile(r"(?P<host>[a-z0-9.-]{1,253})(?::(?P<port>[0-9]{1,5}))?")
_NAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")


def is_known_push_endpoint(endpoint: str) -> bool:
    """An HTTPS address of one of settings.WEB_PUSH_SERVICES (or of a test host): the only
    places this server sends pushes to. Where the name resolves is checked at each push
    (integrations.webpush)."""
    parts = urlsplit(endpoint)
    netloc = _NETLOC.fullmatch(parts.netloc.lower()) if parts.netloc.isascii() else None
    if len(endpoint) > 1000 or not endpoint.isprintable() or " " in endpoint or netloc is None:
        return False
    host, port = netloc["host"], netloc["port"]
    if port is not None and not 0 < int(port) < 65536:
        return False
    if host in settings.WEB_PUSH_TEST_HOSTS:
        return parts.scheme in ("http", "https")
    return parts.scheme == "https" and _NAME.fullmatch(host) is not None and _listed(host)


def _listed(host: str) -> bool:
    for service in settings.WEB_PUSH_SERVICES:
        service = service.lower()
        if host == service or (service.startswith("*.") and host.endswith(service[1:])):
            return True
    return False


def add_push_subscription(*, user, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Remember a device's push subscription for the user; only endpoints of the known push
    services are taken. Sending it again refreshes it. A device belongs to whoever subscribed
    it: someone else takes it over only with its keys (the same browser, now signed in as
    them), since the keys are the browser's secret; without them the claim is refused and the
    device stays as it was."""
    if not is_known_push_endpoint(endpoint):
        raise ValidationFailed.on(
            "endpoint", "The endpoint must be an HTTPS address of a known push service.", code="bad_endpoint"
        )
    raw_key = _base64url_bytes(p256dh, "p256dh", 65)
    if raw_key[0] != 4:  # an uncompressed P-256 point
        raise ValidationFailed.on("p256dh", "This is not a push subscription's p256dh key.", code="bad_key")
    _base64url_bytes(auth, "auth", 16)
    digest = hashlib.sha256(endpoint.encode()).hexdigest()
    fields = {"user": user, "endpoint": endpoint, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:200]}
    # Insert first: locking a row that is not there yet (select_for_update().get_or_create)
    # makes the same subscription arriving twice at once deadlock on MariaDB.
    try:
        with transaction.atomic():
            return PushSubscription.objects.create(endpoint_hash=digest, **fields)
    except IntegrityError:
        pass  # the endpoint is known: whose device is it?
    with transaction.atomic():
        subscription = PushSubscription.objects.select_for_update().filter(endpoint_hash=digest).first()
        if subscription is None:  # dropped in the meantime
            return PushSubscription.objects.create(endpoint_hash=digest, **fields)
        same_keys = hmac.compare_digest(subscription.p256dh, p256dh) & hmac.compare_digest(subscription.auth, auth)
        if subscription.user_id != user.pk and not same_keys:
            raise ValidationFailed.on(
                "endpoint",
                "This push subscription cannot be used; subscribe this browser again.",
                code="bad_subscription",
            )
        for name, value in fields.items():
            setattr(subscription, name, value)
        subscription.save(update_fields=list(fields))
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
