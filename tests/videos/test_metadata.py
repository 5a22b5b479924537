"""Uploaded clips lose what identifies a person or a place: nothing made from a source carries
its tags (location, comment, title, device, times, handler names), on the fast path that
repackages the source and on the path that encodes it, and a rotated clip still stands upright."""

from __future__ import annotations

import json
import subprocess

import pytest
from django.core.files.storage import default_storage

from tests.videos.clips import needs_ffmpeg
from tests.videos.helpers import upload_video
from videos.integrations import storage
from videos.models import Video

pytestmark = [needs_ffmpeg, pytest.mark.django_db(transaction=True)]

SECRETS = [b"SECRET", b"+38.7223", b"-009.1393", b"2024-05-01"]
PHONE_TAGS = (
    *("-metadata", "location=+38.7223-009.1393/"),
    *("-metadata", "com.apple.quicktime.location.ISO6709=+38.7223-009.1393+010.000/"),
    *("-metadata", "comment=SECRET comment"),
    *("-metadata", "title=SECRET title"),
    *("-metadata", "artist=SECRET artist"),
    *("-metadata", "creation_time=2024-05-01T10:00:00Z"),
    *("-metadata", "com.apple.quicktime.make=SECRET make"),
    *("-metadata", "com.apple.quicktime.model=SECRET model"),
    *("-metadata", "com.apple.quicktime.software=SECRET software"),
    *("-metadata:s", "creation_time=2024-05-01T10:00:00Z"),
    *("-metadata:s:v", "handler_name=SECRET camera"),
    *("-metadata:s:a", "handler_name=SECRET microphone"),
)
# What ffmpeg writes of its own, identifying nothing: the MP4 brand and the track kinds.
MP4_FORMAT_TAGS = {"major_brand": "isom", "minor_version": "512", "compatible_brands": "isomiso2avc1mp41"}
VIDEO_TRACK = {"language": "und", "handler_name": "VideoHandler", "vendor_id": "[0][0][0][0]"}
SOUND_TRACK = {"language": "und", "handler_name": "SoundHandler", "vendor_id": "[0][0][0][0]"}


def ffprobe(name: str) -> dict:
    found = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_entries",
            "format_tags:stream_tags:stream=codec_type,width,height:stream_side_data",
            default_storage.path(name),
        ],
        capture_output=True,
        check=True,
    )
    return json.loads(found.stdout)


def tags(name: str) -> tuple[dict, list[dict]]:
    found = ffprobe(name)
    return found["format"].get("tags", {}), [stream.get("tags", {}) for stream in found["streams"]]


def made_from_source(video: Video) -> list[str]:
    return sorted(name for name in storage.list_files(video.folder) if name != video.source)


def assert_nothing_identifying(video: Video, *, mp4_video_track: dict) -> None:
    made = made_from_source(video)
    assert {video.playlist, video.mp4, video.poster, *video.thumbnails} < set(made)
    for name in made:
        content = default_storage.open(name).read()
        assert [secret for secret in SECRETS if secret in content] == [], name
    for name in made:
        if name.endswith(".ts"):
            assert tags(name) == ({}, [{}, {}]), name
    assert tags(video.mp4) == (MP4_FORMAT_TAGS, [mp4_video_track, SOUND_TRACK])


def test_the_fast_path_keeps_no_tag_of_the_source(ana, clip):
    # given an H.264/AAC clip at a rung's size (repackaged as it is), tagged like a phone's
    source = clip("tagged.mp4", size=(540, 960), tags=PHONE_TAGS)
    assert b"SECRET" in source.read_bytes()
    # when
    video = upload_video(ana, source)
    # then the top rendition was copied, the smaller one encoded, and neither carries a tag
    assert video.state == Video.State.READY, video.failure_reason
    assert [(r["name"], r["copied"]) for r in video.renditions] == [("540p", True), ("360p", False)]
    assert_nothing_identifying(video, mp4_video_track=VIDEO_TRACK)
    # and the upload itself is kept as it came, for its owner only
    assert default_storage.open(video.source).read() == source.read_bytes()


def test_the_encoding_path_keeps_no_tag_and_a_rotated_clip_stays_upright(ana, clip):
    # given a phone's QuickTime clip: coded landscape, shown portrait by its rotation, tagged
    source = clip("phone.mov", size=(640, 360), rotate=90, tags=PHONE_TAGS)
    # when
    video = upload_video(ana, source)
    # then
    assert video.state == Video.State.READY, video.failure_reason
    assert [(r["name"], r["width"], r["height"], r["copied"]) for r in video.renditions] == [("360p", 360, 640, False)]
    assert_nothing_identifying(video, mp4_video_track={**VIDEO_TRACK, "encoder": "Lavc libx264"})
    # every picture is portrait as coded, with no rotation left for a player to apply (or miss)
    for name in [video.mp4, f"{video.folder}/360p_000.ts", video.poster, *video.thumbnails]:
        picture = next(s for s in ffprobe(name)["streams"] if s["codec_type"] == "video")
        assert "side_data_list" not in picture, name
        assert picture["height"] > picture["width"], name
    picture = ffprobe(video.mp4)["streams"][0]
    assert (picture["width"], picture["height"]) == (360, 640)


def test_cover_art_is_left_out_and_does_not_stop_the_fast_path(ana, clip, tmp_path):
    # given a clip carrying a cover picture (an MP4 "covr" box, shown by ffprobe as a second picture stream)
    cover = tmp_path / "cover.png"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=red:s=100x100", "-frames:v", "1", str(cover)], check=True
    )
    source = tmp_path / "covered.mp4"
    both = ["-i", str(clip("plain.mp4")), "-i", str(cover), "-map", "0", "-map", "1", "-c", "copy"]
    subprocess.run(["ffmpeg", "-v", "error", *both, "-disposition:v:1", "attached_pic", str(source)], check=True)
    # when
    video = upload_video(ana, source)
    # then
    assert video.state == Video.State.READY, video.failure_reason
    assert [(r["name"], r["copied"]) for r in video.renditions] == [("360p", True)]
    for name in (video.mp4, f"{video.folder}/360p_000.ts"):
        assert [s["codec_type"] for s in ffprobe(name)["streams"]] == ["video", "audio"], name
