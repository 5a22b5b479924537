"""Delivery channels: in-app, email, Web Push and text messages, one strategy each behind the
same interface. After a notification commits, deliver() hands it to every channel the
recipient keeps on for its kind; a channel pushes it at once (in-app, streams.py) or queues a
Celery task, by name, for the slow, outside part (email, push, SMS: services/delivery.py)."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings

from core.jobs import enqueue

from . import repositories, streams
from .models import Notification

logger = logging.getLogger(__name__)


class Channel(Protocol):
    name: str

    def deliver(self, notification: Notification, *, replaced: int | None) -> None:
        """Send `notification` (which replaced group row `replaced`, or is new if None)."""


class InAppChannel:
    """Pushes the notification to every open tab of the recipient, with the new unread count."""

    name = "in_app"

    def deliver(self, notification: Notification, *, replaced: int | None) -> None:
        if notification.read_at is None:
            streams.announce_new(notification, replaced=replaced)


class EmailChannel:
    """One email per new notification (a grouped one mails when its group opens, not for
    every like after), or nothing now if the person reads them as a daily digest."""

    name = "email"

    def deliver(self, notification: Notification, *, replaced: int | None) -> None:
        if replaced is None and not repositories.delivery_settings_of(notification.recipient_id).email_digest:
            enqueue("notifications.tasks.send_email", notification.pk)


class PushChannel:
    """Web Push to each device the person allowed; a grouped update replaces the one shown."""

    name = "push"

    def deliver(self, notification: Notification, *, replaced: int | None) -> None:
        # Most people have no push device: spare the broker a task that would find none.
        if push_configured() and repositories.push_subscriptions_of(notification.recipient_id).exists():
            enqueue("notifications.tasks.send_push", notification.pk)


class SmsChannel:
    """A text message per new notification, to the number in the person's settings."""

    name = "sms"

    def deliver(self, notification: Notification, *, replaced: int | None) -> None:
        if replaced is None:
            enqueue("notifications.tasks.send_sms", notification.pk)


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
