"""Web Push end to end: a device subscribes through the API, something happens, and a local
push service (tests/notifications/pushservice.py) checks the VAPID signature, decrypts the
push as the browser would and keeps what it read. Also what the server does when the push
service says a device is gone, is busy or refuses, and the API's answer to bad devices; which
endpoints are taken and which addresses a push may reach (listeners on loopback record that
nothing connected); and whose a device is."""

import ipaddress
import os
import socket
from io import StringIO

import pytest
from celery.exceptions import Retry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from config.celery import app as celery_app
from notifications.integrations import webpush
from notifications.integrations.webpush import PushServiceUnavailable
from notifications.models import Notification, PushSubscription
from notifications.services.delivery import push_notification
from notifications.services.devices import add_push_subscription
from notifications.tasks import RETRY
from posts.models import Post
from posts.services import like_post
from tests.notifications.factories import NotificationFactory, PushSubscriptionFactory
from tests.notifications.pushservice import PushService, tls_for
from tests.posts.factories import PostFactory

pytestmark = pytest.mark.django_db

SITE = "https://shortmedia.test"
ATTEMPTS = 1 + RETRY["max_retries"]


def new_keys() -> dict[str, str]:
    out = StringIO()
    call_command("generate_vapid_keys", stdout=out)
    return dict(line.split("=", 1) for line in out.getvalue().splitlines())


@pytest.fixture
def vapid(settings):
    """The server's Web Push settings, with a key pair made by the management command."""
    keys = new_keys()
    settings.VAPID_PUBLIC_KEY = keys["VAPID_PUBLIC_KEY"]
    settings.VAPID_PRIVATE_KEY = keys["VAPID_PRIVATE_KEY"]
    settings.VAPID_SUBJECT = "mailto:admin@shortmedia.test"
    settings.WEB_PUSH_TEST_HOSTS = ["127.0.0.1"]
    settings.SITE_URL = SITE
    settings.SITE_NAME = "Short Media"
    return keys


@pytest.fixture
def worker_retries():
    """Eager tasks retry as a worker would (at once, without the backoff wait). With the suite's
    eager propagation on, Celery raises the first Retry to the caller instead of running it."""
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = propagates


@pytest.fixture
def push_service():
    with PushService() as service:
        yield service


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def subscribe(user, device) -> PushSubscription:
    response = client_of(user).post(reverse("api-push-subscriptions"), device.subscription(), format="json")
    assert response.status_code == 201
    return PushSubscription.objects.get(endpoint=device.endpoint)


def expected_push(post, *, text: str, unread: int = 1) -> dict:
    notification = Notification.objects.get(recipient=post.author)
    return {
        "title": "Short Media",
        "body": f"{text}\n{post.body}",
        "url": f"{SITE}/p/{post.pk}/",
        "tag": f"like:{ContentType.objects.get_for_model(Post).pk}:{post.pk}",
        "icon": "",
        "id": notification.pk,
        "unread": unread,
    }


def test_a_like_reaches_the_authors_device_encrypted_and_signed(
    ana, bob, vapid, push_service, django_capture_on_commit_callbacks
):
    # given ana's browser subscribed with the server's public key
    device = push_service.new_device(application_server_key=vapid["VAPID_PUBLIC_KEY"])
    subscription = subscribe(ana, device)
    post = PostFactory(author=ana, body="Sunrise over the bay")
    # when bob likes her post
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=bob)
    # then the device decrypts exactly this, from a push signed with the server's key
    assert push_service.pushes_to(device) == [expected_push(post, text="Bob liked your post")]
    assert push_service.refusals == []
    [push] = push_service.pushes
    assert (push.ttl, push.vapid_key) == (webpush.TTL_SECONDS, vapid["VAPID_PUBLIC_KEY"])
    assert (push.claims["sub"], push.claims["aud"]) == ("mailto:admin@shortmedia.test", push_service.origin)
    subscription.refresh_from_db()
    assert subscription.last_used_at is not None


def test_a_regrouped_like_replaces_the_shown_one_under_the_same_tag(
    ana, bob, carol, vapid, push_service, django_capture_on_commit_callbacks
):
    # given ana's device was told that carol liked her post
    device = push_service.new_device(application_server_key=vapid["VAPID_PUBLIC_KEY"])
    subscribe(ana, device)
    post = PostFactory(author=ana, body="Sunrise over the bay")
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=carol)
    first = push_service.pushes_to(device)[0]
    # when bob likes it too
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=bob)
    # then a second push, under the same tag, names both; the unread count stays one
    pushes = push_service.pushes_to(device)
    assert len(pushes) == 2
    assert pushes[1] == expected_push(post, text="Bob and 1 other liked your post")
    assert pushes[1]["tag"] == first["tag"]
    assert pushes[1]["id"] != first["id"]


def test_a_notice_without_a_group_or_link_is_tagged_by_its_id_and_opens_the_inbox(ana, vapid, push_service):
    # given a notification that is not grouped and links nowhere (a comment-less mention)
    device = push_service.new_device(application_server_key=vapid["VAPID_PUBLIC_KEY"])
    subscribe(ana, device)
    notification = NotificationFactory(recipient=ana)
    # when it is pushed
    pushed = push_notification(notification_id=notification.pk)
    # then
    assert pushed == 1
    assert push_service.pushes_to(device) == [
        {
            "title": "Short Media",
            "body": "Mentioned you",
            "url": f"{SITE}/notifications/",
            "tag": f"notification:{notification.pk}",
            "icon": "",
            "id": notification.pk,
            "unread": 1,
        }
    ]


def test_a_device_the_push_service_calls_gone_is_dropped_and_the_others_still_get_it(
    ana, bob, vapid, push_service, django_capture_on_commit_callbacks
):
    # given two devices of ana's, the first of which the push service has forgotten
    gone = push_service.new_device(application_server_key=vapid["VAPID_PUBLIC_KEY"])
    kept = push_service.new_device(application_server_key=vapid["VAPID_PUBLIC_KEY"])
    subscribe(ana, gone)
    subscribe(ana, kept)
    push_service.answer(gone, 410)
    post = PostFactory(author=ana, body="Sunrise over the bay")
    # when bob likes her post
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=bob)
    # then the gone one is asked once and forgotten; the other has the push
    assert push_service.statuses_for(gone) == [410]
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [kept.endpoint]
    assert push_service.pushes_to(kept) == [expected_push(post, text="Bob liked your post")]


def test_an_unknown_subscription_404_is_dropped_too(ana, vapid, push_service):
    # given
    device = push_service.new_device()
    subscribe(ana, device)
    push_service.answer(device, 404)
    notification = NotificationFactory(recipient=ana)
    # when
    pushed = push_notification(notification_id=notification.pk)
    # then
    assert pushed == 0
    assert PushSubscription.objects.count() == 0


def test_a_push_service_that_keeps_failing_is_retried_and_the_device_kept(
    ana, bob, vapid, push_service, worker_retries, django_capture_on_commit_callbacks
):
    # given one device whose push service answers 500 every time, and one that works
    failing = push_service.new_device(application_server_key=vapid["VAPID_PUBLIC_KEY"])
    working = push_service.new_device(application_server_key=vapid["VAPID_PUBLIC_KEY"])
    subscribe(ana, failing)
    subscribe(ana, working)
    push_service.answer(failing, 500)
    post = PostFactory(author=ana, body="Sunrise over the bay")
    # when bob likes her post
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=bob)
    # then the task retried the failing device to the limit, never pushed twice to the other,
    # and kept both devices
    assert push_service.statuses_for(failing) == [500] * ATTEMPTS
    assert push_service.statuses_for(working) == [201]
    assert PushSubscription.objects.count() == 2


@pytest.mark.parametrize("status", [429, 503])
def test_a_busy_push_service_gets_the_push_on_the_retry(
    status, ana, bob, vapid, push_service, worker_retries, django_capture_on_commit_callbacks
):
    # given a device whose push service is busy once
    busy = push_service.new_device(application_server_key=vapid["VAPID_PUBLIC_KEY"])
    other = push_service.new_device(application_server_key=vapid["VAPID_PUBLIC_KEY"])
    subscribe(ana, busy)
    subscribe(ana, other)
    push_service.answer(busy, status, times=1)
    post = PostFactory(author=ana, body="Sunrise over the bay")
    # when bob likes her post
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=bob)
    # then the retry delivered it, and the other device had it exactly once
    assert push_service.statuses_for(busy) == [status, 201]
    assert push_service.statuses_for(other) == [201]
    assert (
        push_service.pushes_to(busy)
        == push_service.pushes_to(other)
        == [expected_push(post, text="Bob liked your post")]
    )


def test_a_failed_push_never_undoes_the_like(ana, bob, vapid, push_service, django_capture_on_commit_callbacks, caplog):
    # given a device whose push service fails, and eager tasks that raise the retry
    device = push_service.new_device()
    subscribe(ana, device)
    push_service.answer(device, 500)
    post = PostFactory(author=ana)
    # when bob likes her post
    with django_capture_on_commit_callbacks(execute=True):
        liked = like_post(post=post, user=bob)
    # then the like stands; the retry the task asked for is logged, not raised
    assert liked is True
    assert Post.objects.get(pk=post.pk).likes_count == 1
    assert push_service.statuses_for(device) == [500]
    assert [record.exc_info[0] for record in caplog.records if record.exc_info] == [Retry]


def test_an_unreachable_push_service_raises_a_retryable_error_and_keeps_the_device(ana, vapid):
    # given a device whose push service does not listen
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with PushService() as keys_only:
        keys = keys_only.new_device().subscription()["keys"]
    add_push_subscription(
        user=ana, endpoint=f"http://127.0.0.1:{port}/push/x", p256dh=keys["p256dh"], auth=keys["auth"]
    )
    notification = NotificationFactory(recipient=ana)
    # when / then: an OSError, which tasks.send_push retries
    with pytest.raises(PushServiceUnavailable, match="1 device") as raised:
        push_notification(notification_id=notification.pk)
    assert isinstance(raised.value, OSError)
    assert any(isinstance(raised.value, kind) for kind in RETRY["autoretry_for"])
    assert PushSubscription.objects.count() == 1


def test_a_push_signed_with_other_keys_is_refused_and_neither_retried_nor_dropped(
    ana, bob, vapid, push_service, django_capture_on_commit_callbacks, settings
):
    # given a device subscribed under the server's keys, which were then replaced
    device = push_service.new_device(application_server_key=vapid["VAPID_PUBLIC_KEY"])
    subscribe(ana, device)
    replaced = new_keys()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = replaced["VAPID_PUBLIC_KEY"], replaced["VAPID_PRIVATE_KEY"]
    post = PostFactory(author=ana)
    # when bob likes her post
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=bob)
    # then the push service refused it once, and the device stays for its owner to renew
    assert push_service.statuses_for(device) == [403]
    assert push_service.refusals == ["VAPID key differs from the applicationServerKey of the subscription"]
    assert PushSubscription.objects.count() == 1


def test_a_damaged_stored_key_drops_that_device_only(ana, vapid, push_service):
    # given two devices, one whose stored key was damaged
    damaged = push_service.new_device()
    healthy = push_service.new_device()
    subscribe(ana, damaged)
    subscribe(ana, healthy)
    PushSubscription.objects.filter(endpoint=damaged.endpoint).update(p256dh="BAAA" + "A" * 83)
    notification = NotificationFactory(recipient=ana)
    # when
    pushed = push_notification(notification_id=notification.pk)
    # then
    assert pushed == 1
    assert push_service.statuses_for(damaged) == []
    assert len(push_service.pushes_to(healthy)) == 1
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [healthy.endpoint]


def test_without_vapid_keys_nothing_is_sent(
    ana, bob, vapid, push_service, settings, django_capture_on_commit_callbacks
):
    # given a subscribed device, and a server whose keys were then taken away
    subscribe(ana, push_service.new_device())
    settings.VAPID_PRIVATE_KEY = ""
    post = PostFactory(author=ana)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=bob)
    # then the notification is in the app, but no push left
    assert Notification.objects.filter(recipient=ana).count() == 1
    assert push_service.requests == []


@pytest.mark.parametrize(
    "private_key",
    [
        "not a key",  # garbage
        "A" * 43,  # 32 zero bytes: no valid scalar
    ],
)
def test_unusable_vapid_settings_send_nothing(private_key, ana, vapid, push_service, settings):
    # given
    subscribe(ana, push_service.new_device())
    settings.VAPID_PRIVATE_KEY = private_key
    notification = NotificationFactory(recipient=ana)
    # when
    pushed = push_notification(notification_id=notification.pk)
    # then
    assert pushed == 0
    assert push_service.requests == []


def test_a_public_key_not_of_the_private_key_sends_nothing(ana, vapid, push_service, settings):
    # given keys that are not one pair (browsers would subscribe with a key pushes never match)
    subscribe(ana, push_service.new_device())
    settings.VAPID_PUBLIC_KEY = new_keys()["VAPID_PUBLIC_KEY"]
    notification = NotificationFactory(recipient=ana)
    # when
    pushed = push_notification(notification_id=notification.pk)
    # then
    assert pushed == 0
    assert push_service.requests == []


def test_a_withdrawn_notification_is_not_pushed(ana, vapid, push_service):
    # given
    subscribe(ana, push_service.new_device())
    notification = NotificationFactory(recipient=ana)
    notification.delete()
    # when
    pushed = push_notification(notification_id=notification.pk)
    # then
    assert pushed == 0
    assert push_service.requests == []


def test_turning_push_off_for_likes_sends_no_push(ana, bob, vapid, push_service, django_capture_on_commit_callbacks):
    # given ana keeps likes in the app but not as pushes
    subscribe(ana, push_service.new_device())
    response = client_of(ana).patch(
        reverse("api-notification-preferences"), {"kinds": {"like": {"push": False}}}, format="json"
    )
    assert response.status_code == 200
    post = PostFactory(author=ana)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        like_post(post=post, user=bob)
    # then
    assert Notification.objects.filter(recipient=ana, kind="like").count() == 1
    assert push_service.requests == []


def test_pushing_to_every_device_of_the_recipient_only(ana, bob, vapid, push_service):
    # given three devices of ana's and one of bob's
    anas = [push_service.new_device() for _ in range(3)]
    bobs = push_service.new_device()
    for device in anas:
        subscribe(ana, device)
    subscribe(bob, bobs)
    notification = NotificationFactory(recipient=ana)
    # when
    pushed = push_notification(notification_id=notification.pk)
    # then
    assert pushed == 3
    assert [len(push_service.pushes_to(device)) for device in anas] == [1, 1, 1]
    assert push_service.pushes_to(bobs) == []


def test_a_second_run_for_the_same_notification_pushes_nothing_again(ana, vapid, push_service):
    # given a notification already pushed to ana's device
    device = push_service.new_device()
    subscribe(ana, device)
    notification = NotificationFactory(recipient=ana)
    push_notification(notification_id=notification.pk)
    # when the task runs again (a redelivered message)
    pushed = push_notification(notification_id=notification.pk)
    # then
    assert pushed == 0
    assert len(push_service.pushes_to(device)) == 1


# --- The API for devices -------------------------------------------------------------------

GOOD_KEYS = {  # what a browser sends: a 65-byte P-256 point and a 16-byte secret
    "p256dh": "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
    "auth": "BTBZMqHH6r4Tts7J_aSIgg",
}
FCM = "https://fcm.googleapis.com/fcm/send/1"


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"endpoint": "http://push.example.com/send/1", "keys": GOOD_KEYS}, "endpoint", "bad_endpoint"),
        ({"endpoint": "https://10.0.0.7/send/1", "keys": GOOD_KEYS}, "endpoint", "bad_endpoint"),
        ({"endpoint": "https://localhost/send/1", "keys": GOOD_KEYS}, "endpoint", "bad_endpoint"),
        ({"endpoint": "not a url", "keys": GOOD_KEYS}, "endpoint", "bad_endpoint"),
        (
            {"endpoint": FCM, "keys": {**GOOD_KEYS, "p256dh": GOOD_KEYS["p256dh"][:-2]}},
            "p256dh",
            "bad_key",
        ),
        (
            {"endpoint": FCM, "keys": {**GOOD_KEYS, "auth": "tBHItJI5svbpez7KI4CC"}},
            "auth",
            "bad_key",
        ),
        ({"endpoint": FCM, "keys": {"auth": GOOD_KEYS["auth"]}}, "keys", "bad_key"),
    ],
)
def test_a_bad_subscription_is_refused_with_400_and_nothing_stored(body, field, code, ana, vapid):
    # when
    response = client_of(ana).post(reverse("api-push-subscriptions"), body, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert list(response.json()["fields"]) == [field]
    assert PushSubscription.objects.count() == 0


def test_a_subscription_without_keys_is_refused_in_the_one_error_format(ana, vapid):
    # when
    response = client_of(ana).post(
        reverse("api-push-subscriptions"), {"endpoint": "https://push.example.com/send/1"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "keys: This field is required.",
        "fields": {"keys": ["This field is required."]},
    }
    assert PushSubscription.objects.count() == 0


def test_a_public_push_service_endpoint_is_stored(ana, vapid):
    # when
    response = client_of(ana).post(
        reverse("api-push-subscriptions"),
        {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": GOOD_KEYS},
        format="json",
        HTTP_USER_AGENT="Firefox on a phone",
    )
    # then
    assert response.status_code == 201
    stored = PushSubscription.objects.get()
    assert (stored.user, stored.endpoint, stored.p256dh, stored.auth, stored.user_agent) == (
        ana,
        "https://fcm.googleapis.com/fcm/send/abc",
        GOOD_KEYS["p256dh"],
        GOOD_KEYS["auth"],
        "Firefox on a phone",
    )


def test_delete_removes_only_ones_own_device(ana, bob, vapid, push_service):
    # given a device each
    anas, bobs = push_service.new_device(), push_service.new_device()
    subscribe(ana, anas)
    subscribe(bob, bobs)
    url = reverse("api-push-subscriptions")
    # when bob tries to remove ana's, then his own
    refused = client_of(bob).delete(url, {"endpoint": anas.endpoint}, format="json")
    removed = client_of(bob).delete(url, {"endpoint": bobs.endpoint}, format="json")
    # then both answer 204 (nothing to reveal), and only his is gone
    assert (refused.status_code, removed.status_code) == (204, 204)
    assert list(PushSubscription.objects.values_list("user__username", flat=True)) == ["ana"]


def test_devices_need_a_signed_in_person(vapid, push_service):
    # when
    response = APIClient().post(
        reverse("api-push-subscriptions"), push_service.new_device().subscription(), format="json"
    )
    # then
    assert response.status_code in (401, 403)
    assert PushSubscription.objects.count() == 0


# --- Which push services this server talks to ---------------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://2130706433/send/1",  # 127.0.0.1 as one decimal number
        "https://0x7f000001/send/1",  # ... in hexadecimal
        "https://017700000001/send/1",  # ... in octal
        "https://0177.0.0.1/send/1",  # ... dotted, in octal
        "https://127.1/send/1",  # ... shortened
        "https://[::1]/send/1",
        "https://[::ffff:7f00:1]/send/1",  # IPv4-mapped IPv6
        "https://localhost./send/1",  # a trailing dot
        "https://fcm.googleapis.com./send/1",
        "https://169.254.169.254.nip.io/send/1",  # a public name for the metadata address
        "https://fcm.googleapis.com@127.0.0.1/send/1",  # the allowed name as a user name
        "https://fcm.googleapis.com.attacker.example/send/1",
        "https://notify.windows.com/send/1",  # the wildcard's subdomains only
        "https://push.example.com/send/1",  # a push service not on the list
        "http://fcm.googleapis.com/send/1",  # not HTTPS
        "https://fcm.googleapis.com:99999/send/1",  # no such port
        "https://fcm.googleapis.com/send/1\r\nHost: x",
        "https://\u212aelvin.notify.windows.com/send/1",  # not ASCII (lower-cases to a "k")
    ],
)
def test_an_endpoint_off_the_push_service_list_is_refused_at_subscribe_time(endpoint, ana, vapid):
    # when
    response = client_of(ana).post(
        reverse("api-push-subscriptions"), {"endpoint": endpoint, "keys": GOOD_KEYS}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_endpoint",
        "message": "The endpoint must be an HTTPS address of a known push service.",
        "fields": {"endpoint": ["The endpoint must be an HTTPS address of a known push service."]},
    }
    assert PushSubscription.objects.count() == 0


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/abc",
        "https://wns2-par02p.notify.windows.com/w/?token=abc",
        "https://FCM.googleapis.com:443/fcm/send/abc",
    ],
)
def test_the_known_push_services_are_accepted(endpoint, ana, vapid):
    # when
    response = client_of(ana).post(
        reverse("api-push-subscriptions"), {"endpoint": endpoint, "keys": GOOD_KEYS}, format="json"
    )
    # then
    assert response.status_code == 201
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [endpoint]


def test_a_self_hosted_push_service_is_accepted_once_listed(ana, vapid, settings):
    # given
    settings.WEB_PUSH_SERVICES = ["push.example.org"]
    body = {"endpoint": "https://push.example.org/send/1", "keys": GOOD_KEYS}
    # when
    accepted = client_of(ana).post(reverse("api-push-subscriptions"), body, format="json")
    refused = client_of(ana).post(
        reverse("api-push-subscriptions"), {**body, "endpoint": "https://fcm.googleapis.com/send/1"}, format="json"
    )
    # then the list replaces the default one
    assert (accepted.status_code, refused.status_code) == (201, 400)
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == ["https://push.example.org/send/1"]


def pending_connections(listener: socket.socket) -> int:
    """Connections the kernel completed on a listener nobody accepts from."""
    count = 0
    listener.setblocking(False)
    while True:
        try:
            connection, _ = listener.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def test_a_listed_name_that_resolves_to_loopback_is_never_connected_and_the_device_dropped(ana, vapid, settings):
    # given a listener on loopback, and a device on a listed push service whose name resolves
    # there (as a name can, any time after it was subscribed)
    settings.WEB_PUSH_SERVICES = ["localhost"]
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        PushSubscriptionFactory(user=ana, endpoint=f"https://localhost:{listener.getsockname()[1]}/push/x")
        notification = NotificationFactory(recipient=ana)
        # when
        pushed = push_notification(notification_id=notification.pk)
        # then nothing connected, and the device is forgotten like a gone one
        assert pending_connections(listener) == 0
    assert pushed == 0
    assert PushSubscription.objects.count() == 0


def test_a_device_stored_before_the_list_existed_is_dropped_unsent(ana, vapid, push_service):
    # given a device on a push service that is not on the list (stored by an older version)
    device = push_service.new_device()
    keys = device.subscription()["keys"]
    PushSubscriptionFactory(user=ana, endpoint="https://push.example.com/send/1", **keys)
    notification = NotificationFactory(recipient=ana)
    # when
    pushed = push_notification(notification_id=notification.pk)
    # then
    assert pushed == 0
    assert PushSubscription.objects.count() == 0


@pytest.mark.parametrize(
    ("address", "routable"),
    [
        ("142.250.185.74", True),
        ("2a00:1450:4001:82b::200a", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),  # noqa: S104 - an address checked, not bound
        ("224.0.0.1", False),  # multicast
        ("240.0.0.1", False),  # reserved
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:142.250.185.74", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("ff02::1", False),
        ("2002:7f00:1::1", False),  # 6to4 around 127.0.0.1
        ("64:ff9b::7f00:1", False),  # NAT64 around 127.0.0.1
    ],
)
def test_only_globally_routable_addresses_are_pushed_to(address, routable):
    assert webpush.routable(ipaddress.ip_address(address)) is routable


def test_a_push_goes_to_the_checked_address_under_the_services_name_and_certificate(ana, vapid, settings, tmp_path):
    # given a push service over TLS with a certificate for its name, trusted like a private CA
    certificate = tmp_path / "push.pem"
    settings.WEB_PUSH_TEST_HOSTS = ["localhost"]
    settings.WEB_PUSH_CA_BUNDLE = str(certificate)
    with PushService(host="localhost", tls=tls_for("localhost", certificate)) as service:
        device = service.new_device(application_server_key=vapid["VAPID_PUBLIC_KEY"])
        subscribe(ana, device)
        notification = NotificationFactory(recipient=ana)
        # when
        pushed = push_notification(notification_id=notification.pk)
        # then it arrived with the name as SNI, certificate and Host header
        assert pushed == 1
        assert service.refusals == []
        assert len(service.pushes_to(device)) == 1


@pytest.mark.parametrize(
    ("certified_name", "trusted"),
    [
        ("push.other.test", True),  # a certificate for another name
        ("localhost", False),  # one for the name, from a CA nobody trusts
    ],
)
def test_a_certificate_that_does_not_vouch_for_the_name_is_refused_though_the_address_is_pinned(
    certified_name, trusted, ana, vapid, settings, tmp_path
):
    # given a push service at localhost with a certificate that does not do
    certificate = tmp_path / "push.pem"
    settings.WEB_PUSH_TEST_HOSTS = ["localhost"]
    settings.WEB_PUSH_CA_BUNDLE = str(certificate) if trusted else ""
    with PushService(host="localhost", tls=tls_for(certified_name, certificate)) as service:
        subscribe(ana, service.new_device())
        notification = NotificationFactory(recipient=ana)
        # when / then: no push got through; the device waits for a retry
        with pytest.raises(PushServiceUnavailable):
            push_notification(notification_id=notification.pk)
        assert service.requests == []
    assert PushSubscription.objects.count() == 1


def test_a_redirect_from_the_push_service_is_not_followed(ana, vapid, push_service):
    # given a push service that redirects to a listener on loopback
    device = push_service.new_device()
    subscribe(ana, device)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        push_service.answer(device, 307, location=f"http://127.0.0.1:{listener.getsockname()[1]}/push/device1")
        notification = NotificationFactory(recipient=ana)
        # when
        pushed = push_notification(notification_id=notification.pk)
        # then the redirect was refused, not followed; the device stays
        assert pending_connections(listener) == 0
    assert pushed == 0
    assert push_service.statuses_for(device) == [307]
    assert PushSubscription.objects.count() == 1


# --- Whose device it is --------------------------------------------------------------------


def test_someone_elses_endpoint_without_its_keys_is_refused_and_the_device_stays_theirs(ana, bob, vapid, push_service):
    # given ana's device
    device = push_service.new_device()
    subscribe(ana, device)
    body = {**device.subscription(), "keys": GOOD_KEYS}
    # when bob posts its endpoint with keys of his own
    response = client_of(bob).post(reverse("api-push-subscriptions"), body, format="json")
    # then
    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_subscription",
        "message": "This push subscription cannot be used; subscribe this browser again.",
        "fields": {"endpoint": ["This push subscription cannot be used; subscribe this browser again."]},
    }
    stored = PushSubscription.objects.get()
    assert (stored.user, stored.p256dh, stored.auth) == (ana, *device.subscription()["keys"].values())


def test_the_same_browser_signed_in_as_someone_else_takes_its_device_along(ana, bob, vapid, push_service):
    # given ana's device
    device = push_service.new_device()
    subscribe(ana, device)
    # when bob, signed in on the same browser, posts its subscription (the same keys)
    stored = subscribe(bob, device)
    # then the device is his
    assert stored.user == bob
    assert PushSubscription.objects.count() == 1


def test_ones_own_device_takes_new_keys(ana, vapid, push_service):
    # given
    device = push_service.new_device()
    subscribe(ana, device)
    # when ana's browser posts the endpoint again with new keys
    response = client_of(ana).post(
        reverse("api-push-subscriptions"), {"endpoint": device.endpoint, "keys": GOOD_KEYS}, format="json"
    )
    # then
    assert response.status_code == 201
    stored = PushSubscription.objects.get()
    assert (stored.user, stored.p256dh, stored.auth) == (ana, GOOD_KEYS["p256dh"], GOOD_KEYS["auth"])


# --- The key command -----------------------------------------------------------------------


def test_generate_vapid_keys_writes_an_env_file_once(tmp_path):
    # given
    path = tmp_path / "var" / "vapid.env"
    # when run twice
    call_command("generate_vapid_keys", env_file=str(path), stdout=StringIO())
    first = path.read_text()
    out = StringIO()
    call_command("generate_vapid_keys", env_file=str(path), stdout=out)
    # then the first keys stay, readable by the owner only
    assert path.read_text() == first
    assert [line.split("=")[0] for line in first.splitlines()] == ["VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY"]
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert out.getvalue() == f"{path} exists; its VAPID keys stay.\n"


def test_generated_keys_have_the_sizes_browsers_and_pywebpush_take():
    # when
    keys = new_keys()
    # then: a 65-byte uncompressed point (87 base64url characters) and a 32-byte scalar (43)
    assert (len(keys["VAPID_PUBLIC_KEY"]), keys["VAPID_PUBLIC_KEY"][0]) == (87, "B")
    assert len(keys["VAPID_PRIVATE_KEY"]) == 43
    assert new_keys() != keys
