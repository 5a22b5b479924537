"""The "notifications" stream end to end: writes through the services, frames read from
config.asgi.application as the bell in every open tab would get them."""

import pytest
from channels.db import database_sync_to_async

from notifications.models import Notification
from notifications.services.inbox import mark_all_read, mark_read
from posts.services import add_comment, like_post, unlike_post
from tests.posts.factories import PostFactory
from tests.sockets import exchange, open_socket, run, subscribe

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


def event(name: str, **data) -> dict:
    return {"op": "event", "stream": "notifications", "event": name, "data": data}


def test_every_open_tab_of_the_recipient_gets_the_notification_at_once(ana, bob):
    # given ana has two tabs open, and bob one
    post = PostFactory(author=ana, body="Hello there")

    async def scenario():
        tabs = [await open_socket(ana), await open_socket(ana)]
        other = await open_socket(bob)
        for socket in [*tabs, other]:
            await subscribe(socket, "notifications")
        # when bob likes ana's post
        await db(like_post)(post=post, user=bob)
        frames = [await socket.receive_json_from() for socket in tabs]
        nothing_for_bob = await other.receive_nothing(timeout=0.2)
        for socket in [*tabs, other]:
            await socket.disconnect()
        return frames, nothing_for_bob

    frames, nothing_for_bob = run(scenario)
    # then
    notification = Notification.objects.get(recipient=ana)
    expected = event(
        "notification",
        notification={
            "id": notification.pk,
            "kind": "like",
            "text": "Bob liked your post",
            "actor": {"username": "bob", "display_name": "Bob", "avatar_url": ""},
            "actors_count": 1,
            "url": f"/p/{post.pk}/",
            "excerpt": "Hello there",
            "created_at": notification.created_at.isoformat().replace("+00:00", "Z"),
            "read": False,
        },
        replaces=None,
        unread=1,
    )
    assert frames == [expected, expected]
    assert nothing_for_bob


def test_a_regrouped_notification_names_the_row_it_replaces(ana, bob, carol):
    # given
    post = PostFactory(author=ana)
    like_post(post=post, user=bob)
    first = Notification.objects.get()

    async def scenario():
        socket = await open_socket(ana)
        await subscribe(socket, "notifications")
        # when carol likes it too
        await db(like_post)(post=post, user=carol)
        frame = await socket.receive_json_from()
        await socket.disconnect()
        return frame

    frame = run(scenario)
    # then
    assert frame["data"]["replaces"] == first.pk
    assert frame["data"]["notification"]["text"] == "Carol and 1 other liked your post"
    assert frame["data"]["unread"] == 1


def test_reading_and_withdrawing_update_every_tab(ana, bob, carol):
    # given two unread notifications
    first, second = PostFactory(author=ana), PostFactory(author=ana)
    like_post(post=first, user=bob)
    add_comment(post=second, by=carol, body="Nice")
    liked, commented = Notification.objects.order_by("id")

    async def scenario():
        socket = await open_socket(ana)
        await subscribe(socket, "notifications")
        # when ana reads one, bob takes his like back, and ana reads everything
        await db(mark_read)(user=ana, notification_id=commented.pk)
        read_one = await socket.receive_json_from()
        await db(unlike_post)(post=first, user=bob)
        removed = await socket.receive_json_from()
        await db(mark_all_read)(user=ana)
        nothing_left = await socket.receive_nothing(timeout=0.2)
        await socket.disconnect()
        return read_one, removed, nothing_left

    read_one, removed, nothing_left = run(scenario)
    # then
    assert read_one == event("read", ids=[commented.pk], up_to=None, unread=1)
    assert removed == event("removed", ids=[liked.pk], unread=0)
    assert nothing_left  # nothing was left unread, so there was nothing to announce


def test_a_socket_that_did_not_subscribe_gets_no_notifications(ana, bob):
    # given
    post = PostFactory(author=ana)

    async def scenario():
        socket = await open_socket(ana)
        # when
        await db(like_post)(post=post, user=bob)
        quiet = await socket.receive_nothing(timeout=0.2)
        answer = await exchange(socket, {"op": "ping"})
        await socket.disconnect()
        return quiet, answer

    # then
    assert run(scenario) == (True, {"op": "pong"})
