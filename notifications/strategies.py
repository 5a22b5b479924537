"""Delivery channels: in-app, email, Web Push and text messages, one strategy each behind the
same interface. After a notification commits, deliver() hands it to every channel the
recipient keeps on for its kind; a channel pushes it at once (in-app) or queues a Celery task
for the slow, outside part (email, push, SMS)."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings

from core.streams import publish, user_group

from . import repositories, tasks
from .models import Notification
from .serializers import NotificationSerializer

logger = logging.getLogger(__name__)

STREAM = "notifications"  # every tab of a user follows it; it rides on the user's own group


class Channel(Protocol):
    name: str

    def deliver(self, notification: Notification, *, replaced: int | None) -> None:
        """Send `notification` (which replaced group row `replaced`, or is new if None)."""


class InAppChannel:
    """Pushes the notification to every open tab of the recipient, with the new unread count."""

    name = "in_app"

    def deliver(self, notification: Notification, *, replaced: int | None) -> None:
        if notification.read_at is None:
            _announce(
                notification.recipient_id,
                "notification",
                notification=NotificationSerializer(notification).data,
                replaces=replaced,
            )


class EmailChannel:
    """One email per new notification (a grouped one mails when its group opens, not for
    every like after), or nothing now if the person reads them as a daily digest."""

    name = "email"

    def deliver(self, notification: Notification, *, replaced: int | None) -> None:
        if replaced is None and not repositories.delivery_settings_of(notification.recipient_id).email_digest:
            tasks.send_email.delay(notification.pk)


class PushChannel:
    """Web Push to each device the person allowed; a grouped update replaces the one shown."""

    name = "push"

    def deliver(self, notification: Notification, *, replaced: int | None) -> None:
        # Most people have no push device: spare the broker a task that would find none.
        if push_configured() and repositories.push_subscriptions_of(notification.recipient_id).exists():
            tasks.send_push.delay(notification.pk)


class SmsChannel:
    """A text message per new notification, to the number in the person's settings."""

    name = "sms"

    def deliver(self, notification: Notification, *, replaced: int | None) -> None:
        if replaced is None:
            tasks.send_sms.delay(notification.pk)


def push_configured() -> bool:
    """Whether this server has Web Push keys (manage.py generate_vapid_keys); push is off without."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


CHANNEL_STRATEGIES: dict[str, Channel] = {
    channel.name: channel for channel in (InAppChannel(), EmailChannel(), PushChannel(), SmsChannel())
}


def deliver(notification_id: int, *, channels: list[str], replaced: int | None) -> None:
    """Hand a committed notification to its channels (it may have been withdrawn meanwhile)."""
    notification = repositories.get_notification(notification_id)
    if notification is None:
        return
    for name in channels:
        try:
            CHANNEL_STRATEGIES[name].deliver(notification, replaced=replaced)
        except Exception:
            # A broker or channel-layer outage on one channel must not silence the others.
            logger.exception("Delivering notification %s by %s failed", notification_id, name)


def _announce(user_id: int, event: str, **data) -> None:
    data["unread"] = repositories.unread_count(user_id)
    publish(user_group(user_id), stream=STREAM, event=event, data=data)


def announce_read(user_id: int, *, ids: list[int] | None, up_to: int | None = None) -> None:
    """Tell the user's tabs what was read (ids, or all up to `up_to` when ids is None)."""
    _announce(user_id, "read", ids=ids, up_to=up_to)


def announce_removed(user_id: int, ids: list[int]) -> None:
    _announce(user_id, "removed", ids=ids)
