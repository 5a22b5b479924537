"""Side effects after commit (ARCHITECTURE.md rule 5)."""

from functools import wraps

from django.db import transaction


def after_commit(function, *args, **kwargs) -> None:
    """Call function(*args, **kwargs) once the current transaction commits (at once outside
    one); nothing if it rolls back. Robust: a channel layer, broker or mail hiccup is logged
    and must not turn the caller's saved write into an error."""

    @wraps(function)  # Django's log line for a failed robust callback names it by __qualname__
    def call():
        function(*args, **kwargs)

    transaction.on_commit(call, robust=True)
