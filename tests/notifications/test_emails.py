"""Notification emails: one per new notification, or a daily digest; the unsubscribe links and
their one-click form; who gets nothing; the per-recipient rate limit."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import repositories, strategies
from notifications.kinds import get_kind
from notifications.models import DeliverySettings, Notification
from notifications.services import delivery
from notifications.services.inbox import mark_all_read, notify
from notifications.services.preferences import set_preferences
from notifications.tokens import DIGEST, make_token
from posts.services import like_post
from tests.posts.factories import PostFactory
from tests.users.factories import UserFactory
from users.models import User
from users.services.relations import follow_user

pytestmark = pytest.mark.django_db

SITE = "https://short.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.SITE_NAME = "Short Media"
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "notification_email": "20/3600"}


def unsubscribe_path(user, kind: str) -> str:
    return f"/notifications/unsubscribe/{make_token(user.pk, kind)}/"


def email_on(user, kind: str) -> bool:
    return repositories.channels_for(user, get_kind(kind))["email"]


def hold_deliveries(capture, action) -> list:
    """Run `action` and the work it leaves for after commit (storing the notification), except
    the deliveries to channels, which are returned so a test can act before they run."""
    pending, held = [action], []
    while pending:
        with capture() as callbacks:
            for callback in pending:
                callback()
        held += [callback for callback in callbacks if getattr(callback, "__wrapped__", None) is strategies.deliver]
        pending = [callback for callback in callbacks if callback not in held]
    return held


def mention(recipient, actor, number: int = 1) -> None:
    """A mention: not grouped, and emailed by default."""
    notify(recipient=recipient, kind="mention", actor=actor, data={"url": f"/p/{number}/", "excerpt": f"Post {number}"})


# --- One email per notification ------------------------------------------------------------------


def test_a_new_follower_is_emailed_once_with_links_and_one_click_unsubscribe(
    ana, bob, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        follow_user(follower=bob, followee=ana)
    # then
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    unsubscribe_url = SITE + unsubscribe_path(ana, "follow")
    assert (message.subject, message.to) == ("Bob started following you", ["ana@example.com"])
    headers = message.message()
    assert headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.body == (
        "Hi Ana,\n\n"
        "Bob started following you\n\n"
        f"See it on Short Media: {SITE}/u/ana/followers/\n\n"
        "--\n"
        "You get this email because emails about new followers are on for your Short Media account.\n"
        f"Notification settings: {SITE}/notifications/settings/\n"
        f"Stop emails about new followers: {unsubscribe_url}\n"
    )
    [(html, mime)] = message.alternatives
    assert mime == "text/html"
    assert html.count(f'href="{SITE}/u/ana/followers/"') == 2  # the button and the spelled-out link
    assert html.count(f'href="{unsubscribe_url}"') == 1
    assert html.count(f'href="{SITE}/notifications/settings/"') == 1
    assert ">Stop emails about new followers</a>" in html


def test_the_excerpt_is_plain_in_the_text_and_escaped_in_the_html(ana, bob, django_capture_on_commit_callbacks):
    # given
    set_preferences(user=ana, choices={"like": {"email": True}})
    post = PostFactory(author=ana, body='Fish & chips <b>"tonight"</b>')
    # when
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=bob)
    # then
    [message] = mail.outbox
    assert message.subject == "Bob liked your post"
    assert '    "Fish & chips <b>"tonight"</b>"\n' in message.body
    assert "Fish &amp; chips &lt;b&gt;&quot;tonight&quot;&lt;/b&gt;" in message.alternatives[0][0]
    assert "<b>" not in message.alternatives[0][0]


def test_more_likes_joining_the_group_send_no_second_email(ana, bob, carol, django_capture_on_commit_callbacks):
    # given
    set_preferences(user=ana, choices={"like": {"email": True}})
    post = PostFactory(author=ana)
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=bob)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=carol)
    # then
    assert [message.subject for message in mail.outbox] == ["Bob liked your post"]
    assert Notification.objects.get(recipient=ana).text == "Carol and 1 other liked your post"


def test_no_email_when_it_is_switched_off_for_the_kind(ana, bob, django_capture_on_commit_callbacks):
    # given
    set_preferences(user=ana, choices={"follow": {"email": False}})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        follow_user(follower=bob, followee=ana)
    # then
    assert mail.outbox == []
    assert repositories.unread_count(ana.pk) == 1


def test_a_notification_read_in_the_app_before_the_email_left_is_not_mailed(
    ana, bob, django_capture_on_commit_callbacks
):
    # given
    deliveries = hold_deliveries(django_capture_on_commit_callbacks, lambda: follow_user(follower=bob, followee=ana))
    # when ana reads it in the app before the email task runs
    mark_all_read(user=ana)
    with django_capture_on_commit_callbacks(execute=True):  # the tasks they queue
        for deliver in deliveries:
            deliver()
    # then
    assert len(deliveries) == 1
    assert mail.outbox == []


def test_a_kind_off_in_the_app_but_on_by_email_is_still_mailed(ana, bob, django_capture_on_commit_callbacks):
    # given: stored read (it never rings the bell), so the email is how ana hears of it
    set_preferences(user=ana, choices={"follow": {"in_app": False}})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        follow_user(follower=bob, followee=ana)
    # then
    assert Notification.objects.get(recipient=ana).is_read
    assert [message.subject for message in mail.outbox] == ["Bob started following you"]


def test_an_unverified_address_gets_no_email(bob, django_capture_on_commit_callbacks):
    # given
    dana = UserFactory(email_verified=False)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        follow_user(follower=bob, followee=dana)
    # then
    assert Notification.objects.filter(recipient=dana).count() == 1
    assert mail.outbox == []


def test_a_recipient_deactivated_before_the_email_left_gets_none(ana, bob, django_capture_on_commit_callbacks):
    # given
    deliveries = hold_deliveries(django_capture_on_commit_callbacks, lambda: follow_user(follower=bob, followee=ana))
    # when
    User.objects.filter(pk=ana.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):  # the tasks they queue
        for deliver in deliveries:
            deliver()
    # then
    assert len(deliveries) == 1
    assert mail.outbox == []


def test_the_rate_limit_stops_the_21st_email_and_keeps_the_notification(ana, bob, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(1, 22):
            mention(ana, bob, number)
    # then
    assert len(mail.outbox) == 20
    assert repositories.unread_count(ana.pk) == 21


# --- The daily digest ----------------------------------------------------------------------------


def test_a_digest_reader_gets_no_instant_email_and_one_digest_a_day(ana, bob, django_capture_on_commit_callbacks):
    # given
    set_preferences(user=ana, choices={"like": {"email": True}}, email_digest=True)
    post = PostFactory(author=ana, body="Sunrise over the bay")
    with django_capture_on_commit_callbacks(execute=True):
        follow_user(follower=bob, followee=ana)
        like_post(post=post, user=bob)
    assert mail.outbox == []
    # when
    sent = delivery.send_digests()
    # then
    assert sent == 1
    [message] = mail.outbox
    unsubscribe_url = SITE + unsubscribe_path(ana, DIGEST)
    assert (message.subject, message.to) == ("2 new notifications on Short Media", ["ana@example.com"])
    assert message.message()["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert message.message()["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.body == (
        "Hi Ana,\n\n"
        "Here is what happened on Short Media since your last digest.\n\n"
        "* Bob liked your post\n"
        '  "Sunrise over the bay"\n'
        f"  {SITE}/p/{post.pk}/\n\n"
        "* Bob started following you\n"
        f"  {SITE}/u/ana/followers/\n\n"
        f"Open your notifications: {SITE}/notifications/\n\n"
        "--\n"
        "You get this daily digest because you chose to read Short Media notification emails once a day.\n"
        f"Notification settings: {SITE}/notifications/settings/\n"
        f"Stop all notification emails: {unsubscribe_url}\n"
    )
    html = message.alternatives[0][0]
    assert html.count(f'href="{SITE}/p/{post.pk}/"') == 1
    assert html.count(f'href="{unsubscribe_url}"') == 1
    # when run again within the day
    assert delivery.send_digests() == 0
    assert len(mail.outbox) == 1


def test_the_next_days_digest_lists_only_what_came_since(ana, bob, carol, django_capture_on_commit_callbacks):
    # given: yesterday's digest went out, and carol followed since
    set_preferences(user=ana, email_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        follow_user(follower=bob, followee=ana)
    assert delivery.send_digests() == 1
    mark_all_read(user=ana)
    DeliverySettings.objects.filter(user=ana).update(digest_sent_at=timezone.now() - timedelta(hours=24))
    Notification.objects.filter(recipient=ana).update(created_at=timezone.now() - timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        follow_user(follower=carol, followee=ana)
    # when
    sent = delivery.send_digests()
    # then
    assert sent == 1
    assert mail.outbox[1].subject == "1 new notification on Short Media"
    assert "* Carol started following you\n" in mail.outbox[1].body
    assert "Bob" not in mail.outbox[1].body


def test_the_digest_leaves_out_what_was_read_and_kinds_not_wanted_by_email(
    ana, bob, carol, django_capture_on_commit_callbacks
):
    # given: a read mention, a like (email off by default), a follow off in the app but on by email
    set_preferences(user=ana, choices={"follow": {"in_app": False}}, email_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        mention(ana, carol)
    mark_all_read(user=ana)
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=PostFactory(author=ana), user=bob)
        follow_user(follower=bob, followee=ana)
    # when
    sent = delivery.send_digests()
    # then
    assert sent == 1
    assert mail.outbox[0].subject == "1 new notification on Short Media"
    assert "* Bob started following you\n" in mail.outbox[0].body


def test_nothing_new_sends_no_digest(ana):
    # given
    set_preferences(user=ana, email_digest=True)
    # when
    sent = delivery.send_digests()
    # then
    assert sent == 0
    assert mail.outbox == []
    assert DeliverySettings.objects.get(user=ana).digest_sent_at is None


def test_a_long_digest_lists_twenty_and_links_to_the_rest(ana, bob, django_capture_on_commit_callbacks):
    # given
    set_preferences(user=ana, email_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(1, 23):
            mention(ana, bob, number)
    # when
    delivery.send_digests()
    # then
    [message] = mail.outbox
    assert message.subject == "22 new notifications on Short Media"
    assert message.body.count("* Bob mentioned you\n") == 20
    assert '"Post 22"' in message.body
    assert '"Post 2"\n' not in message.body  # the two oldest are left to the link
    assert f"and 2 more: {SITE}/notifications/\n" in message.body


def test_the_digest_reads_each_batch_of_people_in_three_queries(bob, django_capture_on_commit_callbacks, monkeypatch):
    # given five digest readers with a mention each, read in batches of two
    monkeypatch.setattr(delivery, "DIGEST_BATCH", 2)
    readers = UserFactory.create_batch(5)
    with django_capture_on_commit_callbacks(execute=True):
        for reader in readers:
            set_preferences(user=reader, email_digest=True)
            mention(reader, bob)
    # when
    with CaptureQueriesContext(connection) as queries:
        sent = delivery.send_digests()
    # then: people (with their names), their switches and their notifications per batch of
    # two, whatever the batch holds, then an empty batch; the rest records each digest as sent
    reads, recording = [], False
    for query in queries:
        sql = query["sql"]
        recording = (recording or sql.startswith("SAVEPOINT")) and not sql.startswith("RELEASE")
        if not recording and not sql.startswith("RELEASE"):
            reads.append(re.search(r'FROM [`"]?(\w+)', sql).group(1))
    assert sent == 5
    assert reads == ["notifications_deliverysettings", "notifications_preference", "notifications_notification"] * 3 + [
        "notifications_deliverysettings"
    ]
    assert len(mail.outbox) == 5


# --- Unsubscribing -------------------------------------------------------------------------------


def test_opening_the_unsubscribe_link_asks_first_and_changes_nothing(ana, client):
    # when
    response = client.get(unsubscribe_path(ana, "like"))
    # then
    assert response.status_code == 200
    assert "Stop emails about likes of your posts?" in response.content.decode()
    assert 'href="/notifications/settings/"' in response.content.decode()
    assert email_on(ana, "follow") is True
    set_preferences(user=ana, choices={"like": {"email": True}})
    client.get(unsubscribe_path(ana, "like"))
    assert email_on(ana, "like") is True


def test_confirming_stops_that_kind_of_email_only(ana, bob, client, django_capture_on_commit_callbacks):
    # when
    response = client.post(unsubscribe_path(ana, "follow"))
    # then
    assert response.status_code == 200
    assert "You won't get emails about new followers any more" in response.content.decode()
    assert (email_on(ana, "follow"), email_on(ana, "mention")) == (False, True)
    with django_capture_on_commit_callbacks(execute=True):
        follow_user(follower=bob, followee=ana)
        mention(ana, bob)
    assert [message.subject for message in mail.outbox] == ["Bob mentioned you"]


def test_a_mail_clients_one_click_post_needs_no_csrf_token(ana):
    # given: a client that enforces CSRF, as a browser session would be
    mail_client = Client(enforce_csrf_checks=True)
    # when
    response = mail_client.post(
        unsubscribe_path(ana, "follow"),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    # then
    assert response.status_code == 200
    assert email_on(ana, "follow") is False


def test_the_digests_link_stops_every_notification_email(ana, bob, client, django_capture_on_commit_callbacks):
    # given
    set_preferences(user=ana, email_digest=True)
    # when
    response = client.post(unsubscribe_path(ana, DIGEST))
    # then nothing by email, neither a digest nor one by one
    assert "You won't get all notification emails any more" in response.content.decode()
    assert [kind.name for kind, switches in repositories.preferences_of(ana) if switches["email"]] == []
    with django_capture_on_commit_callbacks(execute=True):
        follow_user(follower=bob, followee=ana)
    assert delivery.send_digests() == 0
    assert mail.outbox == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_answers_404_and_changes_nothing(ana, bob, client, method):
    # given: bob's payload under a signature made for ana, and a token with a changed signature
    ana_token, bob_token = make_token(ana.pk, "follow"), make_token(bob.pk, "follow")
    swapped = f"{bob_token.rsplit(':', 1)[0]}:{ana_token.rsplit(':', 1)[1]}"
    altered = ana_token[:-1] + ("A" if ana_token[-1] != "A" else "B")
    for token in (swapped, altered, "not-a-token"):
        # when
        response = getattr(client, method)(f"/notifications/unsubscribe/{token}/")
        # then
        assert response.status_code == 404
        assert "We can't find that page" in response.content.decode()
    assert (email_on(ana, "follow"), email_on(bob, "follow")) == (True, True)


def test_a_link_for_an_unknown_kind_answers_404(ana, client):
    # when
    response = client.post(unsubscribe_path(ana, "no-such-kind"))
    # then
    assert response.status_code == 404
