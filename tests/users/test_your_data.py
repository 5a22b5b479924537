"""'Download your data': the zip's contents, its lifecycle, who may download it, and the API."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from core.exceptions import Conflict, RateLimited
from core.personal_data import DATA_SECTIONS, DataSection
from tests.users.factories import UserFactory
from tests.users.people import media_files, person_with_everything
from tests.videos.clips import needs_ffmpeg
from users.models import DataExport, Profile
from users.services.your_data import build_data_export, expire_data_exports, request_data_export

pytestmark = pytest.mark.django_db


def _zip_of(export: DataExport) -> zipfile.ZipFile:
    with default_storage.open(export.file, "rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def _json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


@needs_ffmpeg
def test_the_zip_holds_every_section_with_the_files_read_through_storage(tmp_path, django_capture_on_commit_callbacks):
    # given
    them = person_with_everything(tmp_path)
    ana, video = them.person, them.video
    profile = Profile.objects.get(user=ana)
    pictures = list(them.picture_post.images.order_by("position"))
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export = request_data_export(user=ana)
    # then
    export.refresh_from_db()
    assert len(callbacks) == 1
    assert (export.state, export.progress, export.failure_reason) == ("ready", 100, "")
    assert export.file.startswith("exports/") and len(export.file) == len("exports/") + 64 + len(".zip")
    assert export.expires_at == export.ready_at + timedelta(days=7)
    archive = _zip_of(export)
    assert export.bytes == default_storage.size(export.file)
    media = [
        f"account/media/{profile.avatar.name}",
        f"account/media/{profile.avatar_small.name}",
        *(f"posts/media/{image.image.name}" for image in pictures),
        f"videos/media/{video.mp4}",
        f"videos/media/{video.source}",
    ]
    assert sorted(archive.namelist()) == sorted(
        [
            "account/profile.json",
            "account/relations.json",
            "notifications/notifications.json",
            "notifications/settings.json",
            "notifications/devices.json",
            "posts/posts.json",
            "posts/comments.json",
            "posts/likes.json",
            "posts/saves.json",
            "videos/videos.json",
            "videos/watched.json",
            *media,
        ]
    )
    for name in media:  # the very bytes stored
        with default_storage.open(name.split("/media/", 1)[1], "rb") as stored:
            assert archive.read(name) == stored.read()
    profile = _json(archive, "account/profile.json")
    assert profile["username"] == "ana" and profile["email"] == "ana@example.com"
    assert profile["display_name"] == "Ana"
    assert profile["avatar"] == media[0] and profile["two_factor_enabled"] is False
    assert set(profile) == {
        "username", "email", "date_joined", "last_login", "display_name", "bio", "birth_date", "location",
        "interests", "avatar", "avatar_small", "two_factor_enabled",
    }  # fmt: skip
    relations = _json(archive, "account/relations.json")
    assert [p["username"] for p in relations["following"]] == ["bob", "carol"]
    assert [p["username"] for p in relations["followers"]] == ["bob"]
    assert [p["username"] for p in relations["blocking"]] == ["dave"]
    posts = _json(archive, "posts/posts.json")
    assert [(p["kind"], p["body"], p["repost_of"]) for p in posts] == [
        ("text", "Hello @bob #hello", None),
        ("image", "Two pictures", None),
        ("text", "", them.bobs_post.pk),
        ("text", "A quote", them.carols_post.pk),
        ("video", "My clip", None),
    ]
    assert posts[1]["pictures"] == [
        {"file": media[2], "width": 640, "height": 480, "alt_text": ""},
        {"file": media[3], "width": 640, "height": 480, "alt_text": ""},
    ]
    assert (posts[1]["likes"], posts[1]["comments"]) == (1, 1)
    comments = _json(archive, "posts/comments.json")
    assert [(c["post"], c["reply_to"], c["body"]) for c in comments] == [
        (them.bobs_post.pk, None, "Nice one"),
        (them.carols_post.pk, them.reply.parent_id, "Hi both"),
    ]
    assert [like["post"] for like in _json(archive, "posts/likes.json")] == [them.bobs_post.pk]
    assert [save["post"] for save in _json(archive, "posts/saves.json")] == [them.bobs_post.pk]
    videos = _json(archive, "videos/videos.json")
    assert [(v["caption"], v["state"], v["mp4"], v["source"]) for v in videos] == [
        ("My clip", "ready", media[4], media[5])
    ]
    assert [w["post"] for w in _json(archive, "videos/watched.json")] == [them.bobs_post.pk]
    assert [n["kind"] for n in _json(archive, "notifications/notifications.json")] == ["mention", "video_ready"]
    assert _json(archive, "notifications/settings.json") == {
        "email_digest": True,
        "phone": "+4915112345678",
        "choices": [{"kind": "like", "channel": "email", "enabled": False}],
    }
    devices = _json(archive, "notifications/devices.json")
    assert [set(device) for device in devices] == [{"user_agent", "created_at", "last_used_at"}]  # no keys
    assert b"push.example.com" not in b"".join(archive.read(name) for name in archive.namelist())


def test_progress_moves_as_each_section_is_written(user, django_capture_on_commit_callbacks):
    # given
    seen = []

    def watch(person, folder):
        seen.append(DataExport.objects.get(user=person).progress)

    DATA_SECTIONS.register(DataSection("zz-probe", "tests", watch, lambda *, user: None, order=1000))
    try:
        export = DataExport.objects.create(user=user)
        # when
        build_data_export(export_id=export.pk)
    finally:
        DATA_SECTIONS.unregister("zz-probe")
    # then
    sections = len(DATA_SECTIONS) + 1
    assert seen == [round(100 * (sections - 1) / sections)]
    export.refresh_from_db()
    assert (export.state, export.progress) == ("ready", 100)


def test_a_section_that_fails_fails_the_export_and_keeps_no_file(user, settings):
    # given
    def broken(person, folder):
        raise OSError("disk full")

    DATA_SECTIONS.register(DataSection("zz-broken", "tests", broken, lambda *, user: None, order=1000))
    try:
        export = DataExport.objects.create(user=user)
        # when
        build_data_export(export_id=export.pk)
    finally:
        DATA_SECTIONS.unregister("zz-broken")
    # then
    export.refresh_from_db()
    assert (export.state, export.file, export.failure_reason) == ("failed", "", "Something went wrong: disk full")
    assert media_files(settings.MEDIA_ROOT) == set()


def test_one_export_at_a_time_and_three_a_day(user):
    # given
    first = request_data_export(user=user)  # not built: on-commit does not run here
    # when / then
    with pytest.raises(Conflict) as busy:
        request_data_export(user=user)
    assert busy.value.code == "export_in_progress"
    DataExport.objects.filter(pk=first.pk).update(state="ready")
    request_data_export(user=user)
    DataExport.objects.filter(user=user).update(state="ready")
    request_data_export(user=user)
    DataExport.objects.filter(user=user).update(state="ready")
    with pytest.raises(RateLimited):
        request_data_export(user=user)
    assert DataExport.objects.filter(user=user).count() == 3


def test_a_new_download_expires_the_earlier_one(user, settings, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        first = request_data_export(user=user)
    first.refresh_from_db()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        second = request_data_export(user=user)
    # then
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, first.file, second.state) == ("expired", "", "ready")
    assert media_files(settings.MEDIA_ROOT) == {second.file}


def test_expired_downloads_lose_their_file(user, settings, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        export = request_data_export(user=user)
    export.refresh_from_db()
    stored = export.file
    fresh = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        kept = request_data_export(user=fresh)
    kept.refresh_from_db()
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        expired = expire_data_exports()
    # then
    export.refresh_from_db()
    assert expired == 1
    assert (export.state, export.file) == ("expired", "")
    assert not default_storage.exists(stored)
    assert media_files(settings.MEDIA_ROOT) == {kept.file}


def test_a_build_whose_worker_died_fails_and_then_expires(user):
    # given
    export = DataExport.objects.create(user=user, state="building")
    DataExport.objects.filter(pk=export.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    # when
    first = expire_data_exports()
    # then
    export.refresh_from_db()
    assert (first, export.state) == (0, "failed")
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert expire_data_exports() == 1


# --- Download page ------------------------------------------------------------------------------


def _ready_export(user, capture) -> DataExport:
    with capture(execute=True):
        export = request_data_export(user=user)
    export.refresh_from_db()
    return export


def test_the_owner_downloads_the_zip_as_an_attachment(client, ana, django_capture_on_commit_callbacks):
    # given
    export = _ready_export(ana, django_capture_on_commit_callbacks)
    client.force_login(ana)
    # when
    response = client.get(reverse("users:download_export", args=[export.pk]))
    # then
    assert response.status_code == 200
    assert response["Content-Disposition"] == (f'attachment; filename="short-media-ana-{export.ready_at:%Y-%m-%d}.zip"')
    body = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(body)).namelist()[0] == "account/profile.json"


def test_nobody_else_can_download_it(client, ana, bob, django_capture_on_commit_callbacks):
    # given
    export = _ready_export(ana, django_capture_on_commit_callbacks)
    url = reverse("users:download_export", args=[export.pk])
    # when
    anonymous = client.get(url)
    client.force_login(bob)
    other = client.get(url)
    missing = client.get(reverse("users:download_export", args=[export.pk + 1000]))
    # then
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("users:login"))
    assert (other.status_code, missing.status_code) == (404, 404)


def test_an_expired_download_answers_404(client, ana, django_capture_on_commit_callbacks):
    # given
    export = _ready_export(ana, django_capture_on_commit_callbacks)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(ana)
    # when
    response = client.get(reverse("users:download_export", args=[export.pk]))
    # then
    assert response.status_code == 404


def test_the_page_offers_a_download_and_then_the_zip(client, ana, django_capture_on_commit_callbacks):
    # given
    client.force_login(ana)
    empty = client.get(reverse("users:your_data"))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        requested = client.post(reverse("users:request_export"))
    page = client.get(reverse("users:your_data"))
    # then
    export = DataExport.objects.get(user=ana)
    assert b"You have no download yet." in empty.content
    assert b'href="/settings/your-data/"' in empty.content  # the settings menu links the page
    assert requested.status_code == 302
    assert reverse("users:download_export", args=[export.pk]).encode() in page.content
    assert b"Your download is ready" in page.content


# --- API ----------------------------------------------------------------------------------------


def test_api_asks_for_a_download_and_follows_it(auth_client, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        created = auth_client.post("/api/me/data-exports/")
    # when
    status = auth_client.get(f"/api/me/data-exports/{created.data['id']}/")
    # then
    assert created.status_code == 201
    assert (created.data["state"], created.data["progress"], created.data["download_url"]) == ("requested", 0, None)
    assert status.status_code == 200
    assert (status.data["state"], status.data["progress"]) == ("ready", 100)
    assert status.data["download_url"] == f"http://testserver/api/me/data-exports/{created.data['id']}/download/"


def test_api_clients_download_the_zip_with_their_token(auth_client, bob, django_capture_on_commit_callbacks):
    # given a ready download of the client's person, and one of Bob's
    mine = _ready_export(auth_client.user, django_capture_on_commit_callbacks)
    theirs = _ready_export(bob, django_capture_on_commit_callbacks)
    # when
    response = auth_client.get(f"/api/me/data-exports/{mine.pk}/download/")
    other = auth_client.get(f"/api/me/data-exports/{theirs.pk}/download/")
    # then
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{mine.download_name}"'
    with default_storage.open(mine.file, "rb") as stored:
        assert b"".join(response.streaming_content) == stored.read()
    assert (other.status_code, other.json()["code"]) == (404, "not_found")


def test_api_refuses_a_second_download_while_one_is_made(auth_client):
    # given
    auth_client.post("/api/me/data-exports/")
    # when
    response = auth_client.post("/api/me/data-exports/")
    # then
    assert response.status_code == 409
    assert response.json() == {
        "code": "export_in_progress",
        "message": "Your download is still being made. Wait until it is ready.",
        "fields": {},
    }
    assert DataExport.objects.count() == 1


def test_api_hides_other_peoples_downloads(auth_client, bob):
    # given
    theirs = DataExport.objects.create(user=bob)
    # when
    response = auth_client.get(f"/api/me/data-exports/{theirs.pk}/")
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_api_needs_a_login(api_client):
    # when
    response = api_client.post("/api/me/data-exports/")
    # then
    assert response.status_code == 401
    assert DataExport.objects.count() == 0
