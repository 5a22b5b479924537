"""Uploading a video in a real browser (Debian's chromium driven by Playwright) against the
live server: a new member picks a rotated, variable-frame-rate phone clip, previews it,
captions and publishes it, watches it being processed until it is ready, and another member's
swipe feed plays it; a 6-second clip is refused naming its length, then cut to 5 seconds; a
dropped connection mid-upload is resumed from where the server stands, and so is an upload
interrupted by a reload.

Processing is asynchronous here as in production: the live server queues the task on Celery's
in-memory broker, and the test plays the worker, taking the queued messages and running them,
so the page is seen waiting and processing before it is ready. The live server is WSGI (no
WebSocket), so the pages follow the video by polling the API, their fallback."""

import base64
import re
import threading

import pytest
from django.db import connections

from config.celery import app as celery_app
from posts.models import Post
from tests.browser import VIEWPORT, log_in
from tests.users.factories import UserFactory
from tests.videos.clips import make_clip, needs_ffmpeg
from tests.videos.helpers import upload_video
from videos.models import Upload, Video
from videos.services.processing import give_up

pytestmark = [pytest.mark.browser, needs_ffmpeg]

READY_WITHIN = 30_000  # ms: processing a 5-second clip takes a few seconds on 2 cores


@pytest.fixture
def expect():
    return pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def worker():
    """Tasks go to Celery's in-memory broker instead of running inside the request; calling
    the returned function starts the worker: a thread that runs every task queued so far, in
    order (Playwright's event loop owns this thread, and the tasks push to the channel layer
    from synchronous code). Its join() waits for it and returns the names of the tasks it ran."""
    conf = celery_app.conf
    saved = {name: conf[name] for name in ("task_always_eager", "broker_url")}
    conf.update(task_always_eager=False, broker_url="memory://")
    # Drop broker connections an earlier test may have opened for another URL (as Celery does
    # after a fork), so the producer pool is made afresh for the in-memory broker.
    celery_app._after_fork()
    # An in-memory SQLite test database is one connection, shared as the live server shares it.
    shared = {db.alias: db for db in connections.all() if db.vendor == "sqlite" and db.is_in_memory_db()}
    started = []

    def work() -> Worker:
        thread = Worker(shared)
        thread.start()
        started.append(thread)
        return thread

    yield work
    for thread in started:
        thread.join()
    with celery_app.connection_for_write() as broker:  # nothing queued is left for the next test
        broker.SimpleQueue(conf.task_default_queue).clear()
    conf.update(saved)
    celery_app._after_fork()


class Worker(threading.Thread):
    """Takes the queued task messages off the broker and runs them, as `celery worker` does."""

    def __init__(self, shared):
        super().__init__(name="celery-worker", daemon=True)
        self.shared, self.done, self.error = shared, [], None

    def run(self):
        for alias, connection in self.shared.items():
            connection.inc_thread_sharing()
            connections[alias] = connection
        try:
            with celery_app.connection_for_read() as broker:
                queue = broker.SimpleQueue(celery_app.conf.task_default_queue)
                while True:
                    try:
                        message = queue.get(block=False)
                    except queue.Empty:
                        break
                    args, kwargs, _ = message.decode()
                    name = message.headers["task"]
                    celery_app.tasks[name].apply(args=args, kwargs=kwargs, task_id=message.headers["id"])
                    message.ack()
                    self.done.append(name)
                queue.close()
        except BaseException as error:  # handed to the test by join()
            self.error = error
        finally:
            for connection in connections.all():
                if connection.alias in self.shared:
                    connection.dec_thread_sharing()
                else:
                    connection.close()  # this thread's own (a server database)

    def join(self, timeout: float = 60) -> list[str]:
        super().join(timeout)
        assert not self.is_alive(), "the worker did not finish in time"
        if self.error is not None:
            raise self.error
        return self.done


def member_page(browser, live_server, username: str):
    UserFactory(username=username, profile__display_name=username.title())
    return log_in(browser.new_page(viewport=VIEWPORT), live_server.url, username)


def drop_file(page, path, mime: str = "video/mp4"):
    """Drag the file at `path` onto the drop zone, as a person dragging it from their desktop."""
    data = base64.b64encode(path.read_bytes()).decode()
    page.evaluate(
        """([name, data, mime]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: mime, lastModified: 1700000000000 }));
            const zone = document.querySelector('[data-drop-zone]');
            for (const type of ['dragenter', 'dragover', 'drop']) {
                zone.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
            }
        }""",
        [path.name, data, mime],
    )


def test_a_new_member_uploads_a_phone_clip_that_then_plays_in_anothers_feed(
    browser, live_server, expect, worker, tmp_path
):
    # given a new member, Ana, and a 5-second clip as phones film it: coded landscape with
    # rotation metadata (shown upright) and a variable frame rate
    phone_clip = make_clip(tmp_path / "IMG_0042.mp4", seconds=5, size=(1280, 720), rotate=90, vfr=True)
    ana = member_page(browser, live_server, "ana")

    # when she opens the upload page and picks the clip with the file input
    ana.goto(f"{live_server.url}/videos/upload/")
    ana.get_by_label("Video file").set_input_files(phone_clip)

    # then it is named, previewed upright with its length, and sent in the background
    expect(ana.locator("[data-file-info]")).to_contain_text("IMG_0042.mp4")
    preview = ana.get_by_label("Preview of your clip")
    expect(preview).to_have_attribute("src", re.compile(r"^blob:"))
    expect(ana.locator("[data-preview-caption]")).to_have_text(re.compile(r"^Duration: 4\.9 s · 720 × 1280$"))
    done = "Upload complete. Add a caption and publish when you are ready."
    expect(ana.locator("[data-upload-status]")).to_have_text(done)
    expect(ana.get_by_role("progressbar", name="Uploaded")).to_have_attribute("aria-valuenow", "100")
    expect(ana.locator("[data-trim]")).to_be_hidden()  # 5 seconds: nothing to cut
    assert Upload.objects.get().received == phone_clip.stat().st_size

    # when she writes a caption with a hashtag and publishes
    ana.get_by_label("Caption").fill("Morning run by the river #sunrise")
    ana.get_by_role("button", name="Publish").click()

    # then the page says it is being processed, with a progress bar, while the task waits its turn
    expect(ana.get_by_role("heading", name="Processing your video")).to_be_visible()
    expect(ana.get_by_role("progressbar", name="Processing progress")).to_be_visible()
    video = Video.objects.get()
    assert (video.state, video.post_id) == (Video.State.UPLOADED, None)
    assert video.caption == "Morning run by the river #sunrise"
    assert not Upload.objects.exists()  # the upload became the video's source

    # when the worker takes the task
    working = worker()

    # then the page sees it ready, with a link to watch it
    expect(ana.get_by_role("heading", name="Your video is ready")).to_be_visible(timeout=READY_WITHIN)
    assert "videos.tasks.process_video" in working.join()
    video.refresh_from_db()
    assert video.state == Video.State.READY
    assert video.height > video.width  # shown upright, as filmed
    post = Post.objects.get(pk=video.post_id)
    assert [tag.name for tag in post.hashtags.all()] == ["sunrise"]
    expect(ana.get_by_role("link", name="Watch it")).to_have_attribute("href", re.compile(rf"/p/{post.pk}/$"))

    # when another member opens the For You swipe feed
    bob = member_page(browser, live_server, "bob")
    bob.goto(f"{live_server.url}/videos/for-you/")

    # then Ana's video plays there
    bob.wait_for_function(
        "() => [...document.querySelectorAll('video')].some((video) => video.currentTime > 0)", timeout=READY_WITHIN
    )
    expect(bob.get_by_text("Morning run by the river").first).to_be_visible()


def test_a_six_second_clip_is_refused_naming_its_length_then_cut_to_five(
    browser, live_server, expect, worker, tmp_path
):
    # given a member on the upload page and a 6-second clip
    long_clip = make_clip(tmp_path / "six.mp4", seconds=6)
    ana = member_page(browser, live_server, "ana")
    ana.goto(f"{live_server.url}/videos/upload/")

    # when she drags the clip onto the drop zone
    drop_file(ana, long_clip)

    # then the page says how long it is, offers to cut it, and sends it meanwhile
    explain = "This clip is 6.0 seconds long; a video is at most 5 seconds."
    expect(ana.locator("[data-trim-explain]")).to_contain_text(explain)
    expect(ana.get_by_label("Keep 5 seconds from (second)")).to_be_disabled()
    expect(ana.locator("[data-upload-status]")).to_have_text(re.compile("^Upload complete"))

    # when she publishes it whole
    ana.get_by_role("button", name="Publish").click()

    # then the server refuses it, saying its length next to the file, and nothing is published
    error = ana.locator("#video-file-error")
    expect(error).to_have_text(re.compile(r"^This clip is 6\.0 seconds long; a video is at most 5 seconds\."))
    expect(error).to_have_attribute("role", "alert")
    expect(ana.get_by_label("Cut it to 5 seconds")).to_be_focused()
    assert not Video.objects.exists()
    assert Upload.objects.get().received == long_clip.stat().st_size  # kept, to publish cut

    # when she cuts it to keep 5 seconds from second 1 and publishes again
    ana.get_by_label("Cut it to 5 seconds").check()
    ana.get_by_label("Start second, as a number").fill("1")
    ana.get_by_label("Start second, as a number").press("Tab")
    expect(ana.locator("[data-trim-window]")).to_have_text("Keeps 1.0 s to 6.0 s of the 6.0 s clip.")
    ana.get_by_role("button", name="Publish").click()

    # then it is processed to a 5-second video
    expect(ana.get_by_role("heading", name="Processing your video")).to_be_visible()
    working = worker()
    expect(ana.get_by_role("heading", name="Your video is ready")).to_be_visible(timeout=READY_WITHIN)
    working.join()
    video = Video.objects.get()
    assert video.trim_start == 1.0
    assert video.duration == pytest.approx(5.0, abs=0.15)


def test_a_dropped_connection_mid_upload_goes_on_from_where_the_server_stands(
    browser, live_server, expect, worker, tmp_path, settings
):
    # given small chunks, a clip of several of them, and a connection that loses the answer to
    # the second chunk once (the server stored it; the browser never hears so)
    settings.VIDEO_CHUNK_BYTES = 256 * 1024
    clip = make_clip(tmp_path / "bumpy.mp4", seconds=4)
    size = clip.stat().st_size
    chunk = settings.VIDEO_CHUNK_BYTES
    assert size > 3 * chunk
    ana = member_page(browser, live_server, "ana")
    ana.goto(f"{live_server.url}/videos/upload/")
    sent = []

    def record(request):
        if "/uploads/" in request.url:
            sent.append((request.method, request.headers.get("content-range")))

    ana.on("request", record)
    puts = []

    def lose_second_answer(route):
        if route.request.method == "PUT":
            puts.append(route.request.headers["content-range"])
            if len(puts) == 2:
                route.fetch()  # delivered to the server...
                route.abort("connectionreset")  # ...but the connection drops before the answer
                return
        route.continue_()

    ana.route(re.compile(r"/api/videos/uploads/[0-9a-f-]+/$"), lose_second_answer)

    # when she picks the clip
    ana.get_by_label("Video file").set_input_files(clip)

    # then after the drop the page asks where the upload stands and sends the third chunk next,
    # never the second again, and the upload completes
    expect(ana.locator("[data-upload-status]")).to_have_text(
        "Upload complete. Add a caption and publish when you are ready.", timeout=20_000
    )
    ranges = [f"bytes {start}-{min(start + chunk, size) - 1}/{size}" for start in range(0, size, chunk)]
    assert sent[:4] == [("POST", None), ("PUT", ranges[0]), ("PUT", ranges[1]), ("GET", None)]
    assert [entry for entry in sent[4:] if entry[0] == "PUT"] == [("PUT", r) for r in ranges[2:]]
    assert Upload.objects.get().received == size

    # when she publishes and the worker processes it
    ana.get_by_role("button", name="Publish").click()
    expect(ana.get_by_role("heading", name="Processing your video")).to_be_visible()
    working = worker()

    # then the video made from the reassembled file is ready
    expect(ana.get_by_role("heading", name="Your video is ready")).to_be_visible(timeout=READY_WITHIN)
    working.join()
    video = Video.objects.get()
    assert (video.state, video.source_bytes) == (Video.State.READY, size)


def test_choosing_the_same_file_after_a_reload_resumes_its_upload(browser, live_server, expect, tmp_path, settings):
    # given small chunks, and a connection that goes down for good after two chunks
    settings.VIDEO_CHUNK_BYTES = 256 * 1024
    clip = make_clip(tmp_path / "resume.mp4", seconds=4)
    size = clip.stat().st_size
    chunk = settings.VIDEO_CHUNK_BYTES
    ana = member_page(browser, live_server, "ana")
    ana.goto(f"{live_server.url}/videos/upload/")
    puts = []

    def offline_after_two_chunks(route):
        if route.request.method == "PUT":
            puts.append(route.request.headers["content-range"])
            if len(puts) > 2:
                route.abort("internetdisconnected")
                return
        route.continue_()

    uploads = re.compile(r"/api/videos/uploads/[0-9a-f-]+/$")
    ana.route(uploads, offline_after_two_chunks)
    ana.get_by_label("Video file").set_input_files(clip)
    expect(ana.locator("[data-upload-status]")).to_contain_text("Connection lost.")
    assert Upload.objects.get().received == 2 * chunk

    # when she reloads the page once back online and picks the same file
    ana.unroute(uploads)
    ana.reload()
    resumed = []
    ana.on("request", lambda request: request.method == "PUT" and resumed.append(request.headers["content-range"]))
    ana.get_by_label("Video file").set_input_files(clip)

    # then the upload goes on from the third chunk, in the same upload, and completes
    expect(ana.locator("[data-upload-status]")).to_have_text(
        "Upload complete. Add a caption and publish when you are ready."
    )
    assert resumed[0] == f"bytes {2 * chunk}-{3 * chunk - 1}/{size}"
    upload = Upload.objects.get()
    assert upload.received == size
    expect(ana.get_by_role("button", name="Publish")).to_be_enabled()


@pytest.fixture
def studio_videos(live_server, worker, tmp_path, settings):
    """Ana's twenty videos that failed long ago, and a new one waiting to be processed. Made
    before the browser starts: the pushes of failing them need a thread without an event loop."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "video": "100/3600"}  # 21 uploads: more than an hour allows
    ana = UserFactory(username="ana")
    clip = make_clip(tmp_path / "clip.mp4", seconds=2)
    old = [upload_video(ana, clip, caption=f"Old clip {number}") for number in range(20)]
    for video in old:
        give_up(video_id=video.pk, reason="The clip could not be decoded.")
    worker().join()  # the tasks the uploads queued find them failed already
    new = upload_video(ana, clip, caption="Fresh one #new")
    return old, new


def test_the_studio_follows_a_video_until_ready_loads_more_and_deletes_after_asking(
    studio_videos, browser, live_server, expect, worker
):
    # given Ana's twenty videos that failed long ago and a new one waiting to be processed
    old, new = studio_videos
    ana = log_in(browser.new_page(viewport=VIEWPORT), live_server.url, "ana")

    # when she opens her studio
    ana.goto(f"{live_server.url}/videos/studio/")

    # then the newest twenty are listed, the new one first and waiting
    items = ana.locator("[data-studio-list] > li")
    expect(items).to_have_count(20)
    fresh = ana.locator(f"#video-{new.pk}")
    expect(items.first).to_have_id(f"video-{new.pk}")
    expect(fresh.locator("[data-state-badge]")).to_have_text("Uploaded")
    expect(fresh.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    expect(ana.locator(f"#video-{old[19].pk} [data-reason]")).to_have_text("The clip could not be decoded.")

    # when the worker processes it
    working = worker()

    # then its item turns ready in place, with its poster and a link to watch it
    expect(fresh.locator("[data-state-badge]")).to_have_text("Ready", timeout=READY_WITHIN)
    working.join()
    new.refresh_from_db()
    expect(fresh.get_by_role("link", name="Watch")).to_have_attribute("href", re.compile(rf"/p/{new.post_id}/$"))
    expect(fresh.locator("[data-poster] img")).to_have_attribute("src", re.compile(r"/poster\.jpg$"))
    expect(fresh.get_by_role("progressbar")).to_be_hidden()
    expect(fresh.locator("[data-duration]")).to_have_text("2.0 s")

    # when she loads more
    ana.get_by_role("button", name="Load more").click()

    # then the oldest follows, and there is nothing more to load
    expect(items).to_have_count(21)
    expect(items.last).to_have_id(f"video-{old[0].pk}")
    expect(items.last.locator("[data-state-badge]")).to_have_text("Failed")
    expect(ana.get_by_role("button", name="Load more")).to_be_hidden()

    # when she deletes the new one, the dialog naming it, and confirms
    fresh.get_by_role("button", name="Delete").click()
    dialog = ana.get_by_role("dialog", name="Delete this video?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("“Fresh one #new” goes for good")
    dialog.get_by_role("button", name="Delete video").click()

    # then it is gone from the page and from the site, post included
    expect(fresh).to_have_count(0)
    expect(items).to_have_count(20)
    expect(ana.locator("[data-studio-status]")).to_have_text("Deleted “Fresh one #new”.")
    assert not Video.objects.filter(pk=new.pk).exists()
    assert not Post.objects.filter(pk=new.post_id).exists()
