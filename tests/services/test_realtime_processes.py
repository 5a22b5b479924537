"""Live updates across server processes: a like served by one daphne process reaches a socket
held by another one, through the Redis channel layer; and the page module live-posts.js in
a real browser against a daphne process."""

import json
import time
import urllib.request
from contextlib import ExitStack

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken
from websockets.sync.client import connect

from posts.models import Post
from posts.repositories import COUNTERS
from posts.services import like_post
from tests.browser import CHROMIUM
from tests.posts.factories import PostFactory
from tests.services.processes import daphne, in_a_thread, signed_in
from tests.users.factories import FollowFactory, UserFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "mysql",
        reason="needs Redis and a server database the daphne processes can share (make test-services)",
    ),
]

WAIT = 10.0  # seconds a frame may take to arrive before the test gives up


@pytest.fixture
def two_servers(transactional_db, tmp_path):
    with ExitStack() as stack:
        yield tuple(stack.enter_context(daphne(tmp_path / f"daphne-{n}.log")) for n in (1, 2))


@pytest.fixture
def server(transactional_db, tmp_path):
    with daphne(tmp_path / "daphne.log") as port:
        yield port


def _frame(websocket) -> dict:
    return json.loads(websocket.recv(timeout=WAIT))


def test_a_like_on_one_server_reaches_a_socket_on_another(two_servers):
    # given a viewer's socket on server 1 following a post
    first, second = two_servers
    viewer, fan = UserFactory(), UserFactory()
    post = PostFactory()
    bearer = {"Authorization": f"Bearer {AccessToken.for_user(viewer)}"}
    with connect(f"ws://127.0.0.1:{first}/ws/", additional_headers=bearer, open_timeout=WAIT) as websocket:
        assert _frame(websocket) == {"op": "hello", "user": viewer.pk}
        websocket.send(json.dumps({"op": "subscribe", "stream": f"post:{post.pk}"}))
        assert _frame(websocket) == {"op": "subscribed", "stream": f"post:{post.pk}"}
        # Idle past redis-py 8's default 5-second read timeout: a socket must outlive it (it once
        # made every idle socket fail, on the core layer's blocking read).
        time.sleep(6)

        # when someone likes it through the API of server 2
        like = urllib.request.Request(
            f"http://127.0.0.1:{second}/api/posts/{post.pk}/like/",
            method="POST",
            headers={"Authorization": f"Bearer {AccessToken.for_user(fan)}"},
        )
        with urllib.request.urlopen(like, timeout=WAIT) as response:
            assert response.status == 200

        # then server 1 relays the new counters
        counters = {"id": post.pk, **dict.fromkeys(COUNTERS, 0), "likes_count": 1}
        assert _frame(websocket) == {"op": "event", "stream": f"post:{post.pk}", "event": "counters", "data": counters}


def test_a_notification_made_on_one_server_reaches_every_tab_on_another(two_servers):
    # given Ana with two tabs on server 1 following her notifications
    first, second = two_servers
    ana, bob = UserFactory(username="ana"), UserFactory(username="bob", profile__display_name="Bob")
    post = PostFactory(author=ana, body="Sunrise over the river")
    bearer = {"Authorization": f"Bearer {AccessToken.for_user(ana)}"}
    url = f"ws://127.0.0.1:{first}/ws/"
    with (
        connect(url, additional_headers=bearer, open_timeout=WAIT) as tab,
        connect(url, additional_headers=bearer, open_timeout=WAIT) as other_tab,
    ):
        for websocket in (tab, other_tab):
            assert _frame(websocket) == {"op": "hello", "user": ana.pk}
            websocket.send(json.dumps({"op": "subscribe", "stream": "notifications"}))
            assert _frame(websocket) == {"op": "subscribed", "stream": "notifications"}

        # when Bob likes and comments on her post through the API of server 2
        for path, body in (
            (f"/api/posts/{post.pk}/like/", None),
            (f"/api/posts/{post.pk}/comments/", b'{"body": "Wow"}'),
        ):
            request = urllib.request.Request(
                f"http://127.0.0.1:{second}{path}",
                data=body,
                method="POST",
                headers={"Authorization": f"Bearer {AccessToken.for_user(bob)}", "Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=WAIT) as response:
                assert response.status in (200, 201)

        # then both tabs get both notifications with the unread count
        for websocket in (tab, other_tab):
            frames = [_frame(websocket), _frame(websocket)]
            assert [(f["event"], f["data"]["notification"]["text"], f["data"]["unread"]) for f in frames] == [
                ("notification", "Bob liked your post", 1),
                ("notification", "Bob commented on your post", 2),
            ]


def _cards(*posts) -> str:
    return "".join(
        f'<article class="post-card" data-post-id="{post.pk}"><p>{post.body}</p>'
        f'<span data-counter="likes_count">0</span> likes <span data-counter="comments_count">0</span> comments'
        "</article>"
        for post in posts
    )


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
def test_live_posts_module_updates_cards_and_announces_new_posts(server, page):
    # given a reader following someone, with a session, and posts on a Following feed page
    expect = pytest.importorskip("playwright.sync_api").expect

    def given():
        reader, followee, fan = UserFactory(), UserFactory(), UserFactory()
        FollowFactory(follower=reader, followee=followee)
        client = Client()
        client.force_login(reader)
        return fan, followee, client.cookies["sessionid"].value, PostFactory(), PostFactory()

    fan, followee, session, shown, appended = in_a_thread(given)
    base = f"http://127.0.0.1:{server}"
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
    frames: list[dict] = []
    page.on("websocket", lambda websocket: websocket.on("framereceived", lambda text: frames.append(json.loads(text))))

    def wait_for_frame(frame: dict):
        deadline = time.monotonic() + WAIT
        while frame not in frames and time.monotonic() < deadline:
            page.wait_for_timeout(50)  # lets Playwright deliver the frames
        assert frame in frames

    page.goto(f"{base}/static/js/lib/socket.js")  # any page of the site's origin
    page.set_content(
        '<div class="new-posts-banner" data-new-posts-banner hidden><button type="button">New posts</button></div>'
        f'<div id="feed">{_cards(shown)}</div>'
        '<script type="module" src="/static/js/posts/live-posts.js"></script>'
    )
    wait_for_frame({"op": "subscribed", "stream": f"post:{shown.pk}"})
    wait_for_frame({"op": "subscribed", "stream": "feed:following"})

    # when someone likes the post shown
    in_a_thread(like_post, post=shown, user=fan)
    # then its counter changes in place
    expect(page.locator(f'[data-post-id="{shown.pk}"] [data-counter="likes_count"]')).to_have_text("1")

    # when infinite scroll appends a card and the post on it is liked
    page.locator("#feed").evaluate("(feed, html) => feed.insertAdjacentHTML('beforeend', html)", _cards(appended))
    wait_for_frame({"op": "subscribed", "stream": f"post:{appended.pk}"})
    in_a_thread(like_post, post=appended, user=fan)
    # then that card updates too
    expect(page.locator(f'[data-post-id="{appended.pk}"] [data-counter="likes_count"]')).to_have_text("1")

    # when a card leaves the page
    page.locator(f'[data-post-id="{shown.pk}"]').evaluate("card => card.remove()")
    # then its stream is given up
    wait_for_frame({"op": "unsubscribed", "stream": f"post:{shown.pk}"})

    # when the followee posts twice
    in_a_thread(PostFactory, author=followee)
    in_a_thread(PostFactory, author=followee, visibility=Post.Visibility.FOLLOWERS)
    # then the banner shows, as a polite live region, how many new posts wait
    banner = page.locator("[data-new-posts-banner]")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("aria-live", "polite")
    expect(banner.get_by_role("button")).to_have_text("2 new posts")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
def test_two_people_on_two_servers_see_each_others_likes_comments_and_posts_live(two_servers, browser):
    # given Ana, who follows Bob, reading her post on server 1, and Bob reading it on server 2
    expect = pytest.importorskip("playwright.sync_api").expect

    def given():
        ana, bob = UserFactory(username="ana"), UserFactory(username="bob")
        FollowFactory(follower=ana, followee=bob)
        return ana, bob, PostFactory(author=ana, body="Sunrise over the river")

    ana, bob, post = in_a_thread(given)
    first, second = (f"http://127.0.0.1:{port}" for port in two_servers)
    ana_page, bob_page = signed_in(browser, ana, first), signed_in(browser, bob, second)
    ana_frames: list[dict] = []
    ana_page.on("websocket", lambda ws: ws.on("framereceived", lambda text: ana_frames.append(json.loads(text))))
    ana_page.goto(f"{first}/p/{post.pk}/")
    bob_page.goto(f"{second}/p/{post.pk}/")
    deadline = time.monotonic() + WAIT
    while {"op": "subscribed", "stream": f"post:{post.pk}"} not in ana_frames and time.monotonic() < deadline:
        ana_page.wait_for_timeout(50)
    card = ana_page.locator(f'article.post-card[data-post-id="{post.pk}"]')
    badge = ana_page.locator("#notification-toggle [data-notification-badge]")
    expect(badge).to_be_hidden()

    # when Bob likes it with the keyboard
    bob_page.get_by_role("button", name="Like").focus()
    bob_page.keyboard.press("Enter")
    # then Ana's page shows the like without a reload, and her bell counts it
    expect(card.locator('[data-counter="likes_count"]')).to_have_text("1")
    expect(badge).to_have_text("1")

    # when Bob comments
    bob_page.get_by_label("Your comment").fill("Beautiful light!")
    bob_page.get_by_role("button", name="Comment", exact=True).click()
    # then Ana's comment count moves too, her bell says 2, and its menu lists both
    expect(card.locator('[data-counter="comments_count"]')).to_have_text("1")
    expect(badge).to_have_text("2")
    ana_page.locator("#notification-toggle").click()
    entries = ana_page.locator("[data-notification-menu-list] a")
    expect(entries.first).to_contain_text("commented on your post")
    expect(entries.nth(1)).to_contain_text("liked your post")
    ana_page.keyboard.press("Escape")

    # when Ana is on her Following feed and Bob posts from his home page
    ana_page.goto(f"{first}/")
    deadline = time.monotonic() + WAIT
    while {"op": "subscribed", "stream": "feed:following"} not in ana_frames and time.monotonic() < deadline:
        ana_page.wait_for_timeout(50)
    bob_page.goto(f"{second}/")
    bob_page.get_by_label("Your post").fill("Fresh bread at the corner bakery")
    bob_page.get_by_role("button", name="Post", exact=True).click()
    # then Ana is told, and the new post appears when she asks for it
    banner = ana_page.locator("[data-new-posts-banner]")
    expect(banner.get_by_role("button")).to_have_text("1 new post")
    banner.get_by_role("button").click()
    expect(ana_page.get_by_text("Fresh bread at the corner bakery")).to_be_visible()
