"""Video processing moves the transcode metrics: its duration once per run, and failures by
reason (a file ffmpeg cannot decode, storage that lost the upload). Real ffmpeg, real clips."""

import pytest
from django.core.files.storage import default_storage

from tests.metrics import sample
from tests.videos.clips import needs_ffmpeg
from tests.videos.factories import VideoFactory
from tests.videos.helpers import published_video, upload_video
from videos import tasks
from videos.models import Video

pytestmark = [needs_ffmpeg, pytest.mark.django_db(transaction=True)]

REASONS = ("transcode", "storage", "database")


def _runs() -> tuple[float, float]:
    return sample("shortmedia_video_transcode_seconds_count"), sample("shortmedia_video_transcode_seconds_sum")


def _failures() -> dict[str, float]:
    return {reason: sample("shortmedia_video_transcode_failures_total", reason=reason) for reason in REASONS}


def test_a_transcode_is_timed_once_and_counts_no_failure(ana, tmp_path):
    # given
    (count, total), failures = _runs(), _failures()
    # when a clip is uploaded and processed
    published_video(ana, tmp_path)
    # then one run was timed, for a positive time, and nothing failed
    after_count, after_total = _runs()
    assert after_count - count == 1
    assert after_total > total
    assert _failures() == failures


def test_a_file_ffmpeg_cannot_decode_counts_a_transcode_failure(ana, clip, tmp_path):
    # given a "fast start" MP4 cut to a third: only decoding finds the end missing
    whole = clip("whole.mp4", seconds=5, extra=("-movflags", "+faststart")).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) // 3])
    (count, _), failures = _runs(), _failures()
    # when
    video = upload_video(ana, cut)
    # then
    assert video.state == Video.State.FAILED
    assert _runs()[0] - count == 1
    assert {reason: _failures()[reason] - failures[reason] for reason in REASONS} == {
        "transcode": 1,
        "storage": 0,
        "database": 0,
    }


def test_an_upload_missing_from_storage_counts_a_storage_failure(ana, clip):
    # given a video whose upload went missing from storage
    video = VideoFactory(owner=ana, clip=clip("a.mp4"))
    default_storage.delete(video.source)
    failures = _failures()
    # when the task runs (and hands back to Celery to retry)
    with pytest.raises(Exception, match="Retry in 5s"):
        tasks.process_video.delay(video.pk)
    # then
    assert {reason: _failures()[reason] - failures[reason] for reason in REASONS} == {
        "transcode": 0,
        "storage": 1,
        "database": 0,
    }
