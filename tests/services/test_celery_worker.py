"""A real Celery worker on the real broker (Redis) delivers what the web process queues."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from users.models import EmailCode, User
from users.services.accounts import confirm_signup, sign_up

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL or connection.vendor != "mysql",
        reason="needs a broker and a server database the worker can share (make test-services)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker(tmp_path, transactional_db):
    """A `celery worker` process on a queue of its own, using the test database, writing
    emails to files. The test process sends to that queue instead of running tasks itself."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", queue, "-l", "WARNING"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_default_queue
    conf.task_always_eager, conf.task_default_queue = False, queue
    try:
        yield tmp_path / "mail"
    finally:
        conf.task_always_eager, conf.task_default_queue = saved
        process.terminate()
        output = process.communicate(timeout=20)[0].decode(errors="replace")
        print(output)  # shown by pytest only when the test fails


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
    user = sign_up(username="wanda", email="wanda@example.com", password="correct horse battery")

    # then the worker, not this process, sends exactly one email, and its code confirms the account
    [message] = wait_for_files(worker, 1)
    text = message.read_text()
    assert "To: wanda@example.com" in text
    code = text.split("Subject: ", 1)[1].split(" ", 1)[0]
    assert len(code) == 6 and code.isdigit()
    assert EmailCode.objects.filter(user=user).count() == 1
    confirm_signup(email="wanda@example.com", code=code)
    assert User.objects.get(pk=user.pk).email_verified is True
