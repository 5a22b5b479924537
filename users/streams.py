"""What the users app pushes to open sockets (core.streams). It serves no stream of its own:
a follow or block changes what other apps' streams may show, so their sockets ask again."""

from __future__ import annotations

from core.streams import close_sockets, recheck, user_group


def access_changed(*user_ids: int) -> None:
    """These people's open sockets may follow live what a change now hides from them: each
    asks its streams' resolvers again. Called after commit."""
    for user_id in user_ids:
        recheck(user_group(user_id))


def credentials_revoked(user_id: int) -> None:
    """Every API token of this person was revoked: their open sockets close, and each must
    pass the handshake again. Called after commit."""
    close_sockets(user_group(user_id))
