"""@mention and #hashtag suggestions while typing in a text area, in a real browser (Debian's
chromium driven by Playwright) against the live server: the post composer and the video
upload page's caption offer people and hashtags for the word at the caret, chosen by keyboard
or mouse, and Enter still makes new lines when nothing is chosen."""

import pytest

from posts.models import Post
from tests.browser import log_in
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.browser

ASKING = "Use the up and down arrows to choose, Enter to insert."


@pytest.fixture
def expect():
    return pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def tags(db):
    PostFactory(body="Our #django meetup")
    PostFactory(body="#django again")
    PostFactory(body="#djangocon tickets")


def test_the_composer_suggests_people_and_hashtags_at_the_caret(live_server, page, expect, ana, bob, tags):
    # given Ana on her home page, at the composer
    log_in(page, live_server.url, "ana")
    composer = page.locator("#composer")
    box = composer.get_by_role("textbox", name="Your post")
    suggestions = composer.get_by_role("listbox", name="People and hashtags")
    options = suggestions.get_by_role("option")
    status = composer.locator("[data-autocomplete-status]")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    expect(box).to_have_attribute("aria-controls", "id_body-suggestions")
    expect(box).to_have_attribute("aria-expanded", "false")

    # when she types the start of a name after "@"
    box.press_sequentially("Hello @bo")
    # then Bob is suggested, and the list is announced
    expect(options).to_have_count(1)
    expect(options.first).to_have_text("Bob@bob")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(status).to_have_text(f"1 suggestion. {ASKING}")

    # when ArrowDown chooses him and Enter inserts him
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "id_body-suggestions-0")
    expect(options.first).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    # then the partial word is replaced, a space follows, the list is closed, the box has focus
    expect(box).to_have_value("Hello @bob ")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(suggestions).to_be_hidden()
    expect(box).not_to_have_attribute("aria-activedescendant", "id_body-suggestions-0")
    expect(box).to_be_focused()

    # when Enter is pressed with no list open
    box.press("Enter")
    # then it is a new line
    expect(box).to_have_value("Hello @bob \n")

    # when she types the start of a hashtag
    box.press_sequentially("#djan")
    # then the existing tags are suggested, most used first
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_have_text("#django2 posts")
    expect(options.nth(1)).to_have_text("#djangocon1 post")
    expect(status).to_have_text(f"2 suggestions. {ASKING}")

    # when Escape closes the list and Enter follows
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(suggestions).to_be_hidden()
    box.press("Enter")
    # then the text is left as typed, with a new line
    expect(box).to_have_value("Hello @bob \n#djan\n")

    # when she types another tag's start and clicks the suggestion
    box.press_sequentially("Up with #djangoc")
    expect(options).to_have_count(1)
    options.first.click()
    # then it is inserted and typing goes on in the box
    expect(box).to_have_value("Hello @bob \n#djan\nUp with #djangocon ")
    expect(box).to_be_focused()
    expect(suggestions).to_be_hidden()

    # when a name matches nobody
    box.press_sequentially("@zz")
    # then no list opens, and that is said
    expect(status).to_have_text("No suggestions.")
    expect(suggestions).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")

    # when she removes it and posts
    for _ in range(3):
        box.press("Backspace")
    composer.get_by_role("button", name="Post", exact=True).click()
    # then the post is up with its mention and tag
    expect(page.get_by_role("status").filter(has_text="Your post is up.")).to_be_visible()
    post = Post.objects.get(author=ana)
    assert post.body == "Hello @bob \r\n#djan\r\nUp with #djangocon"  # forms send new lines as CRLF
    card = page.locator("article.post-card").filter(has_text="Up with")
    expect(card.get_by_role("link", name="@bob")).to_be_visible()
    expect(card.get_by_role("link", name="#djangocon")).to_have_attribute("href", "/tags/djangocon/")


def test_the_video_caption_suggests_people_and_hashtags(live_server, page, expect, ana, bob, tags):
    # given Ana on the upload page
    log_in(page, live_server.url, "ana")
    page.goto(f"{live_server.url}/videos/upload/")
    caption = page.get_by_label("Caption")
    suggestions = page.get_by_role("listbox", name="People and hashtags")
    options = suggestions.get_by_role("option")
    expect(caption).to_have_attribute("aria-controls", "video-caption-suggestions")

    # when she types a tag's start in the caption
    caption.press_sequentially("Dancing #dj")
    # then tags are suggested under the caption
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_have_text("#django2 posts")
    caption_box = caption.bounding_box()
    list_box = suggestions.bounding_box()
    assert list_box["y"] >= caption_box["y"] + caption_box["height"]

    # when the arrows choose the second and Tab inserts it
    caption.press("ArrowDown")
    caption.press("ArrowDown")
    expect(caption).to_have_attribute("aria-activedescendant", "video-caption-suggestions-1")
    caption.press("Tab")
    # then it is in the caption and the caret stays there
    expect(caption).to_have_value("Dancing #djangocon ")
    expect(caption).to_be_focused()

    # when she names someone
    caption.press_sequentially("with @bo")
    expect(options).to_have_count(1)
    caption.press("ArrowDown")
    caption.press("Enter")
    # then the name is in place, and the character counter counted it
    expect(caption).to_have_value("Dancing #djangocon with @bob ")
    expect(page.locator("#video-caption_counter")).to_contain_text(f"{len('Dancing #djangocon with @bob ')} / ")
