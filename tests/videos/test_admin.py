"""Moderating videos in the Django admin: by state with the reason, run again, remove."""

import pytest
from django.urls import reverse

from posts.models import Post
from tests.posts.helpers import stored_files
from tests.users.factories import UserFactory
from tests.videos.clips import needs_ffmpeg
from tests.videos.helpers import upload_video
from videos.models import Video

pytestmark = [needs_ffmpeg, pytest.mark.django_db(transaction=True)]
CHANGELIST = reverse("admin:videos_video_changelist")


@pytest.fixture
def moderator(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_failed_videos_are_listed_with_the_reason_and_run_again(moderator, ana, clip, settings):
    # given a video stopped by the time limit, and a ready one
    settings.VIDEO_TRANSCODE_TIMEOUT = 0
    failed = upload_video(ana, clip("a.mp4", size=(480, 854)))
    settings.VIDEO_TRANSCODE_TIMEOUT = 300
    upload_video(ana, clip("b.mp4"))
    # when the moderator filters by state
    page = moderator.get(CHANGELIST, {"state__exact": "failed"}).content.decode()
    # then only the failed one is listed, with its reason
    assert page.count('class="field-failure_reason"') == 1
    assert "Processing took too long and was stopped." in page
    # when they run it again
    response = moderator.post(CHANGELIST, {"action": "rerun_processing", "_selected_action": [failed.pk]})
    # then it is processed and published
    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.state, failed.failure_reason, Post.objects.count()) == ("ready", "", 2)


def test_removing_a_video_removes_its_post_and_files(moderator, ana, clip):
    video = upload_video(ana, clip("a.mp4"))
    response = moderator.post(CHANGELIST, {"action": "remove_videos", "_selected_action": [video.pk]})
    assert response.status_code == 302
    assert (Video.objects.count(), Post.objects.count(), stored_files()) == (0, 0, [])


def test_a_ready_video_cannot_be_run_again(moderator, ana, clip):
    video = upload_video(ana, clip("a.mp4"))
    response = moderator.post(CHANGELIST, {"action": "rerun_processing", "_selected_action": [video.pk]}, follow=True)
    assert f"Video {video.pk}: This video is ready already." in response.content.decode()
    video.refresh_from_db()
    assert video.attempts == 1
