"""The authorisation matrix's parts: what an app declares about its objects, and how an answer
is judged. Each app declares its kinds of object and its routes in ONE place,
tests/<app>/access.py, with three names:

    KINDS  = [Kind(...), ...]          how to make one for an owner, in each visibility, and who sees it
    ROUTES = {"<url name>": Route("<kind>", GET=READ, POST=ACT, ...), ...}
    OPEN   = {"<url parameter>": "why it names nothing anyone owns"}   (a tag, a feed's name)

tests/security/test_access.py tries every route with path parameters, with each of its methods,
on an object of its kind in each visibility, as each role; a route nobody declared fails it."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[2]

ROLES = ("anonymous", "stranger", "blocked", "follower", "moderator", "owner")
# Who sees an object of each common visibility. A person the owner blocked sees none of theirs.
EVERYONE = frozenset({"anonymous", "stranger", "follower", "moderator", "owner"})
SIGNED_IN = EVERYONE - {"anonymous"}
FOLLOWERS = frozenset({"follower", "owner"})
OWNER = frozenset({"owner"})
NOBODY: frozenset[str] = frozenset()

# Operation classes: who, among those who see the object, may do it.
READ = "read"  # everyone who sees it
ACT = "act"  # signed-in people who see it: like, comment, follow
OWN = "own"  # its owner only
MODERATE = "moderate"  # its owner, or a moderator who sees it
REFUSED = "refused"  # a method the route does not serve: nobody
MAY = {
    READ: lambda sees: sees,
    ACT: lambda sees: sees - {"anonymous"},
    OWN: lambda sees: sees & OWNER,
    MODERATE: lambda sees: sees & {"owner", "moderator"},
    REFUSED: lambda sees: NOBODY,
}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Left to others: Django's admin (staff only, Django's own checks) and media files (signed
# media URLs and avatars have their own matrix, tests/security/test_media_matrix.py).
NOT_OURS = ("admin/", "^media/")


@dataclass(frozen=True)
class Kind:
    """A kind of object: `make(owner, visibility)` creates one owned by `owner` and returns the URL
    parameters that name it; `seen_by` says which roles see it in each visibility."""

    name: str
    make: Callable[[Any, str], dict[str, object]]
    seen_by: dict[str, frozenset[str]]


@dataclass(frozen=True)
class Route:
    """A route's kind, the operation class of each method it serves, and a valid body to send."""

    kind: str
    data: dict = field(default_factory=dict)
    GET: str | None = None
    POST: str | None = None
    PUT: str | None = None
    PATCH: str | None = None
    DELETE: str | None = None

    def served(self) -> dict[str, str]:
        return {method: getattr(self, method) for method in METHODS if getattr(self, method)}


@dataclass(frozen=True)
class Pattern:
    name: str
    route: str  # with <converter:name> parameters, as written in the URL conf
    parameters: dict[str, object]  # name -> converter
    view: Any

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    def api_methods(self) -> set[str]:
        """The methods a DRF APIView answers, which its route must declare (a page's function
        view does not say: the matrix tries every method on it)."""
        view_class = getattr(self.view, "view_class", None)
        if view_class is None:
            return set()
        return {method.upper() for method in view_class.http_method_names if method not in ("options", "head")} & {
            method for method in METHODS if hasattr(view_class, method.lower())
        }


def patterns() -> list[Pattern]:
    """Every named URL with path parameters, but Django's admin and development media files."""
    found: list[Pattern] = []

    def walk(entries, prefix: str, namespace: str, converters: dict):
        for entry in entries:
            route = prefix + str(entry.pattern)
            inner = {**converters, **getattr(entry.pattern, "converters", {})}
            if route.startswith(NOT_OURS):
                continue
            if isinstance(entry, URLResolver):
                walk(
                    entry.url_patterns, route, f"{namespace}{entry.namespace}:" if entry.namespace else namespace, inner
                )
            elif isinstance(entry, URLPattern) and inner:
                found.append(Pattern(f"{namespace}{entry.name}", route, inner, entry.callback))

    walk(get_resolver().url_patterns, "", "", {})
    return found


def declarations() -> tuple[dict[str, Kind], dict[str, Route], dict[str, str]]:
    """The KINDS, ROUTES and OPEN of every app that has tests/<app>/access.py."""
    kinds: dict[str, Kind] = {}
    routes: dict[str, Route] = {}
    open_parameters: dict[str, str] = {}
    for app in apps.get_app_configs():
        if Path(app.path).parent != ROOT or not (ROOT / "tests" / app.label / "access.py").exists():
            continue
        module = importlib.import_module(f"tests.{app.label}.access")
        kinds |= {kind.name: kind for kind in getattr(module, "KINDS", [])}
        routes |= getattr(module, "ROUTES", {})
        open_parameters |= getattr(module, "OPEN", {})
    return kinds, routes, open_parameters


# --- Judging an answer -----------------------------------------------------------------------------


def _redirects_to_login(response) -> bool:
    from django.conf import settings
    from django.shortcuts import resolve_url

    return response.status_code in (301, 302, 303) and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def _message_levels(response) -> list[int]:
    storage = getattr(getattr(response, "wsgi_request", None), "_messages", None)
    return [message.level for message in getattr(storage, "_queued_messages", [])]


def _said_error(response) -> bool:
    """An HTML button's view that failed says so in an error message and goes back."""
    return any(level >= message_levels.ERROR for level in _message_levels(response))


def _answer(response) -> tuple:
    return response.status_code, response.get("Location"), _message_levels(response)


def succeeded(response) -> bool:
    if 200 <= response.status_code < 300:
        return True
    return 300 <= response.status_code < 400 and not _redirects_to_login(response) and not _said_error(response)


def shut_out(response) -> bool:
    """Answered as if the object were not there, or asked to sign in first."""
    return response.status_code in (401, 404) or _redirects_to_login(response)


def judge(response, *, may: bool, sees: bool, missing) -> str | None:
    """What is wrong with `response`, or None. `missing` is the same request's answer for an
    object that does not exist: who may not see an object must get exactly that."""
    status = response.status_code
    if status >= 500:
        return f"{status} server error"
    if may:
        return f"{status}: shut out of what it may do" if shut_out(response) else None
    if not sees and 300 <= status < 400 and _answer(response) == _answer(missing):
        return None  # a button's redirect that says what it says for nothing at all
    if succeeded(response):
        return f"{status}: unexpected success"
    if not sees and status == 403:
        return "403 reveals that it exists (404 is the rule)"
    if not sees and status != missing.status_code:
        return f"{status} differs from the {missing.status_code} for a missing object"
    return None
