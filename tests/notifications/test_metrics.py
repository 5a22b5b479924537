"""Notification messages that left are counted by channel (shortmedia_notifications_sent_total)."""

import pytest

from notifications.services.preferences import set_preferences
from tests.metrics import sample
from users.services.relations import follow_user

pytestmark = pytest.mark.django_db

CHANNELS = ("email", "push", "sms", "digest")


def _sent() -> dict[str, float]:
    return {channel: sample("shortmedia_notifications_sent_total", channel=channel) for channel in CHANNELS}


def test_an_email_and_a_text_that_left_are_counted_by_channel(ana, bob, mailoutbox, django_capture_on_commit_callbacks):
    # given ana has new followers emailed (the default) and texted
    set_preferences(user=ana, choices={"follow": {"sms": True}}, phone="+4915112345678")
    before = _sent()
    # when bob follows her
    with django_capture_on_commit_callbacks(execute=True):
        follow_user(follower=bob, followee=ana)
    # then one email and one text left, and each channel counted its own
    after = _sent()
    assert len(mailoutbox) == 1
    assert {channel: after[channel] - before[channel] for channel in CHANNELS} == {
        "email": 1,
        "push": 0,
        "sms": 1,
        "digest": 0,
    }


def test_a_message_that_did_not_leave_is_not_counted(ana, bob, django_capture_on_commit_callbacks):
    # given texts on but no number to text
    set_preferences(user=ana, choices={"follow": {"sms": True, "email": False}})
    before = _sent()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        follow_user(follower=bob, followee=ana)
    # then
    assert _sent() == before
