"""Text messages: the console backend by default, none without a number, the per-person rate
limit, and a provider's backend plugged in through SMS_BACKEND."""

import logging

import pytest

from notifications.services.preferences import set_preferences
from posts.services import like_post
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

PHONE = "+4915112345678"

# What RecordingSmsBackend was given, as (to, text).
sent: list[tuple[str, str]] = []


class RecordingSmsBackend:
    """A provider's backend as the README describes it: a class with send(to, text)."""

    def send(self, to: str, text: str) -> None:
        sent.append((to, text))


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://short.example"
    settings.SITE_NAME = "Short Media"
    settings.SMS_BACKEND = "notifications.integrations.sms.ConsoleSmsBackend"
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sms": "5/3600"}
    sent.clear()


@pytest.fixture
def sms_log(caplog):
    caplog.set_level(logging.INFO, logger="notifications.integrations.sms")
    return lambda: [record.getMessage() for record in caplog.records if record.name == "notifications.integrations.sms"]


def test_a_like_is_texted_to_the_number_in_the_settings(ana, bob, sms_log, django_capture_on_commit_callbacks):
    # given
    set_preferences(user=ana, choices={"like": {"sms": True}}, phone="+49 151 12345678")
    post = PostFactory(author=ana)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=bob)
    # then
    assert sms_log() == [f"SMS to {PHONE}: Short Media: Bob liked your post https://short.example/p/{post.pk}/"]


def test_nothing_is_texted_without_a_number(ana, bob, sms_log, django_capture_on_commit_callbacks):
    # given
    set_preferences(user=ana, choices={"like": {"sms": True}})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=PostFactory(author=ana), user=bob)
    # then
    assert sms_log() == []


def test_nothing_is_texted_for_a_kind_whose_text_switch_is_off(ana, bob, sms_log, django_capture_on_commit_callbacks):
    # given: a number, but likes keep their default (no texts)
    set_preferences(user=ana, phone=PHONE)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=PostFactory(author=ana), user=bob)
    # then
    assert sms_log() == []


def test_the_rate_limit_stops_the_sixth_text(ana, bob, sms_log, django_capture_on_commit_callbacks):
    # given
    set_preferences(user=ana, choices={"like": {"sms": True}}, phone=PHONE)
    posts = PostFactory.create_batch(6, author=ana)
    # when: likes of six posts are six notifications, not one group
    with django_capture_on_commit_callbacks(execute=True):
        for post in posts:
            like_post(post=post, user=bob)
    # then
    assert [line.split(" https://")[1] for line in sms_log()] == [f"short.example/p/{post.pk}/" for post in posts[:5]]


def test_a_provider_backend_named_in_the_settings_receives_each_text(
    ana, bob, settings, sms_log, django_capture_on_commit_callbacks
):
    # given
    settings.SMS_BACKEND = "tests.notifications.test_sms.RecordingSmsBackend"
    set_preferences(user=ana, choices={"like": {"sms": True}}, phone=PHONE)
    post = PostFactory(author=ana)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=bob)
    # then
    assert sent == [(PHONE, f"Short Media: Bob liked your post https://short.example/p/{post.pk}/")]
    assert sms_log() == []
