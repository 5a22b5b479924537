"""A real Celery worker on the real broker (Redis) delivers what the web process queues."""

import time
from pathlib import Path

import pytest
from django.core.files import File

from notifications.models import Notification
from posts.models import Post
from tests.services import processes
from tests.services.processes import SHARES_A_WORKER
from tests.users.factories import UserFactory
from tests.videos.clips import make_clip, needs_ffmpeg
from users.models import EmailCode, User
from users.services.accounts import confirm_signup, sign_up
from videos import tasks
from videos.integrations import storage
from videos.services.uploads import create_video

pytestmark = [pytest.mark.services, SHARES_A_WORKER]


@pytest.fixture
def worker(tmp_path, transactional_db):
    """A `celery worker` process on a queue of its own, using the test database, writing
    emails to files. The test process sends to that queue instead of running tasks itself."""
    mail = tmp_path / "mail"
    backend = "django.core.mail.backends.filebased.EmailBackend"
    with processes.worker(tmp_path / "worker.log", EMAIL_BACKEND=backend, EMAIL_FILE_PATH=str(mail)):
        yield mail


def wait_for_files(folder: Path, count: int, timeout: float = 30.0) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Django's file backend creates the file, then writes each message and a rule of dashes
        # after it: a file counts once its last message is whole.
        files = sorted(path for path in folder.glob("*.log") if path.read_text().endswith("-" * 79 + "\n"))
        if len(files) >= count:
            return files
        time.sleep(0.2)
    raise AssertionError(f"the worker wrote {len(files)} email(s) within {timeout} s, expected {count}")


def test_the_worker_emails_the_sign_up_code(worker):
    # given a worker on the broker
    # when someone signs up (the task is queued once the sign-up commits)
    user = sign_up(username="wanda", email="wanda@example.com", password="correct horse battery", ip="192.0.2.1")

    # then the worker, not this process, sends exactly one email, and its code confirms the account
    [message] = wait_for_files(worker, 1)
    text = message.read_text()
    assert "To: wanda@example.com" in text
    code = text.split("Subject: ", 1)[1].split(" ", 1)[0]
    assert len(code) == 6 and code.isdigit()
    assert EmailCode.objects.filter(user=user).count() == 1
    confirm_signup(email="wanda@example.com", code=code, ip="10.0.0.1")
    assert User.objects.get(pk=user.pk).email_verified is True


@needs_ffmpeg
def test_the_worker_processes_a_video_once_even_when_its_message_comes_twice(worker, tmp_path):
    # given
    ana = UserFactory(username="ana")
    path = make_clip(tmp_path / "phone.mp4", seconds=3, size=(960, 540), rotate=90, vfr=True)
    # when the clip is accepted, and its processing message is sent a second time
    with path.open("rb") as content:
        video = create_video(owner=ana, file=File(content, name=path.name), caption="From the worker")
    tasks.process_video.delay(video.pk)
    # then the worker, not this process, makes it ready: once, with one set of files and one post
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        video.refresh_from_db()
        if video.state in ("ready", "failed"):
            break
        time.sleep(0.2)
    assert (video.state, video.failure_reason) == ("ready", "")
    time.sleep(2)  # the duplicate message is handled meanwhile: it finds the video taken
    video.refresh_from_db()
    assert (video.attempts, Post.objects.filter(kind="video").count()) == (1, 1)
    assert [(r["name"], r["width"], r["height"]) for r in video.renditions] == [("540p", 540, 960), ("360p", 360, 640)]
    names = sorted(name.rsplit("/", 1)[1] for name in storage.list_files(video.folder))
    assert names.count("master.m3u8") == 1 and names.count("540p_000.ts") == 1
    assert Notification.objects.get(recipient=ana).kind == "video_ready"
