"""Faults on purpose, against the real servers: a Celery worker killed mid-transcode, the Redis
server restarted under open sockets, the database connection cut in the middle of a request.
What each must leave behind is what the README promises ("What survives which fault")."""

import json
import signal
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.core.files import File
from django.db import connection
from rest_framework_simplejwt.tokens import AccessToken

from notifications.models import Notification
from posts.models import Hashtag, Post
from posts.services import add_comment
from tests.browser import CHROMIUM
from tests.posts.factories import PostFactory
from tests.services.processes import (
    daphne,
    free_port,
    in_a_thread,
    own_queue,
    signed_in,
    start_redis,
    start_worker,
    stop,
)
from tests.users.factories import UserFactory
from tests.videos.clips import make_clip, needs_ffmpeg
from videos.integrations import storage
from videos.models import Video
from videos.services.uploads import create_video

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "mysql",
        reason="needs Redis and a server database the processes can share (make test-services)",
    ),
]

WAIT = 60.0


def wait_until(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout} s")


def _video(pk: int) -> Video:
    return Video.objects.get(pk=pk)


@needs_ffmpeg
def test_a_video_whose_worker_is_killed_mid_transcode_completes_exactly_once(transactional_db, tmp_path):
    # given workers that see a vanished worker's message again after 3 s, and a 3-second lease
    log = tmp_path / "workers.log"
    quick = {"CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_RESTORE_INTERVAL": "1", "VIDEO_LEASE_SECONDS": "3"}
    with own_queue() as queue:
        first = start_worker(queue, log, **quick)
        second = None
        try:
            ana = UserFactory(username="ana")
            # MPEG-4 Part 2 at 60 fps cannot be copied: every rung is encoded, which takes seconds.
            path = make_clip(tmp_path / "clip.mp4", seconds=4.5, size=(1280, 720), fps=60, codec="mpeg4")
            with path.open("rb") as content:
                video = create_video(owner=ana, file=File(content, name=path.name), caption="Through the storm")

            # when its worker is killed (the whole process group, ffmpeg included) while encoding
            wait_until(lambda: _video(video.pk).progress > 0, "the first worker reports progress")
            stop(first, signal.SIGKILL)
            killed = _video(video.pk)
            assert (killed.state, killed.attempts) == ("processing", 1)
            # and another worker starts
            second = start_worker(queue, log, **quick)

            # then the message comes again, the new worker takes the video over and makes it ready
            done = wait_until(lambda: (v := _video(video.pk)).state in ("ready", "failed") and v, "the video is done")
            assert (done.state, done.failure_reason, done.attempts) == ("ready", "", 2)
            time.sleep(2)  # nothing else runs it again
            done.refresh_from_db()
            assert (done.state, done.attempts) == ("ready", 2)
            # exactly once: one post, one "ready" notification, one set of files
            assert Post.objects.filter(kind="video", author=ana).count() == 1
            assert list(Notification.objects.filter(recipient=ana).values_list("kind", flat=True)) == ["video_ready"]
            names = [name.rsplit("/", 1)[1] for name in storage.list_files(done.folder)]
            assert sorted(set(names)) == sorted(names)
            assert names.count("master.m3u8") == 1
        finally:
            stop(first, signal.SIGKILL)
            if second is not None:
                stop(second)
            print(log.read_text(errors="replace"))  # shown by pytest only when the test fails


def _api(port: int, path: str, user, body: dict | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method="POST",
        headers={"Authorization": f"Bearer {AccessToken.for_user(user)}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return response.status, json.loads(response.read() or b"{}"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}"), dict(error.headers)


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
def test_sockets_reconnect_after_a_redis_restart_and_lose_no_notification(transactional_db, tmp_path, browser):
    expect = pytest.importorskip("playwright.sync_api").expect
    # given a server whose channel layer and cache live on a Redis server of this test's own
    port = free_port()
    redis = start_redis(port, tmp_path)
    try:
        with daphne(tmp_path / "daphne.log", REDIS_URL=f"redis://127.0.0.1:{port}/0") as server:
            ana, bob = in_a_thread(lambda: (UserFactory(username="ana"), UserFactory(username="bob")))
            first, second, third = in_a_thread(lambda: [PostFactory(author=ana) for _ in range(3)])
            base = f"http://127.0.0.1:{server}"
            page = signed_in(browser, ana, base)
            frames: list[dict] = []
            page.on("websocket", lambda ws: ws.on("framereceived", lambda text: frames.append(json.loads(text))))
            page.goto(f"{base}/")
            badge = page.locator("#notification-toggle [data-notification-badge]")
            deadline = time.monotonic() + 15
            while {"op": "subscribed", "stream": "notifications"} not in frames and time.monotonic() < deadline:
                page.wait_for_timeout(50)  # lets Playwright deliver the frames
            # and a like that arrives live
            assert _api(server, f"/api/posts/{first.pk}/like/", bob)[0] == 200
            expect(badge).to_have_text("1")

            # when Redis stops, a comment is made while it is down (its live push is lost), and
            # Redis comes back empty (no groups, no cache)
            stop(redis)
            in_a_thread(add_comment, post=second, by=bob, body="Made while Redis was down")
            time.sleep(2)
            redis = start_redis(port, tmp_path)

            # then the tab reconnects, subscribes again and fetches what it missed
            expect(badge).to_have_text("2", timeout=45_000)
            # and live notifications flow again through the new Redis
            assert _api(server, f"/api/posts/{third.pk}/like/", bob)[0] == 200
            expect(badge).to_have_text("3")
            assert in_a_thread(lambda: Notification.objects.filter(recipient=ana).count()) == 3
    finally:
        stop(redis)


def test_a_request_whose_database_connection_is_cut_answers_503_and_writes_nothing(transactional_db, tmp_path):
    # given a server, and another session holding a lock the request's second write will wait on
    ana = UserFactory(username="ana")
    import MySQLdb  # the services suite's driver; the embedded suite does not install it

    db = connection.settings_dict
    credentials = {"host": db["HOST"], "port": int(db["PORT"]), "user": db["USER"], "password": db["PASSWORD"]}
    holder = MySQLdb.connect(database=db["NAME"], **credentials)
    admin = MySQLdb.connect(**credentials)
    try:
        with daphne(tmp_path / "daphne.log") as server:
            holder.autocommit(False)
            holder.cursor().execute("INSERT INTO posts_hashtag (name, created_at) VALUES ('stormchasing', NOW())")
            answer: dict = {}

            def post():
                body = {"kind": "text", "body": "Out in it #stormchasing"}
                answer["response"] = _api(server, "/api/posts/", ana, body)

            request = threading.Thread(target=post)
            request.start()
            # when the request has written its post and waits on the hashtag, its connection is cut
            cursor = admin.cursor()

            def waiting():
                cursor.execute(
                    "SELECT id FROM information_schema.processlist WHERE db = %s AND info LIKE %s",
                    (db["NAME"], "INSERT IGNORE INTO `posts_hashtag`%"),
                )
                return cursor.fetchone()

            [connection_id] = wait_until(waiting, "the request waits on the hashtag", 30)
            cursor.execute(f"KILL CONNECTION {int(connection_id)}")
            request.join(WAIT)
            holder.rollback()

            # then it answers 503 in the one error format, with a time to try again
            status, body, headers = answer["response"]
            assert (status, body["code"], headers["Retry-After"]) == (503, "unavailable", "5")
            # and nothing of the post was written
            assert Post.objects.filter(author=ana).count() == 0
            assert Hashtag.objects.filter(name="stormchasing").count() == 0
            # and the server's next request works on a fresh connection
            assert _api(server, "/api/posts/", ana, {"kind": "text", "body": "Calm again #stormchasing"})[0] == 201
            assert list(Post.objects.filter(author=ana).values_list("body", flat=True)) == ["Calm again #stormchasing"]
    finally:
        holder.close()
        admin.close()
