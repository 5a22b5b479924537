"""The swipe feed in a real browser (Debian's chromium driven by Playwright) against the live
server, with videos published through the real pipeline (ffmpeg): the video on screen plays
muted and loops through hls.js, the next one is buffered ahead, the keyboard plays, pauses,
mutes and moves on, the like button toggles, the view is counted after a second of playing and
a watch event is recorded when the viewer moves on."""

import time

import pytest

from posts.models import Like, Post
from tests.browser import VIEWPORT, log_in
from tests.users.factories import UserFactory
from tests.videos.clips import needs_ffmpeg
from tests.videos.helpers import published_video
from videos.models import WatchEvent

pytestmark = [pytest.mark.browser, needs_ffmpeg]


@pytest.fixture
def clips(transactional_db, ana, tmp_path):
    """Ana's three published videos (3, 2 and 2 seconds). Tests ask for this before `browser`:
    publishing pushes to the socket layer, which cannot run inside Playwright's event loop."""
    return [
        published_video(ana, tmp_path, caption="First #one", name="first.mp4", seconds=3),
        published_video(ana, tmp_path, caption="Second", name="second.mp4"),
        published_video(ana, tmp_path, caption="Third", name="third.mp4"),
    ]


@pytest.fixture
def expect():
    return pytest.importorskip("playwright.sync_api").expect


def eventually(check, *, timeout=10.0):
    """Wait for the server to have done what the page asked (the browser sends on its own time)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def video_state(page, post_id):
    return page.evaluate(
        """(id) => {
            const slide = document.getElementById(`video-${id}`);
            const video = slide.querySelector('video');
            return {
                current: slide.classList.contains('is-current'),
                engine: video.dataset.engine || null,
                preload: video.preload,
                paused: video.paused,
                muted: video.muted,
                loop: video.loop,
                time: video.currentTime,
            };
        }""",
        post_id,
    )


def test_the_feed_plays_loops_moves_by_keyboard_and_counts_views_likes_and_watches(
    clips, bob, browser, live_server, expect
):
    # given three videos by Ana, the first 3 seconds long
    first = clips[0]
    bob_page = log_in(browser.new_page(viewport=VIEWPORT), live_server.url, "bob")

    # when Bob opens the feed at the first video and it has played a second
    with bob_page.expect_request(f"**/api/posts/{first.post_id}/view/") as view_request:
        bob_page.goto(f"{live_server.url}/videos/for-you/?start={first.post_id}")
    # then the view was sent after a second of playing, and counted once
    assert view_request.value.method == "POST"
    assert video_state(bob_page, first.post_id)["time"] >= 1.0
    assert eventually(lambda: Post.objects.get(pk=first.post_id).views_count == 1)
    # (the first is on top; the feed orders the other two)
    order = bob_page.evaluate("[...document.querySelectorAll('[data-video-player]')].map((s) => +s.dataset.postId)")
    assert order[0] == first.post_id
    assert sorted(order[1:]) == sorted([clips[1].post_id, clips[2].post_id])
    second, third = (next(v for v in clips if v.post_id == post_id) for post_id in order[1:])

    # and the first video plays muted, looping, through hls.js
    state = video_state(bob_page, first.post_id)
    assert state["current"] is True
    assert state["engine"] == "hls.js"
    assert (state["paused"], state["muted"], state["loop"]) == (False, True, True)
    slide = bob_page.locator(f"#video-{first.post_id}")
    expect(slide.get_by_role("button", name="Tap to unmute")).to_be_visible()
    # and it goes round: past 2 s, then back at the start, still playing
    bob_page.wait_for_function(
        """(id) => {
            const video = document.querySelector(`#video-${id} video`);
            window.furthest = Math.max(window.furthest || 0, video.currentTime);
            return window.furthest > 2.0 && video.currentTime < 1.0 && !video.paused;
        }""",
        arg=first.post_id,
        polling=50,
        timeout=10_000,
    )
    # and the next video is buffered ahead while the one after it holds no source yet
    after = video_state(bob_page, second.post_id)
    assert (after["engine"], after["preload"], after["paused"]) == ("hls.js", "auto", True)
    assert video_state(bob_page, third.post_id)["engine"] is None

    # when Bob presses k, then space
    play = slide.get_by_role("button", name="Play", exact=True)
    bob_page.keyboard.press("k")
    # then it pauses, and plays again
    expect(play).to_have_attribute("aria-pressed", "false")
    assert video_state(bob_page, first.post_id)["paused"] is True
    bob_page.keyboard.press(" ")
    expect(play).to_have_attribute("aria-pressed", "true")
    assert video_state(bob_page, first.post_id)["paused"] is False

    # when he presses m twice
    mute = slide.get_by_role("button", name="Mute", exact=True)
    bob_page.keyboard.press("m")
    # then the sound comes on, the pill goes, and off again
    expect(mute).to_have_attribute("aria-pressed", "false")
    assert video_state(bob_page, first.post_id)["muted"] is False
    expect(slide.get_by_role("button", name="Tap to unmute")).to_be_hidden()
    bob_page.keyboard.press("m")
    expect(mute).to_have_attribute("aria-pressed", "true")
    assert video_state(bob_page, first.post_id)["muted"] is True

    # when he likes it
    like = slide.get_by_role("button", name="Like")
    like.click()
    # then the button is pressed, the counter moves and the like is kept
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator("[data-counter=likes_count]")).to_have_text("1")
    assert eventually(lambda: Like.objects.filter(post_id=first.post_id, user=bob).exists())
    # and unliking takes it back
    like.click()
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(like.locator("[data-counter=likes_count]")).to_have_text("0")
    assert eventually(lambda: not Like.objects.filter(post_id=first.post_id, user=bob).exists())

    # when he moves on with the down arrow (focus back on the video first: the like button
    # would take the key for itself)
    slide.focus()
    bob_page.keyboard.press("ArrowDown")
    # then the second video is the one on screen and starts, and the first one pauses
    bob_page.wait_for_function(
        """(id) => {
            const video = document.querySelector(`#video-${id} video`);
            return !video.paused && video.currentTime > 0.2;
        }""",
        arg=second.post_id,
        timeout=10_000,
    )
    assert video_state(bob_page, second.post_id)["current"] is True
    assert video_state(bob_page, first.post_id)["paused"] is True
    # and the watch of the first one is recorded: more than a second, looped, not skipped
    watch = eventually(lambda: WatchEvent.objects.filter(post_id=first.post_id).first())
    assert watch is not None
    assert watch.user == bob
    assert watch.viewer_key == f"user:{bob.pk}"
    assert watch.watched_ms >= 3000
    assert abs(watch.duration_ms - 3000) <= 150
    assert watch.completed is True
    assert watch.replays >= 1
    assert watch.skipped is False
    assert WatchEvent.objects.count() == 1
    # and now the third video buffers ahead
    expect(bob_page.locator(f"#video-{third.post_id} video")).to_have_attribute("data-engine", "hls.js")

    # when he goes on at once with Page Down, then back up with the up arrow
    bob_page.keyboard.press("PageDown")
    bob_page.wait_for_function(
        "(id) => !document.querySelector(`#video-${id} video`).paused", arg=third.post_id, timeout=10_000
    )
    # then leaving the second video that soon is a skip
    skip = eventually(lambda: WatchEvent.objects.filter(post_id=second.post_id).first())
    assert skip is not None
    assert (skip.skipped, skip.completed, skip.replays) == (True, False, 0)
    assert skip.watched_ms < 1000
    bob_page.keyboard.press("ArrowUp")
    bob_page.wait_for_function(
        "(id) => !document.querySelector(`#video-${id} video`).paused", arg=second.post_id, timeout=10_000
    )
    assert video_state(bob_page, third.post_id)["paused"] is True

    # when he turns the mouse wheel by one notch over the video
    bob_page.mouse.move(VIEWPORT["width"] / 2, VIEWPORT["height"] / 2)
    bob_page.mouse.wheel(0, 100)
    # then the next video comes and plays
    bob_page.wait_for_function(
        "(id) => !document.querySelector(`#video-${id} video`).paused", arg=third.post_id, timeout=10_000
    )
    assert video_state(bob_page, third.post_id)["current"] is True
    assert video_state(bob_page, second.post_id)["paused"] is True


def test_signed_out_viewers_watch_and_their_watches_are_recorded(clips, browser, live_server, expect):
    # given Ana's videos
    first = clips[0]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_default_timeout(15_000)

    # when someone signed out watches the first one for a second, then moves on
    with page.expect_request(f"**/api/posts/{first.post_id}/view/"):
        page.goto(f"{live_server.url}/videos/for-you/?start={first.post_id}")
    second_id = page.evaluate("+document.querySelectorAll('[data-video-player]')[1].dataset.postId")
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "(id) => !document.querySelector(`#video-${id} video`).paused", arg=second_id, timeout=10_000
    )

    # then the view and the watch are both kept, for an anonymous viewer
    assert eventually(lambda: Post.objects.get(pk=first.post_id).views_count == 1)
    watch = eventually(lambda: WatchEvent.objects.filter(post_id=first.post_id).first())
    assert watch is not None
    assert watch.user is None
    assert watch.viewer_key.startswith("ip:")
    assert watch.watched_ms >= 1000
    assert watch.skipped is False
    # and liking asks to log in first
    login = page.locator(f"#video-{second_id}").get_by_role("link", name="Log in to like")
    expect(login).to_have_attribute("href", "/login/?next=/videos/for-you/%3Fstart%3D" + str(first.post_id))


@pytest.fixture
def many_clips(transactional_db, tmp_path):
    """Seven 1-second videos: one more than the feed page renders."""
    maker = UserFactory(username="maker")
    return [published_video(maker, tmp_path, caption=f"Clip {n} #many", name=f"{n}.mp4", seconds=1) for n in range(7)]


def test_near_the_end_the_next_page_is_fetched_and_its_videos_play_and_take_likes(
    many_clips, bob, browser, live_server, expect
):
    # given more videos than the page brings, and Bob on the feed
    page = log_in(browser.new_page(viewport=VIEWPORT), live_server.url, "bob")
    page.goto(f"{live_server.url}/videos/for-you/")
    assert page.locator("[data-video-player]").count() == 6

    # when he moves down towards the end
    with page.expect_response(lambda response: "/api/videos/feed/for-you/?cursor=" in response.url) as fetched:
        for _ in range(4):
            page.keyboard.press("ArrowDown")
    # then the next page was fetched ahead and its video appended, built from the JSON
    assert fetched.value.status == 200
    expect(page.locator("[data-video-player]")).to_have_count(7)
    expect(page.locator("[data-feed-status]")).to_have_attribute("data-state", "end")
    last = page.locator("[data-video-player]").last
    last_id = int(last.get_attribute("data-post-id"))
    assert last_id in {video.post_id for video in many_clips}
    expect(last.get_by_role("link", name="#many")).to_have_attribute("href", "/tags/many/")
    expect(last.get_by_role("button", name="Follow @maker")).to_have_attribute("aria-pressed", "false")

    # when he goes on to it
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    # then it plays like the others
    page.wait_for_function("(id) => !document.querySelector(`#video-${id} video`).paused", arg=last_id, timeout=10_000)
    assert video_state(page, last_id)["engine"] == "hls.js"

    # when he likes it and follows its maker
    like = last.get_by_role("button", name="Like")
    like.click()
    follow = last.get_by_role("button", name="Follow @maker")
    follow.click()
    # then both hold
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator("[data-counter=likes_count]")).to_have_text("1")
    expect(follow).to_have_attribute("aria-pressed", "true")
    assert eventually(lambda: Like.objects.filter(post_id=last_id, user=bob).exists())
    assert eventually(lambda: bob.following_links.filter(followee__username="maker").exists())

    # when he moves past the last video
    page.locator(f"#video-{last_id}").focus()
    page.keyboard.press("ArrowDown")
    # then the end says so, and the last video stops
    expect(page.get_by_text("You have seen all the videos here for now.")).to_be_visible()
    page.wait_for_function("(id) => document.querySelector(`#video-${id} video`).paused", arg=last_id)
