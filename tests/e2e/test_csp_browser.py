"""The site under its Content-Security-Policy in a real browser (Debian's chromium driven by
Playwright) against the live server: a signed-in member goes through the main pages, the
swipe feed plays a video through hls.js, the service worker registers, the Django admin and the
Swagger UI work, and not one thing is refused by the policy nor fails in a page's JavaScript."""

import time

import pytest
from django.conf import settings
from django.urls import path, reverse
from django.views.static import serve

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401  (this module is ROOT_URLCONF)
from config.urls import urlpatterns as site_urlpatterns
from posts.models import Post
from posts.services import like_post
from tests.browser import log_in
from tests.posts.factories import PostFactory, picture
from tests.videos.clips import needs_ffmpeg
from tests.videos.helpers import published_video

pytestmark = [pytest.mark.browser, needs_ffmpeg]

# Every refusal of the policy, as the page sees it; kept in sessionStorage so a refusal just
# before a navigation is not lost with its page.
WATCH_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (event) => {
  const seen = JSON.parse(sessionStorage.getItem('csp-violations') || '[]');
  seen.push(`${event.effectiveDirective} refused ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`);
  sessionStorage.setItem('csp-violations', JSON.stringify(seen));
});
"""
READ_VIOLATIONS = "() => JSON.parse(sessionStorage.getItem('csp-violations') || '[]')"
# A VAPID public key (any P-256 point).
SERVER_KEY = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"


def media(request, name):
    return serve(request, name, document_root=settings.MEDIA_ROOT)


# The live server runs with DEBUG off, so config.urls does not serve the public media files
# (avatars; nginx or S3 do in production): these tests' URLs are the site's plus those files.
urlpatterns = [*site_urlpatterns, path("media/<path:name>", media)]


@pytest.fixture
def community(transactional_db, ana, bob, tmp_path, settings):
    """Ana (an admin) with a picture post Bob liked and a published video. Made before `browser`:
    publishing and liking push to the socket layer, which cannot run inside Playwright's loop."""
    settings.ROOT_URLCONF = __name__
    # With Web Push keys the notification settings page loads its push module (nothing is sent).
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = SERVER_KEY, "not used by the pages"
    ana.is_staff = ana.is_superuser = True
    ana.save(update_fields=["is_staff", "is_superuser"])
    post = PostFactory(author=ana, body="A field #green", kind=Post.Kind.IMAGE, images=[picture()])
    like_post(post=post, user=bob)
    video = published_video(ana, tmp_path, caption="Waves", seconds=3)
    return {"post": post, "video": video}


@pytest.fixture
def watched(browser):
    """A page whose policy refusals, console complaints and JavaScript errors are collected."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(20_000)
    page.add_init_script(WATCH_VIOLATIONS)
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"{page.url}: JavaScript error {error}"))
    page.on(
        "console",
        lambda message: (
            page.problems.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return page


def reports(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "core.csp"]


def eventually(check, *, timeout=10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def visit(page, url: str, *, ready: str = "main"):
    """Open `url`, wait for `ready` to show and the page's scripts to settle."""
    page.goto(url)
    page.locator(ready).first.wait_for(state="attached")
    page.wait_for_load_state("networkidle")


def test_the_main_pages_work_under_the_policy(live_server, community, watched):
    page, base = watched, live_server.url
    post, video = community["post"], community["video"]
    # given the login page, before signing in
    visit(page, f"{base}/login/")
    log_in(page, base, "ana")

    # when the member goes through the main pages
    pages = [
        "/",
        reverse("posts:feed", args=["latest"]),
        reverse("users:profile", args=["ana"]),
        reverse("users:profile", args=["bob"]),
        reverse("posts:detail", args=[post.pk]),
        reverse("posts:compose"),
        reverse("posts:search") + "?q=green",
        reverse("videos:upload"),
        reverse("videos:studio"),
        reverse("notifications:list"),
        reverse("notifications:settings"),
        reverse("users:edit_profile"),
        reverse("users:security"),
        reverse("users:blocked"),
        "/no-such-page/",
    ]
    for url in pages:
        visit(page, f"{base}{url}")

    # and the swipe feed plays the video through hls.js
    visit(page, f"{base}{reverse('videos:feed', args=['for-you'])}", ready=f"#video-{video.post_id} video")
    page.wait_for_function(
        """(id) => {
            const video = document.querySelector(`#video-${id} video`);
            return video && video.dataset.engine === 'hls.js' && !video.paused && video.currentTime > 0.3;
        }""",
        arg=video.post_id,
    )

    # and the service worker for Web Push registers and starts
    scope = page.evaluate(
        """async () => {
            await navigator.serviceWorker.register('/sw.js', { scope: '/' });
            return (await navigator.serviceWorker.ready).scope;
        }"""
    )
    assert scope == f"{base}/"

    # and the admin, a change form included, and the API's Swagger UI are opened
    visit(page, f"{base}/admin/", ready="#content")
    visit(page, f"{base}{reverse('admin:posts_post_change', args=[post.pk])}", ready="#content form")
    visit(page, f"{base}{reverse('admin:users_user_change', args=[post.author_id])}", ready="#content form")
    visit(page, f"{base}{reverse('api-docs')}", ready="#swagger-ui .opblock")

    # then nothing was refused by the policy and no script failed
    assert page.evaluate(READ_VIOLATIONS) == []
    assert page.problems == []


def test_the_watch_sees_what_the_policy_refuses(live_server, community, watched, caplog):
    """The watch of the test above is not blind: an inline script and an inline style put into a
    page are refused, both refusals are seen, and both reach /csp-report (which every browser
    test watches: tests/e2e/conftest.py)."""
    page = watched
    # given a page of the site
    visit(page, f"{live_server.url}/login/")
    # when code puts an inline script and a style attribute into it
    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.ran = true';
            document.body.append(script);
            document.body.insertAdjacentHTML('beforeend', '<p style="color: red">red</p>');
        }"""
    )
    page.wait_for_function("() => JSON.parse(sessionStorage.getItem('csp-violations') || '[]').length >= 2")
    # then both are refused, and seen
    assert page.evaluate("() => window.ran") is None
    refused = page.evaluate(READ_VIOLATIONS)
    assert [line.split(" refused ")[0] for line in refused] == ["script-src-elem", "style-src-attr"]
    assert len([problem for problem in page.problems if "Content Security Policy" in problem]) == 2
    assert eventually(lambda: len(reports(caplog)) == 2)
    assert sorted(report.split(" effective-directive=")[1].split(" ")[0] for report in reports(caplog)) == [
        "'script-src-elem'",
        "'style-src-attr'",
    ]
    caplog.clear()  # seen: these refusals were wanted
