"""What every page needs for the bell in the navbar: the signed-in person's unread count."""

from __future__ import annotations

from functools import cached_property

from django.db import DatabaseError

from . import repositories


class Bell:
    """The bell's count, read (one COUNT on the unread index) only if a template shows it."""

    def __init__(self, user_id: int):
        self.user_id = user_id

    @cached_property
    def unread(self) -> int | None:
        try:
            return repositories.unread_count(self.user_id)
        except DatabaseError:
            # The error page extends the base template too, also when the database is down.
            return None


def bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_bell": Bell(user.pk)}
