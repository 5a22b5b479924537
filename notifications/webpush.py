"""Web Push: a notification to every device its recipient allowed, through each browser's push
service, end-to-end encrypted (aes128gcm, RFC 8291) and signed by this server (VAPID, RFC 8292).

What a push service answers decides what happens to the device:
- 201: delivered; the device is marked used.
- 404/410: the subscription is gone (the person revoked it, the browser dropped it): it is
  forgotten at once (services.drop_push_subscription).
- 429, 5xx, no answer: the service is busy or down: PushServiceUnavailable (an OSError) makes
  tasks.send_push retry with backoff; each device that took the push is marked in the cache,
  so a retry pushes only to the devices still waiting.
- any other 4xx (400, 401, 403, 413): the request was wrong, most likely this server's VAPID
  keys (a subscription made under another key pair answers 403). Logged, not retried, and the
  device is kept: dropping every device over a configuration mistake would lose them all, and
  a browser re-subscribes under the current key when its settings page next loads.
A stored key that cannot encrypt anything (it never passes add_push_subscription; only a
damaged row has one) drops its device: it could never receive a push."""

from __future__ import annotations

import enum
import functools
import json
import logging
import time
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from http_ece import ECEException
from py_vapid import Vapid, VapidException
from py_vapid.utils import b64urlencode
from pywebpush import WebPushException, webpush

from . import repositories, services
from .kinds import get_kind
from .models import Notification, PushSubscription

logger = logging.getLogger(__name__)

# Undelivered pushes expire after a day: later they are stale news, and the inbox keeps them.
TTL_SECONDS = 24 * 3600
# RFC 8292 lets a VAPID token live at most 24 hours; push services reject longer ones.
VAPID_LIFETIME_SECONDS = 12 * 3600
# (connect, read) seconds: a stuck push service must not hold a worker for long.
TIMEOUT = (5, 10)
# How long "this device got this notification" is remembered: longer than all retries take.
SENT_MARK_SECONDS = 24 * 3600


class Outcome(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # the device will never take a push again
    REFUSED = "refused"  # this request was wrong; the device stays
    UNAVAILABLE = "unavailable"  # try again later


class PushServiceUnavailable(OSError):
    """Some devices' push services were busy or unreachable; tasks.send_push retries OSError."""


def push_notification(notification_id: int) -> int:
    """Push a notification to each of its recipient's devices that has not had it yet. Does
    nothing when the notification is gone or this server has no (valid) VAPID keys. Devices
    the push service calls gone are forgotten. Raises PushServiceUnavailable, after trying
    every device, when some could not be reached now. Returns how many devices took it."""
    vapid = _vapid(settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY, settings.VAPID_SUBJECT)
    if vapid is None:
        return 0
    notification = repositories.get_notification(notification_id)
    if notification is None:
        return 0
    subscriptions = list(repositories.push_subscriptions_of(notification.recipient_id))
    marks = {subscription.pk: f"webpush:sent:{notification_id}:{subscription.pk}" for subscription in subscriptions}
    already = cache.get_many(list(marks.values()))
    waiting = [subscription for subscription in subscriptions if marks[subscription.pk] not in already]
    if not waiting:
        return 0
    data = json.dumps(payload(notification), separators=(",", ":"))
    authorization = functools.cache(functools.partial(_authorization, vapid))  # one token per push service
    pushed, unavailable = 0, 0
    with requests.Session() as session:  # devices on the same push service share a connection
        for subscription in waiting:
            outcome = _send(subscription, data, authorization, session)
            if outcome is Outcome.SENT:
                services.touch_push_subscription(subscription.pk)
                cache.set(marks[subscription.pk], True, SENT_MARK_SECONDS)
                pushed += 1
            elif outcome is Outcome.GONE:
                services.drop_push_subscription(subscription.pk)
            elif outcome is Outcome.UNAVAILABLE:
                unavailable += 1
    if unavailable:
        raise PushServiceUnavailable(f"{unavailable} device(s) could not take notification {notification_id} now")
    return pushed


def payload(notification: Notification) -> dict:
    """What the service worker shows: the sentence (and the excerpt), where a click goes, a tag
    under which a regrouped "Ana and 3 others liked …" replaces the one shown before, and the
    unread count for the app badge."""
    if get_kind(notification.kind).grouped:
        tag = f"{notification.kind}:{notification.target_type_id or ''}:{notification.target_id or ''}"
    else:
        tag = f"notification:{notification.pk}"
    body = f"{notification.text}\n{notification.excerpt}" if notification.excerpt else notification.text
    icon = notification.actor.avatar_url if notification.actor is not None else ""
    return {
        "title": settings.SITE_NAME,
        "body": body,
        "url": settings.SITE_URL + (notification.url or reverse("notifications:list")),
        "tag": tag,
        "icon": settings.SITE_URL + icon if icon.startswith("/") else icon,
        "id": notification.pk,
        "unread": repositories.unread_count(notification.recipient_id),
    }


@functools.lru_cache(maxsize=4)
def _vapid(public_key: str, private_key: str, subject: str) -> Vapid | None:
    """The signing key, or None (logged) when push is off or the settings are unusable."""
    if not (public_key and private_key):
        return None
    try:
        vapid = Vapid.from_string(private_key)
        vapid.sign({"sub": subject, "aud": "https://push.example", "exp": int(time.time()) + 60})
    except VapidException:
        logger.error("VAPID_SUBJECT must be a mailto: address or an https: URL; Web Push is off.")
        return None
    except (ValueError, TypeError):
        logger.error("VAPID_PRIVATE_KEY is not a P-256 private key; Web Push is off.")
        return None
    own_public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    if b64urlencode(own_public) != public_key.rstrip("="):
        # Browsers subscribe with the public key; pushes signed by another would all be refused.
        logger.error("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY; Web Push is off.")
        return None
    return vapid


def _authorization(vapid: Vapid, origin: str) -> dict[str, str]:
    claims = {"sub": settings.VAPID_SUBJECT, "aud": origin, "exp": int(time.time()) + VAPID_LIFETIME_SECONDS}
    return vapid.sign(claims)


def _send(subscription: PushSubscription, data: str, authorization, session: requests.Session) -> Outcome:
    """One push to one device, and what became of it."""
    endpoint = urlsplit(subscription.endpoint)
    origin = f"{endpoint.scheme}://{endpoint.netloc}"
    info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
    try:
        webpush(
            info,
            data=data,
            headers=authorization(origin),
            ttl=TTL_SECONDS,
            timeout=TIMEOUT,
            requests_session=session,
        )
    except requests.RequestException as error:  # no answer: refused, reset, timed out
        logger.warning("Push service %s unreachable for device %s: %s", origin, subscription.pk, error)
        return Outcome.UNAVAILABLE
    except WebPushException as error:
        return _outcome(subscription, origin, error.status_code)
    except (ValueError, TypeError, ECEException) as error:
        logger.warning("Push device %s has unusable keys (%s); dropping it.", subscription.pk, error)
        return Outcome.GONE
    except VapidException as error:  # an endpoint address VAPID cannot name as its audience
        logger.error("Cannot sign a push for device %s at %s: %s", subscription.pk, origin, error)
        return Outcome.REFUSED
    return Outcome.SENT


def _outcome(subscription: PushSubscription, origin: str, status: int | None) -> Outcome:
    if status is None or status in (404, 410):  # None: pywebpush refused the stored keys
        logger.info("Push device %s is gone (%s from %s); dropping it.", subscription.pk, status, origin)
        return Outcome.GONE
    if status == 429 or status >= 500:
        logger.warning("Push service %s answered %s for device %s; will retry.", origin, status, subscription.pk)
        return Outcome.UNAVAILABLE
    logger.error("Push service %s refused the push to device %s with %s.", origin, subscription.pk, status)
    return Outcome.REFUSED
