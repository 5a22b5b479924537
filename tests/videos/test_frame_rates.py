"""Clips whose frame times vary (dropped frames, freezes, parts at other rates) are told apart
by the probe and re-encoded at a constant rate, never repackaged: copied as they are, HLS would
misstate their segments' lengths and the completeness check would fail a valid clip."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from tests.videos.clips import make_clip, make_mixed_rate_clip, needs_ffmpeg
from tests.videos.helpers import upload_video
from videos.integrations import probe
from videos.models import Video

pytestmark = [needs_ffmpeg, pytest.mark.django_db(transaction=True)]

B_FRAMES = ("-preset", "veryfast")  # encoded as phones do, with B-frames (what trips HLS's copy)
DROPPED_AT_60 = ("-vf", "select='lt(mod(n,7),3)+between(n,100,115)'", "-fps_mode", "vfr", *B_FRAMES)
FROZEN_AT_30 = ("-vf", "select='not(between(n,30,90))'", "-fps_mode", "vfr", *B_FRAMES)


def dropped_at_60(path: Path) -> Path:
    """60 fps with frames dropped irregularly: 3 of each 7, and a run of 16 kept."""
    return make_clip(path, seconds=4, fps=60, extra=DROPPED_AT_60)


def frozen_at_30(path: Path) -> Path:
    """30 fps with the picture frozen for two seconds (one frame held)."""
    return make_clip(path, seconds=4, extra=FROZEN_AT_30)


def frozen_at_the_end(path: Path) -> Path:
    """30 fps whose picture stops changing after 2 s, the recorder writing no more frames, while
    the sound goes on to 4 s (a screen recording's still end)."""
    inputs = ["-f", "lavfi", "-i", "testsrc2=s=360x640:r=30:d=4", "-f", "lavfi", "-i", "sine=frequency=440:duration=4"]
    still_end = ["-vf", "trim=end=2,tpad=stop_mode=clone:stop_duration=2,mpdecimate"]
    encoding = ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
    subprocess.run(["ffmpeg", "-v", "error", *inputs, *still_end, *encoding, str(path)], check=True)
    return path


def mixed_24_and_30(path: Path) -> Path:
    return make_mixed_rate_clip(path, parts=((24, 2.0), (30, 2.0)))


def ffprobe(path: str) -> dict:
    found = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
        capture_output=True,
        check=True,
    )
    return json.loads(found.stdout)


def playlist_lengths(name: str) -> list[float]:
    return [float(length) for length in re.findall(r"#EXTINF:([0-9.]+),", default_storage.open(name).read().decode())]


@pytest.mark.parametrize(
    ("make", "name", "usual_rate"),
    [
        (dropped_at_60, "dropped.mp4", 60.0),
        (frozen_at_30, "frozen.mp4", 30.0),
        (mixed_24_and_30, "mixed.mp4", 30.0),
        (dropped_at_60, "dropped.mkv", 58.824),  # Matroska times are in whole milliseconds: 17 ms
        (frozen_at_30, "frozen.mov", 30.0),
        (frozen_at_the_end, "still-end.mp4", 30.0),
    ],
)
def test_a_variable_frame_rate_clip_is_re_encoded_at_a_constant_rate_and_keeps_its_length(
    ana, tmp_path, make, name, usual_rate
):
    # given an H.264/AAC clip at a rung's size (what the fast path would copy), its frame times varying
    source = make(tmp_path / name)
    length = float(ffprobe(str(source))["format"]["duration"])
    info = probe.describe(str(source), size=source.stat().st_size)
    assert (info.variable_frame_rate, info.video_codec, info.width, info.height) == (True, "h264", 360, 640)
    assert info.fps == pytest.approx(usual_rate, abs=0.002)  # timestamps in microseconds round 1/30 s
    # when
    video = upload_video(ana, source)
    # then it plays whole, encoded at 30 frames a second
    assert video.state == Video.State.READY, video.failure_reason
    assert [(r["name"], r["copied"]) for r in video.renditions] == [("360p", False)]
    assert video.fps == 30
    frame = 1 / 30
    assert abs(video.duration - length) <= frame
    # the playlist's segment lengths add up to the video's, and so does the MP4
    assert sum(playlist_lengths(f"{video.folder}/360p.m3u8")) == pytest.approx(video.duration, abs=0.001)
    mp4 = ffprobe(default_storage.path(video.mp4))
    picture = next(stream for stream in mp4["streams"] if stream["codec_type"] == "video")
    assert abs(float(mp4["format"]["duration"]) - length) <= frame
    # at a constant rate: as many frames as 30 a second fill
    assert picture["r_frame_rate"] == "30/1"
    assert abs(int(picture["nb_frames"]) - length * 30) <= 1


def test_a_constant_frame_rate_clip_at_a_rung_size_is_still_copied(ana, clip):
    # given
    source = clip("steady.mp4", seconds=4, extra=B_FRAMES)
    info = probe.describe(str(source), size=source.stat().st_size)
    assert (info.variable_frame_rate, info.fps) == (False, 30.0)
    # when
    video = upload_video(ana, source)
    # then
    assert [(r["name"], r["copied"]) for r in video.renditions] == [("360p", True)]
    assert sum(playlist_lengths(f"{video.folder}/360p.m3u8")) == pytest.approx(video.duration, abs=0.001)
    assert abs(video.duration - 4.0) <= 1 / 30
