"""The "notifications" stream: each person's own notifications, on the group every one of
their sockets is in already (core.streams.user_group), so following it costs no group."""

from core.streams import user_group

from .strategies import STREAM


async def _own(user, stream: str) -> str:
    return user_group(user.pk)


STREAMS = {STREAM: _own}
