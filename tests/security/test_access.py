"""The authorisation matrix: every route with path parameters (API operations and HTML pages),
with each method, on an object of each kind in each visibility, as each role. Nobody may do what
their role may not, and whoever may not see an object gets exactly the answer for a missing one
(404, never 403). What each app's objects are and who may do what is declared in
tests/<app>/access.py (format: tests/security/matrix.py)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.test import Client
from django.urls import reverse
from django.urls.converters import IntConverter

from tests.users.factories import BlockFactory, FollowFactory, UserFactory

from .matrix import MAY, METHODS, REFUSED, ROLES, declarations, judge, patterns

KINDS, ROUTES, OPEN = declarations()


def _undeclared() -> list[str]:
    return [
        f"{pattern.name} ({pattern.route})"
        for pattern in patterns()
        if pattern.name not in ROUTES and not set(pattern.parameters) <= set(OPEN)
    ]


def test_every_route_with_path_parameters_is_declared():
    # given every named route with path parameters
    # then each is declared in its app's tests/<app>/access.py, naming a declared kind, and
    # every method an API view serves is declared (a new app or view cannot slip past the matrix)
    assert _undeclared() == [], "not declared in any tests/<app>/access.py:\n" + "\n".join(_undeclared())
    assert {route.kind for route in ROUTES.values()} <= set(KINDS)
    served = {pattern.name: pattern.api_methods() for pattern in patterns() if pattern.is_api}
    undeclared_methods = {
        name: sorted(methods - set(ROUTES[name].served()))
        for name, methods in served.items()
        if name in ROUTES and methods - set(ROUTES[name].served())
    }
    assert undeclared_methods == {}


def test_the_declaration_check_names_a_route_nobody_declared(monkeypatch):
    # given a route that no app declared
    before = set(_undeclared())
    monkeypatch.delitem(ROUTES, "api-post")
    # then the check names it
    assert set(_undeclared()) - before == {"api-post (api/posts/<int:post_id>/)"}


def test_the_judge_names_what_reveals_or_lets_through():
    # given the answers for a missing object, as a signed-in person
    missing_page = HttpResponse(status=404)
    back = HttpResponseRedirect("/notifications/settings/#push")
    # then a refusal for an unseen object that differs from the missing one is named
    assert judge(HttpResponse(status=403), may=False, sees=False, missing=missing_page) == (
        "403 reveals that it exists (404 is the rule)"
    )
    assert judge(HttpResponse(status=409), may=False, sees=False, missing=missing_page) == (
        "409 differs from the 404 for a missing object"
    )
    assert judge(HttpResponse(status=200), may=False, sees=True, missing=missing_page) == "200: unexpected success"
    assert judge(HttpResponse(status=404), may=True, sees=True, missing=missing_page) == (
        "404: shut out of what it may do"
    )
    assert judge(HttpResponse(status=500), may=True, sees=True, missing=missing_page) == "500 server error"
    # and the same redirect as for a missing object, a 403 for what one sees, or a 404, pass
    assert judge(HttpResponseRedirect("/notifications/settings/#push"), may=False, sees=False, missing=back) is None
    assert judge(HttpResponse(status=403), may=False, sees=True, missing=missing_page) is None
    assert judge(HttpResponse(status=404), may=False, sees=False, missing=missing_page) is None


def _people(visibility_kind_make, visibility: str):
    """The owner and one person in each other role, each with a signed-in client."""
    people = {role: UserFactory(username=f"{role}-{visibility}") for role in ROLES if role != "anonymous"}
    people["moderator"].is_staff = True
    people["moderator"].save(update_fields=["is_staff"])
    BlockFactory(blocker=people["owner"], blocked=people["blocked"])
    FollowFactory(follower=people["follower"], followee=people["owner"])
    values = visibility_kind_make(people["owner"], visibility)
    clients = {"anonymous": Client(raise_request_exception=False)}
    for role, person in people.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(person)
    return values, clients


def _missing(pattern) -> dict[str, object]:
    return {
        name: 2**31 - 1 if isinstance(converter, IntConverter) else "missing-object"
        for name, converter in pattern.parameters.items()
    }


def _answer(client: Client, method: str, url: str, data: dict, *, api: bool):
    """One request, rolled back afterwards so no check sees another's writes."""
    cache.clear()  # rate limits count per person: each check starts afresh
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif api:
            response = client.generic(method, url, json.dumps(data), content_type="application/json")
        else:
            response = client.generic(method, url, urlencode(data), content_type="application/x-www-form-urlencoded")
        transaction.set_rollback(True)
    return response


def _methods(pattern, route, *, first: bool) -> list[str]:
    """The methods the route serves; those it does not are refused whatever the object, so they
    are tried on the first visibility only."""
    return [method for method in METHODS if method in route.served() or first]


@pytest.mark.parametrize("kind_name", sorted(KINDS))
def test_each_role_gets_only_what_it_may(kind_name, db, request):
    kind = KINDS[kind_name]
    routes = [(pattern, ROUTES[pattern.name]) for pattern in patterns() if ROUTES.get(pattern.name, None)]
    routes = [(pattern, route) for pattern, route in routes if route.kind == kind_name]
    assert routes, f"no route uses the kind {kind_name}"
    problems: list[str] = []
    checks = 0
    for number, (visibility, seen_by) in enumerate(kind.seen_by.items()):
        # given an object of this kind in this visibility, its owner and someone in each role
        values, clients = _people(kind.make, visibility)
        for pattern, route in routes:
            assert set(values) == set(pattern.parameters), f"{kind_name} does not fill {pattern.route}"
            for method in _methods(pattern, route, first=number == 0):
                may = MAY[route.served().get(method, REFUSED)](seen_by)
                for role in ROLES:
                    # when the role tries it on the object, and on one that does not exist
                    data = route.data
                    response = _answer(
                        clients[role], method, reverse(pattern.name, kwargs=values), data, api=pattern.is_api
                    )
                    missing = _answer(
                        clients[role], method, reverse(pattern.name, kwargs=_missing(pattern)), data, api=pattern.is_api
                    )
                    problem = judge(response, may=role in may, sees=role in seen_by, missing=missing)
                    checks += 1
                    if problem:
                        problems.append(f"{method} {pattern.route} [{kind_name} {visibility}] as {role}: {problem}")
    # then no role did what it may not, and none saw what it may not see
    request.node.user_properties.append(("checks", checks))
    print(f"{kind_name}: {checks} checks")
    assert problems == [], "\n".join(problems)
