"""Notifications, who caused them, each person's delivery preferences and their push devices.

A notification points at its target generically (content type + id), so this app imports no
app above it. Grouped kinds keep one unread row per target whose actors accumulate; each new
actor re-issues the row under a new id (see services.inbox.notify), so "everything after the
last id I saw" is all a reconnecting client has to ask for."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .kinds import get_kind

CHANNELS = {"in_app": "In the app", "email": "Email", "push": "Push", "sms": "Text message"}


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    # The latest actor (the "Ana" of "Ana and 3 others"); null for system notices.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actors_count = models.PositiveIntegerField(default=1)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # What the page shows beside the sentence: {"url": ..., "excerpt": ...}, as the caller gave it.
    data = models.JSONField(default=dict, blank=True)
    # Set while a grouped notification is unread and open to more actors; unique per recipient,
    # so two simultaneous likes cannot open two groups (NULLs do not collide on any engine).
    open_key = models.CharField(max_length=120, null=True, blank=True)  # noqa: DJ001  (NULL = closed; "" would collide)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "open_key"], name="one_open_group")]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_inbox"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["target_type", "target_id"], name="notification_target"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.actors_count})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def text(self) -> str:
        """The sentence to show: "Ana and 3 others liked your post"."""
        actor = self.actor
        name = getattr(actor, "display_name", actor.username) if actor is not None else ""
        return get_kind(self.kind).describe(name, self.actors_count)

    @property
    def url(self) -> str:
        return str(self.data.get("url", ""))

    @property
    def excerpt(self) -> str:
        return str(self.data.get("excerpt", ""))


class NotificationActor(models.Model):
    """One person behind a (grouped) notification, counted once however often they act."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="actor_links")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notification", "actor"], name="one_link_per_actor")]
        indexes = [models.Index(fields=["actor", "notification"], name="notification_actor")]

    def __str__(self) -> str:
        return f"{self.actor_id} in {self.notification_id}"


class Preference(models.Model):
    """One person's choice for one kind on one channel; without a row the kind's default holds."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=list(CHANNELS.items()))
    enabled = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind", "channel"], name="one_preference")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.channel} for {self.user_id}: {'on' if self.enabled else 'off'}"


class DeliverySettings(models.Model):
    """How one person's notifications leave the app beyond the per-kind switches."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Emails collected into one message a day instead of one per notification.
    email_digest = models.BooleanField(default=False)
    digest_sent_at = models.DateTimeField(null=True, blank=True)
    # Where text messages go (E.164, e.g. +4915112345678); none are sent without it.
    phone = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name_plural = "delivery settings"

    def __str__(self) -> str:
        return f"Delivery settings of {self.user_id}"


class PushSubscription(models.Model):
    """One browser or device that accepted Web Push (the PushSubscription of the Push API)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.URLField(max_length=1000)
    # Hash of the endpoint: MySQL cannot put a unique index on 1,000 characters.
    endpoint_hash = models.CharField(max_length=64, unique=True)
    p256dh = models.CharField(max_length=100)  # the browser's public key, base64url
    auth = models.CharField(max_length=30)  # the shared auth secret, base64url
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Push device of {self.user_id}: {self.user_agent[:40] or self.endpoint[:40]}"
