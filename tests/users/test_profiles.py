"""Own profile (read, edit), public profiles, avatars, and constant-query lists."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import ExifTags, Image
from rest_framework.test import APIClient

from tests.users.factories import FollowFactory, UserFactory
from users.models import Interest, Profile
from users.services.profiles import update_profile

RED, BLUE = (255, 0, 0), (0, 0, 255)


def _years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


def _files_under(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


# --- own profile ---------------------------------------------------------------------------------


def test_me_shows_the_own_profile(auth_client):
    # given
    user = auth_client.user
    # when
    response = auth_client.get("/api/me/")
    # then private fields are included
    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "username": user.username,
        "display_name": user.profile.display_name,
        "bio": user.profile.bio,
        "location": "",
        "avatar_url": None,
        "avatar_small_url": None,
        "followers_count": 0,
        "following_count": 0,
        "is_followed": False,
        "date_joined": response.json()["date_joined"],
        "interests": [],
        "relationship": {"following": False, "followed_by": False, "blocking": False},
        "email": user.email,
        "birth_date": None,
        "two_factor_enabled": False,
    }


def test_public_profile_hides_private_fields(api_client, user):
    # when
    body = api_client.get(f"/api/users/{user.username.upper()}/").json()
    # then
    assert body["username"] == user.username
    assert "email" not in body
    assert "birth_date" not in body


@pytest.mark.parametrize("change", [{"email_verified": False}, {"is_active": False}])
def test_unconfirmed_or_deactivated_profiles_are_404(api_client, db, change):
    # given
    user = UserFactory(**change)
    # when / then
    assert api_client.get(f"/api/users/{user.username}/").status_code == 404


def test_patch_changes_only_the_fields_sent(auth_client):
    # given
    auth_client.patch("/api/me/", {"display_name": "Ana", "bio": "Hi", "location": "Oslo"}, format="json")
    # when only the bio changes
    response = auth_client.patch("/api/me/", {"bio": "  New bio  "}, format="json")
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["display_name"], body["bio"], body["location"]) == ("Ana", "New bio", "Oslo")
    profile = Profile.objects.get(user=auth_client.user)
    assert (profile.display_name, profile.bio, profile.location) == ("Ana", "New bio", "Oslo")


def test_birth_date_exactly_min_age_is_accepted(auth_client):
    # when
    response = auth_client.patch("/api/me/", {"birth_date": _years_ago(13).isoformat()}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["birth_date"] == _years_ago(13).isoformat()


@pytest.mark.parametrize(
    ("birth_date", "message"),
    [
        (lambda: timezone.localdate() + timedelta(days=1), "The birth date is in the future."),
        (lambda: _years_ago(13, days=-1), "You must be at least 13 to use Short Media."),
        (lambda: _years_ago(5), "You must be at least 13 to use Short Media."),
        (lambda: _years_ago(121), "Check the year of the birth date."),
    ],
    ids=["future", "a-day-short-of-13", "five", "too-old"],
)
def test_bad_birth_date_is_400_and_changes_nothing(auth_client, birth_date, message):
    # when
    response = auth_client.patch(
        "/api/me/", {"birth_date": birth_date().isoformat(), "display_name": "Changed"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": message, "fields": {"birth_date": [message]}}
    profile = Profile.objects.get(user=auth_client.user)
    assert profile.birth_date is None
    assert profile.display_name != "Changed"


def test_min_age_comes_from_settings(auth_client, settings):
    # given a site for adults
    settings.MIN_AGE = 18
    # when
    response = auth_client.patch("/api/me/", {"birth_date": _years_ago(17).isoformat()}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["fields"] == {"birth_date": ["You must be at least 18 to use Short Media."]}


def test_interests_are_normalised(auth_client):
    # when
    names = [" #Music ", "music", "Cooking", "#cooking", "Hiking"]
    response = auth_client.patch("/api/me/", {"interests": names}, format="json")
    # then lower-case, without '#', without duplicates
    assert response.status_code == 200
    assert response.json()["interests"] == ["cooking", "hiking", "music"]
    assert sorted(Interest.objects.values_list("name", flat=True)) == ["cooking", "hiking", "music"]
    # and replacing them keeps the shared Interest rows
    auth_client.patch("/api/me/", {"interests": ["music"]}, format="json")
    assert list(Profile.objects.get(user=auth_client.user).interests.values_list("name", flat=True)) == ["music"]


def test_blank_interests_are_dropped_alike_by_the_api_and_the_service(auth_client):
    # when the API gets a blank entry
    response = auth_client.patch("/api/me/", {"interests": ["music", "  "]}, format="json")
    # then the blank is dropped, as the service does for free text from the form
    assert response.status_code == 200
    assert response.json()["interests"] == ["music"]
    profile = update_profile(
        user=auth_client.user, display_name="", bio="", location="", birth_date=None, interests=["music", "  ", ""]
    )
    assert list(profile.interests.values_list("name", flat=True)) == ["music"]


def test_ten_interests_are_allowed_eleven_are_not(auth_client):
    # when
    ten = auth_client.patch("/api/me/", {"interests": [f"topic{n}" for n in range(10)]}, format="json")
    eleven = auth_client.patch("/api/me/", {"interests": [f"other{n}" for n in range(11)]}, format="json")
    # then
    assert ten.status_code == 200
    assert len(ten.json()["interests"]) == 10
    assert eleven.status_code == 400
    assert eleven.json() == {
        "code": "invalid",
        "message": "Pick at most 10 interests.",
        "fields": {"interests": ["Pick at most 10 interests."]},
    }
    assert sorted(auth_client.get("/api/me/").json()["interests"]) == [f"topic{n}" for n in range(10)]
    assert not Interest.objects.filter(name__startswith="other").exists()


def test_one_letter_interest_is_400(auth_client):
    # when
    response = auth_client.patch("/api/me/", {"interests": ["x"]}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["interests"]


# --- avatars ---------------------------------------------------------------------------------------


def _jpeg_on_its_side() -> bytes:
    """A 600×400 JPEG stored sideways (EXIF orientation 6: shown rotated 90° clockwise), with
    camera and GPS metadata. Its top half is red and its bottom half blue, so shown upright the
    left half is blue and the right half red."""
    image = Image.new("RGB", (600, 400), RED)
    image.paste(BLUE, (0, 200, 600, 400))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Camera Maker"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (52.0, 22.0, 1.5)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def _png(size=(300, 300), mode="RGB", color="green") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, "PNG")
    return buffer.getvalue()


def _upload(client, content: bytes, name="avatar.jpg", content_type="image/jpeg"):
    return client.put(
        "/api/me/avatar/", {"avatar": SimpleUploadedFile(name, content, content_type)}, format="multipart"
    )


def _close(pixel, expected, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True))


def test_avatar_is_upright_square_webp_without_metadata(auth_client, settings, django_capture_on_commit_callbacks):
    # given a sideways JPEG with EXIF and GPS
    assert Image.open(io.BytesIO(_jpeg_on_its_side())).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    # when it is uploaded
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(auth_client, _jpeg_on_its_side())
    # then two square WebP renditions are stored, upright, with no metadata left
    assert response.status_code == 200
    profile = Profile.objects.get(user=auth_client.user)
    assert response.json()["avatar_url"] == f"http://testserver/media/{profile.avatar.name}"
    assert response.json()["avatar_small_url"] == f"http://testserver/media/{profile.avatar_small.name}"
    for field, side in ((profile.avatar, 400), (profile.avatar_small, 96)):
        assert field.name.startswith(f"avatars/{auth_client.user.pk}/")
        with default_storage.open(field.name) as stored:
            image = Image.open(stored)
            image.load()
        assert image.format == "WEBP"
        assert image.size == (side, side)
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
        rgb = image.convert("RGB")
        quarter = side // 4
        assert _close(rgb.getpixel((quarter, quarter)), BLUE)
        assert _close(rgb.getpixel((quarter, side - quarter)), BLUE)
        assert _close(rgb.getpixel((side - quarter, quarter)), RED)
        assert _close(rgb.getpixel((side - quarter, side - quarter)), RED)
    assert len(_files_under(settings.MEDIA_ROOT)) == 2


def test_small_picture_is_not_upscaled(auth_client):
    # when a 50×80 PNG with transparency is uploaded
    response = _upload(auth_client, _png((50, 80), "RGBA", (0, 0, 0, 0)), "a.png", "image/png")
    # then the square is 50 px (not blown up to 400), on white
    assert response.status_code == 200
    profile = Profile.objects.get(user=auth_client.user)
    with default_storage.open(profile.avatar.name) as stored:
        image = Image.open(stored).convert("RGB")
    assert image.size == (50, 50)
    assert _close(image.getpixel((25, 25)), (255, 255, 255))


def _assert_refused(response, code, settings):
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert list(body["fields"]) == ["avatar"]
    assert body["message"] == body["fields"]["avatar"][0]
    assert _files_under(settings.MEDIA_ROOT) == []


def test_text_file_named_png_is_not_an_image(auth_client, settings):
    # when
    response = _upload(auth_client, b"just some text, not a picture\n" * 10, "avatar.png", "image/png")
    # then
    _assert_refused(response, "not_an_image", settings)
    assert response.json()["message"] == "The file is not a picture we can read."
    assert Profile.objects.get(user=auth_client.user).avatar.name == ""


def test_truncated_image_is_not_an_image(auth_client, settings):
    # when half a JPEG is uploaded
    content = _jpeg_on_its_side()
    response = _upload(auth_client, content[: len(content) // 2])
    # then
    _assert_refused(response, "not_an_image", settings)


def test_oversized_file_is_too_large(auth_client, settings):
    # given a 1 KB limit
    settings.AVATAR_MAX_BYTES = 1024
    # when a bigger picture is uploaded
    response = _upload(auth_client, _jpeg_on_its_side())
    # then it is refused, and the message gives the limit in a readable unit
    _assert_refused(response, "too_large", settings)
    assert response.json()["message"] == "The file is too large; the limit is 1.0\xa0KB."


def test_empty_file_is_400(auth_client, settings):
    # when
    response = _upload(auth_client, b"")
    # then DRF's own check refuses it before the service
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["avatar"]
    assert _files_under(settings.MEDIA_ROOT) == []


def test_other_formats_are_refused(auth_client, settings):
    # given a real picture in a format we do not take (BMP)
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "BMP")
    # when
    response = _upload(auth_client, buffer.getvalue(), "a.bmp", "image/bmp")
    # then
    _assert_refused(response, "bad_format", settings)


def test_too_many_pixels_are_refused_before_decoding(auth_client, settings):
    # given a lowered pixel limit
    settings.IMAGE_MAX_PIXELS = 50_000
    # when a 300×300 picture comes
    response = _upload(auth_client, _png((300, 300)), "a.png", "image/png")
    # then
    _assert_refused(response, "too_many_pixels", settings)


def test_decompression_bomb_is_refused(auth_client, settings):
    # given a small file whose header declares 10000×10000 pixels (default limits)
    bomb = _png((10_000, 10_000), mode="1", color=1)
    assert len(bomb) < settings.AVATAR_MAX_BYTES
    # when
    response = _upload(auth_client, bomb, "bomb.png", "image/png")
    # then
    _assert_refused(response, "too_many_pixels", settings)


def test_replacing_an_avatar_deletes_the_old_files_after_commit(auth_client, django_capture_on_commit_callbacks):
    # given an avatar
    with django_capture_on_commit_callbacks(execute=True):
        _upload(auth_client, _jpeg_on_its_side())
    old = Profile.objects.get(user=auth_client.user)
    old_names = [old.avatar.name, old.avatar_small.name]
    # when a new one is uploaded, before the transaction commits
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _upload(auth_client, _png(), "new.png", "image/png")
    new = Profile.objects.get(user=auth_client.user)
    new_names = [new.avatar.name, new.avatar_small.name]
    # then the old files are still there until the commit
    assert response.status_code == 200
    assert len(callbacks) == 1
    assert all(default_storage.exists(name) for name in old_names + new_names)
    # when it commits
    callbacks[0]()
    # then only the new files remain
    assert not any(default_storage.exists(name) for name in old_names)
    assert all(default_storage.exists(name) for name in new_names)


def test_removing_the_avatar(auth_client, settings, django_capture_on_commit_callbacks):
    # given an avatar
    with django_capture_on_commit_callbacks(execute=True):
        _upload(auth_client, _jpeg_on_its_side())
    # when it is removed
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = auth_client.delete("/api/me/avatar/")
    # then
    assert response.status_code == 200
    assert (response.json()["avatar_url"], response.json()["avatar_small_url"]) == (None, None)
    assert len(callbacks) == 1
    assert _files_under(settings.MEDIA_ROOT) == []


# --- lists are constant in queries -----------------------------------------------------------------


def _queries_for(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, {"size": 100})
    assert response.status_code == 200
    return len(context.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("kind", ["followers", "following", "search"])
def test_lists_use_the_same_number_of_queries_for_3_and_30_people(db, django_assert_max_num_queries, kind):
    # given a viewer, and a star who will have 3 then 30 people in the list
    viewer, star = UserFactory(username="viewer"), UserFactory(username="star")
    client = APIClient()
    client.force_authenticate(viewer)
    url = "/api/users/" if kind == "search" else f"/api/users/star/{kind}/"

    def add_people(count):
        for person in UserFactory.create_batch(count):
            if kind == "followers":
                FollowFactory(follower=person, followee=star)
            elif kind == "following":
                FollowFactory(follower=star, followee=person)
            FollowFactory(follower=viewer, followee=person)  # so is_followed varies nothing per row

    add_people(3)
    few_queries, few_rows = _queries_for(client, url)
    add_people(27)
    # when the list is read with 30 people
    with django_assert_max_num_queries(few_queries):
        _, many_rows = _queries_for(client, url)
    # then the count did not grow with the rows
    extra = 2 if kind == "search" else 0  # the viewer and the star are found by the search too
    assert (few_rows, many_rows) == (3 + extra, 30 + extra)
    assert few_queries <= 3
