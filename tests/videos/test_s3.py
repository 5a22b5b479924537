"""Videos on S3-compatible storage (django-storages), against moto's S3 server over real HTTP:
the upload is read back for ffmpeg, every rendition is written to the bucket and served from
it only through signed URLs the app redirects to presigned ones (the bucket itself stays
private), and deleting the video empties its folder."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from core.media import signed_url
from tests.videos.clips import needs_ffmpeg
from tests.videos.helpers import upload_video
from videos.integrations import storage
from videos.models import Video
from videos.services.publishing import delete_video
from videos.services.uploads import create_video, receive_chunk, start_upload

pytestmark = [needs_ffmpeg, pytest.mark.django_db(transaction=True)]

BUCKET = "short-media-test"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3(settings):
    """moto's S3 server in a process of its own, a bucket, and the default storage pointed at it."""
    boto3 = pytest.importorskip("boto3")
    port = free_port()
    server = subprocess.Popen(
        [Path(sys.executable).parent / "moto_server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        keys = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
        client = boto3.client("s3", endpoint_url=endpoint, **keys)
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": BUCKET,
                    "endpoint_url": endpoint,
                    "access_key": "test",
                    "secret_key": "test",
                    "region_name": "us-east-1",
                    "querystring_auth": True,
                    "file_overwrite": True,
                },
            },
        }
        yield client, endpoint
    finally:
        server.terminate()
        server.wait(10)


def fetched(address: str):
    return Client().get(address)


def keys(client, prefix: str = "") -> list[str]:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_a_video_is_stored_and_served_from_the_bucket_and_deleted_with_it(s3, ana, clip, settings):
    client, endpoint = s3
    # when
    video = upload_video(ana, clip("a.mp4", size=(540, 960)))
    # then every file is in the bucket, under the video's folder
    assert video.state == Video.State.READY, video.failure_reason
    stored = keys(client)
    assert f"{video.folder}/master.m3u8" in stored and f"{video.folder}/video.mp4" in stored
    assert f"{video.folder}/540p_000.ts" in stored and f"{video.folder}/360p_000.ts" in stored
    assert all(key.startswith(f"{video.folder}/") for key in stored)
    # and a player follows the signed playlists through the app: playlists pass through (their
    # relative URIs stay under the signed address), the rest redirects to a presigned object
    playlist_url = storage.url(video.playlist)
    master = fetched(playlist_url)
    assert master.status_code == 200 and master["Content-Type"] == "application/vnd.apple.mpegurl"
    rendition = master.getvalue().decode().splitlines()[-1]
    listing = fetched(playlist_url.replace("master.m3u8", rendition)).getvalue().decode()
    segment = next(line for line in listing.splitlines() if line.endswith(".ts"))
    redirect = fetched(playlist_url.replace("master.m3u8", segment))
    assert redirect.status_code == 302
    assert redirect["Location"].startswith(f"{endpoint}/{BUCKET}/{video.folder}/{segment}?")
    expires = int(parse_qs(urlsplit(redirect["Location"]).query)["Expires"][0])
    assert 50 < expires - time.time() <= 60  # a presigned address lives a minute
    assert urllib.request.urlopen(redirect["Location"]).read()[:1] == b"G"  # MPEG-TS sync
    # and the bucket's plain address, an expired signed one and the upload as received are refused
    with pytest.raises(urllib.error.HTTPError) as plain:
        urllib.request.urlopen(f"{endpoint}/{BUCKET}/{video.folder}/{segment}")
    assert plain.value.code == 403
    assert fetched(signed_url(video.mp4, now=time.time() - 2 * settings.MEDIA_URL_LIFETIME)).status_code == 410
    assert fetched(signed_url(video.source)).status_code == 404
    # when
    delete_video(video=video, by=ana)
    # then
    assert keys(client) == []


def test_a_resumable_upload_keeps_its_chunks_in_the_bucket(s3, ana, clip):
    client, _ = s3
    data = clip("a.mp4").read_bytes()
    upload = start_upload(owner=ana, filename="a.mp4", size=len(data))
    middle = len(data) // 2
    receive_chunk(upload=upload, start=0, data=data[:middle])
    assert keys(client, "uploads/") == [f"{upload.folder}/{0:012d}.part"]
    receive_chunk(upload=upload, start=middle, data=data[middle:])
    video = create_video(owner=ana, upload=upload)
    video.refresh_from_db()
    assert video.state == Video.State.READY
    assert keys(client, "uploads/") == []
