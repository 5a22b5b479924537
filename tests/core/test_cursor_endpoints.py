"""Every cursor-paginated endpoint, found in the OpenAPI schema (each list that takes `?cursor=`),
and every page of the site, found in the URL conf, answers a malformed cursor with a 400: JSON
with code invalid_cursor for the API, the themed error page for pages. Before, the probe's
cursor ("W1tb" * 2000, base64 of "[[[" * 1500) made json.loads raise RecursionError: a 500,
unauthenticated, on every list."""

import base64
import re

import pytest
from django.urls import URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from posts.services import add_comment
from tests.posts.factories import PostFactory
from tests.users.factories import FollowFactory, UserFactory

PROBE = "W1tb" * 2000
NESTED = base64.urlsafe_b64encode(b"[" * 120 + b"]" * 120).decode().rstrip("=")  # short, yet deep
INVALID_CURSOR = {
    "code": "invalid_cursor",
    "message": "This cursor is not valid.",
    "fields": {"cursor": ["This cursor is not valid."]},
}
# Values for path parameters, by name (one URL per value); the objects are made by `world`.
PATH_VALUES = {
    "feed": ["following", "for-you", "latest", "trending"],
    "tab": ["for-you", "following"],
    "username": ["bob"],
    "tag": ["hello"],
}
QUERY_VALUES = {"q": "hello", "prefix": "he"}  # searches page only when they search for something


def _paginated_api_operations() -> list[tuple[str, list[str]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, [parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "query"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method == "get" and any(parameter["name"] == "cursor" for parameter in operation.get("parameters", ()))
    ]


def _page_routes(patterns=None, prefix: str = "") -> list[str]:
    """Every path() route of the site outside /api/ and /admin/, as written in the URL conf."""
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _page_routes(pattern.url_patterns, route)
        elif not route.startswith(("^", "api/", "admin/")):
            routes.append(route)
    return routes


def _urls(route: str, ids: dict) -> list[str]:
    """`route` with each <converter:name> (URL conf) or {name} (OpenAPI) filled in, once per value
    known for it."""
    urls = ["/" + route.lstrip("/")]
    for name in re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", route):
        name = "".join(name)
        values = PATH_VALUES.get(name) or [ids.get(name, 1)]  # 1: some object's id, or nobody's
        urls = [re.sub(rf"<(?:\w+:)?{name}>|\{{{name}\}}", str(value), url) for url in urls for value in values]
    return urls


@pytest.fixture
def world(db):
    """Ana follows Bob, who posted #hello; Ana commented and Bob replied."""
    ana, bob = UserFactory(username="ana"), UserFactory(username="bob")
    FollowFactory(follower=ana, followee=bob)
    post = PostFactory(author=bob, body="Say #hello")
    comment = add_comment(post=post, by=ana, body="Hi")
    add_comment(post=post, by=bob, body="Hello back", parent=comment)
    return {"ana": ana, "post_id": post.pk, "comment_id": comment.pk}


API_OPERATIONS = _paginated_api_operations()


def test_the_schema_lists_every_paginated_endpoint():
    # then the sweep below covers the lists the API has (feeds, people, comments, search, ...)
    assert len(API_OPERATIONS) >= 15
    assert {"/api/feeds/{feed}/", "/api/users/{username}/followers/", "/api/notifications/"} <= {
        path for path, _ in API_OPERATIONS
    }


@pytest.mark.parametrize(("path", "query"), API_OPERATIONS, ids=[path for path, _ in API_OPERATIONS])
@pytest.mark.parametrize("cursor", [PROBE, NESTED], ids=["probe", "nested"])
def test_every_paginated_api_endpoint_answers_a_malformed_cursor_with_400(api_client, world, path, query, cursor):
    # given Ana is logged in (anonymous readers are refused before the cursor on some lists)
    api_client.force_authenticate(world["ana"])
    params = {"cursor": cursor, **{name: value for name, value in QUERY_VALUES.items() if name in query}}
    for url in _urls(path, world):
        # when
        response = api_client.get(url, params)
        # then
        assert (url, response.status_code, response.json()) == (url, 400, INVALID_CURSOR)


def test_an_anonymous_reader_gets_the_400_too(api_client, world):
    # when the probe's request is sent without credentials
    response = api_client.get("/api/feeds/latest/", {"cursor": PROBE})
    # then
    assert (response.status_code, response.json()) == (400, INVALID_CURSOR)


def test_every_page_answers_a_malformed_cursor_without_a_500(client, world):
    # given every page of the site, for a logged-in member
    client.force_login(world["ana"])
    paginated = []
    for url in [url for route in _page_routes() for url in _urls(route, world)]:
        # when it is asked for with the probe's cursor
        plain = client.get(url)
        probed = client.get(url, {"cursor": PROBE, **QUERY_VALUES})
        # then it answers the themed 400 page, or ignores the cursor as it does without one
        if probed.status_code == 400:
            assert "This cursor is not valid." in probed.content.decode()
            paginated.append(url)
        else:
            assert (url, probed.status_code) == (url, plain.status_code)
    # and the lists are among those that answered 400
    assert {"/feed/latest/", "/feed/following/", "/saved/", "/tags/hello/", "/u/bob/followers/", "/search/"} <= set(
        paginated
    )
