"""Delivery off the request, what the Celery tasks run: one email, Web Push or text message per
notification, and the daily digest. Each decides when the task runs whether the message is
still wanted (the notification may have been read or withdrawn, the person may have changed
their mind), applies the per-person rate limits, hands the message to its integration and
records what came back (a device gone for good, a digest sent)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from core import ratelimit
from core.exceptions import RateLimited
from core.metrics import NOTIFICATIONS_SENT

from .. import repositories
from ..integrations import email, sms, webpush
from ..kinds import get_kind
from ..models import DeliverySettings, Notification
from ..tokens import DIGEST, emails_about
from .devices import drop_push_subscription, is_known_push_endpoint, touch_push_subscription

logger = logging.getLogger(__name__)

# A digest lists this many notifications and links to the rest.
DIGEST_LIMIT = 20
# One digest a day. The hourly beat runs a little late now and then; without the slack each
# late run would push that person's digest an hour later every day.
DIGEST_EVERY = timedelta(hours=24)
DIGEST_SLACK = timedelta(minutes=10)
# People handled per round of queries.
DIGEST_BATCH = 200
# How long "this device got this notification" is remembered: longer than all retries take.
SENT_MARK_SECONDS = 24 * 3600


def _link(notification: Notification) -> str:
    return email.absolute(notification.url or reverse("notifications:list"))


# --- Email -------------------------------------------------------------------------------------


def _reachable(user) -> bool:
    # Only an address the person proved is theirs gets mail: an unconfirmed one may be a typo
    # or somebody else's.
    return bool(user.is_active and user.email_verified and user.email)


def _unseen(notification: Notification, switches: dict[str, bool]) -> bool:
    """Not seen in the app yet. A notification is stored read when its kind is off in the app
    (it never rang the bell), so the email is the only way the person hears of it; one read
    while in-app is on was seen, and mailing it too would only be noise."""
    return notification.read_at is None or not switches["in_app"]


def send_notification_email(*, notification_id: int) -> bool:
    """Email one notification to its recipient, if it is still wanted when the task runs: it
    still exists and is unseen, the recipient is active with a verified address and still
    wants this kind by email, one at a time (not the digest). At most
    RATE_LIMITS["notification_email"] per recipient; past that they stay in the app only.
    Returns whether an email left."""
    notification = repositories.get_notification(notification_id)
    if notification is None:
        return False
    recipient = notification.recipient
    if not _reachable(recipient):
        return False
    kind = get_kind(notification.kind)
    switches = repositories.channels_for(recipient, kind)
    if not switches["email"] or not _unseen(notification, switches):
        return False
    if repositories.delivery_settings_of(recipient.pk).email_digest:
        return False  # they switched to the digest after it was queued
    try:
        ratelimit.hit("notification_email", str(recipient.pk))
    except RateLimited:
        return False
    context = {
        "recipient": recipient,
        "notification": notification,
        "link": _link(notification),
        "about": emails_about(kind),
    }
    email.send_email(
        to=recipient, subject=notification.text, template="notification", context=context, unsubscribe_kind=kind.name
    )
    NOTIFICATIONS_SENT.labels(channel="email").inc()
    return True


def send_digests() -> int:
    """Send each person who reads notification emails as a digest, and whose last one is a day
    old, one email listing what they have not seen since (only kinds they want by email).
    Celery beat calls it hourly. People are read in batches, each batch in three queries
    whatever its size. Returns how many digests left."""
    now = timezone.now()
    sent, after = 0, 0
    while batch := repositories.list_digests_due(
        sent_before=now - DIGEST_EVERY + DIGEST_SLACK, after_pk=after, size=DIGEST_BATCH
    ):
        after = batch[-1].pk
        listed = repositories.list_digest_rows(batch, since_default=now - DIGEST_EVERY, until=now, limit=DIGEST_LIMIT)
        for delivery in batch:
            rows = listed.get(delivery.user_id)
            if rows and _send_digest(delivery.user, rows):
                record_digest_sent(user=delivery.user, at=now)
                sent += 1
    return sent


def _send_digest(user, rows: list[Notification]) -> bool:
    # list_digest_rows annotates each row with how many the person has in all.
    total: int = rows[0].total  # type: ignore[attr-defined]
    context = {
        "recipient": user,
        "items": [{"notification": row, "link": _link(row)} for row in rows],
        "total": total,
        "more": total - len(rows),
        "inbox_url": email.absolute(reverse("notifications:list")),
    }
    subject = f"{total} new notification{'s' if total != 1 else ''} on {settings.SITE_NAME}"
    try:
        email.send_email(to=user, subject=subject, template="digest", context=context, unsubscribe_kind=DIGEST)
    except OSError:
        # The mail server refused or is away: not recorded as sent, so the next run retries,
        # and the people after this one still get theirs.
        logger.warning("Could not send the notification digest to user %s", user.pk, exc_info=True)
        return False
    NOTIFICATIONS_SENT.labels(channel="digest").inc()
    return True


def record_digest_sent(*, user, at) -> None:
    """The next digest lists what came after `at`, and leaves a day after it."""
    DeliverySettings.objects.update_or_create(user=user, defaults={"digest_sent_at": at})


# --- Web Push ----------------------------------------------------------------------------------


def push_notification(*, notification_id: int) -> int:
    """Push a notification to each of its recipient's devices that has not had it yet. Does
    nothing when the notification is gone or this server has no (valid) VAPID keys. Devices
    the push service calls gone are forgotten, as are those whose endpoint is no longer of a
    known push service or whose name resolves to an address that is not public. Raises
    webpush.PushServiceUnavailable, after trying every device, when some could not be reached
    now. Returns how many devices took it."""
    vapid = webpush.signing_key()
    if vapid is None:
        return 0
    notification = repositories.get_notification(notification_id)
    if notification is None:
        return 0
    subscriptions = []
    for subscription in repositories.push_subscriptions_of(notification.recipient_id):
        if is_known_push_endpoint(subscription.endpoint):
            subscriptions.append(subscription)
        else:  # stored before its push service left the list (or before there was one)
            drop_push_subscription(subscription_id=subscription.pk)
    marks = {subscription.pk: f"webpush:sent:{notification_id}:{subscription.pk}" for subscription in subscriptions}
    already = cache.get_many(list(marks.values()))
    waiting = [subscription for subscription in subscriptions if marks[subscription.pk] not in already]
    if not waiting:
        return 0
    data = json.dumps(push_payload(notification), separators=(",", ":"))
    pushed, unavailable = 0, 0
    for subscription, outcome in webpush.push(vapid, waiting, data):
        if outcome is webpush.Outcome.SENT:
            touch_push_subscription(subscription_id=subscription.pk)
            cache.set(marks[subscription.pk], True, SENT_MARK_SECONDS)
            NOTIFICATIONS_SENT.labels(channel="push").inc()
            pushed += 1
        elif outcome is webpush.Outcome.GONE:
            drop_push_subscription(subscription_id=subscription.pk)
        elif outcome is webpush.Outcome.UNAVAILABLE:
            unavailable += 1
    if unavailable:
        raise webpush.PushServiceUnavailable(
            f"{unavailable} device(s) could not take notification {notification_id} now"
        )
    return pushed


def push_payload(notification: Notification) -> dict:
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


# --- Text messages -----------------------------------------------------------------------------


def send_notification_sms(*, notification_id: int) -> bool:
    """Text the notification to the recipient's number. Texts cost money, so each person gets
    at most RATE_LIMITS["sms"] of them; the rest stay in the app. Returns whether one was sent."""
    notification = repositories.get_notification(notification_id)
    if notification is None:
        return False
    phone = repositories.delivery_settings_of(notification.recipient_id).phone
    if not phone:
        return False
    try:
        ratelimit.hit("sms", str(notification.recipient_id))
    except RateLimited:
        return False
    link = f" {settings.SITE_URL}{notification.url}" if notification.url else ""
    sms.send_sms(to=phone, text=f"{settings.SITE_NAME}: {notification.text}{link}")
    NOTIFICATIONS_SENT.labels(channel="sms").inc()
    return True
