"""The JSON API of notifications: lists and catch-up, counts, reading, preferences; every bad
input a 4xx in the one error format that changes nothing."""

import pytest

from notifications.models import Notification, Preference
from posts.services import add_comment, like_post
from tests.posts.factories import PostFactory
from tests.posts.helpers import client_for, error
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def as_ana(ana):
    return client_for(ana)


def liked_by(author, count: int) -> list[Notification]:
    """`count` notifications for `author`, one like each on a post of theirs, oldest first."""
    for _ in range(count):
        like_post(post=PostFactory(author=author), user=UserFactory())
    return list(Notification.objects.filter(recipient=author).order_by("id"))


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def test_the_list_is_newest_first_and_pages_by_cursor(as_ana, ana):
    # given
    made = liked_by(ana, 5)
    # when
    first = as_ana.get("/api/notifications/", {"size": 3})
    second = as_ana.get("/api/notifications/", {"size": 3, "cursor": first.json()["next_cursor"]})
    # then
    assert ids(first) == [n.pk for n in made[:1:-1]]
    assert ids(second) == [made[1].pk, made[0].pk]
    assert second.json()["next_cursor"] is None


def test_the_list_shows_only_ones_own_and_can_show_only_unread(as_ana, ana, bob):
    # given one read and one unread notification for ana, one for bob
    made = liked_by(ana, 2)
    liked_by(bob, 1)
    as_ana.post(f"/api/notifications/{made[0].pk}/read/")
    # when
    everything = as_ana.get("/api/notifications/")
    unread = as_ana.get("/api/notifications/", {"unread": "1"})
    # then
    assert ids(everything) == [made[1].pk, made[0].pk]
    assert ids(unread) == [made[1].pk]


def test_catching_up_returns_what_came_after_the_last_seen_id_oldest_first(as_ana, ana, bob, carol):
    # given ana saw bob's like; then carol liked another post, and the same post (which
    # re-issues the first group under a new id), and bob commented
    post, other = PostFactory(author=ana), PostFactory(author=ana)
    like_post(post=post, user=bob)
    seen = Notification.objects.get()
    like_post(post=other, user=carol)
    like_post(post=post, user=carol)
    add_comment(post=post, by=bob, body="Hi")
    # when
    response = as_ana.get("/api/notifications/", {"after": seen.pk})
    # then
    texts = [item["text"] for item in response.json()["results"]]
    assert texts == ["Carol liked your post", "Carol and 1 other liked your post", "Bob commented on your post"]
    assert ids(response) == sorted(ids(response))
    assert ids(response)[0] > seen.pk
    assert response.json()["next_cursor"] is None


def test_catching_up_after_too_much_says_more(as_ana, ana, monkeypatch):
    # given
    from notifications import repositories

    monkeypatch.setattr(repositories, "CATCH_UP_LIMIT", 2)
    made = liked_by(ana, 4)
    # when
    response = as_ana.get("/api/notifications/", {"after": made[0].pk})
    # then
    assert ids(response) == [made[1].pk, made[2].pk]
    assert response.json()["next_cursor"] == "more"


def test_unread_count_read_one_and_read_all(as_ana, ana):
    # given
    made = liked_by(ana, 3)
    # when / then
    assert as_ana.get("/api/notifications/unread-count/").json() == {"unread": 3}
    response = as_ana.post(f"/api/notifications/{made[2].pk}/read/")
    assert (response.status_code, response.json()["read"], response.json()["id"]) == (200, True, made[2].pk)
    assert as_ana.post("/api/notifications/read-all/", {"up_to": made[0].pk}, format="json").json() == {"unread": 1}
    assert as_ana.post("/api/notifications/read-all/").json() == {"unread": 0}


def test_someone_elses_notification_is_404_and_stays_unread(ana, bob):
    # given
    made = liked_by(ana, 1)
    # when
    response = client_for(bob).post(f"/api/notifications/{made[0].pk}/read/")
    # then
    assert (response.status_code, response.json()) == (404, error("not_found", "No such notification."))
    assert Notification.objects.get().read_at is None


@pytest.mark.parametrize(
    ("query", "field", "code", "message"),
    [
        ({"after": "abc"}, "after", "invalid", "after must be a notification id (a whole number)."),
        ({"after": "-1"}, "after", "invalid", "after must be a notification id (a whole number)."),
        ({"cursor": "nonsense"}, "cursor", "invalid_cursor", "This cursor is not valid."),
        ({"size": "many"}, "size", "invalid", "Page size must be a whole number."),
    ],
)
def test_bad_list_parameters_are_400(as_ana, query, field, code, message):
    # when
    response = as_ana.get("/api/notifications/", query)
    # then
    assert (response.status_code, response.json()) == (400, error(code, message, field))


def test_read_all_refuses_a_bad_up_to(as_ana, ana):
    # given
    liked_by(ana, 1)
    # when
    response = as_ana.post("/api/notifications/read-all/", {"up_to": "soon"}, format="json")
    # then
    assert (response.status_code, response.json()) == (
        400,
        error("invalid", "up_to: A valid integer is required.", "up_to")
        | {"fields": {"up_to": ["A valid integer is required."]}},
    )
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_preferences_read_and_change(as_ana, ana):
    # when
    before = as_ana.get("/api/notifications/preferences/").json()
    response = as_ana.patch(
        "/api/notifications/preferences/",
        {"kinds": {"like": {"email": True, "push": False}}, "email_digest": True, "phone": "+4915112345678"},
        format="json",
    )
    # then
    like_before = next(kind for kind in before["kinds"] if kind["kind"] == "like")
    assert like_before == {
        "kind": "like",
        "label": "Likes of your posts",
        "channels": {"in_app": True, "email": False, "push": True, "sms": False},
    }
    assert (before["email_digest"], before["phone"], before["push_available"]) == (False, "", False)
    after = response.json()
    assert next(kind for kind in after["kinds"] if kind["kind"] == "like")["channels"] == {
        "in_app": True,
        "email": True,
        "push": False,
        "sms": False,
    }
    assert (after["email_digest"], after["phone"]) == (True, "+4915112345678")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"kinds": {"like": {"email": "perhaps"}}}, "kinds", "Must be a valid boolean."),
        ({"kinds": {"gossip": {"email": True}}}, "preferences", "There is no notification kind 'gossip'."),
        ({"kinds": {"like": {"fax": True}}}, "preferences", "There is no channel 'fax'."),
        ({"kinds": ["like"]}, "kinds", 'Expected a dictionary of items but got type "list".'),
        ({"phone": "0151 nope"}, "phone", "Give the number in international form, e.g. +4915112345678."),
    ],
)
def test_bad_preferences_are_400_and_change_nothing(as_ana, ana, body, field, message):
    # when
    response = as_ana.patch("/api/notifications/preferences/", {**body, "email_digest": True}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["fields"].keys() == {field}
    assert message in str(response.json()["fields"][field])
    assert Preference.objects.count() == 0
    assert as_ana.get("/api/notifications/preferences/").json()["email_digest"] is False


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/notifications/"),
        ("get", "/api/notifications/unread-count/"),
        ("post", "/api/notifications/1/read/"),
        ("post", "/api/notifications/read-all/"),
        ("get", "/api/notifications/preferences/"),
        ("post", "/api/notifications/push-subscriptions/"),
    ],
)
def test_signed_out_callers_are_401(api_client, method, url):
    # when
    response = getattr(api_client, method)(url)
    # then
    assert (response.status_code, response.json()) == (
        401,
        error("not_authenticated", "Authentication credentials were not provided."),
    )


def test_the_endpoints_are_in_the_openapi_schema(api_client):
    # when
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    # then
    assert {
        "/api/notifications/",
        "/api/notifications/unread-count/",
        "/api/notifications/{notification_id}/read/",
        "/api/notifications/read-all/",
        "/api/notifications/preferences/",
        "/api/notifications/push-subscriptions/",
    } <= schema["paths"].keys()


def test_the_list_costs_the_same_queries_for_5_and_25(as_ana, ana, django_assert_max_num_queries):
    # given
    liked_by(ana, 5)
    with django_assert_max_num_queries(4):
        as_ana.get("/api/notifications/")
    liked_by(ana, 20)
    # then
    with django_assert_max_num_queries(4):
        assert len(ids(as_ana.get("/api/notifications/", {"size": 25}))) == 25
