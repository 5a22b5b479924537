"""What the users app pushes to open sockets (core.streams). It serves no stream of its own:
a follow or block changes what other apps' streams may show, so their sockets ask again."""

from __future__ import annotations

from core.streams import recheck, user_group


def access_changed(*user_ids: int) -> None:
    """These people's open sockets may follow live what a change now hides from them: each
    asks its streams' resolvers again. Called after commit."""
    for user_id in user_ids:
        recheck(user_group(user_id))
