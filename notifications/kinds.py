"""The kinds of notification. Each app registers its own in KINDS from its AppConfig.ready()
(the kinds its notices.py declares), so this app imports none of them. A kind says how it reads
("liked your post"), whether events about the same target are grouped ("Ana and 3 others liked
your post"), and which channels it uses until the person says otherwise on the settings page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.registry import Registry


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


KINDS: Registry[Kind] = Registry("notification kind")

# Checks veto(recipient_id, actor_id) that answer True when the recipient must not hear about
# the actor (the users app registers blocks): VETOES.register(check, name="users.blocks").
VETOES: Registry[Callable[[int, int], bool]] = Registry("notification veto", key=lambda check: check.__qualname__)


def get_kind(name: str) -> Kind:
    """The registered kind `name` (ImproperlyConfigured if no app registered it)."""
    return KINDS[name]


def all_kinds() -> list[Kind]:
    return sorted(KINDS, key=lambda kind: (kind.order, kind.name))


def vetoed(recipient_id: int, actor_id: int) -> bool:
    return any(check(recipient_id, actor_id) for check in VETOES)
