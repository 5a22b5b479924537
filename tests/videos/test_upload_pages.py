"""The upload page and the creator's studio as the server renders them: both need a login;
the upload page carries the limits and labels every control; the studio lists the creator's
videos newest first, each with its state (a processing one with its progress, a failed one
with the reason, a ready one with a link to watch it), an empty state, "Load more", and a query
count that does not grow with the list. Videos are made through the real services and ffmpeg."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.media import signed_url
from tests.videos.clips import needs_ffmpeg
from tests.videos.factories import VideoFactory
from tests.videos.helpers import upload_video
from videos import states
from videos.models import Video
from videos.services.processing import give_up

pytestmark = [pytest.mark.django_db, needs_ffmpeg]

UPLOAD, STUDIO = "/videos/upload/", "/videos/studio/"


def item_of(html: str, video: Video) -> str:
    """The HTML of the studio's item for `video` (up to the next item or the list's end)."""
    start = html.index(f'<li class="studio-item card" id="video-{video.pk}"')
    ends = [end for end in (html.find('<li class="studio-item', start + 1), html.find("</ul>", start)) if end != -1]
    return html[start : min(ends)]


def listed_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'<li class="studio-item card" id="video-(\d+)"', html)]


@pytest.fixture
def two_second_clip(clip):
    return clip("clip.mp4", seconds=2)


@pytest.mark.parametrize("url", [UPLOAD, STUDIO])
def test_the_upload_page_and_the_studio_need_a_login(client, url):
    # when someone signed out opens the page
    response = client.get(url)
    # then they are sent to log in, and back here afterwards
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_the_upload_page_carries_the_limits_and_labels_every_control(client, ana, settings):
    # given limits of this site
    settings.VIDEO_MAX_SECONDS = 7.0
    settings.VIDEO_MAX_BYTES = 50 * 1024 * 1024
    settings.VIDEO_CHUNK_BYTES = 1024 * 1024
    client.force_login(ana)

    # when Ana opens the upload page
    response = client.get(UPLOAD)

    # then it has the limits, the formats and the API the script talks to
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["videos/upload.html", "base.html"]
    context = response.context
    assert (context["max_seconds"], context["max_bytes"], context["chunk_size"]) == (7.0, 50 * 1024 * 1024, 1024 * 1024)
    html = response.content.decode()
    assert "A clip of up to 7 seconds: MP4, WebM or MOV, at most 50.0\xa0MB." in html
    assert 'data-max-seconds="7.0"' in html
    assert f'data-max-bytes="{50 * 1024 * 1024}"' in html
    assert 'data-uploads-url="/api/videos/uploads/" data-videos-url="/api/videos/"' in html
    assert 'accept=".mp4,.webm,.mov,video/mp4,video/webm,video/quicktime"' in html
    # and every control has a label: the file, the trim window, the caption, who can see it
    assert '<label class="upload-drop-label" for="video-file">' in html
    assert '<span class="upload-drop-title">Video file</span>' in html
    assert '<label class="form-check-label" for="trim-on">Cut it to 7 seconds</label>' in html
    assert '<label class="form-label mb-1" for="trim-start">Keep 7 seconds from (second)</label>' in html
    assert 'aria-label="Start second, as a number"' in html
    assert '<label class="form-label" for="video-caption">Caption' in html
    assert "data-char-counter" in html
    assert '<label class="form-label" for="video-visibility">Who can see it</label>' in html
    assert (
        '<option value="public" selected>Public</option><option value="followers">Followers only</option>'
        '<option value="private">Only me</option>'
    ) in html
    # with the progress bars, the errors read out as alerts, and Publish waiting for a file
    assert 'role="progressbar" aria-labelledby="upload-progress-label"' in html
    assert 'role="progressbar" aria-label="Processing progress"' in html
    assert 'id="video-file-error" role="alert"' in html
    assert re.search(
        r'<button type="submit" class="btn btn-primary px-4" data-publish disabled>.*Publish</button>', html
    )
    assert "js/videos/video-upload.js" in html


def test_an_empty_studio_invites_a_first_upload(client, ana, bob, two_second_clip, django_capture_on_commit_callbacks):
    # given a video of Bob's only
    with django_capture_on_commit_callbacks(execute=True):
        upload_video(bob, two_second_clip, caption="Bob's clip")
    client.force_login(ana)

    # when Ana opens her studio
    response = client.get(STUDIO)

    # then it is empty, says so, and links to the upload page
    assert response.status_code == 200
    assert list(response.context["videos"]) == []
    assert response.context["next_url"] is None
    html = response.content.decode()
    assert listed_ids(html) == []
    assert "Bob&#x27;s clip" not in html
    assert '<ul class="studio-list" id="studio-list" data-studio-list aria-labelledby="studio-title" hidden>' in html
    assert '<div class="empty-state" data-studio-empty>' in html
    assert "No videos yet." in html
    assert '<a class="btn btn-primary" href="/videos/upload/">Upload your first video</a>' in html
    assert "data-studio-more" not in html


def test_the_studio_shows_each_video_newest_first_with_its_state(
    client, ana, bob, clip, two_second_clip, django_capture_on_commit_callbacks
):
    # given Ana's videos: one ready, one that failed, one being processed, one waiting its turn
    with django_capture_on_commit_callbacks(execute=True):  # processing runs once the upload commits
        ready = upload_video(ana, clip("ready.mp4", seconds=2), caption="Ready #one")
    ready.refresh_from_db()
    assert ready.state == Video.State.READY
    failed = upload_video(ana, two_second_clip, caption="Failed one")
    give_up(video_id=failed.pk, reason="The clip could not be decoded.")
    processing = upload_video(ana, two_second_clip, caption="")
    states.VIDEO.transition(processing, states.PROCESSING, progress=40)
    waiting = upload_video(ana, two_second_clip, caption="Waiting one")
    upload_video(bob, two_second_clip, caption="Bob's")  # not hers
    client.force_login(ana)

    # when she opens her studio
    response = client.get(STUDIO)

    # then her four videos are listed, newest first, and no one else's
    assert response.status_code == 200
    html = response.content.decode()
    assert listed_ids(html) == [waiting.pk, processing.pk, failed.pk, ready.pk]
    assert '<div class="empty-state" data-studio-empty hidden>' in html

    # a ready one: its poster, badge, duration and a link to watch it (its post)
    item = item_of(html, ready)
    assert 'data-state="ready"' in item
    assert f'<img src="{signed_url(ready.poster)}" alt="" loading="lazy">' in item
    assert "Ready #one</p>" in item
    assert '<span class="badge studio-badge state-ready" data-state-badge>' in item
    assert "</i> Ready</span>" in item
    assert '<span class="studio-duration" data-duration>2.0 s</span>' in item
    assert f'<a class="btn btn-sm btn-primary" data-watch href="/p/{ready.post_id}/">' in item
    assert "data-progress-box hidden" in item
    assert "data-reason hidden" in item

    # a failed one: the reason, no progress, nothing to watch
    item = item_of(html, failed)
    assert "</i> Failed</span>" in item
    assert (
        '<p class="studio-reason small" data-reason><i class="bi bi-info-circle" aria-hidden="true"></i> '
        "The clip could not be decoded.</p>" in item
    )
    assert '<span class="studio-placeholder">' in item  # no poster was made
    assert "data-watch hidden" in item

    # one being processed: its progress in a labelled bar, and no caption said so
    item = item_of(html, processing)
    assert "</i> Processing</span>" in item
    assert 'aria-label="Processing progress of “your video”"' in item
    assert 'aria-valuenow="40"' in item
    # (its width is drawn from aria-valuenow by video-studio.js: the policy allows no style attribute)
    assert '<div class="progress-bar progress-bar-striped progress-bar-animated progress-bar-empty">40%</div>' in item
    assert '<p class="studio-caption is-empty" id="video-' in item
    assert ">No caption</p>" in item
    assert "data-watch hidden" in item

    # one waiting its turn: uploaded, at 0%
    item = item_of(html, waiting)
    assert "</i> Uploaded</span>" in item
    assert 'aria-valuenow="0"' in item
    # every one can be deleted, after a confirmation naming it
    assert html.count('data-delete data-caption="') == 4
    assert 'data-delete data-caption="this video"' in item_of(html, processing)
    assert 'id="delete-video-dialog"' in html
    assert 'data-video-url="/api/videos/0/"' in html


def test_the_studio_pages_on_through_the_api_in_a_fixed_number_of_queries(client, ana):
    # given more videos than a page holds
    videos = [VideoFactory(owner=ana, caption=f"Clip {number}") for number in range(21)]
    client.force_login(ana)

    # when Ana opens her studio
    with CaptureQueriesContext(connection) as full_page:
        response = client.get(STUDIO)

    # then it shows the newest 20 and offers the rest through the API
    html = response.content.decode()
    assert listed_ids(html) == [video.pk for video in reversed(videos[1:])]
    next_url = response.context["next_url"]
    assert next_url.startswith("/api/me/videos/?cursor=")
    assert f'data-studio-more data-next-url="{next_url.replace("&", "&amp;")}"' in html
    more = client.get(next_url).json()
    assert [video["id"] for video in more["results"]] == [videos[0].pk]
    assert more["next_cursor"] is None

    # and a studio of one video costs as many queries as one of twenty
    Video.objects.exclude(pk=videos[0].pk).delete()
    with CaptureQueriesContext(connection) as short_page:
        client.get(STUDIO)
    assert len(short_page) == len(full_page)
