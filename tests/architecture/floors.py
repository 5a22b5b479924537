"""The floors of ARCHITECTURE.md as data, read from the import-linter contract in
pyproject.toml (the one place they are written), and the references between templates, template
tag libraries, URL names and static files, which import-linter cannot see."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE_TEMPLATES = "core"  # templates/ (base.html, error.html) knows no app: it stands on core's floor


def floors() -> list[set[str]]:
    """The apps floor by floor, top first, parentheses (apps still to come) dropped; an
    independent group ("a | b") is one floor whose apps may not use each other."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(contract for contract in config["contracts"] if contract["type"] == "layers")["layers"]
    return [{name.strip(" ()") for name in re.split(r"[|:]", layer)} for layer in layers]


def may_use(user: str, used: str, layers: list[set[str]]) -> bool:
    """Whether app `user` may refer to app `used`: itself, or an app on a lower floor."""
    if user == used:
        return True
    level = {app: index for index, floor in enumerate(layers) for app in floor}
    if user not in level or used not in level:
        return True  # third-party (rest_framework, django.contrib.admin...) or not an app of ours
    return level[used] > level[user]


@dataclass(frozen=True)
class Reference:
    template: str  # path of the template, relative to the repository
    owner: str  # the app the template belongs to
    kind: str  # "template", "tags", "url" or "static"
    name: str  # what it names
    target: str  # the app that serves what it names

    def __str__(self) -> str:
        return f"{self.template} ({self.owner}) uses {self.kind} {self.name!r} of {self.target}"


TAG = re.compile(r"{%\s*(extends|include|load|url|static)\s+(.*?)\s*%}")
QUOTED = re.compile(r"""^["']([^"']+)["']""")


def template_owner(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return SITE_TEMPLATES if relative.parts[0] == "templates" else relative.parts[0]


def templates() -> list[Path]:
    return sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")])


def references(text: str, *, template: str, owner: str, resolve) -> list[Reference]:
    """Every reference in a template's `text` to something an app serves. `resolve(kind, name)`
    names the app that serves it (or "" for third-party things)."""
    found = []
    for tag, rest in TAG.findall(text):
        if tag == "load":
            names = [name for name in rest.split() if name != "from"]
            kinds = [("tags", name) for name in names]
        else:
            match = QUOTED.match(rest)
            if match is None:
                continue  # a variable ({% include entry.template %}): the registering app's own
            kinds = [({"extends": "template", "include": "template"}.get(tag, tag), match[1])]
        for kind, name in kinds:
            target = resolve(kind, name)
            if target:
                found.append(Reference(template, owner, kind, name, target))
    return found
