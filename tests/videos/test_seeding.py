import pytest
from django.core.management import call_command

from posts.models import Post
from tests.videos.clips import needs_ffmpeg
from videos.models import Video
from videos.seeding import CLIPS

pytestmark = [needs_ffmpeg, pytest.mark.django_db(transaction=True)]


def test_the_demo_people_post_videos_that_play(settings):
    # when
    call_command("seed_demo", force=True)
    # then every demo clip went through the real pipeline and is a liked video post
    videos = list(Video.objects.select_related("owner", "post").order_by("pk"))
    assert [(video.owner.username, video.state, video.caption) for video in videos] == [
        (name, "ready", caption) for name, _, _, caption, _ in CLIPS
    ]
    assert [video.post.likes_count for video in videos] == [len(fans) for *_, fans in CLIPS]
    assert Post.objects.filter(kind="video").count() == len(CLIPS)
    # and seeding again adds nothing
    call_command("seed_demo", force=True)
    assert Video.objects.count() == len(CLIPS)
