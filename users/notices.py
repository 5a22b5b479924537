"""What the users app tells people through the notifications app: its kind, and the notify()
calls the services make inside their transactions."""

from __future__ import annotations

from django.urls import reverse

from notifications.kinds import Kind
from notifications.services.inbox import forget_actor, notify, withdraw

from .models import User

FOLLOW = Kind(
    "follow",
    "New followers",
    "started following you",
    grouped=True,
    channels=frozenset({"in_app", "push", "email"}),
    order=10,
)
KINDS = (FOLLOW,)


def followed(followee: User, *, by: User) -> None:
    # The followers page, newest first: it stays right however the group grows or shrinks.
    url = reverse("users:followers", args=[followee.username])
    notify(recipient=followee, kind=FOLLOW.name, actor=by, data={"url": url})


def unfollowed(followee: User, *, by: User) -> None:
    withdraw(recipient=followee, kind=FOLLOW.name, actor=by)


def blocked(blocker: User, blocked: User) -> None:
    """Neither hears of the other any more: what each did goes from the other's notifications."""
    forget_actor(recipient=blocker, actor=blocked)
    forget_actor(recipient=blocked, actor=blocker)
