"""Notifications in two real browsers (Debian's chromium driven by Playwright): Bob likes and
comments on Ana's post through the pages, and Ana's bell, open on another page, counts them at
once without a reload; her menu, opened by keyboard, lists them; "Mark all as read" empties
the badge; and what happens while her socket is down reaches her after it reconnects.

pytest-django's live server speaks only WSGI, so this module serves config.asgi with daphne in
a thread of the test process: HTTP and the WebSocket in one server, on the in-memory channel
layer and the test database (the services suite does the same across two daphne processes)."""

import json
import re
import socket
import threading
import time

import pytest
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connections
from django.test import Client

from notifications.models import Notification
from tests.browser import VIEWPORT
from tests.posts.factories import PostFactory
from tests.users.factories import UserFactory

pytestmark = pytest.mark.browser

WAIT = 10.0  # seconds a frame may take to arrive


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def asgi_server():
    """config.asgi served by daphne in a thread; yields its base URL. Twisted's reactor runs
    once per process, so this serves the whole module."""
    from daphne.server import Server
    from twisted.internet import reactor

    from config.asgi import application

    port = _free_port()
    server = Server(
        ASGIStaticFilesHandler(application),
        endpoints=[f"tcp:port={port}:interface=127.0.0.1"],
        signal_handlers=False,
        verbosity=0,
    )
    thread = threading.Thread(target=server.run, name="daphne", daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"daphne did not listen on port {port}") from None
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    reactor.callFromThread(reactor.stop)
    thread.join(timeout=10)


@pytest.fixture
def expect():
    return pytest.importorskip("playwright.sync_api").expect


def _signed_in(browser, user, base: str):
    """A page in a browser context of its own with `user`'s session, and the frames its
    socket receives."""
    client = Client()
    client.force_login(user)
    connections.close_all()  # the server thread opens its own
    context = browser.new_context(viewport=VIEWPORT)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.frames_received = []
    page.on(
        "websocket",
        lambda websocket: websocket.on("framereceived", lambda text: page.frames_received.append(json.loads(text))),
    )
    return page


def _wait_for_frame(page, frame: dict, *, count: int = 1) -> None:
    deadline = time.monotonic() + WAIT
    while page.frames_received.count(frame) < count and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # lets Playwright deliver the frames
    assert page.frames_received.count(frame) >= count


SUBSCRIBED = {"op": "subscribed", "stream": "notifications"}


class Network:
    """A page's WebSocket connections, passed through to the server until go_offline() drops
    them and refuses new ones; go_online() lets the next attempt through at once."""

    def __init__(self, page):
        self.page, self.online, self.live, self.refused = page, True, [], 0
        page.route_web_socket(re.compile(r"/ws/$"), self._connect)

    def _connect(self, route):
        if self.online:
            self.live.append((route, route.connect_to_server()))
        else:
            self.refused += 1
            route.close()

    def go_offline(self):
        self.online = False
        for route, server in self.live:
            route.close()
            server.close()
        self.live.clear()
        deadline = time.monotonic() + WAIT
        while not self.refused and time.monotonic() < deadline:  # the tab noticed and tries again
            self.page.wait_for_timeout(50)
        assert self.refused

    def go_online(self):
        self.online = True
        self.page.evaluate("window.dispatchEvent(new Event('online'))")  # socket.js retries at once


def test_anas_bell_rings_at_once_when_bob_likes_and_comments(transactional_db, asgi_server, browser, expect):
    # given Ana reading her saved posts, and Bob on her post
    ana = UserFactory(username="ana", profile__display_name="Ana")
    bob = UserFactory(username="bob", profile__display_name="Bob")
    post = PostFactory(author=ana, body="Sunrise over the river")
    later = PostFactory(author=ana, body="Fog on the hills")
    ana_page, bob_page = _signed_in(browser, ana, asgi_server), _signed_in(browser, bob, asgi_server)
    network = Network(ana_page)
    ana_page.goto(f"{asgi_server}/saved/")
    _wait_for_frame(ana_page, SUBSCRIBED)
    toggle = ana_page.locator("#notification-toggle")
    badge = toggle.locator("[data-notification-badge]")
    expect(badge).to_be_hidden()
    # and her bell's menu open, with nothing in it yet
    toggle.click()
    expect(ana_page.locator("[data-notification-menu-status]")).to_have_text("You're all caught up.")
    entries = ana_page.locator("[data-notification-menu-list] a")
    bob_page.goto(f"{asgi_server}/p/{post.pk}/")

    # when Bob likes the post
    bob_page.get_by_role("button", name="Like").click()
    # then Ana's bell counts it, her open menu shows it, screen readers hear it, and the tab
    # title shows it
    expect(badge).to_have_text("1")
    expect(toggle).to_have_attribute("aria-label", "Notifications, 1 unread")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("Bob liked your post")
    expect(ana_page.locator("[data-notification-menu-status]")).to_be_hidden()
    expect(ana_page.locator("[data-notification-announcer]")).to_have_text("Bob liked your post")
    expect(ana_page).to_have_title(re.compile(r"^\(1\) Saved"))
    ana_page.keyboard.press("Escape")
    expect(ana_page.locator(".notification-menu")).to_be_hidden()

    # when he comments
    bob_page.get_by_label("Your comment").fill("Beautiful light!")
    bob_page.get_by_role("button", name="Comment", exact=True).click()
    # then the bell counts two, still without a reload
    expect(badge).to_have_text("2")
    expect(toggle).to_have_attribute("aria-label", "Notifications, 2 unread")
    expect(ana_page.locator("[data-notification-announcer]")).to_have_text("Bob commented on your post")

    # when Ana opens the bell's menu with the keyboard
    toggle.focus()
    ana_page.keyboard.press("Enter")
    # then it lists both, newest first
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("Bob commented on your post")
    expect(entries.nth(1)).to_contain_text("Bob liked your post")
    expect(entries.nth(0)).to_contain_text("Beautiful light!")
    # and the arrow keys walk it, Escape closes it
    ana_page.keyboard.press("ArrowDown")
    expect(entries.nth(0)).to_be_focused()
    ana_page.keyboard.press("ArrowDown")
    expect(entries.nth(1)).to_be_focused()
    ana_page.keyboard.press("Escape")
    expect(ana_page.locator(".notification-menu")).to_be_hidden()
    expect(toggle).to_be_focused()

    # when she marks all read from the menu
    ana_page.keyboard.press(" ")
    ana_page.get_by_role("button", name="Mark all as read").click()
    # then the badge is gone, and so are the unread ones
    expect(badge).to_be_hidden()
    expect(toggle).to_have_attribute("aria-label", "Notifications")
    expect(ana_page.locator("[data-notification-menu-list] li.is-unread")).to_have_count(0)
    assert Notification.objects.filter(recipient=ana, read_at=None).count() == 0
    ana_page.keyboard.press("Escape")

    # when her connection drops, Bob likes her other post meanwhile, and she comes back
    network.go_offline()
    bob_page.goto(f"{asgi_server}/p/{later.pk}/")
    bob_page.get_by_role("button", name="Like").click()
    expect(bob_page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    missed = Notification.objects.get(recipient=ana, read_at=None)
    last_seen = Notification.objects.exclude(pk=missed.pk).order_by("-id")[0]
    caught_up = []
    ana_page.on("request", lambda request: caught_up.append(request.url) if "after=" in request.url else None)
    network.go_online()
    # then the socket subscribes again, and the tab fetches what it missed
    _wait_for_frame(ana_page, SUBSCRIBED, count=2)
    expect(badge).to_have_text("1")
    expect(ana_page.locator("[data-notification-announcer]")).to_have_text("Bob liked your post")
    assert caught_up == [f"{asgi_server}/api/notifications/?after={last_seen.pk}"]
    assert missed.pk not in [
        frame["data"]["notification"]["id"]
        for frame in ana_page.frames_received
        if frame.get("event") == "notification"
    ]


def test_the_notifications_page_takes_new_ones_at_the_top_and_marks_read(
    transactional_db, asgi_server, browser, expect
):
    # given Ana on her notifications page with Bob's like of her post
    ana = UserFactory(username="ana", profile__display_name="Ana")
    bob = UserFactory(username="bob", profile__display_name="Bob")
    carol = UserFactory(username="carol", profile__display_name="Carol")
    post = PostFactory(author=ana, body="Sunrise over the river")
    ana_page, bob_page, carol_page = (_signed_in(browser, user, asgi_server) for user in (ana, bob, carol))
    bob_page.goto(f"{asgi_server}/p/{post.pk}/")
    bob_page.get_by_role("button", name="Like").click()
    expect(bob_page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    ana_page.goto(f"{asgi_server}/notifications/")
    _wait_for_frame(ana_page, SUBSCRIBED)
    rows = ana_page.locator("#notification-list > li")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bob liked your post")

    # when Carol likes the same post
    carol_page.goto(f"{asgi_server}/p/{post.pk}/")
    carol_page.get_by_role("button", name="Like").click()
    # then the row is replaced by the grouped one, at the top
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link")).to_have_text("Carol and 1 other liked your post")
    expect(rows.first).to_have_class(re.compile(r"\bis-unread\b"))

    # when Bob comments
    bob_page.get_by_label("Your comment").fill("Beautiful light!")
    bob_page.get_by_role("button", name="Comment", exact=True).click()
    # then the comment comes first
    expect(rows).to_have_count(2)
    expect(rows.first.get_by_role("link")).to_have_text("Bob commented on your post")
    expect(ana_page.locator("#notification-toggle [data-notification-badge]")).to_have_text("2")

    # when Ana marks the like read with the keyboard
    mark = ana_page.get_by_role("button", name="Mark read: Carol and 1 other liked your post")
    mark.focus()
    ana_page.keyboard.press("Enter")
    # then it shows as read, in place, and the count follows
    expect(rows.nth(1)).not_to_have_class(re.compile(r"\bis-unread\b"))
    expect(mark).to_have_count(0)
    expect(ana_page.locator("#notification-toggle [data-notification-badge]")).to_have_text("1")
    assert ana_page.url == f"{asgi_server}/notifications/"

    # when she opens the comment's notification
    comment = Notification.objects.get(recipient=ana, kind="comment")
    rows.first.get_by_role("link").click()
    # then she is on the post, at the comment, and it is read
    ana_page.wait_for_url(re.compile(rf"/p/{post.pk}/#comment-\d+$"))
    comment.refresh_from_db()
    assert comment.read_at is not None
    expect(ana_page.locator("#notification-toggle [data-notification-badge]")).to_be_hidden()
