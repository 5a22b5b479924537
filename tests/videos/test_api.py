"""The videos JSON API: resumable uploads, publishing, status, the swipe feed and watch events,
with real clips and the real pipeline (eager Celery)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from core.media import signed_url
from posts.models import Post
from tests.posts.helpers import client_for, stored_files, viewer_of_kind
from tests.users.factories import FollowFactory
from tests.videos.clips import needs_ffmpeg
from tests.videos.factories import VideoFactory
from tests.videos.helpers import upload_video
from videos.models import Upload, Video, WatchEvent

pytestmark = [needs_ffmpeg, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def as_ana(ana):
    return client_for(ana)


@pytest.fixture
def as_bob(bob):
    return client_for(bob)


def send(client, upload_id: str, data: bytes, start: int, size: int, *, end: int | None = None):
    last = start + len(data) - 1 if end is None else end
    return client.put(
        f"/api/videos/uploads/{upload_id}/",
        data,
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE=f"bytes {start}-{last}/{size}",
    )


def test_a_clip_sent_in_chunks_resumes_after_a_dropped_chunk_and_becomes_a_video(as_ana, clip, settings):
    # given
    settings.VIDEO_CHUNK_BYTES = 64 * 1024
    data = clip("a.mp4", seconds=2).read_bytes()
    size = len(data)
    started = as_ana.post("/api/videos/uploads/", {"filename": "a.mp4", "size": size}, format="json")
    assert started.status_code == 201
    upload_id = started.json()["id"]
    assert started.json() == {
        "id": upload_id,
        "filename": "a.mp4",
        "size": size,
        "received": 0,
        "chunk_size": 64 * 1024,
        "complete": False,
    }
    # when the first chunk arrives, but the answer is lost and the client sends it again
    first = data[: 64 * 1024]
    assert send(as_ana, upload_id, first, 0, size).json()["received"] == len(first)
    again = send(as_ana, upload_id, first, 0, size)
    # then it is told where the upload stands, and resumes from there
    assert again.status_code == 409
    assert again.json() == {
        "code": "offset_mismatch",
        "message": f"The upload has {len(first)} bytes; send the next chunk from there.",
        "fields": {},
    }
    offset = as_ana.get(f"/api/videos/uploads/{upload_id}/").json()["received"]
    while offset < size:
        chunk = data[offset : offset + 64 * 1024]
        assert send(as_ana, upload_id, chunk, offset, size).status_code == 200
        offset += len(chunk)
    assert as_ana.get(f"/api/videos/uploads/{upload_id}/").json()["complete"] is True
    # when
    created = as_ana.post(
        "/api/videos/", {"upload": upload_id, "caption": "Chunked #clip", "visibility": "public"}, format="json"
    )
    # then
    assert created.status_code == 201
    video = Video.objects.get()
    body = created.json()
    assert {key: body[key] for key in ("id", "state", "progress", "failure_reason", "caption", "post_id")} == {
        "id": video.pk,
        "state": "ready",
        "progress": 100,
        "failure_reason": "",
        "caption": "Chunked #clip",
        "post_id": video.post_id,
    }
    assert body["playlist_url"] == f"http://testserver{signed_url(video.playlist)}"
    assert body["post_url"] == f"http://testserver/p/{video.post_id}/"
    assert Upload.objects.count() == 0
    assert not [name for name in stored_files() if name.startswith("uploads/")]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Say which bytes this is: bytes <first>-<last>/<size>."),
        ({"HTTP_CONTENT_RANGE": "bytes 0-9/999"}, "The range does not match the chunk's length or the upload's size."),
        ({"HTTP_CONTENT_RANGE": "bytes 0-3/100"}, "The range does not match the chunk's length or the upload's size."),
        ({"HTTP_CONTENT_RANGE": "items=0-9"}, "Say which bytes this is: bytes <first>-<last>/<size>."),
    ],
)
def test_a_chunk_with_a_wrong_range_is_400_and_stores_nothing(as_ana, headers, message):
    upload_id = as_ana.post("/api/videos/uploads/", {"filename": "a.mp4", "size": 100}, format="json").json()["id"]
    response = as_ana.put(
        f"/api/videos/uploads/{upload_id}/", b"x" * 10, content_type="application/octet-stream", **headers
    )
    assert response.status_code == 400
    assert response.json()["message"] == message
    assert Upload.objects.get().received == 0 and stored_files() == []


def test_someone_elses_upload_is_not_found(as_ana, as_bob):
    upload_id = as_ana.post("/api/videos/uploads/", {"filename": "a.mp4", "size": 100}, format="json").json()["id"]
    for response in (
        as_bob.get(f"/api/videos/uploads/{upload_id}/"),
        send(as_bob, upload_id, b"x" * 10, 0, 100),
        as_bob.delete(f"/api/videos/uploads/{upload_id}/"),
        as_bob.post("/api/videos/", {"upload": upload_id}, format="json"),
        as_bob.get("/api/videos/uploads/not-a-uuid/"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert Upload.objects.get().received == 0


def test_cancelling_an_upload_deletes_its_chunks(as_ana):
    upload_id = as_ana.post("/api/videos/uploads/", {"filename": "a.mp4", "size": 100}, format="json").json()["id"]
    send(as_ana, upload_id, b"x" * 10, 0, 100)
    assert as_ana.delete(f"/api/videos/uploads/{upload_id}/").status_code == 204
    assert (Upload.objects.count(), stored_files()) == (0, [])


def test_a_refused_chunked_file_is_a_400_and_its_upload_is_gone_at_once(as_ana):
    # given a finished upload of a text file
    data = b"plain text, not a video\n" * 10
    started = as_ana.post("/api/videos/uploads/", {"filename": "a.mp4", "size": len(data)}, format="json")
    upload_id = started.json()["id"]
    assert send(as_ana, upload_id, data, 0, len(data)).status_code == 200
    # when
    response = as_ana.post("/api/videos/", {"upload": upload_id}, format="json")
    # then
    assert (response.status_code, response.json()["code"]) == (400, "not_video")
    assert as_ana.get(f"/api/videos/uploads/{upload_id}/").status_code == 404
    assert (Upload.objects.count(), stored_files()) == (0, [])


def test_a_whole_clip_in_one_request_is_published(as_ana, clip):
    with clip("a.mp4").open("rb") as content:
        response = as_ana.post("/api/videos/", {"file": content, "caption": "One go"}, format="multipart")
    assert response.status_code == 201
    assert response.json()["state"] == "ready"
    assert Post.objects.get().body == "One go"


def test_a_six_second_clip_is_a_400_in_the_one_error_format_and_leaves_nothing(as_ana, clip):
    with clip("six.mp4", seconds=6).open("rb") as content:
        response = as_ana.post("/api/videos/", {"file": content}, format="multipart")
    message = (
        "This clip is 6.0 seconds long; a video is at most 5 seconds. "
        "Cut it: choose where the 5 seconds you keep start."
    )
    assert response.status_code == 400
    assert response.json() == {"code": "too_long", "message": message, "fields": {"file": [message]}}
    assert (Video.objects.count(), stored_files()) == (0, [])


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({}, "required"),
        ({"file": SimpleUploadedFile("a.mp4", b"plain text, not a video", "video/mp4")}, "not_video"),
        ({"file": SimpleUploadedFile("a.mp4", b"", "video/mp4")}, "invalid"),
        ({"trim_start": "-1"}, "invalid"),
        ({"visibility": "everyone", "file": SimpleUploadedFile("a.mp4", b"x", "video/mp4")}, "invalid"),
        ({"upload": "not-a-uuid"}, "invalid"),
    ],
)
def test_bad_publish_requests_are_400(as_ana, data, code):
    response = as_ana.post("/api/videos/", data, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert (Video.objects.count(), stored_files()) == (0, [])


def test_an_unfinished_upload_cannot_be_published(as_ana):
    upload_id = as_ana.post("/api/videos/uploads/", {"filename": "a.mp4", "size": 100}, format="json").json()["id"]
    response = as_ana.post("/api/videos/", {"upload": upload_id}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"upload": ["The upload has 0 of 100 bytes; send the rest first."]}


def test_a_video_post_is_not_made_through_the_posts_api(as_ana):
    response = as_ana.post("/api/posts/", {"kind": "video", "body": "hi"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "upload"


@pytest.mark.parametrize("kind", ["anonymous", "stranger", "follower", "author", "blocked", "blocker"])
def test_a_published_video_is_seen_as_its_post_allows(ana, clip, kind):
    # given
    followers_only = upload_video(ana, clip("a.mp4"), visibility="followers")
    viewer = viewer_of_kind(kind, ana)
    client = client_for(viewer) if not isinstance(viewer, AnonymousUser) else client_for(None)
    # when
    response = client.get(f"/api/videos/{followers_only.pk}/")
    # then
    assert response.status_code == (200 if kind in ("follower", "author") else 404)


def test_a_video_in_progress_is_seen_by_its_owner_only(ana, bob, clip):
    video = VideoFactory(owner=ana, clip=clip("a.mp4"))
    mine = client_for(ana).get(f"/api/videos/{video.pk}/")
    assert (mine.status_code, mine.json()["state"], mine.json()["post_id"]) == (200, "uploaded", None)
    assert client_for(bob).get(f"/api/videos/{video.pk}/").status_code == 404
    assert client_for(None).get(f"/api/videos/{video.pk}/").status_code == 404


def test_the_studio_lists_ones_own_videos_in_every_state(ana, bob, clip):
    ready = upload_video(ana, clip("a.mp4"))
    waiting = VideoFactory(owner=ana, clip=clip("b.mp4"))
    upload_video(bob, clip("c.mp4"))
    response = client_for(ana).get("/api/me/videos/")
    assert [(item["id"], item["state"]) for item in response.json()["results"]] == [
        (waiting.pk, "uploaded"),
        (ready.pk, "ready"),
    ]


def test_deleting_a_video_is_for_its_owner(ana, bob, clip):
    video = upload_video(ana, clip("a.mp4"))
    assert client_for(None).delete(f"/api/videos/{video.pk}/").status_code == 401
    refused = client_for(bob).delete(f"/api/videos/{video.pk}/")
    assert (refused.status_code, refused.json()["code"]) == (403, "not_owner")
    assert client_for(ana).delete(f"/api/videos/{video.pk}/").status_code == 204
    assert (Video.objects.count(), Post.objects.count(), stored_files()) == (0, 0, [])


def test_the_for_you_feed_shows_trending_videos_and_says_so(ana, bob, carol, clip, django_assert_max_num_queries):
    # given two public videos, one more liked, a followers-only one and a text post
    quiet = upload_video(ana, clip("a.mp4"), caption="quiet")
    loved = upload_video(bob, clip("b.mp4"), caption="loved")
    upload_video(carol, clip("c.mp4"), visibility="followers")
    from posts.services import create_post, like_post

    create_post(author=ana, kind="text", body="not a video")
    like_post(post=loved.post, user=ana)
    # when
    with django_assert_max_num_queries(2):  # the page and its pictures; the video comes with each post
        response = APIClient().get("/api/videos/feed/for-you/")
    # then
    body = response.json()
    assert [item["id"] for item in body["results"]] == [loved.post_id, quiet.post_id]
    assert body["ranking"] == {
        "name": "for-you",
        "label": "Trending videos: most liked, watched and shared lately. Personal picks arrive with the recommender.",
    }
    media = body["results"][0]["media"]["video"]
    assert media == {
        "id": loved.pk,
        "playlist_url": f"http://testserver{signed_url(f'{loved.folder}/master.m3u8')}",
        "mp4_url": f"http://testserver{signed_url(f'{loved.folder}/video.mp4')}",
        "poster_url": f"http://testserver{signed_url(f'{loved.folder}/poster.jpg')}",
        "width": 360,
        "height": 640,
        "duration": loved.duration,
    }


def test_the_following_feed_has_the_videos_of_people_followed(ana, bob, carol, clip):
    FollowFactory(follower=ana, followee=bob)
    followed = upload_video(bob, clip("a.mp4"), visibility="followers")
    upload_video(carol, clip("b.mp4"))
    assert client_for(None).get("/api/videos/feed/following/").status_code == 401
    response = client_for(ana).get("/api/videos/feed/following/")
    assert [item["id"] for item in response.json()["results"]] == [followed.post_id]
    assert client_for(ana).get("/api/videos/feed/nope/").status_code == 404


def test_a_watch_is_recorded_for_signed_in_and_signed_out_viewers(ana, bob, clip):
    video = upload_video(ana, clip("a.mp4"))
    watch = {"watched_ms": 4200, "duration_ms": 2000, "completed": True, "skipped": False, "replays": 1}
    assert client_for(bob).post(f"/api/videos/{video.pk}/watch/", watch, format="json").status_code == 204
    assert client_for(None).post(f"/api/videos/{video.pk}/watch/", watch, format="json").status_code == 204
    assert list(WatchEvent.objects.order_by("pk").values_list("user", "viewer_key", "watched_ms", "replays")) == [
        (bob.pk, f"user:{bob.pk}", 4200, 1),
        (None, "ip:127.0.0.1", 4200, 1),
    ]


def test_bad_watch_events_are_400_or_404(ana, bob, clip):
    video = upload_video(ana, clip("a.mp4"), visibility="private")
    waiting = VideoFactory(owner=bob, clip=clip("b.mp4"))
    good = {"watched_ms": 1, "duration_ms": 2000}
    assert client_for(bob).post(f"/api/videos/{video.pk}/watch/", good, format="json").status_code == 404
    bad = client_for(ana).post(f"/api/videos/{video.pk}/watch/", {"watched_ms": -5}, format="json")
    assert (bad.status_code, set(bad.json()["fields"])) == (400, {"watched_ms", "duration_ms"})
    unpublished = client_for(bob).post(f"/api/videos/{waiting.pk}/watch/", good, format="json")
    assert (unpublished.status_code, unpublished.json()["code"]) == (400, "not_published")
    assert WatchEvent.objects.count() == 0


def test_publishing_videos_is_rate_limited(as_ana, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "video": "2/3600"}
    codes = [as_ana.post("/api/videos/", {}, format="multipart").status_code for _ in range(3)]
    assert codes == [400, 400, 429]


def test_without_ffprobe_uploads_are_refused_with_a_503(as_ana, clip, settings):
    settings.FFPROBE_BINARY = "/nonexistent/ffprobe"
    with clip("a.mp4").open("rb") as content:
        response = as_ana.post("/api/videos/", {"file": content}, format="multipart")
    assert response.status_code == 503
    assert response.json() == {
        "code": "no_ffmpeg",
        "message": "Videos cannot be uploaded right now: this server has no ffprobe (install ffmpeg).",
        "fields": {},
    }
    assert (Video.objects.count(), stored_files()) == (0, [])
