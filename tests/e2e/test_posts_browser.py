"""Posting and reacting in a real browser (Debian's chromium driven by Playwright) against the
live server: a member posts text and pictures (previewed before posting), another likes by
keyboard, comments, replies, reposts and saves, and the author sees it all counted.

The live server is WSGI, so the WebSocket that moves counters on open pages is not here;
the buttons update their own page through the JSON API."""

import re

import pytest
from PIL import Image

from posts.models import Comment, Like, Post, Save
from tests.browser import VIEWPORT, log_in
from tests.users.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def expect():
    return pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def pictures(tmp_path):
    paths = []
    for name, colour in [("red.png", "#d62828"), ("blue.png", "#1d4ed8")]:
        path = tmp_path / name
        Image.new("RGB", (320, 240), colour).save(path, format="PNG")
        paths.append(str(path))
    return paths


def logged_in_page(browser, live_server, username: str):
    return log_in(browser.new_page(viewport=VIEWPORT), live_server.url, username)


def card(page, text: str):
    return page.locator("article.post-card").filter(has_text=text)


def test_a_member_posts_and_another_likes_comments_replies_reposts_and_saves(browser, live_server, expect, pictures):
    # given two members
    UserFactory(username="ana", profile__display_name="Ana")
    UserFactory(username="bob", profile__display_name="Bob")
    ana = logged_in_page(browser, live_server, "ana")

    # when Ana writes a text post from her home page
    ana.get_by_label("Your post").fill("Spring is here #garden")
    ana.get_by_role("button", name="Post", exact=True).click()
    # then it is up, its tag linked
    expect(ana.get_by_role("status").filter(has_text="Your post is up.")).to_be_visible()
    expect(card(ana, "Spring is here").get_by_role("link", name="#garden")).to_have_attribute("href", "/tags/garden/")

    # when she switches to pictures and chooses two
    ana.get_by_text("Pictures", exact=True).click()
    ana.get_by_label("Pictures (optional)", exact=True).set_input_files(pictures)
    # then they are previewed before anything is sent
    previews = ana.locator("[data-previews] img")
    expect(previews).to_have_count(2)
    expect(previews.first).to_have_attribute("src", re.compile(r"^blob:"))
    expect(ana.get_by_text("2 pictures ready.")).to_be_visible()
    assert Post.objects.count() == 1

    # when she describes them and posts
    ana.get_by_label("Your post").fill("Two colours")
    ana.get_by_label("Describe the pictures (optional)").fill("A red square\nA blue square")
    ana.get_by_role("button", name="Post", exact=True).click()
    # then the picture post shows them, described
    expect(card(ana, "Two colours").get_by_role("img", name="A red square")).to_be_visible()
    expect(card(ana, "Two colours").get_by_role("img", name="A blue square")).to_be_visible()
    post = Post.objects.get(body="Spring is here #garden")

    # when Bob finds her text post on Latest and likes it with the keyboard: Tab from Repost
    bob = logged_in_page(browser, live_server, "bob")
    bob.get_by_role("link", name="Latest").click()
    spring = card(bob, "Spring is here")
    spring.get_by_role("button", name="Repost").focus()
    bob.keyboard.press("Tab")
    like = spring.get_by_role("button", name="Like")
    expect(like).to_be_focused()
    bob.keyboard.press("Enter")
    # then the button is pressed and counted in place, without leaving the page
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator('[data-counter="likes_count"]')).to_have_text("1")
    assert bob.url == f"{live_server.url}/feed/latest/"
    # and Space takes the like back, and again gives it
    bob.keyboard.press("Space")
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(like.locator('[data-counter="likes_count"]')).to_have_text("0")
    bob.keyboard.press("Space")
    expect(like).to_have_attribute("aria-pressed", "true")

    # when he reposts and saves it
    spring.get_by_role("button", name="Repost").click()
    spring.get_by_role("button", name="Save").click()
    # then both are pressed and counted
    expect(spring.get_by_role("button", name="Repost")).to_have_attribute("aria-pressed", "true")
    expect(spring.locator('[data-counter="reposts_count"]')).to_have_text("1")
    expect(spring.get_by_role("button", name="Save")).to_have_attribute("aria-pressed", "true")
    expect(spring.locator('[data-counter="saves_count"]')).to_have_text("1")

    # when he opens the post and comments
    spring.get_by_role("link", name="Comments").click()
    bob.get_by_label("Your comment").fill("Finally!")
    bob.get_by_role("button", name="Comment", exact=True).click()
    # then the comment is there
    expect(bob.get_by_role("status").filter(has_text="Your comment is posted.")).to_be_visible()
    expect(bob.locator(".comment-text", has_text="Finally!")).to_be_visible()

    # when he replies to it
    bob.locator("summary", has_text="Reply").first.click()
    bob.get_by_label("Reply to Bob").fill("And the tulips are out")
    bob.get_by_role("button", name="Reply", exact=True).click()
    # then the reply sits in the thread
    expect(bob.locator(".replies .comment-text", has_text="And the tulips are out")).to_be_visible()

    # and his saved page has the post
    bob.get_by_role("link", name="Saved").click()
    expect(card(bob, "Spring is here")).to_be_visible()

    # and Ana, reloading, sees it all counted
    ana.goto(f"{live_server.url}/p/{post.pk}/")
    counters = ana.locator(f'article[data-post-id="{post.pk}"]').first
    for name, value in [("likes_count", "1"), ("comments_count", "2"), ("reposts_count", "1"), ("saves_count", "1")]:
        expect(counters.locator(f'[data-counter="{name}"]')).to_have_text(value)
    assert (Like.objects.count(), Save.objects.count(), Comment.objects.count()) == (1, 1, 2)
    assert Post.objects.filter(repost_of=post, author__username="bob").count() == 1
