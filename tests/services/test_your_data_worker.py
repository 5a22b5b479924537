"""'Download your data' on the real parts: a Celery worker on Redis builds the zip that the API
asked for, sharing the MariaDB database and the media folder with the web process."""

import io
import time
import uuid
import zipfile

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from rest_framework.test import APIClient

from config.celery import app as celery_app
from tests.posts.factories import PostFactory, picture
from tests.services.processes import start_worker, stop
from tests.users.factories import UserFactory
from users.models import DataExport

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL or connection.vendor != "mysql",
        reason="needs a broker and a server database the worker can share (make test-services)",
    ),
]


@pytest.fixture
def worker(tmp_path, transactional_db):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    process = start_worker(queue, log)
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_default_queue
    conf.task_always_eager, conf.task_default_queue = False, queue
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_default_queue = saved
        stop(process)
        print(log.read_text(errors="replace"))  # shown by pytest only when the test fails


def test_the_worker_builds_the_download_the_api_asked_for(worker):
    # given someone with a post of 3 pictures, signed in to the API
    ana = UserFactory(username="ana")
    PostFactory(
        author=ana, kind="image", body="Three", images=[picture(f"{n}.jpg", size=(1600, 1200)) for n in range(3)]
    )
    client = APIClient()
    client.force_authenticate(ana)
    # when the API is asked for a download and polled as the page does
    started = time.monotonic()
    created = client.post("/api/me/data-exports/")
    seen = []
    while time.monotonic() - started < 60:
        state = client.get(f"/api/me/data-exports/{created.data['id']}/").data
        seen.append(state["progress"])
        if state["state"] in ("ready", "failed"):
            break
        time.sleep(0.2)
    seconds = time.monotonic() - started
    # then the worker made it: ready, at 100 %, with the pictures in it
    assert created.status_code == 201
    assert (state["state"], state["progress"]) == ("ready", 100), state
    assert seen == sorted(seen)
    export = DataExport.objects.get(pk=created.data["id"])
    with default_storage.open(export.file, "rb") as stored:
        names = zipfile.ZipFile(io.BytesIO(stored.read())).namelist()
    assert len([name for name in names if name.startswith("posts/media/")]) == 3
    print(f"built in {seconds:.2f} s: {export.bytes} bytes")
