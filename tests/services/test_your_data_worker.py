"""'Download your data' on the real parts: a Celery worker on Redis builds the zip that the API
asked for, sharing the MariaDB database and the media folder with the web process."""

import io
import time
import zipfile

import pytest
from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from tests.posts.factories import PostFactory, picture
from tests.services import processes
from tests.services.processes import SHARES_A_WORKER
from tests.users.factories import UserFactory
from users.models import DataExport

pytestmark = [pytest.mark.services, SHARES_A_WORKER]


@pytest.fixture
def worker(tmp_path, transactional_db):
    with processes.worker(tmp_path / "worker.log"):
        yield


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
