"""Web Push in a real browser (Debian's chromium driven by Playwright) against the live server:
the service worker at /sw.js takes a push, as notifications/services/delivery.py builds it, and
shows it (a regrouped one replacing it under its tag); the settings page's module registers the
worker, asks permission and tries to subscribe.

Pushes reach the worker through the Chrome DevTools Protocol (ServiceWorker.deliverPushMessage):
Chromium's pushManager.subscribe() needs Google's push service. In Playwright's browser contexts
(off the record) it fails at once with "Registration failed - permission denied"; in a
persistent profile, with no route to Google, it did not answer in 90 s. So the encrypted hop
is tested against a local push service in tests/notifications/test_webpush.py, and this file
tests what the browser does with a push."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.http import FileResponse
from django.urls import NoReverseMatch, path, reverse

from config import urls as site_urls
from notifications.models import Notification, PushSubscription
from notifications.services.delivery import push_payload
from posts.services import like_post
from tests.browser import VIEWPORT, log_in
from tests.posts.factories import PostFactory
from tests.users.factories import UserFactory

pytestmark = pytest.mark.browser

# A server's VAPID public key, as the settings page hands it to the module (any P-256 point).
SERVER_KEY = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"

WAITS = 150  # tenths of a second: a loaded machine may take a while to start the worker

NOTIFICATIONS_SHOWN = """async () => {
  const registration = await navigator.serviceWorker.ready;
  const shown = await registration.getNotifications();
  return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data.url, id: n.data.id }));
}"""


def serve_service_worker(request):
    """Stands in for the site's /sw.js view until config.urls has one ("service-worker")."""
    response = FileResponse(open(finders.find("js/notifications/sw.js"), "rb"), content_type="application/javascript")  # noqa: SIM115
    response["Service-Worker-Allowed"] = "/"
    return response


urlpatterns = [path("sw.js", serve_service_worker, name="service-worker"), *site_urls.urlpatterns]


@pytest.fixture
def site(settings, live_server):
    """The live server, serving /sw.js, with links in pushes pointing at it."""
    try:
        reverse("service-worker")
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__
    settings.SITE_URL = live_server.url
    return live_server


@pytest.fixture
def context(browser, site):
    context = browser.new_context(viewport=VIEWPORT)
    context.grant_permissions(["notifications"], origin=site.url)
    yield context
    context.close()


def registration_id(context, page, scope: str) -> tuple[object, str]:
    """The DevTools session and the id Chromium gives the service worker registered for `scope`."""
    cdp = context.new_cdp_session(page)
    found: dict[str, str] = {}

    def updated(event):
        for registration in event["registrations"]:
            if registration["scopeURL"] == scope and not registration.get("isDeleted"):
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", updated)
    cdp.send("ServiceWorker.enable")
    for _ in range(WAITS):
        if "id" in found:
            return cdp, found["id"]
        page.wait_for_timeout(100)
    raise AssertionError(f"no service worker registration for {scope}")


def push_and_show(cdp, page, site, registration: str, payload: dict, ready) -> list[dict]:
    """Deliver `payload` to the service worker through DevTools and return what it shows once
    `ready(shown)` holds. DevTools drops a delivery now and then while the worker wakes up (seen
    once in CI), so one not shown within 5 s is delivered again, up to three times: the same tag
    replaces rather than stacks, so a repeat cannot pass for a second notification."""
    for _ in range(3):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": site.url, "registrationId": registration, "data": json.dumps(payload)},
        )
        for _ in range(50):
            shown = page.evaluate(NOTIFICATIONS_SHOWN)
            if ready(shown):
                return shown
            page.wait_for_timeout(100)
    return shown


@pytest.fixture
def pushes(site):
    """Two pushes to ana as services/delivery.py builds them: carol liked her post, then bob too (made
    before the browser starts: the test's thread then runs Playwright's event loop, where the
    in-app channel cannot publish)."""
    ana = UserFactory(username="ana", profile__display_name="Ana")
    post = PostFactory(author=ana, body="Sunrise over the bay")
    like_post(post=post, user=UserFactory(username="carol", profile__display_name="Carol"))
    first = push_payload(Notification.objects.get(recipient=ana))
    like_post(post=post, user=UserFactory(username="bob", profile__display_name="Bob"))
    second = push_payload(Notification.objects.get(recipient=ana))
    return post, first, second


def test_the_service_worker_shows_a_push_and_a_regrouped_one_replaces_it(pushes, context, site):
    # given ana's browser with the service worker registered
    post, first, second = pushes
    page = log_in(context.new_page(), site.url, "ana")
    served = page.request.get(f"{site.url}/sw.js")
    assert (served.status, served.headers["content-type"].split(";")[0]) == (200, "application/javascript")
    assert served.headers["service-worker-allowed"] == "/"
    scope = page.evaluate(
        "navigator.serviceWorker.register('/sw.js', { scope: '/' }).then(() => navigator.serviceWorker.ready)"
        ".then((registration) => registration.scope)"
    )
    assert scope == f"{site.url}/"
    cdp, registration = registration_id(context, page, scope)

    # when the push of carol's like arrives
    shown = push_and_show(cdp, page, site, registration, first, lambda shown: len(shown) == 1)
    # then it is shown with the sentence, the excerpt and the post's address
    assert shown == [
        {
            "title": "Short Media",
            "body": "Carol liked your post\nSunrise over the bay",
            "tag": first["tag"],
            "url": f"{site.url}/p/{post.pk}/",
            "id": first["id"],
        }
    ]

    # when the regrouped notification is pushed after bob's like
    shown = push_and_show(
        cdp, page, site, registration, second, lambda shown: [n["id"] for n in shown] == [second["id"]]
    )
    # then it replaced the first under the same tag instead of stacking
    assert shown == [
        {
            "title": "Short Media",
            "body": "Bob and 1 other liked your post\nSunrise over the bay",
            "tag": first["tag"],
            "url": f"{site.url}/p/{post.pk}/",
            "id": second["id"],
        }
    ]


SWITCH_ON = """async ([key, api]) => {
  const { createPushSwitch } = await import('/static/js/notifications/push-subscribe.js');
  const seen = [];
  const push = createPushSwitch({ vapidPublicKey: key, apiUrl: api, onChange: (s) => seen.push(s.state) });
  const before = await push.refresh();
  const after = await push.enable();
  const scope = (await navigator.serviceWorker.getRegistration('/'))?.scope ?? null;
  return { before, after, seen, scope };
}"""


def test_switching_push_on_where_the_browser_has_no_push_service_says_so(context, site):
    # given ana signed in, in a browser context that may notify
    UserFactory(username="ana", profile__display_name="Ana")
    page = log_in(context.new_page(), site.url, "ana")
    # when the settings module looks at this device, and she switches pushes on
    result = page.evaluate(SWITCH_ON, [SERVER_KEY, reverse("api-push-subscriptions")])
    # then the worker is registered for the whole site, but Chromium's private browser contexts
    # (Playwright's) have no push service: the module says so, and nothing is stored
    assert result["before"] == {"state": "off", "label": "Off on this device", "error": ""}
    assert result["after"] == {
        "state": "off",
        "label": "Off on this device",
        "error": "Registration failed - permission denied",
    }
    assert result["seen"] == ["off", "pending", "off"]
    assert result["scope"] == f"{site.url}/"
    assert PushSubscription.objects.count() == 0


def test_a_server_without_keys_and_a_refused_permission_are_told_apart(browser, site):
    # given a browser context that was given no permission to notify (headless Chromium then
    # answers every request for it with "denied")
    UserFactory(username="ana", profile__display_name="Ana")
    context = browser.new_context(viewport=VIEWPORT)
    page = log_in(context.new_page(), site.url, "ana")
    # when the module runs without a server key, then with one
    without_key = page.evaluate(SWITCH_ON, ["", reverse("api-push-subscriptions")])
    with_key = page.evaluate(SWITCH_ON, [SERVER_KEY, reverse("api-push-subscriptions")])
    context.close()
    # then the first never touches the browser; the second asks, and the answer is no
    assert (without_key["seen"], without_key["scope"]) == (["unavailable", "unavailable"], None)
    assert without_key["after"] == {"state": "unavailable", "label": "Not available on this server", "error": ""}
    assert with_key["seen"] == ["off", "blocked"]
    assert with_key["after"] == {"state": "blocked", "label": "Blocked by the browser", "error": ""}
