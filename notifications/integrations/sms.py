"""Text messages. The default backend writes them to the log; a provider plugs in as a class
with send(to, text) named by SMS_BACKEND (see README, "Text messages")."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ConsoleSmsBackend:
    """Writes each message to the log instead of sending it (development, tests)."""

    def send(self, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", to, text)


def send_sms(*, to: str, text: str) -> None:
    """Send one text message through the backend SMS_BACKEND names."""
    import_string(settings.SMS_BACKEND)().send(to, text)
