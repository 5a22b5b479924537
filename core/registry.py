"""The one way an app plugs into an app below it without the lower app importing it.

The lower app owns a Registry ("notification kinds", "post kinds", "socket streams", ...);
each app above fills it from its AppConfig.ready(), from its fixed hook files (notices.py,
streams.py, seeding.py) and its menu entries. Nothing registers at import time, so importing
a module never changes what the site does, and every registration is in one place per app.

    # notifications/kinds.py (the owner)
    KINDS: Registry[Kind] = Registry("notification kind", key=lambda kind: kind.name)

    # posts/apps.py (an app above it)
    def ready(self):
        from notifications.kinds import KINDS
        from . import notices
        KINDS.register_all(notices.KINDS)

Items are kept in the order they were registered, or by their `order` when they have one."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


def _own_name(item: Any) -> str:
    return item.name


class Registry(Generic[T]):
    """Named items registered once each. Registering the same name twice is a configuration
    error (two apps claiming one name), unless `replace=True` says it is meant to."""

    def __init__(self, what: str, *, key: Callable[[Any], str] = _own_name):
        self.what = what
        self._key = key
        self._items: dict[str, T] = {}

    def register(self, item: T, *, name: str | None = None, replace: bool = False) -> T:
        name = self._key(item) if name is None else name
        existing = self._items.get(name)
        if existing is not None and not replace:
            if existing != item:
                raise ImproperlyConfigured(f"The {self.what} {name!r} is registered twice.")
            return existing  # the same again (a ready() run twice by tests): the first stays
        self._items[name] = item
        return item

    def register_all(self, items: Iterable[T] | Mapping[str, T]) -> None:
        """Register each item; from a mapping, each under its name."""
        if isinstance(items, Mapping):
            for name, item in items.items():
                self.register(item, name=name)
        else:
            for item in items:
                self.register(item)

    def unregister(self, name: str) -> None:
        """Take an item out again (tests that register one of their own)."""
        self._items.pop(name, None)

    def get(self, name: str) -> T | None:
        return self._items.get(name)

    def __getitem__(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise ImproperlyConfigured(f"No {self.what} {name!r} is registered.") from None

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[T]:
        """The items, by their `order` where they have one, else as registered."""
        items = list(self._items.values())
        return iter(sorted(items, key=lambda item: getattr(item, "order", 0)))

    def __len__(self) -> int:
        return len(self._items)

    def names(self) -> list[str]:
        return sorted(self._items)
