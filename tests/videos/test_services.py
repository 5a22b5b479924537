"""The video pipeline through the real services and the real ffmpeg: upload checks, the
lifecycle, what is made from real-world inputs, publishing, and that no file is left behind."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from core.exceptions import Conflict, PermissionDenied, ValidationFailed
from notifications.models import Notification
from posts import repositories as feeds
from posts import services as post_services
from posts.models import Post
from tests.posts.helpers import stored_folders
from tests.videos.clips import make_audio_only, make_still, needs_ffmpeg
from tests.videos.factories import VideoFactory
from tests.videos.helpers import upload_video
from videos import states, tasks
from videos.integrations import storage
from videos.models import Upload, Video
from videos.services import processing, publishing, uploads

pytestmark = [needs_ffmpeg, pytest.mark.django_db(transaction=True)]


def stored(video: Video) -> list[str]:
    return sorted(name.removeprefix(f"{video.folder}/") for name in storage.list_files(video.folder))


def everything_stored() -> list[str]:
    return storage.list_files("videos") + storage.list_files("uploads")


def probe_streams(name: str) -> list[dict]:
    path = default_storage.path(name)
    found = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", path], capture_output=True, check=True
    )
    return json.loads(found.stdout)["streams"]


def segment_lengths(video: Video, rendition: str) -> list[float]:
    text = default_storage.open(f"{video.folder}/{rendition}.m3u8").read().decode()
    return [float(length) for length in re.findall(r"#EXTINF:([0-9.]+),", text)]


# --- What is made ------------------------------------------------------------------------------


def test_a_rotated_variable_frame_rate_phone_clip_becomes_a_portrait_hls_ladder(ana, clip):
    # given a phone-style clip: coded landscape 1280x720, shown upright by rotation metadata, frame times varying
    source = clip("phone.mp4", seconds=5, size=(1280, 720), rotate=90, vfr=True)
    # when
    video = upload_video(ana, source, caption="Sunset #beach")
    # then it is ready, portrait, with three renditions never above the source
    assert video.state == Video.State.READY
    assert (video.width, video.height) == (720, 1280)
    assert [(r["name"], r["width"], r["height"]) for r in video.renditions] == [
        ("720p", 720, 1280),
        ("540p", 540, 960),
        ("360p", 360, 640),
    ]
    assert video.duration == pytest.approx(5.0, abs=0.3)
    assert video.video_codec == "h264" and video.audio_codec == "aac"
    # each rendition is upright H.264 4:2:0 at a constant rate, in segments of about 2 seconds
    for rendition in video.renditions:
        picture, sound = probe_streams(f"{video.folder}/{rendition['segments'][0]}")
        assert (picture["codec_name"], picture["pix_fmt"]) == ("h264", "yuv420p")
        assert (picture["width"], picture["height"]) == (rendition["width"], rendition["height"])
        assert "side_data_list" not in picture
        assert sound["codec_name"] == "aac"
        lengths = segment_lengths(video, rendition["name"])
        assert len(lengths) == 3 and all(length <= 2.2 for length in lengths[:-1])
    master = default_storage.open(video.playlist).read().decode()
    assert re.findall(r"RESOLUTION=(\d+x\d+)", master) == ["720x1280", "540x960", "360x640"]
    assert master.count('CODECS="avc1.64') == 3 and "mp4a.40.2" in master
    assert stored(video) == sorted(
        ["master.m3u8", "poster.jpg", "source.mp4", "video.mp4"]
        + [f"thumb_0{n}.jpg" for n in range(1, 6)]
        + [f"{r}p{suffix}" for r in (360, 540, 720) for suffix in (".m3u8", "_000.ts", "_001.ts", "_002.ts")]
    )
    assert video.bytes == sum(default_storage.size(name) for name in storage.list_files(video.folder)) - (
        video.source_bytes
    )


def test_the_published_post_is_a_video_post_with_the_caption_and_the_creator_is_told(ana, bob, clip):
    # when
    video = upload_video(ana, clip("a.mp4"), caption="Hello @bob #first", visibility="followers")
    # then
    post = Post.objects.get()
    assert (post.kind, post.body, post.visibility, post.author) == ("video", "Hello @bob #first", "followers", ana)
    assert video.post == post
    assert list(post.hashtags.values_list("name", flat=True)) == ["first"]
    told = Notification.objects.get(recipient=ana)
    assert (told.kind, told.target_id, told.data["url"]) == ("video_ready", post.pk, f"/p/{post.pk}/")


def test_a_small_source_is_never_upscaled(ana, clip):
    video = upload_video(ana, clip("small.mp4", size=(240, 426)))
    assert [(r["name"], r["width"], r["height"]) for r in video.renditions] == [("240p", 240, 426)]


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("silent.mp4", {"audio": False}, ("360p", 360, 640, "")),
        ("odd.mp4", {"pix_fmt": "yuv444p", "extra": ("-vf", "scale=363:645")}, ("360p", 360, 638, "aac")),
        ("hevc10.mov", {"codec": "libx265", "pix_fmt": "yuv420p10le", "size": (480, 854)}, ("360p", 360, 640, "aac")),
        (
            "vp9.webm",
            {"codec": "libvpx-vp9", "size": (360, 640), "extra": ("-deadline", "realtime")},
            ("360p", 360, 640, "aac"),
        ),
    ],
)
def test_real_world_inputs_become_h264_renditions(ana, clip, name, options, expected):
    # when
    video = upload_video(ana, clip(name, **options))
    # then
    assert video.state == Video.State.READY, video.failure_reason
    smallest = video.renditions[-1]
    assert (smallest["name"], smallest["width"], smallest["height"], video.audio_codec) == expected
    streams = probe_streams(f"{video.folder}/{smallest['segments'][0]}")
    assert (streams[0]["codec_name"], streams[0]["pix_fmt"]) == ("h264", "yuv420p")
    assert len(streams) == (2 if expected[3] else 1)
    master = default_storage.open(video.playlist).read().decode()
    assert ("mp4a.40.2" in master) == bool(expected[3])


def test_a_compatible_source_is_repackaged_without_re_encoding_and_the_smaller_rungs_follow(ana, clip):
    # given H.264 4:2:0 with AAC at exactly a rung's size
    source = clip("ready.mp4", size=(540, 960), seconds=3)
    # when
    video = upload_video(ana, source)
    # then the 540p rendition is the source's own stream; 360p was encoded after
    assert [(r["name"], r["copied"]) for r in video.renditions] == [("540p", True), ("360p", False)]
    picture = probe_streams(f"{video.folder}/540p_000.ts")[0]
    assert picture["profile"] == "Constrained Baseline"  # the test clip's ultrafast profile, not ours (High)
    assert len(video.thumbnails) == 5
    master = default_storage.open(video.playlist).read().decode()
    assert re.findall(r"RESOLUTION=(\d+x\d+)", master) == ["540x960", "360x640"]


def test_a_longer_clip_keeps_the_five_seconds_chosen_with_trim_start(ana, clip):
    # given
    source = clip("long.mp4", seconds=7)
    # when
    video = upload_video(ana, source, trim_start=1.5)
    # then
    assert video.trim_start == 1.5
    assert video.duration == pytest.approx(5.0, abs=0.15)


# --- Refused at upload -------------------------------------------------------------------------


def _refused(owner, path: Path, **options) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as refused:
        upload_video(owner, path, **options)
    assert Video.objects.count() == 0 and Post.objects.count() == 0
    assert everything_stored() == []
    return refused.value


def test_a_six_second_clip_is_refused_with_its_length(ana, clip):
    refused = _refused(ana, clip("six.mp4", seconds=6))
    assert refused.code == "too_long"
    assert refused.fields["file"] == [
        "This clip is 6.0 seconds long; a video is at most 5 seconds. "
        "Cut it: choose where the 5 seconds you keep start."
    ]


def test_a_trim_start_past_the_end_is_refused(ana, clip):
    refused = _refused(ana, clip("six.mp4", seconds=6), trim_start=3)
    assert (refused.code, refused.fields) == (
        "bad_trim",
        {"trim_start": ["Start between 0 and 1.0 seconds: the clip is 6.0 seconds long."]},
    )


def test_bad_files_are_refused_with_the_reason(ana, tmp_path, clip):
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 50)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    whole = clip("whole.mp4", seconds=2).read_bytes()
    truncated = tmp_path / "truncated.mp4"  # the index (moov) is at the end, so cut off it cannot be read
    truncated.write_bytes(whole[: len(whole) // 2])
    still = make_still(tmp_path / "still.png")
    renamed = still.rename(tmp_path / "still.mov")
    cases = {
        text: "not_video",
        empty: "empty",
        truncated: "not_video",
        make_audio_only(tmp_path / "sound.m4a"): "no_video_stream",
        renamed: "still_image",
        clip("huge.mp4", seconds=0.2, size=(4200, 240), audio=False): "too_big_frame",
    }
    found = {path: _refused(ana, path).code for path in cases}
    assert found == cases


def test_a_file_cut_after_its_index_is_failed_by_the_transcoder_with_the_reason(ana, clip, tmp_path):
    # given a "fast start" MP4 (index first) cut to a third: ffprobe reads it, only decoding finds the end missing
    whole = clip("whole.mp4", seconds=5, extra=("-movflags", "+faststart")).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) // 3])
    # when
    video = upload_video(ana, cut)
    # then
    assert video.state == Video.State.FAILED
    assert video.failure_reason.startswith("The file is incomplete: only ")
    assert Post.objects.count() == 0
    assert stored(video) == ["source.mp4"]  # kept for a moderator's re-run; nothing made from it remains
    told = Notification.objects.get(recipient=ana)
    assert (told.kind, told.data["excerpt"]) == ("video_failed", video.failure_reason)


# --- Lifecycle ---------------------------------------------------------------------------------


def test_the_post_appears_in_feeds_only_once_the_video_plays(ana, bob, clip):
    # given a video whose processing has not run yet
    video = VideoFactory(owner=ana, clip=clip("a.mp4"))
    assert feeds.latest_feed(bob).items == []
    assert feeds.profile_feed(bob, ana).items == []
    # when
    tasks.process_video.delay(video.pk)
    # then
    video.refresh_from_db()
    assert [post.pk for post in feeds.latest_feed(bob).items] == [video.post_id]


def test_transitions_outside_the_lifecycle_are_refused(ana, clip):
    video = upload_video(ana, clip("a.mp4"))
    with pytest.raises(Conflict) as refused:
        states.VIDEO.transition(video, states.PROCESSING)
    assert refused.value.message == "A video cannot go from ready to processing."
    with pytest.raises(Conflict) as stale:
        states.VIDEO.transition(video, states.FAILED, expected=states.PROCESSING)
    assert stale.value.message == "The video is no longer processing."


def test_a_duplicate_message_does_nothing_and_a_rerun_replaces_the_files(ana, admin_user, clip):
    # given a ready video
    video = upload_video(ana, clip("a.mp4", size=(480, 854)))
    files = stored(video)
    # when the same message arrives again
    tasks.process_video.delay(video.pk)
    # then nothing changed
    video.refresh_from_db()
    assert (video.attempts, stored(video), Post.objects.count()) == (1, files, 1)
    # and processing a failed video again writes the same set of files, not a second one
    Video.objects.filter(pk=video.pk).update(state=states.FAILED, post=None)
    Post.objects.all().delete()
    video.refresh_from_db()
    processing.rerun_video(video=video, by=admin_user)
    video.refresh_from_db()
    assert (video.state, video.attempts, stored(video)) == (Video.State.READY, 2, files)


def test_a_passing_storage_problem_is_retried_and_then_gives_up_with_a_reason(ana, clip):
    # given a video whose upload went missing from storage
    video = VideoFactory(owner=ana, clip=clip("a.mp4"))
    default_storage.delete(video.source)
    # when the task runs, it hands back to Celery to retry, the video waiting as uploaded
    with pytest.raises(Exception, match="Retry in 5s"):
        tasks.process_video.delay(video.pk)
    video.refresh_from_db()
    assert (video.state, video.attempts) == (Video.State.UPLOADED, 1)
    # when the last retry fails too
    tasks.process_video.apply(args=[video.pk], retries=tasks.RETRIES)
    # then
    video.refresh_from_db()
    assert (video.state, video.failure_reason) == (Video.State.FAILED, "Processing kept failing; try again later.")


def test_a_failed_video_is_run_again_by_a_moderator_only(ana, admin_user, clip, settings):
    # given processing stopped by the timeout
    settings.VIDEO_TRANSCODE_TIMEOUT = 0
    video = upload_video(ana, clip("a.mp4", size=(480, 854)))
    assert (video.state, video.failure_reason) == (Video.State.FAILED, "Processing took too long and was stopped.")
    settings.VIDEO_TRANSCODE_TIMEOUT = 300
    # when / then
    with pytest.raises(PermissionDenied):
        processing.rerun_video(video=video, by=ana)
    processing.rerun_video(video=video, by=admin_user)
    video.refresh_from_db()
    assert (video.state, video.failure_reason) == (Video.State.READY, "")


def test_upkeep_removes_abandoned_uploads_and_requeues_videos_whose_worker_died(ana, clip, settings):
    # given
    settings.VIDEO_UPLOAD_TTL = settings.VIDEO_UPLOAD_TTL * 0
    upload = uploads.start_upload(owner=ana, filename="a.mp4", size=10)
    uploads.receive_chunk(upload=upload, start=0, data=b"12345")
    video = VideoFactory(owner=ana, clip=clip("a.mp4"))
    Video.objects.filter(pk=video.pk).update(state=states.PROCESSING, processing_started_at="2020-01-01T00:00:00Z")
    # when
    done = processing.upkeep()
    # then
    assert done == {"uploads_removed": 1, "videos_requeued": 1}
    assert storage.list_files("uploads") == []
    video.refresh_from_db()
    assert video.state == Video.State.READY


# --- Deleting ----------------------------------------------------------------------------------


def test_deleting_a_video_deletes_its_post_and_every_file(ana, bob, clip):
    # given
    video = upload_video(ana, clip("a.mp4"))
    assert len(stored(video)) > 5
    # when / then: only the owner
    with pytest.raises(PermissionDenied):
        publishing.delete_video(video=video, by=bob)
    publishing.delete_video(video=video, by=ana)
    assert (Video.objects.count(), Post.objects.count(), everything_stored()) == (0, 0, [])
    assert stored_folders() == ["videos"]  # the video's emptied folder went too
    assert Notification.objects.filter(recipient=ana).count() == 0


def test_deleting_the_post_deletes_the_video_and_its_files(ana, clip):
    video = upload_video(ana, clip("a.mp4"))
    post_services.delete_post(post=video.post, by=ana)
    assert (Video.objects.count(), everything_stored(), stored_folders()) == (0, [], ["videos"])


def test_a_video_post_cannot_be_made_without_a_video(ana):
    with pytest.raises(ValidationFailed) as refused:
        post_services.create_post(author=ana, kind="video", body="hi")
    assert refused.value.code == "upload"


# --- Resumable uploads -------------------------------------------------------------------------


def test_a_resumable_upload_refuses_a_chunk_out_of_order_and_assembles_the_clip(ana, clip):
    # given
    data = clip("a.mp4").read_bytes()
    upload = uploads.start_upload(owner=ana, filename="../../a.mp4", size=len(data))
    half = len(data) // 2
    uploads.receive_chunk(upload=upload, start=0, data=data[:half])
    # when a chunk is sent again after a dropped answer, or skips ahead
    for start in (0, half + 1):
        with pytest.raises(Conflict) as refused:
            uploads.receive_chunk(upload=upload, start=start, data=data[start : start + 10])
        assert refused.value.code == "offset_mismatch"
    uploads.receive_chunk(upload=upload, start=half, data=data[half:])
    # then
    video = uploads.create_video(owner=ana, upload=upload)
    video.refresh_from_db()
    assert (upload.filename, video.state, video.source_bytes) == ("a.mp4", Video.State.READY, len(data))
    assert storage.list_files("uploads") == []


def test_an_unfinished_upload_cannot_become_a_video(ana):
    upload = uploads.start_upload(owner=ana, filename="a.mp4", size=100)
    uploads.receive_chunk(upload=upload, start=0, data=b"x" * 40)
    with pytest.raises(ValidationFailed) as refused:
        uploads.create_video(owner=ana, upload=upload)
    assert refused.value.fields == {"upload": ["The upload has 40 of 100 bytes; send the rest first."]}


def test_uploads_over_the_size_limit_are_refused_before_a_byte_is_sent(ana, settings):
    settings.VIDEO_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationFailed) as refused:
        uploads.start_upload(owner=ana, filename="a.mp4", size=3 * 1024 * 1024)
    assert refused.value.fields == {"size": ["This file is 3 MB; videos are at most 1 MB."]}


def test_a_whole_file_over_the_size_limit_is_refused(ana, clip, settings):
    settings.VIDEO_MAX_BYTES = 1000
    path = clip("a.mp4")
    with path.open("rb") as content, pytest.raises(ValidationFailed) as refused:
        uploads.create_video(owner=ana, file=File(content, name="a.mp4"))
    assert refused.value.code == "too_large"
    assert everything_stored() == []


def test_a_video_still_processing_is_not_run_twice(ana, admin_user, clip):
    video = VideoFactory(owner=ana, clip=clip("a.mp4"))
    states.VIDEO.transition(video, states.PROCESSING, processing_started_at=timezone.now())
    with pytest.raises(Conflict) as refused:
        processing.rerun_video(video=video, by=admin_user)
    assert refused.value.code == "still_processing"


def _four_other_uploads_and_one_with_a_part(owner, data: bytes):
    for _ in range(uploads.MAX_OPEN_UPLOADS - 1):
        uploads.start_upload(owner=owner, filename="other.mp4", size=100)
    upload = uploads.start_upload(owner=owner, filename="a.mp4", size=len(data))
    uploads.receive_chunk(upload=upload, start=0, data=data[:10])
    assert len(storage.list_files(upload.folder)) == 1
    return upload


def _gone_and_its_slot_free(owner, upload) -> None:
    assert storage.list_files(upload.folder) == []
    assert not Upload.objects.filter(pk=upload.pk).exists()
    assert Upload.objects.filter(owner=owner).count() == uploads.MAX_OPEN_UPLOADS - 1
    uploads.start_upload(owner=owner, filename="next.mp4", size=100)


@pytest.mark.parametrize(("chunk", "message"), [(b"", "Send between 1 and"), (b"x" * 200, "This chunk goes past")])
def test_a_refused_chunk_deletes_its_upload_at_once_and_frees_the_slot(ana, chunk, message):
    # given five unfinished uploads, one holding a part
    upload = _four_other_uploads_and_one_with_a_part(ana, b"y" * 100)
    # when
    with pytest.raises(ValidationFailed) as refused:
        uploads.receive_chunk(upload=upload, start=10, data=chunk)
    # then
    assert refused.value.code == "bad_chunk"
    assert refused.value.fields["chunk"][0].startswith(message)
    _gone_and_its_slot_free(ana, upload)


def test_an_upload_whose_file_is_refused_is_deleted_at_once_and_frees_the_slot(ana):
    # given five unfinished uploads, one of them a whole text file
    data = b"this is not a video\n" * 50
    upload = _four_other_uploads_and_one_with_a_part(ana, data)
    uploads.receive_chunk(upload=upload, start=10, data=data[10:])
    # when
    with pytest.raises(ValidationFailed) as refused:
        uploads.create_video(owner=ana, upload=upload)
    # then
    assert refused.value.code == "not_video"
    _gone_and_its_slot_free(ana, upload)
    assert Video.objects.count() == 0 and storage.list_files("videos") == []


def test_an_upload_too_long_to_publish_whole_is_kept_to_publish_cut(ana, clip):
    # given
    data = clip("six.mp4", seconds=6).read_bytes()
    upload = uploads.start_upload(owner=ana, filename="six.mp4", size=len(data))
    uploads.receive_chunk(upload=upload, start=0, data=data)
    # when publishing it whole is refused, the file stays for publishing a window of it
    with pytest.raises(ValidationFailed) as refused:
        uploads.create_video(owner=ana, upload=upload)
    assert refused.value.code == "too_long"
    assert len(storage.list_files(upload.folder)) == 1
    video = uploads.create_video(owner=ana, upload=upload, trim_start=0.5)
    # then
    video.refresh_from_db()
    assert (video.state, video.trim_start) == (Video.State.READY, 0.5)
    assert storage.list_files("uploads") == []


def test_one_person_holds_at_most_five_unfinished_uploads(ana):
    for _ in range(5):
        uploads.start_upload(owner=ana, filename="a.mp4", size=100)
    with pytest.raises(Conflict) as refused:
        uploads.start_upload(owner=ana, filename="a.mp4", size=100)
    assert refused.value.message == "You have 5 unfinished uploads; finish or cancel one first."
