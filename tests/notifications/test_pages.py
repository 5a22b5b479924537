"""The notifications pages: the list (tabs, pages, marking read), the settings page (channels,
digest, phone, push devices), the service worker at the root, and the bell every page shows."""

import re

import pytest
from django.urls import reverse

from notifications.models import DeliverySettings, Notification, Preference, PushSubscription
from notifications.services.inbox import mark_read
from posts.services import add_comment, like_post
from tests.notifications.factories import PushSubscriptionFactory
from tests.posts.factories import PostFactory
from tests.users.factories import UserFactory

# notify() writes inboxes after the caller commits, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

BELL = "notifications.context_processors.bell"
LIST = "/notifications/"
SETTINGS = "/notifications/settings/"


@pytest.fixture(autouse=True)
def _bell_context(settings):
    """The bell's context processor, as config/settings.py lists it."""
    engine = settings.TEMPLATES[0]
    processors = engine["OPTIONS"]["context_processors"]
    if BELL not in processors:
        options = {**engine["OPTIONS"], "context_processors": [*processors, BELL]}
        settings.TEMPLATES = [{**engine, "OPTIONS": options}, *settings.TEMPLATES[1:]]


@pytest.fixture
def as_ana(client, ana):
    client.force_login(ana)
    return client


def liked_by(author, count: int) -> list[Notification]:
    """`count` notifications for `author`, one like each on a post of theirs, oldest first."""
    for index in range(count):
        like_post(post=PostFactory(author=author, body=f"Post number {index}"), user=UserFactory())
    return list(Notification.objects.filter(recipient=author).order_by("id"))


def item_ids(response) -> list[int]:
    return [int(found) for found in re.findall(r'data-notification-id="(\d+)"', response.content.decode())]


def checked(response, name: str) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', response.content.decode()).group(0)
    return " checked" in tag


# --- The list ------------------------------------------------------------------------------------


def test_the_list_shows_each_notification_with_its_sentence_link_and_excerpt(as_ana, ana, bob):
    # given bob liked and commented on ana's post
    post = PostFactory(author=ana, body="Sunrise over the river")
    like_post(post=post, user=bob)
    comment = add_comment(post=post, by=bob, body="Beautiful light!")
    # when
    response = as_ana.get(LIST)
    # then newest first, each a link to where it happened, unread
    content = response.content.decode()
    assert response.status_code == 200
    like, commented = Notification.objects.order_by("id")
    assert item_ids(response) == [commented.pk, like.pk]
    link = f'<a class="notification-text" href="/p/{post.pk}/" data-notification-link>'
    assert f"{link}Bob liked your post</a>" in content
    assert (
        f'<a class="notification-text" href="/p/{post.pk}/#comment-{comment.pk}" data-notification-link>'
        "Bob commented on your post</a>"
    ) in content
    assert '<p class="notification-excerpt">Beautiful light!</p>' in content
    assert content.count('class="notification-item is-unread"') == 2
    assert content.count('aria-label="Mark read: Bob liked your post"') == 1
    assert f'name="up_to" value="{commented.pk}"' in content
    assert f'data-newest-id="{commented.pk}"' in content


def test_the_unread_tab_shows_only_unread_ones(as_ana, ana):
    # given one read and one unread
    first, second = liked_by(ana, 2)
    mark_read(user=ana, notification_id=first.pk)
    # when
    everything = as_ana.get(LIST)
    unread = as_ana.get(LIST, {"unread": "1"})
    # then
    assert item_ids(everything) == [second.pk, first.pk]
    assert item_ids(unread) == [second.pk]
    assert '<a class="nav-link active" aria-current="page" href="/notifications/?unread=1">Unread</a>' in (
        unread.content.decode()
    )


def test_the_list_pages_by_cursor_twenty_at_a_time(as_ana, ana):
    # given
    made = liked_by(ana, 25)
    # when
    first = as_ana.get(LIST)
    cursor = first.context["page"].next_cursor
    second = as_ana.get(LIST, {"cursor": cursor})
    # then
    assert item_ids(first) == [n.pk for n in reversed(made[5:])]
    assert f'href="/notifications/?cursor={cursor}" data-load-more="#notification-list"' in first.content.decode()
    assert item_ids(second) == [n.pk for n in reversed(made[:5])]
    assert "data-load-more=" not in second.content.decode()
    # a later page has no "mark all" (it would stop at the wrong notification)
    assert "data-notification-read-all" not in second.content.decode()


def test_an_empty_list_says_all_caught_up(as_ana, ana, bob):
    # given only bob has notifications
    liked_by(bob, 1)
    # when
    response = as_ana.get(LIST)
    # then
    content = response.content.decode()
    assert item_ids(response) == []
    assert '<div class="empty-state" data-notification-empty>' in content
    assert "You're all caught up" in content


def test_a_bad_cursor_is_a_400_page(as_ana):
    # when
    response = as_ana.get(LIST, {"cursor": "nonsense"})
    # then
    assert response.status_code == 400
    assert b"This cursor is not valid." in response.content


# --- Marking read --------------------------------------------------------------------------------


def test_marking_one_read_goes_back_where_it_was_pressed(as_ana, ana):
    # given
    first, second = liked_by(ana, 2)
    # when
    response = as_ana.post(reverse("notifications:read", args=[first.pk]), {"next": "/notifications/?unread=1"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?unread=1"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_read, second.is_read) == (True, False)


def test_marking_read_never_goes_to_another_site(as_ana, ana):
    # given
    [notification] = liked_by(ana, 1)
    # when
    response = as_ana.post(reverse("notifications:read", args=[notification.pk]), {"next": "https://evil.example/"})
    # then
    assert response["Location"] == LIST


def test_someone_elses_notification_is_not_found_and_stays_unread(as_ana, bob):
    # given
    [theirs] = liked_by(bob, 1)
    # when
    response = as_ana.post(reverse("notifications:read", args=[theirs.pk]))
    # then
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_a_post(as_ana, ana):
    # given
    [notification] = liked_by(ana, 1)
    # when
    response = as_ana.get(reverse("notifications:read", args=[notification.pk]))
    # then
    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_stops_at_the_newest_shown(as_ana, ana):
    # given the page showed two; a third arrived after
    _, shown_last, _ = liked_by(ana, 3)
    # when
    response = as_ana.post(reverse("notifications:read_all"), {"up_to": shown_last.pk}, follow=True)
    # then
    assert response.redirect_chain == [(LIST, 302)]
    assert "All caught up: every notification is marked read." in response.content.decode()
    assert [n.read_at is None for n in Notification.objects.order_by("id")] == [False, False, True]


def test_mark_all_read_refuses_a_bad_up_to(as_ana, ana):
    # given
    liked_by(ana, 1)
    # when
    response = as_ana.post(reverse("notifications:read_all"), {"up_to": "all"})
    # then
    assert response.status_code == 400
    assert Notification.objects.filter(read_at=None).count() == 1


# --- Settings ------------------------------------------------------------------------------------


def test_the_settings_page_shows_each_kind_with_its_defaults_checked(as_ana):
    # when
    response = as_ana.get(SETTINGS)
    # then
    content = response.content.decode()
    assert response.status_code == 200
    assert '<th scope="row">Likes of your posts</th>' in content
    assert '<span class="visually-hidden">Email for Likes of your posts</span>' in content
    assert [checked(response, f"like__{channel}") for channel in ("in_app", "email", "push", "sms")] == [
        True,
        False,
        True,
        False,
    ]
    assert [checked(response, f"reply__{channel}") for channel in ("in_app", "email", "push", "sms")] == [
        True,
        True,
        True,
        False,
    ]
    assert not checked(response, "email_digest")
    assert '<input type="tel" name="phone"' in content


def _defaults_with(response, **changes) -> dict:
    """The settings form as shown, with `changes` (name: value, or None to untick)."""
    content = response.content.decode()
    data = {}
    for tag in re.findall(r'<input type="checkbox"[^>]*>', content):
        name = re.search(r'name="([^"]+)"', tag).group(1)
        if " checked" in tag:
            data[name] = "on"
    data["phone"] = ""
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_saving_stores_only_the_switches_changed(as_ana, ana):
    # given
    page = as_ana.get(SETTINGS)
    # when ana turns like emails on, like pushes off and the digest on
    response = as_ana.post(
        SETTINGS, _defaults_with(page, like__email="on", like__push=None, email_digest="on", phone="+49 151 1234 5678")
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == SETTINGS
    assert set(Preference.objects.filter(user=ana).values_list("kind", "channel", "enabled")) == {
        ("like", "email", True),
        ("like", "push", False),
    }
    delivery = DeliverySettings.objects.get(user=ana)
    assert (delivery.email_digest, delivery.phone) == (True, "+4915112345678")
    shown = as_ana.get(SETTINGS)
    assert "Your notification settings are saved." in shown.content.decode()
    assert (checked(shown, "like__email"), checked(shown, "like__push"), checked(shown, "email_digest")) == (
        True,
        False,
        True,
    )


def test_a_bad_phone_number_is_shown_at_the_field_and_nothing_changes(as_ana, ana):
    # given
    page = as_ana.get(SETTINGS)
    # when
    response = as_ana.post(SETTINGS, _defaults_with(page, like__email="on", phone="0151 nope"))
    # then
    content = response.content.decode()
    assert response.status_code == 400
    assert (
        '<div class="invalid-feedback d-block" id="id_phone_error">'
        "Give the number in international form, e.g. +4915112345678.</div>"
    ) in content
    assert re.search(r'<input type="tel" name="phone" value="0151 nope"[^>]*class="form-control is-invalid"', content)
    assert 'aria-invalid="true"' in content
    assert Preference.objects.filter(user=ana).count() == 0
    assert not DeliverySettings.objects.filter(user=ana).exists()


def test_without_push_keys_the_page_says_so(as_ana, settings):
    # given
    settings.VAPID_PUBLIC_KEY = ""
    # when
    response = as_ana.get(SETTINGS)
    # then
    content = response.content.decode()
    assert "This server has no Web Push keys yet" in content
    assert "data-push-toggle" not in content
    assert "js/notifications/notification-settings.js" not in content


def test_with_push_keys_the_page_offers_this_device(as_ana, settings):
    # given
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = "BPublicKey", "private"
    # when
    response = as_ana.get(SETTINGS)
    # then
    content = response.content.decode()
    assert 'data-vapid-public-key="BPublicKey" data-push-available="true"' in content
    assert 'data-subscriptions-api="/api/notifications/push-subscriptions/"' in content
    assert "data-push-toggle" in content
    assert "js/notifications/notification-settings.js" in content


def _device(user, name: str) -> PushSubscription:
    return PushSubscriptionFactory(user=user, endpoint=f"https://push.example.com/{name}", user_agent=f"Browser {name}")


def test_a_device_is_listed_and_removed(as_ana, ana):
    # given
    phone, laptop = _device(ana, "phone"), _device(ana, "laptop")
    page = as_ana.get(SETTINGS).content.decode()
    assert "Browser phone" in page
    assert "Browser laptop" in page
    # when
    response = as_ana.post(reverse("notifications:remove_device", args=[phone.pk]), follow=True)
    # then
    assert response.redirect_chain == [(f"{SETTINGS}#push", 302)]
    assert "That device gets no more push notifications." in response.content.decode()
    assert list(PushSubscription.objects.values_list("pk", flat=True)) == [laptop.pk]


def test_someone_elses_device_is_not_removed(as_ana, bob):
    # given
    theirs = _device(bob, "bobs-phone")
    # when
    response = as_ana.post(reverse("notifications:remove_device", args=[theirs.pk]), follow=True)
    # then
    assert "That device was already removed." in response.content.decode()
    assert PushSubscription.objects.filter(pk=theirs.pk).exists()


# --- The service worker, sign-in, the bell ------------------------------------------------------


def test_the_service_worker_is_served_from_the_root_uncached(client, settings, tmp_path):
    # given
    (tmp_path / "js" / "notifications").mkdir(parents=True)
    (tmp_path / "js" / "notifications" / "sw.js").write_text("self.addEventListener('push', () => {});\n")
    settings.STATICFILES_DIRS = [tmp_path]
    # when
    response = client.get("/sw.js")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert response.content == b"self.addEventListener('push', () => {});\n"


def test_the_service_worker_is_the_one_in_static_js(client, settings):
    # when
    response = client.get(reverse("notifications:service-worker"))
    # then
    assert response.status_code == 200
    assert response.content == (settings.BASE_DIR / "static" / "js" / "notifications" / "sw.js").read_bytes()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", LIST),
        ("get", SETTINGS),
        ("post", "/notifications/read-all/"),
        ("post", "/notifications/1/read/"),
        ("post", "/notifications/devices/1/remove/"),
    ],
)
def test_signed_out_people_are_sent_to_log_in(client, method, url):
    # when
    response = getattr(client, method)(url)
    # then
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_every_page_shows_the_bell_with_the_unread_count(as_ana, ana):
    # given
    first, *_ = liked_by(ana, 3)
    mark_read(user=ana, notification_id=first.pk)
    # when
    content = as_ana.get("/saved/").content.decode()
    # then
    assert content.count('aria-label="Notifications, 2 unread"') == 2  # the menu, and the link on phones
    assert content.count('<span class="notification-badge" data-notification-badge aria-hidden="true">2</span>') == 2
    assert 'data-unread="2"' in content
    assert 'data-list-api="/api/notifications/"' in content
    settings_link = '<i class="bi bi-bell me-2" aria-hidden="true"></i>Notifications</a>'
    assert f'href="/notifications/settings/">{settings_link}' in content
    assert "js/notifications/notifications.js" in content


def test_without_unread_ones_the_bell_shows_no_badge(as_ana):
    # when
    content = as_ana.get("/saved/").content.decode()
    # then
    assert content.count('aria-label="Notifications"') == 2
    badge = '<span class="notification-badge" data-notification-badge aria-hidden="true" hidden>0</span>'
    assert content.count(badge) == 2


def test_signed_out_pages_have_no_bell(client):
    # when
    content = client.get("/").content.decode()
    # then
    assert "data-notification-bell" not in content
    assert "js/notifications/notifications.js" not in content


def test_the_list_costs_the_same_queries_for_5_and_25(as_ana, ana, django_assert_max_num_queries):
    # given
    liked_by(ana, 5)
    # when / then: session, user, the navbar's profile, the page (with actors and their
    # profiles), the bell's count
    with django_assert_max_num_queries(5):
        assert len(item_ids(as_ana.get(LIST))) == 5
    liked_by(ana, 20)
    with django_assert_max_num_queries(5):
        assert len(item_ids(as_ana.get(LIST, {"size": 25}))) == 25
