"""Text messages. The default backend writes them to the log; a provider plugs in as a class
with send(to, text) named by SMS_BACKEND (see README, "Text messages")."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from core import ratelimit
from core.exceptions import RateLimited

from . import repositories

logger = logging.getLogger(__name__)


class ConsoleSmsBackend:
    """Writes each message to the log instead of sending it (development, tests)."""

    def send(self, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)


def send_notification_sms(notification_id: int) -> bool:
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
    import_string(settings.SMS_BACKEND)().send(phone, f"{settings.SITE_NAME}: {notification.text}{link}")
    return True
