"""The house's rules that a reviewer would otherwise check by eye: the floors (import-linter,
and the same floors for templates), no app's views or API importing another's, no cycles inside
an app, and every API URL described in the OpenAPI schema."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from .floors import ROOT, SITE_TEMPLATES, Reference, floors, may_use, references, template_owner, templates


def test_the_import_contracts_hold():
    # when import-linter checks the floors, the interfaces and the cycles (pyproject.toml)
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    # then every contract is kept
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_floors_are_read_from_the_contract():
    layers = floors()
    assert layers[0] == {"config"} and layers[-1] == {"core"}
    assert {"dating", "video_calls", "livestreams", "ads"} in layers
    # then: an app may use itself and what is below it, never above or beside it
    assert may_use("posts", "users", layers) and may_use("posts", "posts", layers)
    assert not may_use("users", "posts", layers)
    assert not may_use("core", "notifications", layers)
    assert not may_use("dating", "ads", layers)


# --- Templates follow the same floors -------------------------------------------------------------


def _app_of_module(module: str) -> str:
    top = module.split(".")[0]
    return top if apps.is_installed(top) and (ROOT / top).is_dir() else ""


@cache
def _url_apps() -> dict[str, str]:
    """Every URL name ("posts:detail", "home") -> the app whose view serves it."""
    names: dict[str, str] = {}

    def walk(patterns, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                view = getattr(pattern.callback, "view_class", pattern.callback)
                names.setdefault(f"{namespace}{pattern.name}", _app_of_module(view.__module__))

    walk(get_resolver().url_patterns, "")
    return names


def _template_app(name: str) -> str:
    for path in templates():
        relative = path.relative_to(ROOT)
        inner = relative.parts[1:] if relative.parts[0] == "templates" else relative.parts[2:]
        if "/".join(inner) == name:
            return template_owner(path)
    return ""  # Django's own (admin, forms)


def _tags_app(library: str) -> str:
    for app in apps.get_app_configs():
        if Path(app.path, "templatetags", f"{library}.py").exists():
            return _app_of_module(app.name)
    return ""


def _static_app(path: str) -> str:
    # static/js/<app>/… and static/css/<app>.css belong to that app; the rest is the site's.
    parts = re.split(r"[/.]", path)
    candidate = parts[1] if len(parts) > 2 else ""
    return candidate if apps.is_installed(candidate) and (ROOT / candidate).is_dir() else ""


def _resolve(kind: str, name: str) -> str:
    if kind == "url":
        return _url_apps().get(name, "")
    if kind == "template":
        return _template_app(name)
    if kind == "tags":
        return _tags_app(name)
    return _static_app(name)


def test_templates_use_only_their_floor_and_below():
    # given every template of the site and of each app
    layers = floors()
    wrong: list[Reference] = []
    for path in templates():
        owner = template_owner(path)
        found = references(path.read_text(), template=str(path.relative_to(ROOT)), owner=owner, resolve=_resolve)
        wrong += [reference for reference in found if not may_use(owner, reference.target, layers)]
    # then none reaches up: a lower app's page or base.html never names a higher app's template,
    # tag library, URL or script (a higher app registers a menu entry instead)
    assert [str(reference) for reference in wrong] == []


def test_the_template_check_sees_each_kind_of_reference():
    # given a notifications template that reaches up to users and posts in every way
    text = """{% extends "users/profile.html" %}{% load avatars posts %}{% include 'posts/includes/post_card.html' %}
    <a href="{% url 'users:blocked' %}">x</a><script src="{% static 'js/posts/composer.js' %}"></script>
    {% include entry.template %}"""
    targets = {
        "users/profile.html": "users",
        "avatars": "core",
        "posts": "posts",
        "posts/includes/post_card.html": "posts",
        "users:blocked": "users",
    }

    def resolve(kind: str, name: str) -> str:
        return targets.get(name) or _static_app(name)

    # when
    found = references(text, template="t.html", owner="notifications", resolve=resolve)
    # then each reference is seen, and all but core's break the floors
    seen = [(reference.kind, reference.name) for reference in found]
    assert seen == [
        ("template", "users/profile.html"),
        ("tags", "avatars"),
        ("tags", "posts"),
        ("template", "posts/includes/post_card.html"),
        ("url", "users:blocked"),
        ("static", "js/posts/composer.js"),
    ]
    wrong = [reference.name for reference in found if not may_use("notifications", reference.target, floors())]
    assert wrong == [
        "users/profile.html",
        "posts",
        "posts/includes/post_card.html",
        "users:blocked",
        "js/posts/composer.js",
    ]


def test_site_templates_are_on_cores_floor():
    assert template_owner(ROOT / "templates" / "base.html") == SITE_TEMPLATES == "core"


# --- The API is described --------------------------------------------------------------------------


def _api_paths(patterns, prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths |= _api_paths(pattern.url_patterns, route)
        elif route.startswith("api/") and not route.startswith("^"):
            # <int:post_id> -> {post_id}, as OpenAPI writes path parameters
            paths.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return paths


def test_every_api_url_is_in_the_openapi_schema():
    # given the API's URLs (the schema and its viewer describe the rest)
    urls = _api_paths(get_resolver().url_patterns) - {"/api/schema/", "/api/docs/"}
    # when the schema is generated
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # then each URL is described, and nothing else is
    assert len(urls) > 40
    assert urls == set(schema["paths"])


def test_import_linter_is_installed_where_make_lint_finds_it():
    assert importlib.util.find_spec("importlinter") is not None
