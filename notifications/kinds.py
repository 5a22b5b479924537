"""The kinds of notification. Each app registers its own (from its AppConfig.ready()), so this
app imports none of them: a kind says how it reads ("liked your post"), whether events about
the same target are grouped ("Ana and 3 others liked your post"), and which channels it uses
until the person says otherwise on the settings page."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # what the settings page calls it: "Likes of your posts"
    verb: str  # what the actors did: "liked your post"
    grouped: bool = False
    # Channels on until the person turns them off.
    channels: frozenset[str] = frozenset({"in_app", "push"})
    order: int = 100  # place on the settings page

    def describe(self, actor_name: str, actors_count: int) -> str:
        """ "Ana liked your post", "Ana and 1 other …", "Ana and 3 others …"; without an actor
        (a notice from the site) the verb is the sentence."""
        if not actor_name:
            return self.verb[:1].upper() + self.verb[1:]
        others = actors_count - 1
        who = actor_name if others <= 0 else f"{actor_name} and {others} other{'s' if others > 1 else ''}"
        return f"{who} {self.verb}"


_kinds: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    if _kinds.setdefault(kind.name, kind) != kind:
        raise ImproperlyConfigured(f"Notification kind {kind.name!r} is registered twice.")
    return kind


def get_kind(name: str) -> Kind:
    try:
        return _kinds[name]
    except KeyError:
        raise ImproperlyConfigured(f"No notification kind {name!r} is registered.") from None


def all_kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda kind: (kind.order, kind.name))
