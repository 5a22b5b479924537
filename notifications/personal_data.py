"""The notifications app's section of 'Your data' (core.personal_data): one's notifications,
one's choices of channels, and one's push devices, without the devices' addresses and keys
(with them anyone could push to the device)."""

from __future__ import annotations

from core.personal_data import DataSection, Folder

from .models import DeliverySettings, Notification, Preference, PushSubscription
from .services.inbox import erase_notifications_of


def export(user, folder: Folder) -> None:
    inbox = Notification.objects.filter(recipient=user).select_related("actor").order_by("id")
    folder.json(
        "notifications.json",
        [
            {
                "kind": item.kind,
                "text": item.text,
                "url": item.url,
                "created_at": item.created_at,
                "read_at": item.read_at,
            }
            for item in inbox
        ],
    )
    delivery = DeliverySettings.objects.filter(user=user).first() or DeliverySettings(user=user)
    choices = Preference.objects.filter(user=user).order_by("kind", "channel").values_list("kind", "channel", "enabled")
    folder.json(
        "settings.json",
        {
            "email_digest": delivery.email_digest,
            "phone": delivery.phone,
            "choices": [{"kind": kind, "channel": channel, "enabled": enabled} for kind, channel, enabled in choices],
        },
    )
    devices = PushSubscription.objects.filter(user=user).order_by("created_at", "id")
    folder.json(
        "devices.json",
        [
            {"user_agent": agent, "created_at": created, "last_used_at": used}
            for agent, created, used in devices.values_list("user_agent", "created_at", "last_used_at")
        ],
    )


SECTION = DataSection("notifications", "notifications", export, erase_notifications_of, order=20)
