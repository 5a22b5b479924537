"""Keyset pagination: stable while rows arrive, ties broken by id, cursors checked, sizes clamped."""

import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from core.exceptions import ValidationFailed
from core.pagination import MAX_PAGE_SIZE, paginate
from tests.users.factories import FollowFactory, UserFactory
from users.models import Follow, User
from users.repositories import list_followers


def _all_pages(fetch, size):
    """Follow next_cursor to the end; returns the ids page by page."""
    pages, cursor = [], None
    while True:
        page = fetch(cursor=cursor, size=size)
        pages.append([item.pk for item in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def _follow_at(followee, when):
    follow = FollowFactory(followee=followee)
    Follow.objects.filter(pk=follow.pk).update(created_at=when)
    return follow.follower


def test_followers_pages_do_not_overlap_or_skip_while_new_follows_arrive(db):
    # given 7 followers, one minute apart, newest first
    star, start = UserFactory(), timezone.now() - timedelta(hours=1)
    followers = [_follow_at(star, start + timedelta(minutes=n)) for n in range(7)]
    expected = [user.pk for user in reversed(followers)]
    # when pages of 3 are fetched while new followers arrive between fetches
    first = list_followers(None, star, size=3)
    _follow_at(star, timezone.now())
    second = list_followers(None, star, cursor=first.next_cursor, size=3)
    _follow_at(star, timezone.now())
    third = list_followers(None, star, cursor=second.next_cursor, size=3)
    # then every original follower appears exactly once, in order, and newcomers do not shift pages
    ids = [[user.pk for user in page.items] for page in (first, second, third)]
    assert ids == [expected[0:3], expected[3:6], expected[6:7]]
    assert third.next_cursor is None


def test_ties_on_the_timestamp_are_broken_by_id(db):
    # given 5 followers who followed at the very same instant
    star, when = UserFactory(), timezone.now().replace(microsecond=0)
    followers = [_follow_at(star, when) for _ in range(5)]
    # when pages of 2 are walked
    pages = _all_pages(lambda **kw: list_followers(None, star, **kw), 2)
    # then each appears exactly once, highest id first
    assert pages == [
        [followers[4].pk, followers[3].pk],
        [followers[2].pk, followers[1].pk],
        [followers[0].pk],
    ]


def test_ties_on_date_joined_in_user_search(api_client, db):
    # given 5 accounts that joined at the same instant
    when = timezone.now().replace(microsecond=0)
    users = UserFactory.create_batch(5)
    User.objects.update(date_joined=when)
    # when the search is walked 2 at a time through the API
    seen, cursor = [], None
    for _ in range(5):
        params = {"size": 2, **({"cursor": cursor} if cursor else {})}
        body = api_client.get("/api/users/", params).json()
        seen.append([item["id"] for item in body["results"]])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    # then
    ids = sorted((user.pk for user in users), reverse=True)
    assert seen == [ids[0:2], ids[2:4], ids[4:5]]


def test_paginate_on_a_plain_queryset_with_rows_added_at_the_top(db):
    # given 4 users joined a day apart
    start = timezone.now() - timedelta(days=10)
    users = UserFactory.create_batch(4)
    for n, user in enumerate(users):
        User.objects.filter(pk=user.pk).update(date_joined=start + timedelta(days=n))
    # when a page of 2 is read, a newer user joins, and the next page is read
    first = paginate(User.objects.all(), cursor=None, size=2, fields=("date_joined", "id"))
    UserFactory()
    second = paginate(User.objects.all(), cursor=first.next_cursor, size=2, fields=("date_joined", "id"))
    # then
    assert [u.pk for u in first.items] == [users[3].pk, users[2].pk]
    assert [u.pk for u in second.items] == [users[1].pk, users[0].pk]
    assert second.next_cursor is None


def _b64(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor!!",
        "@@@@",
        _b64({"a": 1}),
        _b64(["2024-01-01T00:00:00+00:00"]),  # wrong length
        _b64(["2024-01-01T00:00:00+00:00", 1, 2]),
        _b64(["yesterday", 1]),
        _b64(["2024-01-01T00:00:00+00:00", "one"]),
        _b64([{"x": 1}, 1]),
        _b64([["x"], 1]),
        _b64([None, None]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        # numbers and strings no cursor holds: each used to reach the database and fail there (500)
        _b64(["2024-01-01T00:00:00+00:00", 10**30]),
        base64.urlsafe_b64encode(b'["2024-01-01T00:00:00+00:00", 1e400]').decode(),
        base64.urlsafe_b64encode(b'["2024-01-01T00:00:00+00:00", Infinity]').decode(),
        _b64(["2024-01-01T00:00:00+00:00", True]),
        _b64(["2024-01-01T00:00:00+00:00" + " " * 100, 1]),
        _b64(["2024-01-01T00:00:00+00:00", 1]) + "=",  # padding is never sent
        "W1tb" * 2000,  # too long: base64 of "[[[" * 1500
    ],
)
def test_tampered_cursor_is_a_400_on_field_cursor(api_client, db, cursor):
    # given a user with followers
    star = UserFactory(username="star")
    FollowFactory.create_batch(3, followee=star)
    # when a tampered cursor is sent
    response = api_client.get("/api/users/star/followers/", {"cursor": cursor})
    # then
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_cursor",
        "message": "This cursor is not valid.",
        "fields": {"cursor": ["This cursor is not valid."]},
    }


def test_tampered_cursor_in_the_service_raises_validation_failed(db):
    # when / then
    with pytest.raises(ValidationFailed) as raised:
        paginate(User.objects.all(), cursor=_b64(["x", "y"]), fields=("date_joined", "id"))
    assert raised.value.fields == {"cursor": ["This cursor is not valid."]}


@pytest.mark.parametrize(("size", "expected"), [("0", 1), ("-5", 1), ("1", 1), ("3", 3), ("1000", MAX_PAGE_SIZE)])
def test_size_is_clamped(api_client, db, size, expected):
    # given more users than the largest page
    UserFactory.create_batch(MAX_PAGE_SIZE + 1)
    # when a page of `size` is asked for
    body = api_client.get("/api/users/", {"size": size}).json()
    # then
    assert len(body["results"]) == expected
    assert body["next_cursor"] is not None


def test_size_that_is_not_a_number_is_a_400(api_client, db):
    # when
    response = api_client.get("/api/users/", {"size": "many"})
    # then
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "Page size must be a whole number.",
        "fields": {"size": ["Page size must be a whole number."]},
    }


def test_last_page_has_no_cursor_and_an_empty_list_is_fine(api_client, db):
    # when nobody exists
    body = api_client.get("/api/users/").json()
    # then
    assert body == {"results": [], "next_cursor": None}
