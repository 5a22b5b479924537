"""The sections of the profile page (users:profile), filled by the apps above users.

The users app owns the page: the person's header, their buttons, counts and interests. What the
person made lives in apps above it (their posts, their videos), so each of those apps registers a
section from its AppConfig.ready(), and the page shows the sections by their order:

    PROFILE_SECTIONS.register(
        ProfileSection("posts", "posts/includes/profile_posts.html", views.profile_posts_section,
                       scripts="posts/includes/scripts.html", order=10)
    )

A section's `context(request, person, relationship, is_me)` returns what its template needs on
top of the page's own context (`profile_user`, `relationship`, `is_me`); its `scripts` template,
if any, is rendered once in the page's scripts block."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.registry import Registry


@dataclass(frozen=True)
class ProfileSection:
    name: str
    template: str
    context: Callable[[Any, Any, dict[str, bool], bool], dict[str, Any]]
    scripts: str = ""  # a template of the script tags the section's islands need
    order: int = 100


@dataclass(frozen=True)
class ShownSection:
    """A section as one profile page shows it: its template with the context it asked for."""

    section: ProfileSection
    context: dict[str, Any]

    @property
    def template(self) -> str:
        return self.section.template


PROFILE_SECTIONS: Registry[ProfileSection] = Registry("profile section")


def sections_for(request, person, relationship: dict[str, bool], is_me: bool) -> list[ShownSection]:
    return [
        ShownSection(section, section.context(request, person, relationship, is_me)) for section in PROFILE_SECTIONS
    ]


def scripts_of(shown: list[ShownSection]) -> list[str]:
    """The script templates of the shown sections, each once."""
    return list(dict.fromkeys(item.section.scripts for item in shown if item.section.scripts))
