"""A new member's first minutes, in a real browser (Debian's chromium driven by Playwright)
against the live server: sign up, confirm the emailed code, edit the profile with a
picture, follow someone."""

import re

import pytest
from django.core import mail
from PIL import Image

from tests.posts.factories import PostFactory
from tests.users.factories import UserFactory
from users.models import Follow, Profile

pytestmark = pytest.mark.browser


@pytest.fixture
def picture(tmp_path):
    path = tmp_path / "me.png"
    Image.new("RGB", (120, 80), "#00C851").save(path, format="PNG")
    return path


def test_a_new_member_signs_up_confirms_edits_the_profile_and_follows(live_server, page, picture):
    # given a member worth following
    UserFactory(username="bob", profile__display_name="Bob Builder")
    expect = pytest.importorskip("playwright.sync_api").expect

    # when a visitor signs up from the landing page
    page.goto(live_server.url)
    page.get_by_role("link", name="Create your account").click()
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Email address").fill("ana@example.com")
    page.get_by_label("Password").fill("green meadow 2026")
    page.get_by_label("Display name").fill("Ana")
    page.get_by_role("button", name="Sign up").click()

    # then the confirm page waits with the email filled in, and the code arrives by email
    expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value("ana@example.com")
    assert len(mail.outbox) == 1
    code = re.match(r"(\d{6}) ", mail.outbox[0].subject).group(1)

    # when the code is entered
    page.get_by_label("6-digit code").fill(code)
    page.get_by_role("button", name="Confirm").click()

    # then Ana is logged in on her profile settings
    expect(page.get_by_role("heading", name="Edit profile")).to_be_visible()
    expect(page.get_by_role("button", name="Account menu for ana")).to_be_visible()

    # when she picks a picture (previewed at once) and uploads it with the progress bar
    page.get_by_label("New picture").set_input_files(str(picture))
    expect(page.locator("#avatar-preview")).to_have_attribute("src", re.compile(r"^blob:"))
    page.get_by_role("button", name="Upload picture").click()
    # then the page reloads with the stored picture and a remove button
    expect(page.get_by_role("button", name="Remove picture")).to_be_visible()
    assert Profile.objects.get(user__username="ana").avatar.name.endswith("-large.webp")

    # when she fills in her profile
    page.get_by_label("Bio").fill("Trees, jazz and street food.")
    expect(page.get_by_text("28 / 300 characters")).to_be_visible()
    page.get_by_label("Location").fill("Lisbon")
    page.get_by_label("Interests").fill("hiking, jazz")
    page.get_by_role("button", name="Save profile").click()

    # then her profile shows it
    expect(page.get_by_role("heading", name="Ana", exact=True)).to_be_visible()
    expect(page.get_by_text("Trees, jazz and street food.")).to_be_visible()
    expect(page.locator(".chip", has_text="jazz")).to_be_visible()

    # when she follows Bob from the people suggested on the home page
    page.get_by_role("link", name="Short Media").first.click()
    expect(page.get_by_role("heading", name="People to follow")).to_be_visible()
    page.get_by_role("button", name="Follow @bob").click()

    # then she follows him, and his profile offers to unfollow
    expect(page.get_by_role("status").filter(has_text="You follow @bob.")).to_be_visible()
    page.goto(f"{live_server.url}/u/bob/")
    expect(page.get_by_role("button", name="Unfollow")).to_be_visible()
    assert list(Follow.objects.values_list("follower__username", "followee__username")) == [("ana", "bob")]


def test_keyboard_users_can_skip_to_the_content(live_server, page):
    # when
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    # then
    skip = page.get_by_role("link", name="Skip to content")
    expect = pytest.importorskip("playwright.sync_api").expect
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()


def test_the_navbar_suggests_hashtags_and_people_and_works_by_keyboard(live_server, page):
    # given
    PostFactory(body="Our #django meetup")
    PostFactory(body="#django again")
    PostFactory(body="#djangocon tickets")
    UserFactory(username="django_fan", profile__display_name="Django Fan")
    expect = pytest.importorskip("playwright.sync_api").expect
    page.goto(live_server.url)
    box = page.get_by_role("combobox", name="Search")
    options = page.get_by_role("listbox", name="Suggestions").get_by_role("option")

    # when one types the start of a word
    box.fill("dj")
    # then tags come first, most used first, then people, then a plain search
    expect(options).to_have_count(4)
    expect(box).to_have_attribute("aria-expanded", "true")
    for index, text in enumerate(["#django2 posts", "#djangocon1 post", "Django Fan@django_fan", "Search for “dj”"]):
        expect(options.nth(index)).to_have_text(text)

    # when the arrow keys choose the second tag and Enter opens it
    box.press("ArrowDown")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "nav-search-options-1")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    # then its page opens
    expect(page).to_have_url(f"{live_server.url}/tags/djangocon/")

    # when Escape closes the list, and Enter then searches what was typed
    box = page.get_by_role("combobox", name="Search")
    box.fill("meetup")
    expect(options).to_have_count(1)
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press("Enter")
    # then the search page shows the post
    expect(page).to_have_url(f"{live_server.url}/search/?q=meetup")
    expect(page.get_by_text("Our #django meetup")).to_be_visible()
