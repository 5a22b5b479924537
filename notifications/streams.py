"""The "notifications" stream: each person's own notifications, on the group every one of
their sockets is in already (core.streams.user_group), so following it costs no group. Also
the pushes to it: a new notification, what was read, what went away; each carries the new
unread count for the bell."""

from __future__ import annotations

from core.streams import publish, user_group

from . import repositories
from .models import Notification
from .serializers import NotificationSerializer

STREAM = "notifications"  # every tab of a user follows it; it rides on the user's own group


async def _own(user, stream: str) -> str:
    return user_group(user.pk)


STREAMS = {STREAM: _own}


def _announce(user_id: int, event: str, **data) -> None:
    data["unread"] = repositories.unread_count(user_id)
    publish(user_group(user_id), stream=STREAM, event=event, data=data)


def announce_new(notification: Notification, *, replaced: int | None) -> None:
    """Show a new notification in every open tab of its recipient (in place of group row
    `replaced`, if it re-issued one)."""
    _announce(
        notification.recipient_id,
        "notification",
        notification=NotificationSerializer(notification).data,
        replaces=replaced,
    )


def announce_read(user_id: int, *, ids: list[int] | None, up_to: int | None = None) -> None:
    """Tell the user's tabs what was read (ids, or all up to `up_to` when ids is None)."""
    _announce(user_id, "read", ids=ids, up_to=up_to)


def announce_removed(user_id: int, ids: list[int]) -> None:
    _announce(user_id, "removed", ids=ids)
